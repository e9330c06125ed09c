// Uploaded batch resources: saved under the work dir's upload/<batch id>/, never outside it, within
// the configured caps, and handed to spark-submit where the request says.
#include <gtest/gtest.h>

#include <fstream>

#include "batch_harness.h"

namespace kitsune::testing {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Every regular file under `dir`.
std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file()) out.push_back(fs::relative(it->path(), dir).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Uploads : public ::testing::Test {
 protected:
  void SetUp() override {
    spark_home_ = make_spark_home(dir_.path());
    record_ = dir_.path() / "record";
    fs::create_directories(record_);
  }

  BatchWorld& start(const std::vector<std::pair<std::string, std::string>>& extra = {}) {
    config::Conf conf = sqlite_conf(dir_.path() / "state.db");
    conf.set("kyuubi.engineEnv.SPARK_HOME", spark_home_.string());
    conf.set("kyuubi.engineEnv.KITSUNE_STANDIN_RECORD", record_.string());
    for (const auto& [k, v] : extra)
      conf.set(k, v);
    world_.emplace(io_, conf, dir_.path() / "work");
    return *world_;
  }

  static batch::BatchRequest request() {
    batch::BatchRequest r;
    r.batch_type = "SPARK";
    r.class_name = "org.example.Etl";
    return r;
  }

  TempDir dir_;
  IoThread io_;
  fs::path spark_home_, record_;
  std::optional<BatchWorld> world_;
  const batch::Caller alice_ = caller("alice");
};

TEST_F(Uploads, AnUploadedResourceAndExtraFilesReachSparkSubmitFromTheUploadDir) {
  BatchWorld& w = start();
  batch::BatchRequest r = request();
  r.extra_resources = {{"spark.jars", "dep1, dep2"}, {"spark.files", "lookup"}};
  auto submitted = w.submit(alice_, r,
                            {{"resourceFile", "etl.jar", "main jar"},
                             {"dep1", "a.jar", "first"},
                             {"dep2", "b.jar", "second"},
                             {"lookup", "codes.csv", "1,x"}});
  ASSERT_TRUE(submitted) << submitted.status().message();
  ASSERT_EQ(w.wait_for_end(submitted->id).state, "FINISHED");
  const fs::path dir = dir_.path() / "work" / "upload" / submitted->id;
  EXPECT_EQ(files_under(dir_.path() / "work" / "upload"),
            (std::vector<std::string>{submitted->id + "/a.jar", submitted->id + "/b.jar",
                                      submitted->id + "/codes.csv", submitted->id + "/etl.jar"}));
  std::ifstream in(dir / "etl.jar");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(bytes, "main jar");
  const auto args = file_lines(record_ / (submitted->id + ".args"));
  EXPECT_EQ(args.back(), (dir / "etl.jar").string());
  EXPECT_NE(std::find(args.begin(), args.end(),
                      "spark.jars=" + (dir / "a.jar").string() + "," + (dir / "b.jar").string()),
            args.end());
  EXPECT_NE(std::find(args.begin(), args.end(), "spark.files=" + (dir / "codes.csv").string()),
            args.end());
  EXPECT_NE(std::find(args.begin(), args.end(), "spark.kyuubi.batch.resource.uploaded=true"),
            args.end());
}

TEST_F(Uploads, FileNamesThatCouldLeaveTheUploadDirAreRefused) {
  BatchWorld& w = start();
  for (const std::string& name :
       {std::string("../escape.jar"), std::string("nested/etl.jar"), std::string("/etc/passwd"),
        std::string(""), std::string(".."), std::string("."), std::string("..\\escape.jar"),
        std::string("nul\0.jar", 8), std::string("line\nbreak.jar")}) {
    auto refused = w.submit(alice_, request(), {{"resourceFile", name, "bytes"}});
    ASSERT_FALSE(refused) << "accepted the file name '" << name << "'";
    EXPECT_EQ(refused.status().code(), StatusCode::kError) << refused.status().message();
  }
  EXPECT_TRUE(files_under(dir_.path() / "work").empty());
  EXPECT_FALSE(fs::exists(dir_.path() / "escape.jar"));
  EXPECT_FALSE(fs::exists(dir_.path() / "work" / "upload"));
  batch::BatchFilter all;
  EXPECT_TRUE(w.list(caller("admin", true), all)->empty());
}

TEST_F(Uploads, FilesOverTheirCapsAreRefusedAndNothingIsKept) {
  BatchWorld& w = start({{"kyuubi.batch.resource.file.max.size", "10"},
                         {"kyuubi.batch.extra.resource.file.max.size", "4"}});
  auto big = w.submit(alice_, request(), {{"resourceFile", "etl.jar", "eleven char"}});
  ASSERT_FALSE(big);
  EXPECT_EQ(big.status().code(), StatusCode::kError);
  EXPECT_TRUE(contains(big.status().message(), "kyuubi.batch.resource.file.max.size"))
      << big.status().message();

  batch::BatchRequest r = request();
  r.extra_resources = {{"spark.jars", "dep"}};
  auto big_extra =
      w.submit(alice_, r, {{"resourceFile", "etl.jar", "ten chars!"}, {"dep", "a.jar", "12345"}});
  ASSERT_FALSE(big_extra);
  EXPECT_TRUE(contains(big_extra.status().message(), "kyuubi.batch.extra.resource.file.max.size"))
      << big_extra.status().message();

  auto fits =
      w.submit(alice_, r, {{"resourceFile", "etl.jar", "ten chars!"}, {"dep", "a.jar", "1234"}});
  ASSERT_TRUE(fits) << fits.status().message();
  EXPECT_EQ(files_under(dir_.path() / "work" / "upload"),
            (std::vector<std::string>{fits->id + "/a.jar", fits->id + "/etl.jar"}));
}

TEST_F(Uploads, AMissingExtraPartAndDisabledUploadsAreRefused) {
  BatchWorld& w = start();
  batch::BatchRequest r = request();
  r.extra_resources = {{"spark.jars", "dep"}};
  auto missing = w.submit(alice_, r, {{"resourceFile", "etl.jar", "jar"}});
  ASSERT_FALSE(missing);
  EXPECT_TRUE(contains(missing.status().message(), "Missing extra resource file part: dep"))
      << missing.status().message();
  world_.reset();

  BatchWorld& off = start({{"kyuubi.batch.resource.upload.enabled", "false"}});
  auto refused = off.submit(alice_, request(), {{"resourceFile", "etl.jar", "jar"}});
  ASSERT_FALSE(refused);
  EXPECT_TRUE(contains(refused.status().message(), "disabled")) << refused.status().message();
  EXPECT_FALSE(fs::exists(dir_.path() / "work" / "upload"));
}

TEST_F(Uploads, AUserNameThatIsNotADirectoryNameIsRefused) {
  BatchWorld& w = start();
  batch::BatchRequest r = request();
  r.resource = "/jobs/etl.jar";
  for (const char* user : {"..", "a/b", ""}) {
    auto refused = w.submit(caller(user), r);
    ASSERT_FALSE(refused) << user;
    EXPECT_EQ(refused.status().code(), StatusCode::kError);
  }
}

}  // namespace
}  // namespace kitsune::testing
