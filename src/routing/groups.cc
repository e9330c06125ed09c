// Users and groups through NSS (getpwnam_r, getgrgid_r, getpwuid_r, getgrouplist), with buffers
// that grow until the entry fits.
#include "kitsune/routing/groups.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

namespace kitsune::routing {

namespace {

// No NSS entry is anywhere near this; a larger need is treated as a failed lookup.
constexpr std::size_t kMaxBuffer = std::size_t{1} << 20;
// More groups than any NSS setup gives one user; a longer answer is cut to this many.
constexpr int kMaxGroups = 65536;

std::size_t initial_buffer_size(int name) {
  const long hint = ::sysconf(name);
  return hint > 0 ? static_cast<std::size_t>(hint) : 1024;
}

// Calls `lookup(buffer, size, &found)` (a *_r function that returns an errno value), doubling
// the buffer while it reports ERANGE (or EINTR retries). Returns the entry or nullptr.
template <typename Entry, typename Lookup>
Entry* lookup_entry(Entry* entry, std::vector<char>& buffer, int size_hint, Lookup lookup) {
  buffer.resize(initial_buffer_size(size_hint));
  for (;;) {
    Entry* found = nullptr;
    const int rc = lookup(entry, buffer.data(), buffer.size(), &found);
    if (rc == 0) return found;  // nullptr: no such entry
    if (rc == EINTR) continue;
    if (rc != ERANGE || buffer.size() >= kMaxBuffer) return nullptr;
    buffer.resize(buffer.size() * 2);
  }
}

std::optional<gid_t> primary_gid_of(const std::string& user) {
  struct passwd pw {};
  std::vector<char> buffer;
  const auto* pwd = lookup_entry(&pw, buffer, _SC_GETPW_R_SIZE_MAX,
                                 [&](passwd* e, char* b, std::size_t n, passwd** out) {
                                   return ::getpwnam_r(user.c_str(), e, b, n, out);
                                 });
  if (pwd == nullptr) return std::nullopt;
  return pwd->pw_gid;
}

std::optional<std::string> group_name_of(gid_t gid) {
  struct group gr {};
  std::vector<char> buffer;
  const auto* grp = lookup_entry(&gr, buffer, _SC_GETGR_R_SIZE_MAX,
                                 [&](group* e, char* b, std::size_t n, group** out) {
                                   return ::getgrgid_r(gid, e, b, n, out);
                                 });
  if (grp == nullptr || grp->gr_name == nullptr || grp->gr_name[0] == '\0') return std::nullopt;
  return std::string(grp->gr_name);
}

}  // namespace

std::optional<std::string> primary_group_of(const std::string& user) {
  const auto gid = primary_gid_of(user);
  if (!gid) return std::nullopt;
  return group_name_of(*gid);
}

std::vector<std::string> groups_of(const std::string& user) {
  const auto gid = primary_gid_of(user);
  if (!gid) return {};
  std::vector<gid_t> gids(32);
  for (;;) {
    int count = static_cast<int>(gids.size());
    if (::getgrouplist(user.c_str(), *gid, gids.data(), &count) >= 0) {
      gids.resize(static_cast<std::size_t>(std::max(count, 0)));
      break;
    }
    // Too small: `count` now says how many there are (the first gids.size() are filled in).
    if (gids.size() >= static_cast<std::size_t>(kMaxGroups)) break;
    const int at_least = std::min(static_cast<int>(gids.size()) * 2, kMaxGroups);
    gids.resize(static_cast<std::size_t>(std::clamp(count, at_least, kMaxGroups)));
  }
  std::vector<std::string> names;
  for (gid_t g : gids) {
    auto name = group_name_of(g);
    if (name && std::find(names.begin(), names.end(), *name) == names.end()) {
      names.push_back(std::move(*name));
    }
  }
  return names;
}

std::string process_user_name() {
  const uid_t uid = ::geteuid();
  struct passwd pw {};
  std::vector<char> buffer;
  const auto* pwd = lookup_entry(&pw, buffer, _SC_GETPW_R_SIZE_MAX,
                                 [&](passwd* e, char* b, std::size_t n, passwd** out) {
                                   return ::getpwuid_r(uid, e, b, n, out);
                                 });
  if (pwd == nullptr || pwd->pw_name == nullptr || pwd->pw_name[0] == '\0') return "kitsune";
  return std::string(pwd->pw_name);
}

}  // namespace kitsune::routing
