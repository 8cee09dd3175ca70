// SqliteSession: transactions, customers, lots and entries. The other records are in
// sqlite_session_records.cpp.
#include "store/sqlite/sqlite_session.h"

#include <limits>
#include <utility>

namespace loyalty::sqlite {

namespace {

Customer ReadCustomer(const Stmt& s) {
  Customer c;
  c.customer_id = s.Text(0);
  c.birth_date = s.OptionalText(1);
  c.marketing_consent = s.Bool(2);
  c.night_consent = s.Bool(3);
  c.tier = s.Text(4);
  c.available_points = s.Int(5);
  c.pending_points = s.Int(6);
  c.event_seq = s.Int(7);
  c.created_at_us = s.Int(8);
  c.updated_at_us = s.Int(9);
  c.tier_since_us = s.Int(10);
  c.window_spend_won = s.Int(11);
  c.window_orders = static_cast<int32_t>(s.Int(12));
  c.spend_as_of = static_cast<int32_t>(s.Int(13));
  return c;
}

Lot ReadLot(const Stmt& s) {
  Lot lot;
  lot.lot_id = s.Int(0);
  lot.customer_id = s.Text(1);
  lot.kind = static_cast<LotKind>(s.Int(2));
  lot.order_id = s.Text(3);
  lot.source_entry_id = s.Int(4);
  lot.initial_points = s.Int(5);
  lot.remaining_points = s.Int(6);
  lot.created_at_us = s.Int(7);
  lot.expires_at_us = s.Int(8);
  lot.expired = s.Bool(9);
  return lot;
}

Entry ReadEntry(const Stmt& s) {
  Entry e;
  e.entry_id = s.Int(0);
  e.customer_id = s.Text(1);
  e.kind = static_cast<EntryKind>(s.Int(2));
  e.pending_delta = s.Int(3);
  e.available_delta = s.Int(4);
  e.order_id = s.Text(5);
  e.ref_id = s.Text(6);
  e.reason = s.Text(7);
  e.actor = s.Text(8);
  e.created_at_us = s.Int(9);
  return e;
}

}  // namespace

SqliteSession::~SqliteSession() {
  Rollback();
  for (sqlite3_stmt*& stmt : cache_) {
    sqlite3_finalize(stmt);  // a no-op on nullptr
    stmt = nullptr;
  }
}

Result<Stmt> SqliteSession::Use(StmtId id) {
  const StmtDef& def = Def(id);
  sqlite3_stmt*& slot = cache_[static_cast<size_t>(id)];
  if (slot == nullptr) {
    const int rc =
        sqlite3_prepare_v3(db_.get(), def.sql, -1, SQLITE_PREPARE_PERSISTENT, &slot, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(slot);
      slot = nullptr;
      return ErrorStatus(db_.get(), rc, def.name);
    }
  }
  return Stmt(slot, def.name);
}

Status SqliteSession::RunPlain(StmtId id) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(id));
  return stmt.Run();
}

Status SqliteSession::ExpectOneChange(const char* what, const std::string& key) const {
  if (sqlite3_changes64(db_.get()) > 0) return Status::Ok();
  return Status(Code::kNotFound, std::string(what) + " '" + key + "' not found");
}

// --- transactions ---

Status SqliteSession::Begin() { return RunPlain(StmtId::kBegin); }

Status SqliteSession::Commit() {
  Status status = RunPlain(StmtId::kCommit);
  if (!status.ok()) Rollback();
  return status;
}

void SqliteSession::Rollback() {
  if (sqlite3_get_autocommit(db_.get())) return;  // no transaction open
  // Nothing to report: if even ROLLBACK fails, SQLite rolls back when the connection closes.
  (void)RunPlain(StmtId::kRollback);
}

Status SqliteSession::Savepoint() { return RunPlain(StmtId::kSavepoint); }

Status SqliteSession::ReleaseSavepoint() { return RunPlain(StmtId::kRelease); }

Status SqliteSession::RollbackToSavepoint() {
  // ROLLBACK TO keeps the savepoint open; RELEASE closes it so the next command starts afresh.
  LOYALTY_RETURN_IF_ERROR(RunPlain(StmtId::kRollbackTo));
  return RunPlain(StmtId::kRelease);
}

Status SqliteSession::BeginRead() { return RunPlain(StmtId::kBeginRead); }

void SqliteSession::EndRead() {
  if (sqlite3_get_autocommit(db_.get())) return;
  if (!RunPlain(StmtId::kCommit).ok()) Rollback();
}

// --- customers ---

Result<std::optional<Customer>> SqliteSession::FindCustomer(const std::string& customer_id) {
  // No row lock needed: BEGIN IMMEDIATE already makes this connection the only writer.
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindCustomer));
  stmt.BindText(customer_id);
  return ReadOne(stmt, &ReadCustomer);
}

Status SqliteSession::InsertCustomer(const Customer& c) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertCustomer));
  stmt.BindText(c.customer_id);
  stmt.BindOptionalText(c.birth_date);
  stmt.BindBool(c.marketing_consent);
  stmt.BindBool(c.night_consent);
  stmt.BindText(c.tier);
  stmt.BindInt(c.available_points);
  stmt.BindInt(c.pending_points);
  stmt.BindInt(c.event_seq);
  stmt.BindInt(c.created_at_us);
  stmt.BindInt(c.updated_at_us);
  stmt.BindInt(c.tier_since_us);
  stmt.BindInt(c.window_spend_won);
  stmt.BindInt(c.window_orders);
  stmt.BindInt(c.spend_as_of);
  return stmt.RunInsert();
}

Status SqliteSession::UpdateCustomer(const Customer& c) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kUpdateCustomer));
  stmt.BindText(c.customer_id);
  stmt.BindOptionalText(c.birth_date);
  stmt.BindBool(c.marketing_consent);
  stmt.BindBool(c.night_consent);
  stmt.BindText(c.tier);
  stmt.BindInt(c.available_points);
  stmt.BindInt(c.pending_points);
  stmt.BindInt(c.event_seq);
  stmt.BindInt(c.updated_at_us);
  stmt.BindInt(c.tier_since_us);
  stmt.BindInt(c.window_spend_won);
  stmt.BindInt(c.window_orders);
  stmt.BindInt(c.spend_as_of);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return ExpectOneChange("customer", c.customer_id);
}

Result<std::vector<Customer>> SqliteSession::ListCustomers(const std::string& after_id, int limit) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kListCustomers));
  stmt.BindText(after_id);
  stmt.BindInt(PageLimit(limit));
  return ReadAll(stmt, &ReadCustomer);
}

// --- lots ---

Result<std::vector<Lot>> SqliteSession::FindLots(const LotQuery& q) {
  StmtId id = StmtId::kFindLotsOfCustomer;
  if (!q.order_id.empty()) {
    id = StmtId::kFindLotsOfOrder;
  } else if (q.customer_id.empty()) {
    return Status(Code::kInternal, "find lots: LotQuery needs a customer_id or an order_id");
  } else if (q.kind.has_value()) {
    id = StmtId::kFindLotsOfCustomerKind;
  }
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(id));
  stmt.BindText(q.customer_id);
  stmt.BindInt(q.kind.has_value() ? static_cast<int>(*q.kind) : 0);
  stmt.BindText(q.order_id);
  stmt.BindBool(q.only_nonzero);
  stmt.BindBool(q.include_expired);
  stmt.BindInt(q.due_before_us > 0 ? q.due_before_us : 0);
  return ReadAll(stmt, &ReadLot);
}

Result<std::optional<Lot>> SqliteSession::FindLot(int64_t lot_id) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindLot));
  stmt.BindInt(lot_id);
  return ReadOne(stmt, &ReadLot);
}

Result<int64_t> SqliteSession::InsertLot(const Lot& lot) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertLot));
  stmt.BindText(lot.customer_id);
  stmt.BindInt(static_cast<int>(lot.kind));
  stmt.BindText(lot.order_id);
  stmt.BindInt(lot.source_entry_id);
  stmt.BindInt(lot.initial_points);
  stmt.BindInt(lot.remaining_points);
  stmt.BindInt(lot.created_at_us);
  stmt.BindInt(lot.expires_at_us);
  stmt.BindBool(lot.expired);
  LOYALTY_RETURN_IF_ERROR(stmt.RunInsert());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

Status SqliteSession::UpdateLot(const Lot& lot) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kUpdateLot));
  stmt.BindInt(lot.lot_id);
  stmt.BindInt(lot.remaining_points);
  stmt.BindBool(lot.expired);
  stmt.BindInt(lot.expires_at_us);
  stmt.BindInt(lot.source_entry_id);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return ExpectOneChange("lot", std::to_string(lot.lot_id));
}

// --- entries ---

Result<int64_t> SqliteSession::InsertEntry(const Entry& e) {
  // The entry and its allocations go in together even outside a transaction: a savepoint of
  // its own (nested in the command's savepoint when there is one).
  LOYALTY_RETURN_IF_ERROR(RunPlain(StmtId::kEntrySavepoint));
  Result<int64_t> entry_id = InsertEntryRows(e);
  if (!entry_id.ok()) {
    (void)RunPlain(StmtId::kEntryRollbackTo);
    (void)RunPlain(StmtId::kEntryRelease);
    return entry_id.status();
  }
  LOYALTY_RETURN_IF_ERROR(RunPlain(StmtId::kEntryRelease));
  return entry_id;
}

Result<int64_t> SqliteSession::InsertEntryRows(const Entry& e) {
  int64_t entry_id = 0;
  {
    LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertEntry));
    stmt.BindText(e.customer_id);
    stmt.BindInt(static_cast<int>(e.kind));
    stmt.BindInt(e.pending_delta);
    stmt.BindInt(e.available_delta);
    stmt.BindText(e.order_id);
    stmt.BindText(e.ref_id);
    stmt.BindText(e.reason);
    stmt.BindText(e.actor);
    stmt.BindInt(e.created_at_us);
    LOYALTY_RETURN_IF_ERROR(stmt.RunInsert());
    entry_id = sqlite3_last_insert_rowid(db_.get());
  }
  for (size_t line = 0; line < e.allocations.size(); ++line) {
    const Allocation& a = e.allocations[line];
    LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertAllocation));
    stmt.BindInt(entry_id);
    stmt.BindInt(static_cast<int64_t>(line));
    stmt.BindInt(a.lot_id);
    stmt.BindInt(a.points);
    LOYALTY_RETURN_IF_ERROR(stmt.RunInsert());
  }
  return entry_id;
}

Result<std::vector<Entry>> SqliteSession::ListEntries(const EntryQuery& q) {
  std::vector<Entry> entries;
  {
    const bool by_order = !q.order_id.empty();
    if (!by_order && q.customer_id.empty()) {
      return Status(Code::kInternal, "list entries: EntryQuery needs a customer_id or an order_id");
    }
    LOYALTY_ASSIGN_OR_RETURN(
        Stmt stmt, Use(by_order ? StmtId::kListEntriesOfOrder : StmtId::kListEntriesOfCustomer));
    if (by_order) {
      stmt.BindText(q.order_id);
      stmt.BindText(q.customer_id);
    } else {
      stmt.BindText(q.customer_id);
      stmt.BindInt(q.before_entry_id > 0 ? q.before_entry_id : std::numeric_limits<int64_t>::max());
      stmt.BindInt(PageLimit(q.limit));
    }
    LOYALTY_ASSIGN_OR_RETURN(entries, ReadAll(stmt, &ReadEntry));
  }
  return WithAllocations(std::move(entries));
}

Result<std::vector<Entry>> SqliteSession::WithAllocations(std::vector<Entry> entries) {
  for (Entry& e : entries) {  // bounded: a page, or the entries of one order
    LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kListAllocations));
    stmt.BindInt(e.entry_id);
    while (true) {
      LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) break;
      e.allocations.push_back(Allocation{stmt.Int(0), stmt.Int(1)});
    }
  }
  return entries;
}

}  // namespace loyalty::sqlite
