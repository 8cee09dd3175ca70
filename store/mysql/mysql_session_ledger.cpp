// MysqlSession: customers, lots and entries.
#include <algorithm>
#include <limits>
#include <map>
#include <utility>

#include "store/mysql/mysql_session.h"
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

// --- customers ---

Result<std::optional<Customer>> MysqlSession::FindCustomer(const std::string& customer_id) {
  // Inside a write transaction the row stays locked until it ends (see mysql_store.h).
  const char* sql = tx_ == Tx::kWrite ? stmt::kFindCustomerForUpdate : stmt::kFindCustomer;
  return Looked(Run("find customer", false, [&]() -> Result<std::optional<Customer>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(sql)).Text(customer_id).Query();
    if (!rs->next()) return std::optional<Customer>();
    return std::optional<Customer>(ReadCustomer(*rs));
  }), "customer:" + customer_id);
}

Status MysqlSession::InsertCustomer(const Customer& c) {
  return Inserted(Run("insert customer", true, [&] {
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
  }), "customer:" + c.customer_id);
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
