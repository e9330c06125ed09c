# Compares kitsune-confgen's output with the committed conf/kyuubi-defaults.conf.template and
# docs/configuration.md. Run by CTest: cmake -DCONFGEN=... -DSOURCE_DIR=... -DWORK_DIR=... -P <this>
file(MAKE_DIRECTORY ${WORK_DIR})
set(stale "")
foreach(pair "template;conf/kyuubi-defaults.conf.template" "docs;docs/configuration.md")
  list(GET pair 0 what)
  list(GET pair 1 file)
  get_filename_component(name ${file} NAME)
  execute_process(COMMAND ${CONFGEN} ${what} OUTPUT_FILE ${WORK_DIR}/${name} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${CONFGEN} ${what} failed (${rc})")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${SOURCE_DIR}/${file} ${WORK_DIR}/${name}
                  RESULT_VARIABLE differs)
  if(NOT differs EQUAL 0)
    list(APPEND stale ${file})
  endif()
endforeach()
if(stale)
  # NOTICE prints the text as it is (FATAL_ERROR would re-wrap the message and the diff).
  message(NOTICE "conf/kyuubi-defaults.conf.template or docs/configuration.md is stale: run scripts/gen_config.sh")
  foreach(file IN LISTS stale)
    get_filename_component(name ${file} NAME)
    execute_process(COMMAND diff -u --label "${file} (committed)" --label "${file} (generated)"
                            ${SOURCE_DIR}/${file} ${WORK_DIR}/${name})
  endforeach()
  message(FATAL_ERROR "stale: ${stale}")
endif()
