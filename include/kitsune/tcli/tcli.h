// The generated TCLIService types and service classes, under one short namespace alias.
#pragma once

#include "TCLIService.h"
#include "TCLIService_constants.h"
#include "TCLIService_types.h"

namespace tcli = apache::hive::service::rpc::thrift;
