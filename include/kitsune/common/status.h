// Status and Result<T>: expected failures as values, turned into a TStatus in one place only.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kitsune {

enum class StatusCode {
  kOk,
  kError,             // a failure the client caused or should see as is (bad SQL, bad argument)
  kInvalidHandle,     // unknown or foreign session/operation handle
  kUnauthenticated,   // credentials refused
  kPermissionDenied,  // who asked is known, and may not do this (another user's batch)
  kNotFound,          // no such thing (a batch id, an engine); handles use kInvalidHandle
  kUnsupported,       // a call or feature this server does not provide
  kTimedOut,          // a deadline passed
  kCancelled,         // cancelled by the client or by shutdown
  kUnavailable,       // a peer or resource is gone or cannot be reached
  kResourceExhausted,
  kInternal,  // a bug or an impossible state; logged where it happens
};

std::string_view to_string(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::string sql_state = {}, int error_number = 0)
      : code_(code),
        message_(std::move(message)),
        sql_state_(std::move(sql_state)),
        error_code_(error_number) {}

  static Status ok() { return {}; }
  static Status error(std::string message, std::string sql_state = "HY000", int error_number = 0) {
    return {StatusCode::kError, std::move(message), std::move(sql_state), error_number};
  }
  static Status invalid_handle(std::string message) {
    return {StatusCode::kInvalidHandle, std::move(message), "HY000"};
  }
  static Status permission_denied(std::string message) {
    return {StatusCode::kPermissionDenied, std::move(message), "42000"};
  }
  static Status not_found(std::string message) {
    return {StatusCode::kNotFound, std::move(message), "HY000"};
  }
  static Status unsupported(std::string message) {
    return {StatusCode::kUnsupported, std::move(message), "0A000"};
  }
  static Status unauthenticated(std::string message) {
    return {StatusCode::kUnauthenticated, std::move(message), "28000"};
  }
  static Status unavailable(std::string message) {
    return {StatusCode::kUnavailable, std::move(message), "08S01"};
  }
  static Status timed_out(std::string message) {
    return {StatusCode::kTimedOut, std::move(message), "HYT00"};
  }
  static Status cancelled(std::string message) {
    return {StatusCode::kCancelled, std::move(message), "HY008"};
  }
  static Status internal(std::string message) {
    return {StatusCode::kInternal, std::move(message), "HY000"};
  }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& sql_state() const { return sql_state_; }
  int error_code() const { return error_code_; }

  // "<code>: <message>", for logs.
  std::string to_string() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string sql_state_;
  int error_code_ = 0;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).is_ok());
  }

  bool is_ok() const { return v_.index() == 0; }
  explicit operator bool() const { return is_ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // The failure; only valid when !is_ok().
  const Status& status() const& { return std::get<Status>(v_); }
  Status&& status() && { return std::get<Status>(std::move(v_)); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace kitsune

// Returns the Status of an expression that yields one, when it is not ok.
#define KITSUNE_RETURN_IF_ERROR(expr)                     \
  do {                                                    \
    ::kitsune::Status kitsune_status_ = (expr);           \
    if (!kitsune_status_.is_ok()) return kitsune_status_; \
  } while (false)
