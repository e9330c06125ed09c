// SessionLink: what a mysql session shares with its cursors: the connection, its interrupter,
// and which cursor's unbuffered result occupies the connection right now.
#pragma once

#include <memory>

#include "mysql/connection.h"
#include "mysql/type_mapping.h"

namespace kitsune::backends::mysql {

// A cursor whose result is being streamed (mysql_use_result): MySQL allows no other command on
// the connection until that result is read to its end or dropped.
class StreamOwner {
 public:
  virtual ~StreamOwner() = default;
  // Drops the open result so that the connection can take another command. Later fetches from
  // the owner fail with a clear error instead of returning rows of something else.
  virtual void abandon() = 0;
};

struct SessionLink {
  std::unique_ptr<Connection> conn;
  std::shared_ptr<Interrupter> interrupter;
  TypeOptions types;
  StreamOwner* streaming = nullptr;

  // Frees the connection for a command of `next` (nullptr: the session's own): the cursor whose
  // result is still open, if another, abandons it first.
  void claim(const StreamOwner* next = nullptr) {
    if (streaming != nullptr && streaming != next) {
      StreamOwner* owner = streaming;
      streaming = nullptr;
      owner->abandon();
    }
  }
};

}  // namespace kitsune::backends::mysql
