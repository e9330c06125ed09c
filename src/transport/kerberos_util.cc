// Keytab checks and GSSAPI's words, shared by SASL GSSAPI and SPNEGO.
#include "kerberos_util.h"

#include <krb5.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace kitsune::transport {

std::string keytab_name(const std::string& keytab) {
  if (keytab.starts_with("FILE:") || keytab.starts_with("WRFILE:")) return keytab;
  return "FILE:" + keytab;
}

Status check_keytab(const std::string& keytab, const std::string& principal,
                    const std::string& keytab_key, const std::string& principal_key) {
  std::string path = keytab;
  for (const char* prefix : {"FILE:", "WRFILE:"}) {
    if (path.starts_with(prefix)) path = path.substr(std::strlen(prefix));
  }
  if (access(path.c_str(), R_OK) != 0) {
    return Status::error(keytab_key + ": cannot read the keytab '" + keytab +
                         "': " + std::strerror(errno));
  }
  krb5_context context = nullptr;
  if (krb5_init_context(&context) != 0) {
    return Status::error(keytab_key + ": cannot initialize Kerberos (check KRB5_CONFIG)");
  }
  auto message = [&](krb5_error_code code) {
    const char* m = krb5_get_error_message(context, code);
    std::string out = m ? m : "error " + std::to_string(code);
    krb5_free_error_message(context, m);
    return out;
  };
  Status result = Status::ok();
  krb5_principal wanted = nullptr;
  krb5_keytab kt = nullptr;
  krb5_kt_cursor cursor{};
  bool found = false;
  bool any = false;
  krb5_error_code code = krb5_parse_name(context, principal.c_str(), &wanted);
  if (code != 0) {
    result = Status::error(principal_key + ": '" + principal + "': " + message(code));
  } else if ((code = krb5_kt_resolve(context, ("FILE:" + path).c_str(), &kt)) != 0) {
    result = Status::error(keytab_key + ": '" + keytab + "': " + message(code));
  } else if ((code = krb5_kt_start_seq_get(context, kt, &cursor)) != 0) {
    result =
        Status::error(keytab_key + ": cannot read the keytab '" + keytab + "': " + message(code));
  } else {
    krb5_keytab_entry entry;
    while (!found && krb5_kt_next_entry(context, kt, &entry, &cursor) == 0) {
      any = true;
      found = krb5_principal_compare(context, entry.principal, wanted) != 0;
      krb5_free_keytab_entry_contents(context, &entry);
    }
    krb5_kt_end_seq_get(context, kt, &cursor);
    if (!found) {
      result = Status::error(keytab_key + ": the keytab '" + keytab + "' holds " +
                             (any ? "no key of " : "no keys at all, none of ") + principal + " (" +
                             principal_key + ")");
    }
  }
  if (kt) krb5_kt_close(context, kt);
  if (wanted) krb5_free_principal(context, wanted);
  krb5_free_context(context);
  return result;
}

std::string display_name(gss_name_t name) {
  if (name == GSS_C_NO_NAME) return {};
  OM_uint32 minor = 0;
  gss_buffer_desc buffer = GSS_C_EMPTY_BUFFER;
  if (GSS_ERROR(gss_display_name(&minor, name, &buffer, nullptr))) return {};
  std::string out(static_cast<const char*>(buffer.value), buffer.length);
  gss_release_buffer(&minor, &buffer);
  return out;
}

namespace {

// Every message gss_display_status has for one status value, joined.
void append_status(std::string& text, OM_uint32 status, int type) {
  OM_uint32 context = 0;
  do {
    OM_uint32 minor = 0;
    gss_buffer_desc buffer = GSS_C_EMPTY_BUFFER;
    if (GSS_ERROR(gss_display_status(&minor, status, type, GSS_C_NO_OID, &context, &buffer))) {
      break;
    }
    if (buffer.length > 0) {
      if (!text.empty()) text += "; ";
      text.append(static_cast<const char*>(buffer.value), buffer.length);
    }
    gss_release_buffer(&minor, &buffer);
  } while (context != 0);
}

}  // namespace

std::string gss_error_message(OM_uint32 major, OM_uint32 minor) {
  std::string text;
  append_status(text, major, GSS_C_GSS_CODE);
  if (minor != 0) append_status(text, minor, GSS_C_MECH_CODE);
  return text.empty() ? "GSSAPI error " + std::to_string(major) : text;
}

}  // namespace kitsune::transport
