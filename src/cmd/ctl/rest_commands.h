// kitsune-ctl's batch and session commands over the REST API v1 (Kyuubi's paths and JSON).
#pragma once

#include "kitsune/config/conf.h"
#include "options.h"

namespace kitsune::ctl {

// Runs create/get/delete/list/log/submit batch and list session. The REST server is --hostUrl,
// else the YAML file's hostUrl, else kyuubi.ctl.rest.base.url, else
// http://<kyuubi.frontend.rest.bind.host or localhost>:<kyuubi.frontend.rest.bind.port>; basic
// authentication with --username and --password (else $KYUUBI_PASSWORD, else asked for on a
// terminal) or SPNEGO with the caller's Kerberos credentials. Prints tables, or the server's
// JSON with --json, on stdout. kUnreachable when the server cannot be reached, kFailed for an
// error it answered, kUsage for bad arguments or a bad YAML file.
Outcome run_rest_command(const CtlOptions& options, const config::Conf& conf);

}  // namespace kitsune::ctl
