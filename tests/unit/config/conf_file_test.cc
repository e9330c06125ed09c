// Tests of kyuubi-defaults.conf loading: java.util.Properties parsing, per-user defaults, --conf
// precedence, validation with the file and key named, unknown-key warnings, the conf directory.
#include "kitsune/config/conf_file.h"

#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace kitsune::config {
namespace {

namespace fs = std::filesystem;
using Entries = std::vector<std::pair<std::string, std::string>>;

Entries parse(std::string_view text) {
  auto r = parse_properties(text);
  EXPECT_TRUE(r.is_ok()) << r.status().message();
  return r.is_ok() ? *r : Entries{};
}

bool contains_warning(const std::vector<std::string>& warnings, std::string_view text) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

// A fresh directory under the system temp dir, removed with the fixture.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("kitsune-conf-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  void write(const std::string& name, std::string_view text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

// Sets an environment variable for the scope of a test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// --- parse_properties -----------------------------------------------------------------------

TEST(Properties, SeparatesKeyAndValueByEqualsColonOrBlank) {
  EXPECT_EQ(
      parse("a=1\nb:2\nc 3\nd\t4\ne = 5\nf : 6\ng   =   7\n"),
      (Entries{
          {"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}, {"e", "5"}, {"f", "6"}, {"g", "7"}}));
}

TEST(Properties, SplitsAtTheFirstSeparatorOnly) {
  EXPECT_EQ(parse("k=a=b:c d\n"), (Entries{{"k", "a=b:c d"}}));
  EXPECT_EQ(parse("k a=b\n"), (Entries{{"k", "a=b"}}));
  // After a blank, one '=' still counts as the separator, a second one is value.
  EXPECT_EQ(parse("k = = v\n"), (Entries{{"k", "= v"}}));
  EXPECT_EQ(parse("k==v\n"), (Entries{{"k", "=v"}}));
}

TEST(Properties, AKeyAloneHasAnEmptyValue) {
  EXPECT_EQ(parse("lonely\nspaced   \nequals=\n"),
            (Entries{{"lonely", ""}, {"spaced", ""}, {"equals", ""}}));
}

TEST(Properties, SkipsCommentsAndBlankLines) {
  EXPECT_EQ(parse("# a comment\n! another\n   # indented comment\n\n   \n\tk=v\n"),
            (Entries{{"k", "v"}}));
}

TEST(Properties, AHashInsideAValueIsNotAComment) {
  EXPECT_EQ(parse("k=v # not a comment\n"), (Entries{{"k", "v # not a comment"}}));
}

TEST(Properties, TrimsValuesAndLeadingBlanksOfKeys) {
  EXPECT_EQ(parse("   kyuubi.engine.type    LOCAL   \t\n"),
            (Entries{{"kyuubi.engine.type", "LOCAL"}}));
}

TEST(Properties, ContinuesALineEndingInABackslash) {
  EXPECT_EQ(parse("k=one, \\\n    two, \\\n\tthree\nnext=1\n"),
            (Entries{{"k", "one, two, three"}, {"next", "1"}}));
}

TEST(Properties, AnEvenNumberOfBackslashesDoesNotContinue) {
  EXPECT_EQ(parse("k=a\\\\\nnext=1\n"), (Entries{{"k", "a\\"}, {"next", "1"}}));
}

TEST(Properties, AContinuedLineStartingWithAHashIsNotAComment) {
  EXPECT_EQ(parse("k=a\\\n  #b\n"), (Entries{{"k", "a#b"}}));
}

TEST(Properties, AContinuationInAKeyJoinsTheKey) {
  EXPECT_EQ(parse("kyuubi.engine.\\\n  type=LOCAL\n"), (Entries{{"kyuubi.engine.type", "LOCAL"}}));
}

TEST(Properties, ACommentEndingInABackslashDoesNotContinue) {
  EXPECT_EQ(parse("# comment \\\nk=v\n"), (Entries{{"k", "v"}}));
}

TEST(Properties, ABackslashAtTheEndOfTheFileIsDropped) {
  EXPECT_EQ(parse("k=v\\"), (Entries{{"k", "v"}}));
}

TEST(Properties, AcceptsCrLfAndCrLineEnds) {
  EXPECT_EQ(parse("a=1\r\nb=2\rc=3\\\r\n  4"), (Entries{{"a", "1"}, {"b", "2"}, {"c", "34"}}));
}

TEST(Properties, ResolvesJavaEscapes) {
  EXPECT_EQ(parse("k=a\\tb\\nc\\rd\\fe\\\\f\\qg\n"), (Entries{{"k", "a\tb\nc\rd\fe\\fqg"}}));
}

TEST(Properties, EscapedSeparatorsBelongToTheKey) {
  EXPECT_EQ(parse("a\\=b=c\nd\\:e:f\ng\\ h i\n"),
            (Entries{{"a=b", "c"}, {"d:e", "f"}, {"g h", "i"}}));
}

TEST(Properties, EscapedLeadingBlanksOfAValueAreTrimmedLikeTheOthers) {
  // Kyuubi trims values after unescaping, so an escaped blank does not survive at the ends.
  EXPECT_EQ(parse("k=\\ x\\ \n"), (Entries{{"k", "x"}}));
}

TEST(Properties, DecodesUnicodeEscapesToUtf8) {
  EXPECT_EQ(parse("k=\\u0041\\u00e9\\u4e2d\n"), (Entries{{"k", "A\xC3\xA9\xE4\xB8\xAD"}}));
  EXPECT_EQ(parse("\\u006b=v\n"), (Entries{{"k", "v"}}));
}

TEST(Properties, JoinsASurrogatePairIntoOneCodePoint) {
  EXPECT_EQ(parse("k=\\uD83D\\uDE00\n"), (Entries{{"k", "\xF0\x9F\x98\x80"}}));
}

TEST(Properties, ReplacesALoneSurrogate) {
  EXPECT_EQ(parse("k=\\uD83Dx\n"), (Entries{{"k", "\xEF\xBF\xBDx"}}));
}

TEST(Properties, PassesUtf8TextThrough) {
  EXPECT_EQ(parse("name=caf\xC3\xA9\n"), (Entries{{"name", "caf\xC3\xA9"}}));
}

TEST(Properties, SkipsAByteOrderMark) {
  EXPECT_EQ(parse("\xEF\xBB\xBFk=v\n"), (Entries{{"k", "v"}}));
}

TEST(Properties, RefusesAMalformedUnicodeEscapeNamingTheLine) {
  auto r = parse_properties("a=1\n\nb=\\u12G4\n");
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("\\uxxxx"), std::string::npos);
  EXPECT_FALSE(parse_properties("k=\\u12").is_ok());
}

TEST(Properties, KeepsDuplicatesInOrder) {
  EXPECT_EQ(parse("k=1\nk=2\n"), (Entries{{"k", "1"}, {"k", "2"}}));
}

// --- load_server_config ---------------------------------------------------------------------

TEST(ConfFile, ReadsTheFileAndTheLaterDuplicateWins) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf",
            "kyuubi.engine.type LOCAL\n"
            "kyuubi.session.idle.timeout=PT1H\n"
            "kyuubi.session.idle.timeout=PT2H\n"
            "spark.master local[2]\n");
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_EQ(sc->conf.get(keys::kEngineType), "LOCAL");
  EXPECT_EQ(sc->conf.get(keys::kSessionIdleTimeout), std::chrono::hours(2));
  EXPECT_EQ(sc->conf.raw("spark.master"), "local[2]");
  EXPECT_EQ(sc->conf_dir, dir.path());
  EXPECT_TRUE(sc->warnings.empty());
}

TEST(ConfFile, AMissingFileIsAWarningNotAnError) {
  TempDir dir;
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_TRUE(sc->conf.entries().empty());
  EXPECT_TRUE(contains_warning(sc->warnings, "kyuubi-defaults.conf not found"));
}

TEST(ConfFile, NoDirectoryRunsOnDefaultsAndOverrides) {
  Conf overrides;
  overrides.set("kyuubi.engine.type", "JDBC");
  auto sc = load_server_config(std::nullopt, overrides);
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_EQ(sc->conf.get(keys::kEngineType), "JDBC");
  EXPECT_EQ(sc->warnings.size(), 1u);
}

TEST(ConfFile, AnExplicitDirectoryThatDoesNotExistIsAnErrorNamingIt) {
  TempDir dir;
  const fs::path missing = dir.path() / "nowhere";
  auto sc = load_server_config(missing, Conf{});
  ASSERT_FALSE(sc.is_ok());
  EXPECT_NE(sc.status().message().find(missing.string()), std::string::npos)
      << sc.status().message();
}

TEST(ConfFile, AnExplicitDirectoryThatIsAFileIsAnError) {
  TempDir dir;
  dir.write("plain", "x");
  auto sc = load_server_config(dir.path() / "plain", Conf{});
  ASSERT_FALSE(sc.is_ok());
  EXPECT_NE(sc.status().message().find("not a directory"), std::string::npos);
}

TEST(ConfFile, ABadValueNamesTheFileTheKeyAndTheReason) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf", "kyuubi.session.idle.timeout soon\n");
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_FALSE(sc.is_ok());
  const std::string& m = sc.status().message();
  EXPECT_EQ(m.find((dir.path() / "kyuubi-defaults.conf").string() +
                   ": kyuubi.session.idle.timeout: expected a duration"),
            0u)
      << m;
}

TEST(ConfFile, ABadValueFromTheCommandLineNamesConf) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf", "kyuubi.frontend.bind.port 10009\n");
  Conf overrides;
  overrides.set("kyuubi.frontend.bind.port", "ten");
  auto sc = load_server_config(dir.path(), overrides);
  ASSERT_FALSE(sc.is_ok());
  EXPECT_EQ(sc.status().message().find("--conf: kyuubi.frontend.bind.port: "), 0u)
      << sc.status().message();
}

TEST(ConfFile, AMalformedEscapeNamesTheFileAndLine) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf", "# header\nk=\\uZZZZ\n");
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_FALSE(sc.is_ok());
  EXPECT_NE(sc.status().message().find("kyuubi-defaults.conf: line 2"), std::string::npos)
      << sc.status().message();
}

TEST(ConfFile, CommandLineConfWinsOverTheFile) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf", "kyuubi.engine.type LOCAL\nkyuubi.session.name fromfile\n");
  Conf overrides;
  overrides.set("kyuubi.engine.type", "JDBC");
  auto sc = load_server_config(dir.path(), overrides);
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_EQ(sc->conf.get(keys::kEngineType), "JDBC");
  EXPECT_EQ(sc->conf.raw("kyuubi.session.name"), "fromfile");
}

TEST(ConfFile, CommandLineConfBeatsABadValueInTheFile) {
  // The value that counts is the one checked; a bad value overridden by --conf is gone.
  TempDir dir;
  dir.write("kyuubi-defaults.conf", "kyuubi.frontend.bind.port ten\n");
  Conf overrides;
  overrides.set("kyuubi.frontend.bind.port", "10010");
  auto sc = load_server_config(dir.path(), overrides);
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_EQ(sc->conf.get(keys::kFrontendBindPort), 10010);
}

TEST(ConfFile, WarnsAboutUnknownKyuubiAndKitsuneKeys) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf",
            "kyuubi.no.such.key 1\nkitsune.nope 2\nspark.executor.memory 4g\n");
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_TRUE(
      contains_warning(sc->warnings, "unknown configuration key kyuubi.no.such.key (ignored)"));
  EXPECT_TRUE(contains_warning(sc->warnings, "unknown configuration key kitsune.nope (ignored)"));
  EXPECT_FALSE(contains_warning(sc->warnings, "spark."));
  EXPECT_EQ(sc->warnings.size(), 2u);
}

TEST(ConfFile, FreeFormPrefixFamiliesDoNotWarn) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf",
            "kyuubi.engineEnv.SPARK_HOME /opt/spark\n"
            "kyuubi.batchConf.spark.spark.master yarn\n"
            "kyuubi.kubernetes.ctx.ns.spark.master k8s\n"
            "kyuubi.engine.yarn.AMEnv.FOO bar\n"
            "kyuubi.metadata.store.jdbc.datasource.maximumPoolSize 10\n"
            "kyuubi.backend.server.event.kafka.bootstrap.servers host:9092\n");
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_TRUE(sc->warnings.empty()) << sc->warnings.front();
  EXPECT_EQ(sc->conf.entries().size(), 6u);
}

TEST(ConfFile, PerUserDefaultsOverlayTheServerDefaults) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf",
            "kyuubi.engine.share.level USER\n"
            "kyuubi.session.engine.idle.timeout PT30M\n"
            "___etl___.kyuubi.engine.share.level SERVER\n"
            "___etl_team___.kyuubi.engine.share.level GROUP\n");
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_FALSE(sc->conf.contains("___etl___.kyuubi.engine.share.level"));
  ASSERT_EQ(sc->user_defaults.count("etl"), 1u);
  EXPECT_EQ(sc->user_defaults.at("etl").entries().size(), 1u);
  EXPECT_EQ(sc->user_defaults.at("etl_team").raw("kyuubi.engine.share.level"), "GROUP");

  Conf etl = sc->for_user("etl");
  EXPECT_EQ(etl.get(keys::kEngineShareLevel), "SERVER");
  EXPECT_EQ(etl.get(keys::kSessionEngineIdleTimeout), std::chrono::minutes(30));
  EXPECT_EQ(sc->for_user("alice").get(keys::kEngineShareLevel), "USER");
}

TEST(ConfFile, PerUserDefaultsMayComeFromTheCommandLine) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf", "___bob___.kyuubi.engine.type LOCAL\n");
  Conf overrides;
  overrides.set("___bob___.kyuubi.engine.type", "JDBC");
  auto sc = load_server_config(dir.path(), overrides);
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_EQ(sc->for_user("bob").get(keys::kEngineType), "JDBC");
}

TEST(ConfFile, PerUserValuesAreValidatedWithTheirFullKey) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf", "___bob___.kyuubi.engine.share.level EVERYONE\n");
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_FALSE(sc.is_ok());
  EXPECT_NE(sc.status().message().find(": ___bob___.kyuubi.engine.share.level: 'EVERYONE'"),
            std::string::npos)
      << sc.status().message();
}

TEST(ConfFile, UnknownPerUserKeysWarnWithTheirFullKey) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf", "___bob___.kyuubi.nope 1\n");
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_TRUE(contains_warning(sc->warnings, "unknown configuration key ___bob___.kyuubi.nope"));
}

TEST(ConfFile, MalformedPerUserKeysAreIgnoredWithAWarning) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf", "___bob.kyuubi.engine.type LOCAL\n______.k v\n");
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_TRUE(sc.is_ok()) << sc.status().message();
  EXPECT_TRUE(sc->conf.entries().empty());
  EXPECT_TRUE(sc->user_defaults.empty());
  EXPECT_TRUE(contains_warning(sc->warnings, "malformed per-user key ___bob.kyuubi.engine.type"));
  EXPECT_TRUE(contains_warning(sc->warnings, "malformed per-user key ______.k"));
}

TEST(ConfFile, DoesNotSubstituteVariables) {
  TempDir dir;
  dir.write("kyuubi-defaults.conf", "kyuubi.session.name ${USER}\n");
  auto sc = load_server_config(dir.path(), Conf{});
  ASSERT_TRUE(sc.is_ok());
  EXPECT_EQ(sc->conf.raw("kyuubi.session.name"), "${USER}");
}

// --- the configuration directory ------------------------------------------------------------

TEST(ConfDir, KyuubiConfDirWins) {
  TempDir dir;
  ScopedEnv env("KYUUBI_CONF_DIR", "/etc/kyuubi");
  EXPECT_EQ(default_conf_dir(dir.path() / "bin"), fs::path("/etc/kyuubi"));
  EXPECT_EQ(resolve_conf_dir(std::nullopt, dir.path() / "bin"), fs::path("/etc/kyuubi"));
  EXPECT_EQ(resolve_conf_dir(fs::path("/flag"), dir.path() / "bin"), fs::path("/flag"));
}

TEST(ConfDir, PrefersTheInstallationConfNextToBin) {
  TempDir dir;
  ScopedEnv env("KYUUBI_CONF_DIR", nullptr);
  fs::create_directories(dir.path() / "build" / "bin");
  fs::create_directories(dir.path() / "build" / "conf");
  fs::create_directories(dir.path() / "conf");
  EXPECT_EQ(default_conf_dir(dir.path() / "build" / "bin"), dir.path() / "build" / "conf");
}

TEST(ConfDir, FallsBackToTheSourceTreeConfWhenRunningFromABuildDirectory) {
  TempDir dir;
  ScopedEnv env("KYUUBI_CONF_DIR", nullptr);
  fs::create_directories(dir.path() / "build-x" / "bin");
  fs::create_directories(dir.path() / "conf");
  EXPECT_EQ(default_conf_dir(dir.path() / "build-x" / "bin"), dir.path() / "conf");
}

TEST(ConfDir, WithoutAnyConfDirectoryResolvesToNone) {
  TempDir dir;
  ScopedEnv env("KYUUBI_CONF_DIR", nullptr);
  fs::create_directories(dir.path() / "a" / "b" / "bin");
  EXPECT_EQ(default_conf_dir(dir.path() / "a" / "b" / "bin"), dir.path() / "a" / "b" / "conf");
  EXPECT_EQ(resolve_conf_dir(std::nullopt, dir.path() / "a" / "b" / "bin"), std::nullopt);
}

}  // namespace
}  // namespace kitsune::config
