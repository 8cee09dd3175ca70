// Internal to store/sqlite: SqliteSession, the Session of one SQLite connection.
//
// Every statement is prepared once per session on first use (SQLITE_PREPARE_PERSISTENT) and kept
// in a cache indexed by StmtId; a Stmt resets it after each use. Not thread-safe (one thread at a
// time, as core/store.h requires of every Session).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/store.h"
#include "core/types.h"
#include "store/sqlite/sqlite_connection.h"
#include "store/sqlite/sqlite_statements.h"

namespace loyalty::sqlite {

class SqliteSession final : public Session {
 public:
  explicit SqliteSession(DbHandle db) : db_(std::move(db)) {}
  ~SqliteSession() override;  // rolls back an open transaction, then closes the connection
  SqliteSession(const SqliteSession&) = delete;
  SqliteSession& operator=(const SqliteSession&) = delete;

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
                            const std::string& order_id, Won discount_won, Micros now_us) override;
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
  // The cached statement `id`, prepared on first use.
  Result<Stmt> Use(StmtId id);
  // Runs a statement that takes no values (transaction control).
  Status RunPlain(StmtId id);
  // kNotFound when the last UPDATE matched no row.
  Status ExpectOneChange(const char* what, const std::string& key) const;
  Result<int64_t> InsertEntryRows(const Entry& e);  // the entry and its allocations
  Result<std::vector<Entry>> WithAllocations(std::vector<Entry> entries);  // reads them in

  DbHandle db_;
  std::array<sqlite3_stmt*, kStmtCount> cache_{};
};

}  // namespace loyalty::sqlite
