// SqlSession: customers, lots, entries (with their allocations) and events.
#include <algorithm>
#include <array>
#include <cstddef>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/limits.h"
#include "store/sql/sql_session.h"
#include "store/sql/statements_export.h"
#include "store/sql/statements_ledger.h"

namespace loyalty::sql {

namespace {

Customer ReadCustomer(const Statement& s) {
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
  c.consent_confirmed_at_us = s.Int(14);
  c.consent_channel = s.Text(15);
  return c;
}

// LOYALTY_SQL_CONSENT_CHANGE_COLUMNS.
ConsentChange ReadConsentChange(const Statement& s) {
  ConsentChange c;
  c.change_id = s.Int(0);
  c.customer_id = s.Text(1);
  c.marketing_consent = s.Bool(2);
  c.night_consent = s.Bool(3);
  c.channel = s.Text(4);
  c.actor = s.Text(5);
  c.created_at_us = s.Int(6);
  return c;
}

Lot ReadLot(const Statement& s) {
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

Entry ReadEntry(const Statement& s) {
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

Event ReadEvent(const Statement& s) {
  Event e;
  e.event_id = s.Int(0);
  e.customer_id = s.Text(1);
  e.seq = s.Int(2);
  e.type = s.Text(3);
  e.payload_json = s.Text(4);
  e.created_at_us = s.Int(5);
  return e;
}

// Attaches the allocation rows of `stmt` (LOYALTY_SQL_ALLOCATION_COLUMNS, in line order) to
// their entries.
Status AttachAllocations(Stmt& stmt, std::vector<Entry>& entries) {
  std::unordered_map<int64_t, Entry*> by_id;
  by_id.reserve(entries.size());
  for (Entry& e : entries) by_id[e.entry_id] = &e;
  while (true) {
    LOYALTY_ASSIGN_OR_RETURN(bool has_row, stmt->Step());
    if (!has_row) return Status::Ok();
    auto it = by_id.find(stmt->Int(0));
    if (it != by_id.end())
      it->second->allocations.push_back(Allocation{stmt->Int(1), stmt->Int(2)});
  }
}

// The text of a multi-row allocation insert of `rows` rows (1 .. kMaxAllocationRowsPerInsert),
// built once per shape: the connection caches the prepared statement by its text.
const std::string& InsertAllocationsText(size_t rows) {
  static const std::array<std::string, kMaxAllocationRowsPerInsert> kTexts = [] {
    std::array<std::string, kMaxAllocationRowsPerInsert> texts;
    std::string sql = stmt::kInsertAllocationsHead;
    for (size_t i = 0; i < texts.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += stmt::kInsertAllocationsRow;
      texts[i] = sql;
    }
    return texts;
  }();
  LOYALTY_CHECK(rows >= 1 && rows <= kTexts.size());
  return kTexts[rows - 1];
}

}  // namespace

// --- customers ---

Result<std::optional<Customer>> SqlSession::FindCustomer(const std::string& customer_id) {
  // Inside a write transaction the row stays locked until it ends (MySQL: FOR UPDATE; SQLite's
  // write transaction already makes this connection the only writer).
  return Looked(QueryOne(
                    stmt::kFindCustomer, Variant::kForUpdate,
                    [&](Statement& s) { s.BindText(customer_id); }, &ReadCustomer),
                "customer:" + customer_id);
}

Status SqlSession::InsertCustomer(const Customer& c) {
  Result<int64_t> inserted = Execute(stmt::kInsertCustomer, [&](Statement& s) {
    s.BindText(c.customer_id);
    s.BindOptionalText(c.birth_date);
    s.BindBool(c.marketing_consent);
    s.BindBool(c.night_consent);
    s.BindText(c.tier);
    s.BindInt(c.available_points);
    s.BindInt(c.pending_points);
    s.BindInt(c.event_seq);
    s.BindInt(c.created_at_us);
    s.BindInt(c.updated_at_us);
    s.BindInt(c.tier_since_us);
    s.BindInt(c.window_spend_won);
    s.BindInt(c.window_orders);
    s.BindInt(c.spend_as_of);
    s.BindInt(c.consent_confirmed_at_us);
    s.BindText(c.consent_channel);
  });
  return Inserted(inserted.status(), "customer:" + c.customer_id);
}

Status SqlSession::UpdateCustomer(const Customer& c) {
  return ExecuteOne(
      stmt::kUpdateCustomer,
      [&](Statement& s) {
        s.BindOptionalText(c.birth_date);
        s.BindBool(c.marketing_consent);
        s.BindBool(c.night_consent);
        s.BindText(c.tier);
        s.BindInt(c.available_points);
        s.BindInt(c.pending_points);
        s.BindInt(c.event_seq);
        s.BindInt(c.updated_at_us);
        s.BindInt(c.tier_since_us);
        s.BindInt(c.window_spend_won);
        s.BindInt(c.window_orders);
        s.BindInt(c.spend_as_of);
        s.BindInt(c.consent_confirmed_at_us);
        s.BindText(c.consent_channel);
        s.BindText(c.customer_id);
      },
      "customer", c.customer_id);
}

Result<std::vector<Customer>> SqlSession::ListCustomers(const std::string& after_id, int limit) {
  return QueryRows(
      stmt::kListCustomers,
      [&](Statement& s) {
        s.BindText(after_id);
        s.BindInt(PageLimit(limit));
      },
      &ReadCustomer);
}

// --- lots ---

Result<std::vector<Lot>> SqlSession::FindLots(const LotQuery& q) {
  const StmtDef* def = &stmt::kFindLotsOfCustomer;
  if (!q.order_id.empty()) {
    def = &stmt::kFindLotsOfOrder;
  } else if (q.customer_id.empty()) {
    return Status(Code::kInternal, "find lots: LotQuery needs a customer_id or an order_id");
  } else if (q.kind.has_value()) {
    def = &stmt::kFindLotsOfCustomerKind;
  }
  const int64_t kind = q.kind.has_value() ? static_cast<int>(*q.kind) : 0;  // 0: any kind
  const int64_t due_before_us = q.due_before_us > 0 ? q.due_before_us : 0;  // 0: no due filter
  return QueryRows(
      *def,
      [&](Statement& s) {
        if (def == &stmt::kFindLotsOfOrder) {
          s.BindText(q.order_id);
          s.BindText(q.customer_id);
          s.BindText(q.customer_id);
          s.BindInt(kind);
          s.BindInt(kind);
        } else {
          s.BindText(q.customer_id);
          if (def == &stmt::kFindLotsOfCustomerKind) s.BindInt(kind);
        }
        s.BindBool(q.only_nonzero);
        s.BindBool(q.include_expired);
        s.BindInt(due_before_us);
        s.BindInt(due_before_us);
      },
      &ReadLot);
}

Result<std::optional<Lot>> SqlSession::FindLot(int64_t lot_id) {
  return QueryOne(
      stmt::kFindLot, Variant::kPlain, [&](Statement& s) { s.BindInt(lot_id); }, &ReadLot);
}

Result<int64_t> SqlSession::InsertLot(const Lot& lot) {
  return InsertReturningId(stmt::kInsertLot, [&](Statement& s) {
    s.BindText(lot.customer_id);
    s.BindInt(static_cast<int>(lot.kind));
    s.BindText(lot.order_id);
    s.BindInt(lot.source_entry_id);
    s.BindInt(lot.initial_points);
    s.BindInt(lot.remaining_points);
    s.BindInt(lot.created_at_us);
    s.BindInt(lot.expires_at_us);
    s.BindBool(lot.expired);
  });
}

Status SqlSession::UpdateLot(const Lot& lot) {
  return ExecuteOne(
      stmt::kUpdateLot,
      [&](Statement& s) {
        s.BindInt(lot.remaining_points);
        s.BindBool(lot.expired);
        s.BindInt(lot.expires_at_us);
        s.BindInt(lot.source_entry_id);
        s.BindInt(lot.lot_id);
      },
      "lot", std::to_string(lot.lot_id));
}

// --- entries ---

Result<int64_t> SqlSession::InsertEntry(const Entry& e) {
  // The entry and its allocations go in together. Inside a transaction a half-written entry is
  // undone in place (rare: a foreign key violation) rather than paying a nested savepoint on
  // every entry; a dead transaction is rolled back anyway. Outside one: a transaction of its own.
  if (conn_->tx() != TxKind::kNone) {
    int64_t written = 0;
    Result<int64_t> entry_id = InsertEntryRows(e, &written);
    if (!entry_id.ok() && written != 0) {
      const Binder id = [&](Statement& s) { s.BindInt(written); };
      (void)Execute(stmt::kDeleteAllocationsOfEntry, id);
      (void)Execute(stmt::kDeleteEntry, id);
    }
    return entry_id;
  }
  LOYALTY_RETURN_IF_ERROR(conn_->Begin(TxKind::kWrite));
  Result<int64_t> entry_id = InsertEntryRows(e, nullptr);
  if (!entry_id.ok()) {
    conn_->Rollback();
    return entry_id.status();
  }
  LOYALTY_RETURN_IF_ERROR(conn_->Commit());
  return entry_id;
}

Result<int64_t> SqlSession::InsertEntryRows(const Entry& e, int64_t* written) {
  const Binder entry = [&](Statement& s) {
    s.BindText(e.customer_id);
    s.BindInt(static_cast<int>(e.kind));
    s.BindInt(e.pending_delta);
    s.BindInt(e.available_delta);
    s.BindText(e.order_id);
    s.BindText(e.ref_id);
    s.BindText(e.reason);
    s.BindText(e.actor);
    s.BindInt(e.created_at_us);
  };
  LOYALTY_ASSIGN_OR_RETURN(const int64_t entry_id, InsertReturningId(stmt::kInsertEntry, entry));
  if (written != nullptr) *written = entry_id;
  // In chunks of at most kMaxAllocationRowsPerInsert rows: one round trip for most entries.
  const std::vector<Allocation>& allocations = e.allocations;
  for (size_t first = 0; first < allocations.size();) {
    const size_t rows = std::min<size_t>(allocations.size() - first, kMaxAllocationRowsPerInsert);
    LOYALTY_ASSIGN_OR_RETURN(
        Stmt stmt, conn_->PrepareText(stmt::kInsertAllocationsWhat, InsertAllocationsText(rows)));
    for (size_t line = first; line < first + rows; ++line) {
      stmt->BindInt(entry_id);
      stmt->BindInt(static_cast<int64_t>(line));
      stmt->BindInt(allocations[line].lot_id);
      stmt->BindInt(allocations[line].points);
    }
    Result<int64_t> inserted = stmt->Execute();
    if (!inserted.ok()) return inserted.status();
    first += rows;
  }
  return entry_id;
}

Result<std::vector<Entry>> SqlSession::ListEntries(const EntryQuery& q) {
  const bool by_order = !q.order_id.empty();
  if (!by_order && q.customer_id.empty()) {
    return Status(Code::kInternal, "list entries: EntryQuery needs a customer_id or an order_id");
  }
  // Two statements whatever the number of entries: the entries, then all their allocations.
  std::vector<Entry> entries;
  if (by_order) {
    const Binder bind = [&](Statement& s) {
      s.BindText(q.order_id);
      s.BindText(q.customer_id);  // '' = any customer
      s.BindText(q.customer_id);
    };
    LOYALTY_ASSIGN_OR_RETURN(entries, QueryRows(stmt::kListEntriesOfOrder, bind, &ReadEntry));
    if (entries.empty()) return entries;
    LOYALTY_ASSIGN_OR_RETURN(Stmt lines, conn_->Prepare(stmt::kListAllocationsOfOrder));
    bind(*lines);
    LOYALTY_RETURN_IF_ERROR(AttachAllocations(lines, entries));
    return entries;
  }
  const int64_t before =
      q.before_entry_id > 0 ? q.before_entry_id : std::numeric_limits<int64_t>::max();
  const Binder page = [&](Statement& s) {
    s.BindText(q.customer_id);
    s.BindInt(before);
    s.BindInt(PageLimit(q.limit));
  };
  LOYALTY_ASSIGN_OR_RETURN(entries, QueryRows(stmt::kListEntriesOfCustomer, page, &ReadEntry));
  if (entries.empty()) return entries;
  LOYALTY_ASSIGN_OR_RETURN(Stmt lines, conn_->Prepare(stmt::kListAllocationsOfCustomer));
  lines->BindText(q.customer_id);
  lines->BindInt(entries.back().entry_id);  // newest first: the last is the oldest
  lines->BindInt(entries.front().entry_id);
  LOYALTY_RETURN_IF_ERROR(AttachAllocations(lines, entries));
  return entries;
}

namespace {

EntryKindSum ReadEntryKindSum(const Statement& s) {
  EntryKindSum k;
  k.kind = static_cast<EntryKind>(s.Int(0));
  k.entries = s.Int(1);
  k.pending_in_points = s.Int(2);
  k.pending_out_points = s.Int(3);
  k.available_in_points = s.Int(4);
  k.available_out_points = s.Int(5);
  return k;
}

}  // namespace

Result<std::vector<EntryKindSum>> SqlSession::SumEntriesByKind(Micros from_us, Micros to_us) {
  return QueryRows(
      stmt::kSumEntriesByKind,
      [&](Statement& s) {
        s.BindInt(from_us);
        s.BindInt(to_us);
      },
      &ReadEntryKindSum);
}

// --- domain events ---

Result<int64_t> SqlSession::AppendEvent(const Event& e) {
  return InsertReturningId(stmt::kAppendEvent, [&](Statement& s) {
    s.BindText(e.customer_id);
    s.BindInt(e.seq);
    s.BindText(e.type);
    s.BindText(e.payload_json);
    s.BindInt(e.created_at_us);
  });
}

Result<std::vector<Event>> SqlSession::ListEvents(const EventQuery& q) {
  const bool by_customer = !q.customer_id.empty();
  return QueryRows(
      by_customer ? stmt::kListEventsOfCustomer : stmt::kListEvents,
      [&](Statement& s) {
        if (by_customer) s.BindText(q.customer_id);
        s.BindInt(q.after_event_id);
        s.BindInt(PageLimit(q.limit));
      },
      &ReadEvent);
}

// --- consent history ---

Result<int64_t> SqlSession::InsertConsentChange(const ConsentChange& c) {
  return InsertReturningId(stmt::kInsertConsentChange, [&](Statement& s) {
    s.BindText(c.customer_id);
    s.BindBool(c.marketing_consent);
    s.BindBool(c.night_consent);
    s.BindText(c.channel);
    s.BindText(c.actor);
    s.BindInt(c.created_at_us);
  });
}

Result<std::vector<ConsentChange>> SqlSession::ListConsentChanges(const std::string& customer_id,
                                                                  int limit) {
  return QueryRows(
      stmt::kListConsentChanges,
      [&](Statement& s) {
        s.BindText(customer_id);
        s.BindInt(PageLimit(limit));
      },
      &ReadConsentChange);
}

// --- export pages (ExportQueries) ---

namespace {

// LOYALTY_SQL_CUSTOMER_COLUMNS, then LOYALTY_SQL_CUSTOMER_PAGE_EXTRA.
CustomerPageRow ReadCustomerPageRow(const Statement& s) {
  CustomerPageRow row;
  row.customer = ReadCustomer(s);
  row.available_now_points = row.customer.available_points - s.Int(16);
  row.earliest_expiry_us = s.Int(17);
  return row;
}

}  // namespace

Result<std::vector<CustomerPageRow>> SqlSession::ListCustomerPage(const CustomerPageQuery& q) {
  const bool of_tier = !q.tier.empty();
  return QueryRows(
      of_tier ? stmt::kListCustomerPageOfTier : stmt::kListCustomerPage,
      [&](Statement& s) {
        s.BindInt(q.as_of_us);
        s.BindInt(q.as_of_us);
        if (of_tier) s.BindText(q.tier);
        s.BindText(q.after_customer_id);
        s.BindInt(q.created_from_us);
        s.BindInt(UpperBound(q.created_before_us));
        s.BindInt(ExportPageLimit(q.limit));
      },
      &ReadCustomerPageRow);
}

Result<std::vector<Entry>> SqlSession::ListEntryPage(const EntryPageQuery& q) {
  const bool of_tier = !q.tier.empty();
  return QueryRows(
      of_tier ? stmt::kListEntryPageOfTier : stmt::kListEntryPage,
      [&](Statement& s) {
        s.BindInt(q.after_entry_id);
        s.BindInt(q.created_from_us);
        s.BindInt(UpperBound(q.created_before_us));
        if (of_tier) s.BindText(q.tier);
        s.BindInt(ExportPageLimit(q.limit));
      },
      &ReadEntry);
}

}  // namespace loyalty::sql
