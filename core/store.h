// Store interfaces. core defines them; the SQL store (store/sql, one implementation over the
// SQLite and MySQL drivers) implements them. Nothing above this line knows SQL.
//
// The records are split into areas of about ten methods (LedgerRecords, OrderRecords,
// TierRecords, JobQueries, CouponRecords, Outbox, ProgramRecords); a Session is one connection's
// transaction implementing every area. Code that needs one area takes that area, not the Session.
//
// Error contract for every method: kUnavailable when the database cannot be reached or is busy
// past its timeout, kRetry on deadlock or lock-wait timeout (the executor re-runs the batch),
// kAlreadyExists on a unique-key violation of an Insert*, kInternal otherwise.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/event_hook_records.h"
#include "core/status.h"
#include "core/types.h"

namespace loyalty {

struct LotQuery {
  std::string customer_id;
  std::optional<LotKind> kind;   // only this kind
  bool only_nonzero = true;      // remaining_points != 0
  bool include_expired = false;  // include lots with expired = true
  std::string order_id;          // only lots of this order (empty = any)
  Micros due_before_us = 0;      // if > 0: only unexpired lots with expires_at_us <= this
};
// Lots come back ordered by (expires_at_us with 0 last, lot_id).

struct EntryQuery {
  std::string customer_id;      // required unless order_id is set
  std::string order_id;         // only entries of this order (ascending entry_id, all of them)
  int64_t before_entry_id = 0;  // newest-first page: entry_id < this (0 = from the newest)
  int limit = kDefaultPageSize;
};

struct EventQuery {
  std::string customer_id;     // empty = all customers
  int64_t after_event_id = 0;  // ascending by event_id
  int limit = kDefaultPageSize;
};

struct CouponQuery {
  std::string customer_id;             // the customer's coupons, or
  std::string order_id;                // the coupons an order redeemed, or
  std::string batch_id;                // the coupons of a bulk batch (one of the three is set)
  std::optional<CouponStatus> status;  // only this stored status
  std::string after_code;              // ascending by code, code > after_code (a batch's
                                       // coupons: in issue order, after that coupon)
  int limit = kDefaultPageSize;
};

struct MessageQuery {
  std::string customer_id;              // empty = every customer
  int64_t after_message_id = 0;         // ascending by message_id
  std::optional<MessageStatus> status;  // only this status
  std::string type;                     // only this type ("" = any)
  int limit = kDefaultPageSize;
};

// --- the record areas: each function takes only the area it needs ---

// Customers, their point lots, the immutable ledger entries and the customer's event history.
class LedgerRecords {
 public:
  virtual ~LedgerRecords() = default;
  // Inside a write transaction the row is locked for the rest of it (MySQL: FOR UPDATE).
  virtual Result<std::optional<Customer>> FindCustomer(const std::string& customer_id) = 0;
  virtual Status InsertCustomer(const Customer& c) = 0;
  virtual Status UpdateCustomer(const Customer& c) = 0;  // every field but customer_id/created_at
  // Customers with customer_id > after_id, ascending, at most limit.
  virtual Result<std::vector<Customer>> ListCustomers(const std::string& after_id, int limit) = 0;

  virtual Result<std::vector<Lot>> FindLots(const LotQuery& q) = 0;
  virtual Result<std::optional<Lot>> FindLot(int64_t lot_id) = 0;
  virtual Result<int64_t> InsertLot(const Lot& lot) = 0;  // returns the new lot_id
  // Updates remaining_points, expired, expires_at_us, source_entry_id.
  virtual Status UpdateLot(const Lot& lot) = 0;

  // Entries are immutable: insert only. Inserts the entry and its allocations; returns the new
  // entry_id.
  virtual Result<int64_t> InsertEntry(const Entry& e) = 0;
  virtual Result<std::vector<Entry>> ListEntries(const EntryQuery& q) = 0;  // with allocations
  // Every entry with from_us <= created_at_us < to_us, summed per kind: one row per kind that has
  // an entry in the range, ascending by kind (none: empty). Reads the entries_by_time index
  // only (migration 0013), so a month costs the month's entries, not the whole ledger.
  virtual Result<std::vector<EntryKindSum>> SumEntriesByKind(Micros from_us, Micros to_us) = 0;

  virtual Result<int64_t> AppendEvent(const Event& e) = 0;  // returns the new event_id
  virtual Result<std::vector<Event>> ListEvents(const EventQuery& q) = 0;

  // The customer's consent history: insert returns the new change_id; the list is newest first,
  // at most limit.
  virtual Result<int64_t> InsertConsentChange(const ConsentChange& c) = 0;
  virtual Result<std::vector<ConsentChange>> ListConsentChanges(const std::string& customer_id,
                                                                int limit) = 0;
};

// Orders, their refunds and CS adjustments (each keyed by the caller's id).
class OrderRecords {
 public:
  virtual ~OrderRecords() = default;
  // Inside a write transaction the row is locked for the rest of it (MySQL: FOR UPDATE).
  virtual Result<std::optional<Order>> FindOrder(const std::string& order_id) = 0;
  virtual Status InsertOrder(const Order& o) = 0;
  virtual Status UpdateOrder(const Order& o) = 0;
  virtual Result<std::optional<Refund>> FindRefund(const std::string& order_id,
                                                   const std::string& refund_id) = 0;
  virtual Status InsertRefund(const Refund& r) = 0;
  virtual Result<std::vector<Refund>> ListRefunds(const std::string& order_id) = 0;
  virtual Result<std::optional<Adjustment>> FindAdjustment(const std::string& adjustment_id) = 0;
  virtual Status InsertAdjustment(const Adjustment& a) = 0;
};

// Qualifying spend and tier history.
class TierRecords {
 public:
  virtual ~TierRecords() = default;
  virtual Status InsertSpend(const SpendRecord& r) = 0;
  // Sum over the customer's records with from <= date <= to.
  virtual Result<SpendTotal> SumSpend(const std::string& customer_id, DateKey from, DateKey to) = 0;
  virtual Result<int64_t> InsertTierChange(const TierChange& c) = 0;  // returns change_id
  // Newest first, at most limit.
  virtual Result<std::vector<TierChange>> ListTierChanges(const std::string& customer_id,
                                                          int limit) = 0;
};

// What the daily job scans: set-based recalculation, pages over customers and due work, and the
// job's own progress records. Shard: ShardOf(customer_id, shards) == shard (core/shard.h;
// shards = 1 means all).
class JobQueries {
 public:
  virtual ~JobQueries() = default;
  // Ids of orders not yet activated nor cancelled placed before placed_before_us, ascending,
  // order_id > after_order_id.
  virtual Result<std::vector<std::string>> OrdersAwaitingActivation(
      Micros placed_before_us, const std::string& after_order_id, int limit) = 0;
  // Customers with an unexpired available lot with 0 < expires_at_us <= due_before_us,
  // ascending, customer_id > after_customer_id.
  virtual Result<std::vector<std::string>> CustomersWithDueLots(
      Micros due_before_us, const std::string& after_customer_id, int limit) = 0;
  // Set-based: for every customer of the shard, window_spend_won / window_orders = sums of its
  // spend records with from <= date <= to, spend_as_of = as_of. Returns customers written.
  virtual Result<int64_t> RecomputeWindowSpend(DateKey from, DateKey to, DateKey as_of, int shard,
                                               int shards) = 0;
  virtual Result<int64_t> CountCustomers() = 0;
  // Customers of the shard with customer_id > after_id, ascending, at most limit.
  virtual Result<std::vector<TierStanding>> ListStandings(const std::string& after_id, int limit,
                                                          int shard, int shards) = 0;
  // Customers whose birth_date falls in `month` (1..12), customer_id > after_id, ascending.
  virtual Result<std::vector<std::string>> CustomersBornInMonth(int month,
                                                                const std::string& after_id,
                                                                int limit) = 0;
  // Lifecycle triggers: customers of the shard with customer_id > after_id, ascending, with
  // their order activity (correlated lookups on orders_by_customer; no full order scan).
  virtual Result<std::vector<CustomerActivity>> ListCustomerActivity(const std::string& after_id,
                                                                     int limit, int shard,
                                                                     int shards) = 0;
  // The same for one customer (the lifecycle step re-reads it under the customer's lock);
  // nullopt when the customer does not exist.
  virtual Result<std::optional<CustomerActivity>> FindCustomerActivity(
      const std::string& customer_id) = 0;
  // Reconfirmation of marketing consent: customers with marketing_consent = 1 and
  // 0 < consent_confirmed_at_us <= confirmed_at_or_before_us, customer_id > after_id, ascending,
  // at most limit (every shard: the caller filters).
  virtual Result<std::vector<std::string>> CustomersDueForReconfirm(
      Micros confirmed_at_or_before_us, const std::string& after_id, int limit) = 0;
  virtual Result<std::optional<JobRun>> FindJobRun(DateKey date, const std::string& step, int shard,
                                                   int shards) = 0;
  virtual Status UpsertJobRun(const JobRun& run) = 0;
  // Every run of `step` (kJobRunStep: whole runs) for every shard, by date then shard.
  virtual Result<std::vector<JobRun>> ListJobRunsOfStep(const std::string& step) = 0;
  // The steps recorded for one date and shard, in the order they started.
  virtual Result<std::vector<JobRun>> ListJobRunsOfDate(DateKey date, int shard, int shards) = 0;
  // Takes lease.business_date/shard/shards for lease.holder until lease.expires_at_us when it is
  // free, expired at now_us, or already held by that holder (a renewal); outside a transaction,
  // so that it commits at once. Returns the lease as it now stands: someone else's when taken.
  virtual Result<JobLease> AcquireJobLease(const JobLease& lease, Micros now_us) = 0;
  virtual Status ReleaseJobLease(const JobLease& lease) = 0;  // only the holder's own
  virtual Result<std::vector<JobLease>> ListJobLeases() = 0;
};

// Coupons and bulk coupon batches.
class CouponRecords {
 public:
  virtual ~CouponRecords() = default;
  // kAlreadyExists when the code or the (non-empty) dedupe_key is taken.
  virtual Status InsertCoupon(const Coupon& c) = 0;
  virtual Result<std::optional<Coupon>> FindCoupon(const std::string& code) = 0;
  virtual Result<std::optional<Coupon>> FindCouponByDedupeKey(const std::string& dedupe_key) = 0;
  // The conditional redemption: sets status redeemed, customer_id, order_id, discount_won,
  // redeemed_at_us WHERE code = ? AND status = active. False when no row changed (used already,
  // by a concurrent order or before): the caller answers coupon_already_redeemed.
  virtual Result<bool> RedeemCoupon(const std::string& code, const std::string& customer_id,
                                    const std::string& order_id, Won discount_won,
                                    Micros now_us) = 0;
  // Writes every field but code, template_code, issued_at_us, dedupe_key, batch_id.
  virtual Status UpdateCoupon(const Coupon& c) = 0;
  virtual Result<std::vector<Coupon>> ListCoupons(const CouponQuery& q) = 0;
  // Coupons of the template redeemed by the customer (per_customer_limit).
  virtual Result<int64_t> CountRedeemedCoupons(const std::string& customer_id,
                                               const std::string& template_code) = 0;
  // Active coupons with valid_until_us <= until_before_us and code > after_code, ascending by
  // code, at most limit (the daily job's expiry and expiring-soon steps).
  virtual Result<std::vector<Coupon>> ListActiveCouponsEndingBy(Micros until_before_us,
                                                                const std::string& after_code,
                                                                int limit) = 0;
  virtual Status InsertCouponBatch(const CouponBatch& b) = 0;  // kAlreadyExists on batch_id
  virtual Result<std::optional<CouponBatch>> FindCouponBatch(const std::string& batch_id) = 0;
  // Writes issued, status, finished_at_us.
  virtual Status UpdateCouponBatch(const CouponBatch& b) = 0;
  // Batches not done yet (resumed when the server starts), ascending.
  virtual Result<std::vector<std::string>> ListUnfinishedCouponBatches() = 0;
};

// Messages: the transactional outbox (docs/messages.md).
class Outbox {
 public:
  virtual ~Outbox() = default;
  // Returns the new message_id; kAlreadyExists when the dedupe_key is taken.
  virtual Result<int64_t> InsertMessage(const Message& m) = 0;
  virtual Result<std::optional<Message>> FindMessage(int64_t message_id) = 0;
  virtual Result<std::optional<Message>> FindMessageByDedupeKey(const std::string& dedupe_key) = 0;
  // Writes status, status_reason, not_before_us, attempts, last_error, lease_until_us,
  // lease_owner, delivered_at_us, updated_at_us.
  virtual Status UpdateMessage(const Message& m) = 0;
  virtual Result<std::vector<Message>> ListMessages(const MessageQuery& q) = 0;
  // Deliverable now, ascending by message_id, at most limit: status pending, not_before_us <=
  // now_us, lease_until_us <= now_us, and no older pending message of the same customer (one
  // customer's messages go out in creation order: the oldest pending one blocks the rest).
  virtual Result<std::vector<Message>> ListDeliverableMessages(Micros now_us, int limit) = 0;
  // The conditional lease: sets lease_until_us / lease_owner / updated_at_us WHERE message_id = ?
  // AND status = pending AND lease_until_us <= now_us. False when another node leased it first.
  virtual Result<bool> LeaseMessage(int64_t message_id, Micros now_us, Micros lease_until_us,
                                    const std::string& owner) = 0;
  // Messages of the customer (type "" = any) created at or after since_us whose status is not
  // suppressed nor cancelled: the frequency caps.
  virtual Result<int64_t> CountMessagesSince(const std::string& customer_id,
                                             const std::string& type, Micros since_us) = 0;
  // Replay: every delivered or dead-letter message with message_id > after_message_id (and <=
  // up_to_message_id unless 0) back to pending with attempts 0, no lease, not_before_us = now_us.
  // Returns how many.
  virtual Result<int64_t> RequeueMessages(int64_t after_message_id, int64_t up_to_message_id,
                                          Micros now_us) = 0;
  // Opt-out: every pending (not yet handed out, leased or not) advertising message of the
  // customer becomes suppressed with status_reason = reason and updated_at_us = now_us. Returns
  // how many.
  virtual Result<int64_t> SuppressPendingAdvertising(const std::string& customer_id,
                                                     const std::string& reason, Micros now_us) = 0;
};

// The programme's versions (`loyalty program apply`, docs/operations.md "Upgrading the
// programme"). Stored, never changed: a new programme is a new version.
struct ProgramVersion {
  int64_t version = 0;       // the programme's "version" field; unique, grows with every apply
  std::string hash;          // lower-case hex SHA-256 of program_json
  std::string program_json;  // canonical JSON
  std::string author;
  Micros applied_at_us = 0;
  Micros effective_at_us = 0;  // decides from this instant on
};

class ProgramRecords {
 public:
  virtual ~ProgramRecords() = default;
  virtual Status InsertProgramVersion(const ProgramVersion& v) = 0;  // kAlreadyExists on version
  // The version in force at at_us: the highest version with effective_at_us <= at_us; nullopt
  // when none is.
  virtual Result<std::optional<ProgramVersion>> FindProgramInForce(Micros at_us) = 0;
  // Newest first: versions below before_version (0 = from the newest), at most limit.
  virtual Result<std::vector<ProgramVersion>> ListProgramVersions(int64_t before_version,
                                                                  int limit) = 0;
};

// `loyalty import` (jobs/import.h): the row ids applied, with their hash, and the orders of one
// run staged as events in time order.
struct ImportRow {
  std::string kind;    // "customer" or "order"
  std::string row_id;  // customer_id or order_id
  std::string hash;    // lower-case hex SHA-256 of the row's canonical values
  std::string import_id;
  int64_t line = 0;
  Micros imported_at_us = 0;
};

enum class ImportEventKind : int { kPlaced = 1, kConfirmed = 2, kRefunded = 3, kCancelled = 4 };

struct ImportEvent {
  std::string import_id;
  Micros at_us = 0;
  int64_t seq = 0;  // line * 4 + kind: ties at one instant follow the file
  ImportEventKind kind = ImportEventKind::kPlaced;
  std::string order_id;
  std::string customer_id;
  int64_t line = 0;
  Won amount_won = 0;  // placed: the amount; refunded: the amount refunded
  Won shipping_won = 0;
  Points points = 0;  // placed: the points redeemed
  std::string hash;   // placed: the row's hash
};

class ImportRecords {
 public:
  virtual ~ImportRecords() = default;
  virtual Result<std::optional<ImportRow>> FindImportRow(const std::string& kind,
                                                         const std::string& row_id) = 0;
  virtual Status InsertImportRow(const ImportRow& r) = 0;  // kAlreadyExists on (kind, row_id)
  // kAlreadyExists when the run already has this kind of event for the order.
  virtual Status InsertImportEvent(const ImportEvent& e) = 0;
  virtual Result<std::optional<ImportEvent>> FindImportEvent(const std::string& import_id,
                                                             const std::string& order_id,
                                                             ImportEventKind kind) = 0;
  // The run's events after (after_at_us, after_seq) in time order, at most limit.
  virtual Result<std::vector<ImportEvent>> ListImportEvents(const std::string& import_id,
                                                            Micros after_at_us, int64_t after_seq,
                                                            int limit) = 0;
  virtual Status DeleteImportEvents(const std::string& import_id) = 0;
};

// Keyset pages over whole tables (`loyalty export`, GET /v1/customers): ascending by primary
// key, every filter evaluated by the database, so that a caller holds one page at a time whatever
// the size of the table. A page shorter than its limit is the last. The limit: <= 0 means
// kDefaultPageSize, at most kMaxExportPageSize.
struct CustomerPageQuery {
  std::string after_customer_id;  // customer_id > this ("" = from the first)
  std::string tier;               // only customers whose current tier is this ("" = any)
  Micros created_from_us = 0;     // created_at_us >= this (0 = no lower bound)
  Micros created_before_us = 0;   // created_at_us < this (0 = no upper bound)
  Micros as_of_us = 0;            // "now" of the balance below (lots due by then do not count)
  int limit = kDefaultPageSize;
};
struct CustomerPageRow {
  Customer customer;
  // available_points less the remaining points of available lots due at as_of_us (not yet
  // expired by the daily job): the balance GET /v1/customers/{id} shows.
  Points available_now_points = 0;
  // The soonest expires_at_us of the live available lots (remaining > 0, not expired, due after
  // as_of_us); 0 when there is none.
  Micros earliest_expiry_us = 0;
};

struct OrderPageQuery {
  std::string after_order_id;   // order_id > this ("" = from the first)
  Micros placed_from_us = 0;    // placed_at_us >= this (0 = no lower bound)
  Micros placed_before_us = 0;  // placed_at_us < this (0 = no upper bound)
  int limit = kDefaultPageSize;
};
struct OrderPageRow {
  Order order;
  Micros last_refund_at_us = 0;  // created_at_us of the order's newest refund; 0 = none
};

struct EntryPageQuery {
  int64_t after_entry_id = 0;    // entry_id > this
  Micros created_from_us = 0;    // created_at_us >= this (0 = no lower bound)
  Micros created_before_us = 0;  // created_at_us < this (0 = no upper bound)
  std::string tier;              // only entries of customers whose current tier is this ("" = any)
  int limit = kDefaultPageSize;
};

class ExportQueries {
 public:
  virtual ~ExportQueries() = default;
  virtual Result<std::vector<CustomerPageRow>> ListCustomerPage(const CustomerPageQuery& q) = 0;
  virtual Result<std::vector<OrderPageRow>> ListOrderPage(const OrderPageQuery& q) = 0;
  // Without their allocations.
  virtual Result<std::vector<Entry>> ListEntryPage(const EntryPageQuery& q) = 0;
};

// A transaction over one database connection: every record area, plus the transaction control.
// Used by one thread at a time (not thread-safe). Write sessions are driven by the
// CommandExecutor (core/executor.h): Begin, then for each command Savepoint /
// (ReleaseSavepoint | RollbackToSavepoint), then Commit. Read sessions call BeginRead/EndRead
// around a group of reads so that they see one snapshot. Records that belong to a layer above
// core (the HTTP API's keys and idempotency records, api/records.h) are implemented by the same
// object; that layer reaches them with a cast of its own.
class Session : public LedgerRecords,
                public OrderRecords,
                public TierRecords,
                public JobQueries,
                public CouponRecords,
                public Outbox,
                public ProgramRecords,
                public ExportQueries,
                public ImportRecords,
                public EventHookRecords {
 public:
  ~Session() override = default;
  virtual Status Begin() = 0;  // write transaction (SQLite: BEGIN IMMEDIATE)
  virtual Status Commit() = 0;
  virtual void Rollback() = 0;     // never fails; safe to call without an open transaction
  virtual Status Savepoint() = 0;  // one level is enough: one per command
  virtual Status ReleaseSavepoint() = 0;
  virtual Status RollbackToSavepoint() = 0;
  virtual Status BeginRead() = 0;  // read snapshot
  virtual void EndRead() = 0;
};

// A database: hands out sessions and manages the schema.
class Store {
 public:
  virtual ~Store() = default;
  virtual Result<std::unique_ptr<Session>> OpenSession() = 0;
  // Applies the numbered migrations of schema/<engine>/ not applied yet; returns how many.
  virtual Result<int> Migrate() = 0;
  // Fails with a clear message when the schema is older or newer than this binary expects.
  virtual Status CheckSchema() = 0;
  virtual std::string Describe() const = 0;  // e.g. "sqlite:var/loyalty.db" (never a password)
};

}  // namespace loyalty
