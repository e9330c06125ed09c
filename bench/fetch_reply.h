// Reads what a benchmark needs from a raw FetchResults reply (status, hasMoreRows, row count)
// by walking the TBinaryProtocol bytes, without decoding the row set: the load generator should
// cost as little CPU as it can, since it shares the machine with what it measures.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "kitsune/common/status.h"

namespace kitsune::bench {

struct FetchSummary {
  std::int32_t status_code = 0;  // TStatusCode
  std::string error_message;
  bool has_more_rows = false;
  std::int64_t rows = 0;  // rows in this batch (length of the first column, or of rows)
};

// `message` is a whole reply message (header included). An exception reply or malformed bytes
// give an error Status.
Result<FetchSummary> summarize_fetch_reply(std::span<const std::uint8_t> message);

}  // namespace kitsune::bench
