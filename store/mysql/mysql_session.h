// Internal to store/mysql: MysqlSession, the Session of one MySQL connection.
//
// Every statement is prepared on the server once per connection, on first use, and cached by its
// text. Every call goes through Run(), which registers the thread with the client library, makes
// sure the connection is usable (reconnecting when it died outside a transaction), and turns a
// thrown sql::SQLException into a Status (mysql_connection.h). Inside a transaction, a deadlock,
// lock wait timeout or lost connection makes the transaction dead: every later call returns the
// same kRetry / kUnavailable until Rollback(). Not thread-safe (one thread at a time).
#pragma once

#include <cppconn/connection.h>
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "core/store.h"
#include "core/types.h"
#include "store/mysql/mysql_connection.h"
#include "store/mysql/mysql_store.h"

namespace loyalty::mysql {

class MysqlSession final : public Session {
 public:
  // `open_sessions` counts the store's live sessions; this one is already counted.
  MysqlSession(MysqlConfig config, std::shared_ptr<std::atomic<int>> open_sessions,
               std::unique_ptr<sql::Connection> conn);
  ~MysqlSession() override;  // rolls back an open transaction, then closes the connection
  MysqlSession(const MysqlSession&) = delete;
  MysqlSession& operator=(const MysqlSession&) = delete;

  Status Begin() override;
  Status Commit() override;  // rolls back when the commit fails: no transaction stays open
  void Rollback() override;
  Status Savepoint() override;
  Status ReleaseSavepoint() override;
  Status RollbackToSavepoint() override;
  Status BeginRead() override;
  void EndRead() override;

  Result<std::optional<Customer>> FindCustomer(const std::string& customer_id) override;
  Status InsertCustomer(const Customer& c) override;
  Status UpdateCustomer(const Customer& c) override;
  Result<std::vector<Customer>> ListCustomers(const std::string& after_id, int limit) override;

  Result<std::vector<Lot>> FindLots(const LotQuery& q) override;
  Result<std::optional<Lot>> FindLot(int64_t lot_id) override;
  Result<int64_t> InsertLot(const Lot& lot) override;
  Status UpdateLot(const Lot& lot) override;

  Result<int64_t> InsertEntry(const Entry& e) override;
  Result<std::vector<Entry>> ListEntries(const EntryQuery& q) override;

  Result<std::optional<Order>> FindOrder(const std::string& order_id) override;
  Status InsertOrder(const Order& o) override;
  Status UpdateOrder(const Order& o) override;
  Result<std::optional<Refund>> FindRefund(const std::string& order_id,
                                           const std::string& refund_id) override;
  Status InsertRefund(const Refund& r) override;
  Result<std::vector<Refund>> ListRefunds(const std::string& order_id) override;

  Result<std::optional<Adjustment>> FindAdjustment(const std::string& adjustment_id) override;
  Status InsertAdjustment(const Adjustment& a) override;

  Result<int64_t> AppendEvent(const Event& e) override;
  Result<std::vector<Event>> ListEvents(const EventQuery& q) override;

  Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& scope_key) override;
  Status InsertIdempotency(const IdempotencyRecord& r) override;
  Result<int64_t> PurgeIdempotency(Micros now_us) override;

  Status InsertSpend(const SpendRecord& r) override;
  Result<SpendTotal> SumSpend(const std::string& customer_id, DateKey from, DateKey to) override;
  Result<int64_t> InsertTierChange(const TierChange& c) override;
  Result<std::vector<TierChange>> ListTierChanges(const std::string& customer_id,
                                                  int limit) override;
  Result<std::vector<std::string>> OrdersAwaitingActivation(Micros placed_before_us,
                                                            const std::string& after_order_id,
                                                            int limit) override;
  Result<std::vector<std::string>> CustomersWithDueLots(Micros due_before_us,
                                                        const std::string& after_customer_id,
                                                        int limit) override;
  Result<int64_t> RecomputeWindowSpend(DateKey from, DateKey to, DateKey as_of, int shard,
                                       int shards) override;
  Result<int64_t> CountCustomers() override;
  Result<std::vector<TierStanding>> ListStandings(const std::string& after_id, int limit,
                                                  int shard, int shards) override;
  Result<std::optional<JobRun>> FindJobRun(DateKey date, const std::string& step, int shard,
                                           int shards) override;
  Status UpsertJobRun(const JobRun& run) override;

  Status InsertCoupon(const Coupon& c) override;
  Result<std::optional<Coupon>> FindCoupon(const std::string& code) override;
  Result<std::optional<Coupon>> FindCouponByDedupeKey(const std::string& dedupe_key) override;
  Result<bool> RedeemCoupon(const std::string& code, const std::string& customer_id,
                            const std::string& order_id, Won discount_won,
                            Micros now_us) override;
  Status UpdateCoupon(const Coupon& c) override;
  Result<std::vector<Coupon>> ListCoupons(const CouponQuery& q) override;
  Result<int64_t> CountRedeemedCoupons(const std::string& customer_id,
                                       const std::string& template_code) override;
  Result<std::vector<Coupon>> ListActiveCouponsEndingBy(Micros until_before_us,
                                                        const std::string& after_code,
                                                        int limit) override;
  Result<std::vector<std::string>> CustomersBornInMonth(int month, const std::string& after_id,
                                                        int limit) override;
  Status InsertCouponBatch(const CouponBatch& b) override;
  Result<std::optional<CouponBatch>> FindCouponBatch(const std::string& batch_id) override;
  Status UpdateCouponBatch(const CouponBatch& b) override;
  Result<std::vector<std::string>> ListUnfinishedCouponBatches() override;

  Result<int64_t> InsertMessage(const Message& m) override;
  Result<std::optional<Message>> FindMessage(int64_t message_id) override;
  Result<std::optional<Message>> FindMessageByDedupeKey(const std::string& dedupe_key) override;
  Status UpdateMessage(const Message& m) override;
  Result<std::vector<Message>> ListMessages(const MessageQuery& q) override;
  Result<std::vector<Message>> ListDeliverableMessages(Micros now_us, int limit) override;
  Result<bool> LeaseMessage(int64_t message_id, Micros now_us, Micros lease_until_us,
                            const std::string& owner) override;
  Result<int64_t> CountMessagesSince(const std::string& customer_id, const std::string& type,
                                     Micros since_us) override;
  Result<int64_t> RequeueMessages(int64_t after_message_id, int64_t up_to_message_id,
                                  Micros now_us) override;
  Result<std::vector<CustomerActivity>> ListCustomerActivity(const std::string& after_id,
                                                             int limit, int shard,
                                                             int shards) override;
  Result<std::optional<CustomerActivity>> FindCustomerActivity(
      const std::string& customer_id) override;

  Status InsertApiKey(const ApiKey& k) override;
  Result<std::optional<ApiKey>> FindApiKeyByHash(const std::string& key_hash) override;
  Result<std::vector<ApiKey>> ListApiKeys() override;
  Status RevokeApiKey(const std::string& name, Micros now_us) override;

 private:
  enum class Tx { kNone, kWrite, kRead };

  // Runs `body` (which may throw sql::SQLException) on a usable connection; see the file comment.
  // `is_insert`: a duplicate key is kAlreadyExists rather than kInternal.
  template <typename Fn>
  auto Run(std::string_view what, bool is_insert, Fn&& body) -> decltype(body()) {
    EnsureThreadRegistered();
    Status usable = Usable();
    if (!usable.ok()) return usable;
    try {
      return body();
    } catch (const sql::SQLException& e) {
      return Failed(e, what, is_insert);
    } catch (const std::exception& e) {
      return Status(Code::kInternal, std::string(what) + ": " + e.what());
    }
  }
  // Ok when statements may run: reconnects if the connection is gone and no transaction is open.
  Status Usable();
  // Records what a failure means for the session (dead transaction, lost connection).
  Status Failed(const sql::SQLException& e, std::string_view what, bool is_insert);
  void DropConnection();  // forgets the connection and its statements
  // The cached prepared statement for `sql`. Throws sql::SQLException.
  sql::PreparedStatement& Prepare(const std::string& sql);
  // Runs a statement without values or rows (transaction control).
  Status Exec(std::string_view what, const char* sql);
  // Opens a transaction of `kind`, reconnecting once if an idle connection had died.
  Status Open(Tx kind, std::string_view what);
  // Inserts one row (values bound by `bind_values`) into a table with an AUTO_INCREMENT key and
  // returns the new key: INSERT ... RETURNING on MariaDB 10.5+, else INSERT + LAST_INSERT_ID().
  // Throws sql::SQLException.
  int64_t InsertReturningId(const char* sql, const char* id_column,
                            const std::function<void(Bind&)>& bind_values);
  // Write conflicts on inserts (see Inserted): the keys this write transaction looked up with
  // Find*() and did not find. Looked() records one, Inserted() maps a duplicate of one to kRetry.
  template <typename T>
  Result<std::optional<T>> Looked(Result<std::optional<T>> found, std::string key) {
    if (tx_ == Tx::kWrite && found.ok() && !found->has_value()) missing_.insert(std::move(key));
    return found;
  }
  Status Inserted(Status status, const std::string& key);
  // kNotFound when `matched` is 0.
  static Status ExpectOne(int64_t matched, const char* what, const std::string& key);
  Result<int64_t> InsertEntryRows(const Entry& e);
  Status InsertAllocations(int64_t entry_id, const std::vector<Allocation>& allocations);

  const MysqlConfig config_;
  const std::shared_ptr<std::atomic<int>> open_sessions_;
  std::unique_ptr<sql::Connection> conn_;  // null after it was lost
  // Declared after conn_: statements are destroyed before their connection.
  std::unordered_map<std::string, std::unique_ptr<sql::PreparedStatement>> statements_;
  std::optional<bool> returning_;  // the server has INSERT ... RETURNING (asked on first insert)
  Tx tx_ = Tx::kNone;
  bool savepoint_set_ = false;    // "cmd" set and neither released nor rolled back to
  bool repeatable_read_ = false;  // the session's isolation level (READ COMMITTED when false)
  std::optional<Status> dead_;  // set when the open transaction can only be rolled back
  std::unordered_set<std::string> missing_;  // keys looked up and not found in this write tx
};

}  // namespace loyalty::mysql
