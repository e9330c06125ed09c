// Tests of the operating-system group lookup for GROUP share level, against this machine's real
// user database (a user and group are created for one test when running as root).
#include "kitsune/routing/groups.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "kitsune/common/random.h"
#include "kitsune/common/strings.h"

namespace kitsune::routing {
namespace {

int run(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str());
}

// Removes the user and group it names when it goes, whatever happened in between.
class TemporaryUserAndGroup {
 public:
  TemporaryUserAndGroup() {
    const auto suffix = random_array<4>();
    name_ = "kitsune_t" + hex(suffix);  // 17 characters: within useradd's 32
  }
  TemporaryUserAndGroup(const TemporaryUserAndGroup&) = delete;
  TemporaryUserAndGroup& operator=(const TemporaryUserAndGroup&) = delete;
  ~TemporaryUserAndGroup() {
    if (user_created_) run("userdel " + user());
    if (group_created_) run("groupdel " + group());
  }

  std::string user() const { return name_ + "u"; }
  std::string group() const { return name_ + "g"; }

  bool create() {
    group_created_ = run("groupadd " + group()) == 0;
    if (!group_created_) return false;
    user_created_ = run("useradd -M -N -g " + group() + " " + user()) == 0;
    return user_created_;
  }

 private:
  std::string name_;
  bool group_created_ = false;
  bool user_created_ = false;
};

TEST(PrimaryGroup, RootsPrimaryGroupIsRoot) {
  EXPECT_EQ(primary_group_of("root"), "root");
}

TEST(PrimaryGroup, AnUnknownUserHasNone) {
  EXPECT_EQ(primary_group_of("kitsune-no-such-user-" + hex(random_array<4>())), std::nullopt);
  EXPECT_EQ(primary_group_of(""), std::nullopt);
}

TEST(PrimaryGroup, ANewUserHasTheGroupItWasCreatedWith) {
  if (::geteuid() != 0) GTEST_SKIP() << "creating a user and a group needs root";
  TemporaryUserAndGroup account;
  ASSERT_TRUE(account.create()) << "groupadd/useradd failed for " << account.user();
  EXPECT_EQ(primary_group_of(account.user()), account.group());
  EXPECT_EQ(primary_group_of(account.group()), std::nullopt) << "a group is not a user";
}

TEST(ProcessUserName, NamesTheEffectiveUser) {
  const std::string name = process_user_name();
  EXPECT_FALSE(name.empty());
  if (::geteuid() == 0) {
    EXPECT_EQ(name, "root");
  }
}

}  // namespace
}  // namespace kitsune::routing
