// The store conformance suite: one set of tests every Store adapter must pass (SQLite now, MySQL
// later). An adapter joins by instantiating StoreConformance with its StoreBackend, as
// sqlite_conformance_test.cpp does.
//
// Each test gets a fresh empty temporary directory (mkdtemp, removed afterwards) and opens its
// database through the backend's factory. Calling the factory again with the same directory must
// reopen the same database: that is how tests check what survives closing the store.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "api/records.h"
#include "core/status.h"
#include "core/store.h"
#include "core/types.h"

namespace loyalty::testing {

// Opens (creating it on the first call) the database that belongs to `test_dir`.
using StoreFactory = std::function<Result<std::unique_ptr<Store>>(const std::string& test_dir)>;

struct StoreBackend {
  std::string name;  // the parameter's part of the test names, e.g. "Sqlite"
  StoreFactory open;
  std::string skip_reason = {};  // non-empty: the backend is not configured here; skip with it
};
inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }
inline std::string BackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

inline const Status& StatusOf(const Status& status) { return status; }
template <typename T>
const Status& StatusOf(const Result<T>& result) {
  return result.status();
}

}  // namespace loyalty::testing

// Fails the test unless `expr` (a Status or a Result) is ok, printing the status.
#define ASSERT_OK(expr)                                                   \
  do {                                                                    \
    const ::loyalty::Status _status = ::loyalty::testing::StatusOf(expr); \
    ASSERT_TRUE(_status.ok()) << #expr << ": " << _status.ToString();     \
  } while (0)
#define EXPECT_OK(expr)                                                   \
  do {                                                                    \
    const ::loyalty::Status _status = ::loyalty::testing::StatusOf(expr); \
    EXPECT_TRUE(_status.ok()) << #expr << ": " << _status.ToString();     \
  } while (0)
// Expects `expr` (a Status or a Result) to fail with `expected_code`.
#define EXPECT_CODE(expr, expected_code)                                               \
  do {                                                                                 \
    const ::loyalty::Status _status = ::loyalty::testing::StatusOf(expr);              \
    EXPECT_EQ(::loyalty::CodeName(_status.code()), ::loyalty::CodeName(expected_code)) \
        << #expr << ": " << _status.ToString();                                        \
  } while (0)
// ASSERT_OK_AND_ASSIGN(auto x, FunctionReturningResult());
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL(LOYALTY_CONCAT(_result_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr)                    \
  auto tmp = (expr);                                                 \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

namespace loyalty::testing {

// Records rendered as one line each, so a failed comparison shows every field at once.
std::string Render(const Customer& c);
std::string Render(const Lot& lot);
std::string Render(const Entry& e);
std::string Render(const Order& o);
std::string Render(const Refund& r);
std::string Render(const Adjustment& a);
std::string Render(const Event& e);
std::string Render(const IdempotencyRecord& r);
std::string Render(const ApiKey& k);
template <typename T>
std::vector<std::string> RenderAll(const std::vector<T>& records) {
  std::vector<std::string> lines;
  for (const T& r : records) lines.push_back(Render(r));
  return lines;
}

// Sample records with every field set to something distinctive.
Customer SampleCustomer(const std::string& customer_id);
Lot SampleLot(const std::string& customer_id, LotKind kind, Points remaining_points,
              Micros expires_at_us);
Entry SampleEntry(const std::string& customer_id, const std::string& order_id);
Order SampleOrder(const std::string& order_id, const std::string& customer_id);
Refund SampleRefund(const std::string& order_id, const std::string& refund_id,
                    Micros created_at_us);
Adjustment SampleAdjustment(const std::string& adjustment_id, const std::string& customer_id);
Event SampleEvent(const std::string& customer_id, int64_t seq);
IdempotencyRecord SampleIdempotency(const std::string& scope_key, Micros expires_at_us);
ApiKey SampleApiKey(const std::string& name, const std::string& key_hash);

// Ids of records, in the order given.
std::vector<int64_t> LotIds(const std::vector<Lot>& lots);
std::vector<int64_t> EntryIds(const std::vector<Entry>& entries);
std::vector<int64_t> EventIds(const std::vector<Event>& events);

// Makes a fresh directory under the system's temporary directory; removes it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }  // empty if it could not be made

 private:
  std::string path_;
};

// The fixture: store_ is open and migrated, session_ is a session on it.
class StoreConformance : public ::testing::TestWithParam<StoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Opens the test's database again (after store_ has been reset, to check durability).
  Result<std::unique_ptr<Store>> OpenStore(const std::string& dir);
  // A second, never migrated database in a sub-directory of the test's directory.
  Result<std::unique_ptr<Store>> OpenUnmigratedStore();
  // Closes session_ and store_, then opens both again on the same database.
  void Reopen();
  // Inserts the customer outside any explicit transaction.
  void AddCustomer(const std::string& customer_id);

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Session> session_;
};

}  // namespace loyalty::testing
