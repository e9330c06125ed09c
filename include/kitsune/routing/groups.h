// The operating system's view of users and groups (through NSS), for GROUP share level.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace kitsune::routing {

// The name of `user`'s primary group, or nullopt when the user is unknown or its group has no
// name. Blocks (NSS may ask LDAP or files): call it from a BlockingPool.
std::optional<std::string> primary_group_of(const std::string& user);

// The names of every group `user` belongs to (primary first, then supplementary, as getgrouplist
// gives them; groups without a name are left out); empty when the user is unknown. Blocks like
// primary_group_of.
std::vector<std::string> groups_of(const std::string& user);

// The name of the user this process runs as ("kitsune" if it has none).
std::string process_user_name();

}  // namespace kitsune::routing
