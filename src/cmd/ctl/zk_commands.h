// kitsune-ctl's server and engine commands: the nodes Kyuubi's layout keeps in ZooKeeper, read
// and changed through the project's discovery.
#pragma once

#include "kitsune/config/conf.h"
#include "options.h"

namespace kitsune::ctl {

// Runs create/get/delete/list server and get/delete/list engine against the ZooKeeper that
// --zk-quorum or kyuubi.ha.addresses names, waiting for it at most
// kyuubi.ha.zookeeper.connection.timeout. Prints the nodes found, created or deleted on stdout
// (a table, or JSON with --json). kUnreachable when ZooKeeper cannot be reached; kUsage for
// missing or bad arguments, before any connection is made.
Outcome run_zookeeper_command(const CtlOptions& options, const config::Conf& conf);

}  // namespace kitsune::ctl
