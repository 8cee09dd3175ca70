// Internal to store/: SqlSession, the one implementation of every record area (core/store.h) and
// of the HTTP API's records (api/records.h) over a driver Connection (store/sql/driver.h).
//
// Written once for every engine: the SQL text of each statement (store/sql/statements_*.h, with
// the rare per-engine override), one row mapper per record type, the write-conflict rule for
// inserts (Looked / Inserted, below). Per engine only: the driver and the store that opens it.
//
// Details core/store.h leaves open, the same on every engine (tests/store's conformance suite
// checks them):
//  - Update*() of a row that does not exist returns kNotFound.
//  - A page limit <= 0 means kDefaultPageSize; any limit is capped at kMaxPageSize, except the
//    daily job's scans (JobQueries, ListActiveCouponsEndingBy), whose batch size is the job's,
//    and the export pages (ExportQueries), capped at kMaxExportPageSize.
//  - Foreign keys are enforced (violation: kInternal).
//  - Outside Begin()/BeginRead() every call runs in a transaction of its own (autocommit);
//    InsertEntry writes the entry and its allocations in one transaction even then.
//  - Inside a write transaction, FindCustomer, FindOrder, FindCoupon, FindCouponBatch and
//    FindMessage lock the row they read until the transaction ends (Variant::kForUpdate; a
//    no-op on SQLite, whose write transaction holds the database lock).
//
// Not thread-safe: one thread at a time, as its connection.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "api/records.h"
#include "core/status.h"
#include "core/store.h"
#include "core/types.h"
#include "store/sql/driver.h"

namespace loyalty::sql {

class SqlSession final : public Session, public ApiRecords {
 public:
  explicit SqlSession(std::unique_ptr<Connection> conn);
  ~SqlSession() override;  // rolls back an open transaction (the connection closes after)
  SqlSession(const SqlSession&) = delete;
  SqlSession& operator=(const SqlSession&) = delete;

  // --- transactions (sql_session.cpp) ---
  Status Begin() override;
  Status Commit() override;
  void Rollback() override;
  Status Savepoint() override;
  Status ReleaseSavepoint() override;
  Status RollbackToSavepoint() override;
  Status BeginRead() override;
  void EndRead() override;

  // --- LedgerRecords (sql_session_ledger.cpp) ---
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
  Result<std::vector<EntryKindSum>> SumEntriesByKind(Micros from_us, Micros to_us) override;
  Result<int64_t> AppendEvent(const Event& e) override;
  Result<std::vector<Event>> ListEvents(const EventQuery& q) override;
  Result<int64_t> InsertConsentChange(const ConsentChange& c) override;
  Result<std::vector<ConsentChange>> ListConsentChanges(const std::string& customer_id,
                                                        int limit) override;

  // --- OrderRecords (sql_session_orders.cpp) ---
  Result<std::optional<Order>> FindOrder(const std::string& order_id) override;
  Status InsertOrder(const Order& o) override;
  Status UpdateOrder(const Order& o) override;
  Result<std::optional<Refund>> FindRefund(const std::string& order_id,
                                           const std::string& refund_id) override;
  Status InsertRefund(const Refund& r) override;
  Result<std::vector<Refund>> ListRefunds(const std::string& order_id) override;
  Result<std::optional<Adjustment>> FindAdjustment(const std::string& adjustment_id) override;
  Status InsertAdjustment(const Adjustment& a) override;

  // --- TierRecords and JobQueries (sql_session_tiers.cpp) ---
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
  Result<std::vector<TierStanding>> ListStandings(const std::string& after_id, int limit, int shard,
                                                  int shards) override;
  Result<std::vector<std::string>> CustomersBornInMonth(int month, const std::string& after_id,
                                                        int limit) override;
  Result<std::vector<CustomerActivity>> ListCustomerActivity(const std::string& after_id, int limit,
                                                             int shard, int shards) override;
  Result<std::optional<CustomerActivity>> FindCustomerActivity(
      const std::string& customer_id) override;
  Result<std::vector<std::string>> CustomersDueForReconfirm(Micros confirmed_at_or_before_us,
                                                            const std::string& after_id,
                                                            int limit) override;
  Result<std::optional<JobRun>> FindJobRun(DateKey date, const std::string& step, int shard,
                                           int shards) override;
  Status UpsertJobRun(const JobRun& run) override;
  Result<std::vector<JobRun>> ListJobRunsOfStep(const std::string& step) override;
  Result<std::vector<JobRun>> ListJobRunsOfDate(DateKey date, int shard, int shards) override;
  Result<JobLease> AcquireJobLease(const JobLease& lease, Micros now_us) override;
  Status ReleaseJobLease(const JobLease& lease) override;
  Result<std::vector<JobLease>> ListJobLeases() override;

  // --- CouponRecords (sql_session_coupons.cpp) ---
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
  Status InsertCouponBatch(const CouponBatch& b) override;
  Result<std::optional<CouponBatch>> FindCouponBatch(const std::string& batch_id) override;
  Status UpdateCouponBatch(const CouponBatch& b) override;
  Result<std::vector<std::string>> ListUnfinishedCouponBatches() override;

  // --- Outbox (sql_session_messages.cpp) ---
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
  Result<int64_t> SuppressPendingAdvertising(const std::string& customer_id,
                                             const std::string& reason, Micros now_us) override;

  // --- ProgramRecords (sql_session_program.cpp) ---
  Status InsertProgramVersion(const ProgramVersion& v) override;
  Result<std::optional<ProgramVersion>> FindProgramInForce(Micros at_us) override;
  Result<std::vector<ProgramVersion>> ListProgramVersions(int64_t before_version,
                                                          int limit) override;

  // --- ImportRecords (sql_session_import.cpp) ---
  Result<std::optional<ImportRow>> FindImportRow(const std::string& kind,
                                                 const std::string& row_id) override;
  Status InsertImportRow(const ImportRow& r) override;
  Status InsertImportEvent(const ImportEvent& e) override;
  Result<std::optional<ImportEvent>> FindImportEvent(const std::string& import_id,
                                                     const std::string& order_id,
                                                     ImportEventKind kind) override;
  Result<std::vector<ImportEvent>> ListImportEvents(const std::string& import_id,
                                                    Micros after_at_us, int64_t after_seq,
                                                    int limit) override;
  Status DeleteImportEvents(const std::string& import_id) override;

  // --- EventHookRecords (sql_session_hooks.cpp) ---
  Result<int64_t> InsertEventSubscription(const EventSubscription& s) override;
  Result<std::optional<EventSubscription>> FindEventSubscription(int64_t id) override;
  Result<std::vector<EventSubscription>> ListEventSubscriptions(int64_t after_id,
                                                                int limit) override;
  Result<int64_t> CountActiveEventSubscriptions() override;
  Result<std::vector<int64_t>> ListDueEventSubscriptions(Micros now_us, int limit) override;
  Status UpdateEventSubscriptionSettings(const EventSubscription& s) override;
  Result<bool> LeaseEventSubscription(int64_t id, const std::string& owner, Micros now_us,
                                      Micros until_us) override;
  Result<bool> SaveEventDelivery(int64_t id, const std::string& owner,
                                 const EventDeliveryState& state, Micros now_us) override;
  Status ReleaseEventSubscription(int64_t id, const std::string& owner) override;
  Result<bool> ReplayEventSubscription(int64_t id, int64_t after_event_id, Micros now_us) override;
  Result<int64_t> InsertEventDeadLetter(const EventDeadLetter& d) override;
  Result<std::vector<EventDeadLetter>> ListEventDeadLetters(int64_t subscription_id,
                                                            int limit) override;
  Result<int64_t> LastEventId() override;

  // --- ExportQueries (sql_session_ledger.cpp, sql_session_orders.cpp) ---
  Result<std::vector<CustomerPageRow>> ListCustomerPage(const CustomerPageQuery& q) override;
  Result<std::vector<OrderPageRow>> ListOrderPage(const OrderPageQuery& q) override;
  Result<std::vector<Entry>> ListEntryPage(const EntryPageQuery& q) override;

  // --- ApiRecords (sql_session_api.cpp) ---
  Result<std::optional<IdempotencyRecord>> FindIdempotency(const std::string& scope_key) override;
  Status InsertIdempotency(const IdempotencyRecord& r) override;
  Result<int64_t> PurgeIdempotency(Micros now_us) override;
  Status InsertApiKey(const ApiKey& k) override;
  Result<std::optional<ApiKey>> FindApiKeyByHash(const std::string& key_hash) override;
  Result<std::vector<ApiKey>> ListApiKeys() override;
  Status RevokeApiKey(const std::string& name, Micros now_us) override;

 private:
  using Binder = std::function<void(Statement&)>;
  template <typename T>
  using Reader = T (*)(const Statement&);

  // The first row of `def` (bound by `bind`) read with `read`, or nullopt.
  template <typename T>
  Result<std::optional<T>> QueryOne(const StmtDef& def, Variant variant, const Binder& bind,
                                    Reader<T> read) {
    LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, conn_->Prepare(def, variant));
    bind(*stmt);
    LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) return std::optional<T>();
    return std::optional<T>(read(*stmt));
  }
  // Every row of `stmt` (already bound) read with `read`.
  template <typename T>
  static Result<std::vector<T>> ReadRows(Stmt& stmt, Reader<T> read) {
    std::vector<T> rows;
    while (true) {
      LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
      if (!has_row) break;
      rows.push_back(read(*stmt));
    }
    return rows;
  }
  template <typename T>
  Result<std::vector<T>> QueryRows(const StmtDef& def, const Binder& bind, Reader<T> read) {
    LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, conn_->Prepare(def));
    bind(*stmt);
    return ReadRows(stmt, read);
  }
  // Runs a statement without rows; the number of rows it matched.
  Result<int64_t> Execute(const StmtDef& def, const Binder& bind);
  // An UPDATE / DELETE of one row by key: kNotFound "<what> '<key>' not found" when it matched
  // none.
  Status ExecuteOne(const StmtDef& def, const Binder& bind, const char* what,
                    const std::string& key);
  // Inserts one row into a table with an AUTO_INCREMENT / rowid key (def.key_column) and returns
  // the new key: INSERT ... RETURNING where the connection has it, else INSERT + LastInsertId().
  Result<int64_t> InsertReturningId(const StmtDef& def, const Binder& bind);

  // Write conflicts on inserts: in a write transaction, the keys looked up with a Find*() and not
  // found. Looked() records one; Inserted() turns a kAlreadyExists of an insert of such a key
  // into kRetry: another writer (another node) inserted and committed it since this transaction
  // looked (at READ COMMITTED), so re-running the batch finds the row and answers as a replay,
  // as a single writer would have. Cleared by Begin().
  template <typename T>
  Result<std::optional<T>> Looked(Result<std::optional<T>> found, std::string key) {
    if (conn_->tx() == TxKind::kWrite && found.ok() && !found->has_value()) {
      missing_.insert(std::move(key));
    }
    return found;
  }
  Status Inserted(Status status, const std::string& key);

  // Inserts the entry row, then its allocations; *written (if set) = the entry's id once its
  // row is in, so that a caller can undo it when an allocation fails.
  Result<int64_t> InsertEntryRows(const Entry& e, int64_t* written);

  std::unique_ptr<Connection> conn_;
  std::unordered_set<std::string> missing_;  // see Looked()
};

// Clamps a requested page size: <= 0 means kDefaultPageSize, at most kMaxPageSize.
int PageLimit(int limit);
// The same for the export pages (ExportQueries): at most kMaxExportPageSize.
int ExportPageLimit(int limit);
// An exclusive upper bound of a range filter: 0 (none) is the largest instant.
Micros UpperBound(Micros before_us);

}  // namespace loyalty::sql
