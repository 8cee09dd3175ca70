// Internal to store/sql: the statements of the ledger and order records (customers, lots,
// entries and their allocations, events, orders, refunds, adjustments). One text for every
// engine unless noted; see store/sql/driver.h for the conventions (positional '?', backticks).
#pragma once

#include "store/sql/driver.h"

// Column lists, in the order the session's row readers expect them.
#define LOYALTY_SQL_CUSTOMER_COLUMNS                                                           \
  "customer_id, birth_date, marketing_consent, night_consent, tier, available_points, "        \
  "pending_points, event_seq, created_at_us, updated_at_us, tier_since_us, window_spend_won, " \
  "window_orders, spend_as_of, consent_confirmed_at_us, consent_channel"
#define LOYALTY_SQL_LOT_COLUMNS                                                              \
  "lot_id, customer_id, kind, order_id, source_entry_id, initial_points, remaining_points, " \
  "created_at_us, expires_at_us, expired"
#define LOYALTY_SQL_ENTRY_COLUMNS                                                           \
  "entry_id, customer_id, kind, pending_delta, available_delta, order_id, ref_id, reason, " \
  "actor, created_at_us"
// An allocation row as the entry listings read it: the entry it belongs to, then the line.
#define LOYALTY_SQL_ALLOCATION_COLUMNS "a.entry_id, a.lot_id, a.points"
#define LOYALTY_SQL_CONSENT_CHANGE_COLUMNS \
  "change_id, customer_id, marketing_consent, night_consent, channel, actor, created_at_us"
#define LOYALTY_SQL_EVENT_COLUMNS "event_id, customer_id, seq, type, payload_json, created_at_us"
#define LOYALTY_SQL_ORDER_COLUMNS                                                              \
  "order_id, customer_id, amount_won, shipping_won, points_redeemed, paid_won, earn_rate_bp, " \
  "rule_version, tier_at_order, earn_points, earn_clawed_points, restored_points, "            \
  "shortfall_points, refunded_won, qualifying_won, status, earn_activated, placed_at_us, "     \
  "confirmed_at_us, cancelled_at_us, request_hash, spend_date, counted_spend_won, "            \
  "coupon_discount_won, coupon_codes, clawback_requested_points, restored_expired_points"
#define LOYALTY_SQL_REFUND_COLUMNS                                                      \
  "order_id, refund_id, amount_won, clawed_points, restored_points, shortfall_points, " \
  "deduction_won, cash_refund_won, cancel, request_hash, created_at_us, "               \
  "clawback_requested_points, restored_expired_points"
#define LOYALTY_SQL_ADJUSTMENT_COLUMNS                                                        \
  "adjustment_id, customer_id, points, reason_code, note, actor_name, actor_role, entry_id, " \
  "request_hash, created_at_us"

// The LotQuery filters after the equality a lookup leads with, the same in the three lookups so
// they bind alike: only_nonzero, include_expired, due_before_us, due_before_us (0 = no due
// filter). A filter that is off is a condition on its parameters alone, which the engine folds
// away when the statement runs (MariaDB then plans the statement as it would the text without
// that filter), so three statements serve every query shape.
#define LOYALTY_SQL_LOT_FILTERS                                                 \
  " AND (? = 0 OR remaining_points <> 0) AND (? = 1 OR expired = 0)"            \
  " AND (? = 0 OR (expired = 0 AND expires_at_us <> 0 AND expires_at_us <= ?))" \
  " ORDER BY expires_at_us = 0, expires_at_us, lot_id"

namespace loyalty::sql::stmt {

// --- customers ---
inline constexpr StmtDef kFindCustomer{
    .what = "find customer",
    .sql = "SELECT " LOYALTY_SQL_CUSTOMER_COLUMNS " FROM customers WHERE customer_id = ?",
};
inline constexpr StmtDef kInsertCustomer{
    .what = "insert customer",
    .sql = "INSERT INTO customers (" LOYALTY_SQL_CUSTOMER_COLUMNS
           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};
inline constexpr StmtDef kUpdateCustomer{
    .what = "update customer",
    .sql =
        "UPDATE customers SET birth_date = ?, marketing_consent = ?, night_consent = ?,"
        " tier = ?, available_points = ?, pending_points = ?, event_seq = ?,"
        " updated_at_us = ?, tier_since_us = ?, window_spend_won = ?, window_orders = ?,"
        " spend_as_of = ?, consent_confirmed_at_us = ?, consent_channel = ?"
        " WHERE customer_id = ?",
};
inline constexpr StmtDef kListCustomers{
    .what = "list customers",
    .sql = "SELECT " LOYALTY_SQL_CUSTOMER_COLUMNS
           " FROM customers WHERE customer_id > ?"
           " ORDER BY customer_id LIMIT ?",
};

// --- lots ---
inline constexpr StmtDef kFindLot{
    .what = "find lot",
    .sql = "SELECT " LOYALTY_SQL_LOT_COLUMNS " FROM lots WHERE lot_id = ?",
};
// Each lookup leads with the equality its index serves. Parameters: customer_id, then the
// filters (LOYALTY_SQL_LOT_FILTERS).
inline constexpr StmtDef kFindLotsOfCustomer{
    .what = "find lots",
    .sql = "SELECT " LOYALTY_SQL_LOT_COLUMNS
           " FROM lots WHERE customer_id = ?" LOYALTY_SQL_LOT_FILTERS,
};
// customer_id, kind, then the filters.
inline constexpr StmtDef kFindLotsOfCustomerKind{
    .what = "find lots",
    .sql = "SELECT " LOYALTY_SQL_LOT_COLUMNS
           " FROM lots WHERE customer_id = ? AND kind = ?" LOYALTY_SQL_LOT_FILTERS,
};
// order_id, customer_id, customer_id ('' = any), kind, kind (0 = any), then the filters. The
// customer and kind are written as conditions SQLite cannot serve from an index, so that it
// keeps lots_by_order (a few rows) rather than the customer's lots of the kind.
inline constexpr StmtDef kFindLotsOfOrder{
    .what = "find lots",
    .sql = "SELECT " LOYALTY_SQL_LOT_COLUMNS
           " FROM lots WHERE order_id = ? AND (? = '' OR customer_id = ?)"
           " AND (? = 0 OR kind = ?)" LOYALTY_SQL_LOT_FILTERS,
};
inline constexpr StmtDef kInsertLot{
    .what = "insert lot",
    .sql =
        "INSERT INTO lots (customer_id, kind, order_id, source_entry_id, initial_points,"
        " remaining_points, created_at_us, expires_at_us, expired)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    .key_column = "lot_id",
};
inline constexpr StmtDef kUpdateLot{
    .what = "update lot",
    .sql =
        "UPDATE lots SET remaining_points = ?, expired = ?, expires_at_us = ?,"
        " source_entry_id = ? WHERE lot_id = ?",
};

// --- entries ---
inline constexpr StmtDef kInsertEntry{
    .what = "insert entry",
    .sql =
        "INSERT INTO entries (customer_id, kind, pending_delta, available_delta, order_id,"
        " ref_id, reason, actor, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    .key_column = "entry_id",
};
// Undoes an entry whose allocations could not all be inserted (inside a transaction).
inline constexpr StmtDef kDeleteAllocationsOfEntry{
    .what = "undo entry", .sql = "DELETE FROM entry_allocations WHERE entry_id = ?"};
inline constexpr StmtDef kDeleteEntry{.what = "undo entry",
                                      .sql = "DELETE FROM entries WHERE entry_id = ?"};
// The allocations are inserted by a statement built at run time (PrepareText) for 1 ..
// kMaxAllocationRowsPerInsert (core/limits.h) rows: this head, then one row per allocation.
inline constexpr const char* kInsertAllocationsWhat = "insert allocations";
inline constexpr const char* kInsertAllocationsHead =
    "INSERT INTO entry_allocations (entry_id, line, lot_id, points) VALUES ";
inline constexpr const char* kInsertAllocationsRow = "(?, ?, ?, ?)";
// The entries of an order (ascending): order_id, customer_id, customer_id ('' = any).
inline constexpr StmtDef kListEntriesOfOrder{
    .what = "list entries",
    .sql = "SELECT " LOYALTY_SQL_ENTRY_COLUMNS
           " FROM entries WHERE order_id = ?"
           " AND (? = '' OR customer_id = ?) ORDER BY entry_id",
};
// Their allocations, in entry and line order: the same parameters.
inline constexpr StmtDef kListAllocationsOfOrder{
    .what = "list entries",
    .sql = "SELECT " LOYALTY_SQL_ALLOCATION_COLUMNS
           " FROM entry_allocations a"
           " JOIN entries e ON e.entry_id = a.entry_id WHERE e.order_id = ?"
           " AND (? = '' OR e.customer_id = ?) ORDER BY a.entry_id, a.line",
};
// A newest-first page of a customer's entries: customer_id, before_entry_id, limit.
inline constexpr StmtDef kListEntriesOfCustomer{
    .what = "list entries",
    .sql = "SELECT " LOYALTY_SQL_ENTRY_COLUMNS
           " FROM entries WHERE customer_id = ?"
           " AND entry_id < ? ORDER BY entry_id DESC LIMIT ?",
};
// The allocations of a customer's entries with ids in [?, ?], in entry and line order.
inline constexpr StmtDef kListAllocationsOfCustomer{
    .what = "list entries",
    .sql = "SELECT " LOYALTY_SQL_ALLOCATION_COLUMNS
           " FROM entry_allocations a"
           " JOIN entries e ON e.entry_id = a.entry_id"
           " WHERE e.customer_id = ? AND e.entry_id BETWEEN ? AND ? ORDER BY a.entry_id, a.line",
};
// The liability report's sums per kind of the entries in [from_us, to_us): from_us, to_us.
// Each column a sum of one sign, so that COALESCE is not needed (SUM over no row is only
// possible for a kind without a group). The range is on entries_by_time (created_at_us, kind,
// pending_delta, available_delta), which covers the statement: the table is never read.
inline constexpr StmtDef kSumEntriesByKind{
    .what = "sum entries by kind",
    .sql =
        "SELECT kind, COUNT(*),"
        " SUM(CASE WHEN pending_delta > 0 THEN pending_delta ELSE 0 END),"
        " SUM(CASE WHEN pending_delta < 0 THEN pending_delta ELSE 0 END),"
        " SUM(CASE WHEN available_delta > 0 THEN available_delta ELSE 0 END),"
        " SUM(CASE WHEN available_delta < 0 THEN available_delta ELSE 0 END)"
        " FROM entries WHERE created_at_us >= ? AND created_at_us < ?"
        " GROUP BY kind ORDER BY kind",
};

// --- events ---
inline constexpr StmtDef kAppendEvent{
    .what = "append event",
    .sql =
        "INSERT INTO events (customer_id, seq, type, payload_json, created_at_us)"
        " VALUES (?, ?, ?, ?, ?)",
    .key_column = "event_id",
};
inline constexpr StmtDef kListEvents{
    .what = "list events",
    .sql = "SELECT " LOYALTY_SQL_EVENT_COLUMNS
           " FROM events WHERE event_id > ?"
           " ORDER BY event_id LIMIT ?",
};
inline constexpr StmtDef kListEventsOfCustomer{
    .what = "list events",
    .sql = "SELECT " LOYALTY_SQL_EVENT_COLUMNS
           " FROM events WHERE customer_id = ?"
           " AND event_id > ? ORDER BY event_id LIMIT ?",
};

// --- consent history ---
// Parameters: the columns after change_id, in order.
inline constexpr StmtDef kInsertConsentChange{
    .what = "insert consent change",
    .sql =
        "INSERT INTO consent_changes (customer_id, marketing_consent, night_consent, channel,"
        " actor, created_at_us) VALUES (?, ?, ?, ?, ?, ?)",
    .key_column = "change_id",
};
// Parameters: customer_id, limit.
inline constexpr StmtDef kListConsentChanges{
    .what = "list consent changes",
    .sql = "SELECT " LOYALTY_SQL_CONSENT_CHANGE_COLUMNS
           " FROM consent_changes WHERE customer_id = ? ORDER BY change_id DESC LIMIT ?",
};

// --- orders and refunds ---
inline constexpr StmtDef kFindOrder{
    .what = "find order",
    .sql = "SELECT " LOYALTY_SQL_ORDER_COLUMNS " FROM orders WHERE order_id = ?",
};
inline constexpr StmtDef kInsertOrder{
    .what = "insert order",
    .sql = "INSERT INTO orders (" LOYALTY_SQL_ORDER_COLUMNS
           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
           "?, ?)",
};
// The columns after order_id and customer_id in LOYALTY_SQL_ORDER_COLUMNS order, then order_id.
inline constexpr StmtDef kUpdateOrder{
    .what = "update order",
    .sql =
        "UPDATE orders SET amount_won = ?, shipping_won = ?, points_redeemed = ?,"
        " paid_won = ?, earn_rate_bp = ?, rule_version = ?, tier_at_order = ?,"
        " earn_points = ?, earn_clawed_points = ?, restored_points = ?,"
        " shortfall_points = ?, refunded_won = ?, qualifying_won = ?, status = ?,"
        " earn_activated = ?, placed_at_us = ?, confirmed_at_us = ?, cancelled_at_us = ?,"
        " request_hash = ?, spend_date = ?, counted_spend_won = ?, coupon_discount_won = ?,"
        " coupon_codes = ?, clawback_requested_points = ?, restored_expired_points = ?"
        " WHERE order_id = ?",
};
inline constexpr StmtDef kFindRefund{
    .what = "find refund",
    .sql =
        "SELECT " LOYALTY_SQL_REFUND_COLUMNS " FROM refunds WHERE order_id = ? AND refund_id = ?",
};
inline constexpr StmtDef kInsertRefund{
    .what = "insert refund",
    .sql = "INSERT INTO refunds (" LOYALTY_SQL_REFUND_COLUMNS
           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};
// In insertion order for refunds made in the same microsecond: SQLite's rowid, MySQL's
// refund_seq (an InnoDB table has no rowid; schema/mysql/0001_init.sql).
inline constexpr StmtDef kListRefunds{
    .what = "list refunds",
    .sql = "SELECT " LOYALTY_SQL_REFUND_COLUMNS
           " FROM refunds WHERE order_id = ? ORDER BY created_at_us, rowid",
    .mysql_sql = "SELECT " LOYALTY_SQL_REFUND_COLUMNS
                 " FROM refunds WHERE order_id = ? ORDER BY created_at_us, refund_seq",
};

// --- CS adjustments ---
inline constexpr StmtDef kFindAdjustment{
    .what = "find adjustment",
    .sql = "SELECT " LOYALTY_SQL_ADJUSTMENT_COLUMNS " FROM adjustments WHERE adjustment_id = ?",
};
inline constexpr StmtDef kInsertAdjustment{
    .what = "insert adjustment",
    .sql = "INSERT INTO adjustments (" LOYALTY_SQL_ADJUSTMENT_COLUMNS
           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};

}  // namespace loyalty::sql::stmt

#undef LOYALTY_SQL_LOT_FILTERS
