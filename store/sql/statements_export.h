// Internal to store/sql: the keyset pages of `loyalty export` and GET /v1/customers (core/store.h
// ExportQueries). Each page walks the table's primary key (or customers_by_tier, migration 0012)
// from the last key of the previous page; the filters are conditions on the row, so a page costs
// the rows it reads, never an offset. One text for every engine.
#pragma once

#include "store/sql/driver.h"
#include "store/sql/statements_ledger.h"

// What a customer row adds for an export, after LOYALTY_SQL_CUSTOMER_COLUMNS: the remaining
// points of available lots due by as_of (not expired yet by the daily job), then the soonest
// expiry of the live ones. Both correlated on lots_by_customer_kind_expiry. Parameters: as_of,
// as_of.
#define LOYALTY_SQL_CUSTOMER_PAGE_EXTRA                                                        \
  ", COALESCE((SELECT SUM(l.remaining_points) FROM lots l WHERE l.customer_id = c.customer_id" \
  " AND l.kind = 2 AND l.expired = 0 AND l.expires_at_us <> 0 AND l.expires_at_us <= ?), 0)"   \
  ", COALESCE((SELECT MIN(l.expires_at_us) FROM lots l WHERE l.customer_id = c.customer_id"    \
  " AND l.kind = 2 AND l.expired = 0 AND l.remaining_points > 0 AND l.expires_at_us > ?), 0)"

namespace loyalty::sql::stmt {

// as_of, as_of, after_customer_id, created_from, created_before, limit.
inline constexpr StmtDef kListCustomerPage{
    .what = "list customer page",
    .sql = "SELECT " LOYALTY_SQL_CUSTOMER_COLUMNS LOYALTY_SQL_CUSTOMER_PAGE_EXTRA
           " FROM customers c WHERE c.customer_id > ?"
           " AND c.created_at_us >= ? AND c.created_at_us < ?"
           " ORDER BY c.customer_id LIMIT ?",
};
// as_of, as_of, tier, after_customer_id, created_from, created_before, limit: on
// customers_by_tier (tier, customer_id).
inline constexpr StmtDef kListCustomerPageOfTier{
    .what = "list customer page",
    .sql = "SELECT " LOYALTY_SQL_CUSTOMER_COLUMNS LOYALTY_SQL_CUSTOMER_PAGE_EXTRA
           " FROM customers c WHERE c.tier = ? AND c.customer_id > ?"
           " AND c.created_at_us >= ? AND c.created_at_us < ?"
           " ORDER BY c.customer_id LIMIT ?",
};

// after_order_id, placed_from, placed_before, limit. The newest refund's instant comes from the
// refunds' primary key (order_id, refund_id).
inline constexpr StmtDef kListOrderPage{
    .what = "list order page",
    .sql = "SELECT " LOYALTY_SQL_ORDER_COLUMNS
           ", COALESCE((SELECT MAX(r.created_at_us) FROM refunds r"
           " WHERE r.order_id = o.order_id), 0)"
           " FROM orders o WHERE o.order_id > ?"
           " AND o.placed_at_us >= ? AND o.placed_at_us < ?"
           " ORDER BY o.order_id LIMIT ?",
};

// after_entry_id, created_from, created_before, limit.
inline constexpr StmtDef kListEntryPage{
    .what = "list entry page",
    .sql = "SELECT " LOYALTY_SQL_ENTRY_COLUMNS
           " FROM entries WHERE entry_id > ?"
           " AND created_at_us >= ? AND created_at_us < ?"
           " ORDER BY entry_id LIMIT ?",
};
// after_entry_id, created_from, created_before, tier, limit: the entry's customer's current
// tier, as a scalar subquery on the customers' key, so that both engines walk the entries' key
// (a join would let SQLite start from customers_by_tier and sort every matching entry again for
// each page).
inline constexpr StmtDef kListEntryPageOfTier{
    .what = "list entry page",
    .sql = "SELECT " LOYALTY_SQL_ENTRY_COLUMNS
           " FROM entries e WHERE entry_id > ?"
           " AND created_at_us >= ? AND created_at_us < ?"
           " AND (SELECT c.tier FROM customers c WHERE c.customer_id = e.customer_id) = ?"
           " ORDER BY entry_id LIMIT ?",
};

}  // namespace loyalty::sql::stmt
