// MysqlSession: connection handling, transactions, customers, lots and entries. The other
// records are in mysql_session_records.cpp.
#include "store/mysql/mysql_session.h"

#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include "store/mysql/mysql_statements.h"

namespace loyalty::mysql {

namespace {

Customer ReadCustomer(const sql::ResultSet& rs) {
  Customer c;
  c.customer_id = Text(rs, 1);
  c.birth_date = OptionalText(rs, 2);
  c.marketing_consent = Bool(rs, 3);
  c.night_consent = Bool(rs, 4);
  c.tier = Text(rs, 5);
  c.available_points = Int(rs, 6);
  c.pending_points = Int(rs, 7);
  c.event_seq = Int(rs, 8);
  c.created_at_us = Int(rs, 9);
  c.updated_at_us = Int(rs, 10);
  c.tier_since_us = Int(rs, 11);
  c.window_spend_won = Int(rs, 12);
  c.window_orders = static_cast<int32_t>(Int(rs, 13));
  c.spend_as_of = static_cast<int32_t>(Int(rs, 14));
  return c;
}

Lot ReadLot(const sql::ResultSet& rs) {
  Lot lot;
  lot.lot_id = Int(rs, 1);
  lot.customer_id = Text(rs, 2);
  lot.kind = static_cast<LotKind>(Int(rs, 3));
  lot.order_id = Text(rs, 4);
  lot.source_entry_id = Int(rs, 5);
  lot.initial_points = Int(rs, 6);
  lot.remaining_points = Int(rs, 7);
  lot.created_at_us = Int(rs, 8);
  lot.expires_at_us = Int(rs, 9);
  lot.expired = Bool(rs, 10);
  return lot;
}

Entry ReadEntry(const sql::ResultSet& rs) {
  Entry e;
  e.entry_id = Int(rs, 1);
  e.customer_id = Text(rs, 2);
  e.kind = static_cast<EntryKind>(Int(rs, 3));
  e.pending_delta = Int(rs, 4);
  e.available_delta = Int(rs, 5);
  e.order_id = Text(rs, 6);
  e.ref_id = Text(rs, 7);
  e.reason = Text(rs, 8);
  e.actor = Text(rs, 9);
  e.created_at_us = Int(rs, 10);
  return e;
}

// Attaches the allocation rows (entry_id, lot_id, points), in line order, to their entries.
void AttachAllocations(sql::ResultSet& rs, std::vector<Entry>& entries) {
  std::map<int64_t, Entry*> by_id;
  for (Entry& e : entries) by_id[e.entry_id] = &e;
  while (rs.next()) {
    auto it = by_id.find(Int(rs, 1));
    if (it != by_id.end()) it->second->allocations.push_back(Allocation{Int(rs, 2), Int(rs, 3)});
  }
}

}  // namespace

MysqlSession::MysqlSession(MysqlConfig config, std::shared_ptr<std::atomic<int>> open_sessions,
                           std::unique_ptr<sql::Connection> conn)
    : config_(std::move(config)),
      open_sessions_(std::move(open_sessions)),
      conn_(std::move(conn)) {}

MysqlSession::~MysqlSession() {
  EnsureThreadRegistered();
  Rollback();
  DropConnection();
  --*open_sessions_;
}

// --- connection ---

Status MysqlSession::Usable() {
  if (tx_ != Tx::kNone && dead_.has_value()) return *dead_;
  if (conn_ != nullptr) return Status::Ok();
  if (tx_ != Tx::kNone) return Status(Code::kUnavailable, "database connection lost");
  LOYALTY_ASSIGN_OR_RETURN(conn_, Connect(config_));
  return Status::Ok();
}

Status MysqlSession::Failed(const sql::SQLException& e, std::string_view what, bool is_insert) {
  Status status = ErrorStatus(e, what, is_insert);
  const Failure failure = Classify(e.getErrorCode());
  if (failure == Failure::kConnectionLost) DropConnection();
  const bool kills_transaction = failure == Failure::kConnectionLost ||
                                 failure == Failure::kDeadlock ||
                                 failure == Failure::kLockWaitTimeout;
  if (tx_ != Tx::kNone && kills_transaction && !dead_.has_value()) dead_ = status;
  return status;
}

void MysqlSession::DropConnection() {
  statements_.clear();
  returning_.reset();
  repeatable_read_ = false;  // a new connection starts at READ COMMITTED (Connect)
  if (conn_ == nullptr) return;
  try {
    conn_->close();
  } catch (const std::exception&) {
    // The connection is gone either way.
  }
  conn_.reset();
}

sql::PreparedStatement& MysqlSession::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    std::unique_ptr<sql::PreparedStatement> stmt(conn_->prepareStatement(sql));
    it = statements_.emplace(sql, std::move(stmt)).first;
  }
  return *it->second;
}

Status MysqlSession::Exec(std::string_view what, const char* sql) {
  return Run(what, false, [&] {
    Prepare(sql).execute();
    return Status::Ok();
  });
}

int64_t MysqlSession::InsertReturningId(const char* sql, const char* id_column,
                                        const std::function<void(Bind&)>& bind_values) {
  if (!returning_.has_value()) {
    returning_ = config_.use_returning && SupportsInsertReturning(*conn_);
  }
  if (*returning_) {  // MariaDB: the id comes back with the insert, one round trip
    Bind bind(Prepare(std::string(sql) + " RETURNING " + id_column));
    bind_values(bind);
    std::unique_ptr<sql::ResultSet> rs = bind.Query();
    LOYALTY_CHECK(rs->next());
    return Int(*rs, 1);
  }
  Bind bind(Prepare(sql));
  bind_values(bind);
  bind.Update();
  std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kLastInsertId)).Query();
  LOYALTY_CHECK(rs->next());
  return Int(*rs, 1);
}

Status MysqlSession::ExpectOne(int64_t matched, const char* what, const std::string& key) {
  if (matched > 0) return Status::Ok();
  return Status(Code::kNotFound, std::string(what) + " '" + key + "' not found");
}

// --- transactions ---

Status MysqlSession::Open(Tx kind, std::string_view what) {
  if (tx_ != Tx::kNone) return Status(Code::kInternal, std::string(what) + ": a transaction is open");
  // Writes run at READ COMMITTED, reads at REPEATABLE READ (one snapshot). The session level is
  // switched only when the kind of transaction changes: a session used for one kind (writers,
  // the read pool) pays one round trip per transaction.
  const bool repeatable_read = kind == Tx::kRead;
  Status status;
  for (int attempt = 0; attempt < 2; ++attempt) {
    // A connection that died while idle (server restarted) fails on its first statement: that
    // loses nothing, so reconnect once and try again.
    const bool had_connection = conn_ != nullptr;
    status = Usable();  // connects if needed (at READ COMMITTED)
    if (status.ok() && repeatable_read_ != repeatable_read) {
      status = Exec(what, repeatable_read ? stmt::kSessionRepeatableRead
                                          : stmt::kSessionReadCommitted);
      if (status.ok()) repeatable_read_ = repeatable_read;
    }
    if (status.ok()) status = Exec(what, repeatable_read ? stmt::kBeginRead : stmt::kBegin);
    if (status.ok()) {
      tx_ = kind;
      dead_.reset();
      savepoint_set_ = false;
      return status;
    }
    if (!(had_connection && conn_ == nullptr)) break;
  }
  return status;
}

Status MysqlSession::Begin() { return Open(Tx::kWrite, "begin"); }

Status MysqlSession::BeginRead() { return Open(Tx::kRead, "begin read"); }

Status MysqlSession::Commit() {
  Status status = Exec("commit", stmt::kCommit);
  if (!status.ok()) {
    Rollback();
    return status;
  }
  tx_ = Tx::kNone;
  dead_.reset();
  return status;
}

void MysqlSession::Rollback() {
  if (tx_ == Tx::kNone) return;
  dead_.reset();  // ROLLBACK is what a dead transaction needs
  if (conn_ != nullptr) {
    // Nothing to report: if even ROLLBACK fails, the server rolls back when the connection ends.
    (void)Exec("rollback", stmt::kRollback);
  }
  tx_ = Tx::kNone;
}

// One round trip per command instead of two: MySQL replaces a savepoint when one of the same
// name is set again, so "releasing" only forgets it here and the next SAVEPOINT (or the commit)
// drops it on the server.
Status MysqlSession::Savepoint() {
  LOYALTY_RETURN_IF_ERROR(Exec("savepoint", stmt::kSavepoint));
  savepoint_set_ = true;
  return Status::Ok();
}

Status MysqlSession::ReleaseSavepoint() {
  if (tx_ != Tx::kNone && dead_.has_value()) return *dead_;
  if (!savepoint_set_) return Status(Code::kInternal, "release savepoint: no savepoint set");
  savepoint_set_ = false;
  return Status::Ok();
}

Status MysqlSession::RollbackToSavepoint() {
  if (!savepoint_set_) return Status(Code::kInternal, "rollback to savepoint: no savepoint set");
  savepoint_set_ = false;
  return Exec("rollback to savepoint", stmt::kRollbackTo);
}

void MysqlSession::EndRead() {
  if (tx_ != Tx::kRead) return;
  if (!Exec("end read", stmt::kCommit).ok()) {
    Rollback();
    return;
  }
  tx_ = Tx::kNone;
  dead_.reset();
}

// --- customers ---

Result<std::optional<Customer>> MysqlSession::FindCustomer(const std::string& customer_id) {
  // Inside a write transaction the row stays locked until it ends (see mysql_store.h).
  const char* sql = tx_ == Tx::kWrite ? stmt::kFindCustomerForUpdate : stmt::kFindCustomer;
  return Run("find customer", false, [&]() -> Result<std::optional<Customer>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(sql)).Text(customer_id).Query();
    if (!rs->next()) return std::optional<Customer>();
    return std::optional<Customer>(ReadCustomer(*rs));
  });
}

Status MysqlSession::InsertCustomer(const Customer& c) {
  return Run("insert customer", true, [&] {
    Bind(Prepare(stmt::kInsertCustomer))
        .Text(c.customer_id)
        .OptionalText(c.birth_date)
        .Bool(c.marketing_consent)
        .Bool(c.night_consent)
        .Text(c.tier)
        .Int(c.available_points)
        .Int(c.pending_points)
        .Int(c.event_seq)
        .Int(c.created_at_us)
        .Int(c.updated_at_us)
        .Int(c.tier_since_us)
        .Int(c.window_spend_won)
        .Int(c.window_orders)
        .Int(c.spend_as_of)
        .Update();
    return Status::Ok();
  });
}

Status MysqlSession::UpdateCustomer(const Customer& c) {
  return Run("update customer", false, [&] {
    const int64_t matched = Bind(Prepare(stmt::kUpdateCustomer))
                                .OptionalText(c.birth_date)
                                .Bool(c.marketing_consent)
                                .Bool(c.night_consent)
                                .Text(c.tier)
                                .Int(c.available_points)
                                .Int(c.pending_points)
                                .Int(c.event_seq)
                                .Int(c.updated_at_us)
                                .Int(c.tier_since_us)
                                .Int(c.window_spend_won)
                                .Int(c.window_orders)
                                .Int(c.spend_as_of)
                                .Text(c.customer_id)
                                .Update();
    return ExpectOne(matched, "customer", c.customer_id);
  });
}

Result<std::vector<Customer>> MysqlSession::ListCustomers(const std::string& after_id, int limit) {
  return Run("list customers", false, [&]() -> Result<std::vector<Customer>> {
    std::unique_ptr<sql::ResultSet> rs =
        Bind(Prepare(stmt::kListCustomers)).Text(after_id).Int(PageLimit(limit)).Query();
    return ReadRows(*rs, &ReadCustomer);
  });
}

// --- lots ---

Result<std::vector<Lot>> MysqlSession::FindLots(const LotQuery& q) {
  if (q.customer_id.empty() && q.order_id.empty()) {
    return Status(Code::kInternal, "find lots: LotQuery needs a customer_id or an order_id");
  }
  return Run("find lots", false, [&]() -> Result<std::vector<Lot>> {
    Bind bind(Prepare(stmt::FindLots(q)));
    if (!q.order_id.empty()) bind.Text(q.order_id);
    if (!q.customer_id.empty()) bind.Text(q.customer_id);
    if (q.kind.has_value()) bind.Int(static_cast<int>(*q.kind));
    if (q.due_before_us > 0) bind.Int(q.due_before_us);
    std::unique_ptr<sql::ResultSet> rs = bind.Query();
    return ReadRows(*rs, &ReadLot);
  });
}

Result<std::optional<Lot>> MysqlSession::FindLot(int64_t lot_id) {
  return Run("find lot", false, [&]() -> Result<std::optional<Lot>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kFindLot)).Int(lot_id).Query();
    if (!rs->next()) return std::optional<Lot>();
    return std::optional<Lot>(ReadLot(*rs));
  });
}

Result<int64_t> MysqlSession::InsertLot(const Lot& lot) {
  return Run("insert lot", true, [&]() -> Result<int64_t> {
    return InsertReturningId(stmt::kInsertLot, "lot_id", [&](Bind& b) {
      b.Text(lot.customer_id)
          .Int(static_cast<int>(lot.kind))
          .Text(lot.order_id)
          .Int(lot.source_entry_id)
          .Int(lot.initial_points)
          .Int(lot.remaining_points)
          .Int(lot.created_at_us)
          .Int(lot.expires_at_us)
          .Bool(lot.expired);
    });
  });
}

Status MysqlSession::UpdateLot(const Lot& lot) {
  return Run("update lot", false, [&] {
    const int64_t matched = Bind(Prepare(stmt::kUpdateLot))
                                .Int(lot.remaining_points)
                                .Bool(lot.expired)
                                .Int(lot.expires_at_us)
                                .Int(lot.source_entry_id)
                                .Int(lot.lot_id)
                                .Update();
    return ExpectOne(matched, "lot", std::to_string(lot.lot_id));
  });
}

// --- entries ---

Result<int64_t> MysqlSession::InsertEntry(const Entry& e) {
  // The entry and its allocations go in together. Outside a transaction: in one of their own.
  if (tx_ == Tx::kNone) {
    LOYALTY_RETURN_IF_ERROR(Begin());
    Result<int64_t> entry_id = InsertEntryRows(e);
    if (!entry_id.ok()) {
      Rollback();
      return entry_id.status();
    }
    LOYALTY_RETURN_IF_ERROR(Commit());
    return entry_id;
  }
  return InsertEntryRows(e);
}

Result<int64_t> MysqlSession::InsertEntryRows(const Entry& e) {
  LOYALTY_ASSIGN_OR_RETURN(int64_t entry_id, Run("insert entry", true, [&]() -> Result<int64_t> {
    return InsertReturningId(stmt::kInsertEntry, "entry_id", [&](Bind& b) {
      b.Text(e.customer_id)
          .Int(static_cast<int>(e.kind))
          .Int(e.pending_delta)
          .Int(e.available_delta)
          .Text(e.order_id)
          .Text(e.ref_id)
          .Text(e.reason)
          .Text(e.actor)
          .Int(e.created_at_us);
    });
  }));
  Status lines = InsertAllocations(entry_id, e.allocations);
  if (!lines.ok()) {
    // Rare (a foreign key violation): undo the entry in place rather than paying a nested
    // savepoint (two round trips) on every entry. A dead transaction is rolled back anyway.
    (void)Run("undo entry", false, [&] {
      Bind(Prepare(stmt::kDeleteAllocationsOfEntry)).Int(entry_id).Update();
      Bind(Prepare(stmt::kDeleteEntry)).Int(entry_id).Update();
      return Status::Ok();
    });
    return lines;
  }
  return entry_id;
}

Status MysqlSession::InsertAllocations(int64_t entry_id, const std::vector<Allocation>& allocations) {
  // In chunks of at most kMaxAllocationRowsPerInsert rows: one round trip for most entries.
  for (size_t first = 0; first < allocations.size();) {
    const size_t rows = std::min<size_t>(allocations.size() - first,
                                         stmt::kMaxAllocationRowsPerInsert);
    LOYALTY_RETURN_IF_ERROR(Run("insert allocation", true, [&] {
      Bind bind(Prepare(stmt::InsertAllocations(static_cast<int>(rows))));
      for (size_t line = first; line < first + rows; ++line) {
        bind.Int(entry_id).Int(static_cast<int64_t>(line)).Int(allocations[line].lot_id).Int(
            allocations[line].points);
      }
      bind.Update();
      return Status::Ok();
    }));
    first += rows;
  }
  return Status::Ok();
}

Result<std::vector<Entry>> MysqlSession::ListEntries(const EntryQuery& q) {
  const bool by_order = !q.order_id.empty();
  if (!by_order && q.customer_id.empty()) {
    return Status(Code::kInternal, "list entries: EntryQuery needs a customer_id or an order_id");
  }
  return Run("list entries", false, [&]() -> Result<std::vector<Entry>> {
    std::vector<Entry> entries;
    std::unique_ptr<sql::ResultSet> allocations;
    const bool with_customer = !q.customer_id.empty();
    if (by_order) {
      Bind list(Prepare(stmt::ListEntriesOfOrder(with_customer)));
      list.Text(q.order_id);
      if (with_customer) list.Text(q.customer_id);
      std::unique_ptr<sql::ResultSet> rs = list.Query();
      entries = ReadRows(*rs, &ReadEntry);
      if (entries.empty()) return entries;
      Bind lines(Prepare(stmt::ListAllocationsOfOrder(with_customer)));
      lines.Text(q.order_id);
      if (with_customer) lines.Text(q.customer_id);
      allocations = lines.Query();
    } else {
      const int64_t before =
          q.before_entry_id > 0 ? q.before_entry_id : std::numeric_limits<int64_t>::max();
      std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kListEntriesOfCustomer))
                                               .Text(q.customer_id)
                                               .Int(before)
                                               .Int(PageLimit(q.limit))
                                               .Query();
      entries = ReadRows(*rs, &ReadEntry);
      if (entries.empty()) return entries;
      allocations = Bind(Prepare(stmt::kListAllocationsOfCustomer))
                        .Text(q.customer_id)
                        .Int(entries.back().entry_id)  // newest first: the last is the oldest
                        .Int(entries.front().entry_id)
                        .Query();
    }
    AttachAllocations(*allocations, entries);
    return entries;
  });
}

}  // namespace loyalty::mysql
