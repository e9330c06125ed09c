// Tests of Status and Result<T>: codes, SQLSTATEs, formatting, and value/status access.
#include "kitsune/common/status.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace kitsune {
namespace {

TEST(Status, DefaultIsOk) {
  const Status s;
  EXPECT_TRUE(s.is_ok());
  EXPECT_TRUE(static_cast<bool>(s));
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.to_string(), "OK");
  EXPECT_TRUE(Status::ok().is_ok());
}

TEST(Status, FactoriesCarryTheirCodeAndSqlState) {
  struct Case {
    Status status;
    StatusCode code;
    const char* sql_state;
  };
  const Case cases[] = {
      {Status::error("e"), StatusCode::kError, "HY000"},
      {Status::error("e", "42000", 10), StatusCode::kError, "42000"},
      {Status::invalid_handle("h"), StatusCode::kInvalidHandle, "HY000"},
      {Status::unsupported("u"), StatusCode::kUnsupported, "0A000"},
      {Status::unauthenticated("a"), StatusCode::kUnauthenticated, "28000"},
      {Status::unavailable("n"), StatusCode::kUnavailable, "08S01"},
      {Status::timed_out("t"), StatusCode::kTimedOut, "HYT00"},
      {Status::cancelled("c"), StatusCode::kCancelled, "HY008"},
      {Status::internal("i"), StatusCode::kInternal, "HY000"},
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(c.status.is_ok());
    EXPECT_FALSE(static_cast<bool>(c.status));
    EXPECT_EQ(c.status.code(), c.code);
    EXPECT_EQ(c.status.sql_state(), c.sql_state);
  }
  EXPECT_EQ(Status::error("e", "42000", 10).error_code(), 10);
  EXPECT_EQ(Status::error("boom").message(), "boom");
}

TEST(Status, ToStringNamesTheCodeThenTheMessage) {
  EXPECT_EQ(Status::timed_out("login took too long").to_string(), "TIMED_OUT: login took too long");
  EXPECT_EQ(Status(StatusCode::kResourceExhausted, "too big").to_string(),
            "RESOURCE_EXHAUSTED: too big");
  EXPECT_EQ(to_string(StatusCode::kInvalidHandle), "INVALID_HANDLE");
  EXPECT_EQ(to_string(StatusCode::kUnavailable), "UNAVAILABLE");
}

TEST(Result, HoldsAValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.is_ok());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  *r = 7;
  EXPECT_EQ(r.value(), 7);
}

TEST(Result, HoldsAFailure) {
  Result<std::string> r = Status::unavailable("gone");
  ASSERT_FALSE(r.is_ok());
  EXPECT_FALSE(static_cast<bool>(r));
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(r.status().message(), "gone");
}

TEST(Result, MovesItsValueOutAndSupportsArrow) {
  Result<std::unique_ptr<std::string>> r = std::make_unique<std::string>("abc");
  ASSERT_TRUE(r.is_ok());
  EXPECT_EQ((*r)->size(), 3u);
  std::unique_ptr<std::string> p = std::move(r).value();
  EXPECT_EQ(*p, "abc");

  Result<std::string> s = std::string("xyz");
  EXPECT_EQ(s->size(), 3u);
}

Status fails_then_never_reached(bool* reached) {
  KITSUNE_RETURN_IF_ERROR(Status::error("first"));
  *reached = true;
  return Status::ok();
}

Status passes_through(bool* reached) {
  KITSUNE_RETURN_IF_ERROR(Status::ok());
  *reached = true;
  return Status::ok();
}

TEST(Status, ReturnIfErrorReturnsTheFailureAndLetsOkThrough) {
  bool reached = false;
  Status s = fails_then_never_reached(&reached);
  EXPECT_EQ(s.message(), "first");
  EXPECT_FALSE(reached);
  EXPECT_TRUE(passes_through(&reached).is_ok());
  EXPECT_TRUE(reached);
}

}  // namespace
}  // namespace kitsune
