// Internal to store/sql: the statements of qualifying spend, tier history and the daily job's
// queries (sql_session_tiers.cpp). Parameters are positional `?`, bound in the order they appear
// (store/sql/driver.h). Shards: `(? = 1 OR CRC32(customer_id) % ? = ?)` bound shards, shards,
// shard: one shard means every customer without computing a CRC (core/shard.h's ShardOf on both
// engines: MySQL's CRC32() is the same function, SQLite registers it).
#pragma once

#include "store/sql/driver.h"

namespace loyalty::sql::stmt {

// Column lists, in the order the session's row readers expect them.
#define LOYALTY_SQL_TIER_CHANGE_COLUMNS                                                  \
  "change_id, customer_id, from_tier, to_tier, kind, reason, window_start, window_end, " \
  "qualifying_won, threshold_won, order_count, policy, rule_version, business_date, "    \
  "created_at_us"
#define LOYALTY_SQL_STANDING_COLUMNS                                                      \
  "customer_id, tier, tier_since_us, window_spend_won, window_orders, available_points, " \
  "pending_points"
#define LOYALTY_SQL_JOB_RUN_COLUMNS                                                     \
  "business_date, step, shard, shards, status, `cursor`, summary_json, started_at_us, " \
  "finished_at_us"

// --- spend and tier history ---

// Parameters: customer_id, order_id, date, amount_won, orders_delta, created_at_us.
inline constexpr StmtDef kInsertSpend{
    .what = "insert spend record",
    .sql =
        "INSERT INTO spend_records (customer_id, order_id, `date`, amount_won, orders_delta,"
        " created_at_us) VALUES (?, ?, ?, ?, ?, ?)"};
// Parameters: customer_id, from, to.
inline constexpr StmtDef kSumSpend{
    .what = "sum spend",
    .sql =
        "SELECT COALESCE(SUM(amount_won), 0), COALESCE(SUM(orders_delta), 0),"
        " COALESCE(MIN(`date`), 0) FROM spend_records WHERE customer_id = ?"
        " AND `date` BETWEEN ? AND ?"};
// Parameters: the columns after change_id, in order.
inline constexpr StmtDef kInsertTierChange{
    .what = "insert tier change",
    .sql =
        "INSERT INTO tier_changes (customer_id, from_tier, to_tier, kind, reason, window_start,"
        " window_end, qualifying_won, threshold_won, order_count, policy, rule_version,"
        " business_date, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    .key_column = "change_id"};
// Parameters: customer_id, limit.
inline constexpr StmtDef kListTierChanges{.what = "list tier changes",
                                          .sql = "SELECT " LOYALTY_SQL_TIER_CHANGE_COLUMNS
                                                 " FROM tier_changes WHERE customer_id = ?"
                                                 " ORDER BY change_id DESC LIMIT ?"};

// --- the daily job ---

// Parameters: placed_before_us, after_order_id, limit.
inline constexpr StmtDef kOrdersAwaitingActivation{
    .what = "list orders awaiting activation",
    .sql =
        "SELECT order_id FROM orders WHERE earn_activated = 0 AND status <> 3"
        " AND placed_at_us < ? AND order_id > ? ORDER BY order_id LIMIT ?"};
// Parameters: due_before_us, after_customer_id, limit.
inline constexpr StmtDef kCustomersWithDueLots{
    .what = "list customers with due lots",
    .sql =
        "SELECT DISTINCT customer_id FROM lots WHERE kind = 2 AND expired = 0"
        " AND expires_at_us > 0 AND expires_at_us <= ? AND customer_id > ?"
        " ORDER BY customer_id LIMIT ?"};
// Set-based, one statement for the shard. Parameters: from, to, as_of, shards, shards, shard.
// The common text sets both sums from one correlated subquery per customer (a row-value SET,
// which MySQL lacks); MySQL joins the customers to one grouped pass over the spend records.
inline constexpr StmtDef kRecomputeWindowSpend{
    .what = "recompute window spend",
    .sql =
        "UPDATE customers SET (window_spend_won, window_orders) = (SELECT"
        " COALESCE(SUM(r.amount_won), 0), COALESCE(SUM(r.orders_delta), 0) FROM spend_records r"
        " WHERE r.customer_id = customers.customer_id AND r.`date` BETWEEN ? AND ?),"
        " spend_as_of = ? WHERE ? = 1 OR CRC32(customer_id) % ? = ?",
    .mysql_sql =
        "UPDATE customers c LEFT JOIN (SELECT customer_id, SUM(amount_won) AS won,"
        " SUM(orders_delta) AS n FROM spend_records WHERE `date` BETWEEN ? AND ?"
        " GROUP BY customer_id) s ON s.customer_id = c.customer_id"
        " SET c.window_spend_won = COALESCE(s.won, 0),"
        " c.window_orders = COALESCE(s.n, 0), c.spend_as_of = ?"
        " WHERE ? = 1 OR CRC32(c.customer_id) % ? = ?"};
inline constexpr StmtDef kCountCustomers{.what = "count customers",
                                         .sql = "SELECT COUNT(*) FROM customers"};
// Parameters: after_id, shards, shards, shard, limit.
inline constexpr StmtDef kListStandings{
    .what = "list standings",
    .sql = "SELECT " LOYALTY_SQL_STANDING_COLUMNS
           " FROM customers WHERE customer_id > ?"
           " AND (? = 1 OR CRC32(customer_id) % ? = ?) ORDER BY customer_id LIMIT ?"};
// birth_date is 'YYYY-MM-DD' (TEXT / CHAR(10)): the month is characters 6 and 7. Written as in
// SQLite's expression index customers_by_birth_month, which serves it only for the same
// expression. Parameters: month ("03"), after_id, limit.
inline constexpr StmtDef kCustomersBornInMonth{
    .what = "list customers by birth month",
    .sql =
        "SELECT customer_id FROM customers WHERE birth_date IS NOT NULL"
        " AND substr(birth_date, 6, 2) = ? AND customer_id > ? ORDER BY customer_id LIMIT ?"};
// The reconfirmation step (customers_consent_due). Parameters: confirmed_at_or_before_us,
// after_id, limit.
inline constexpr StmtDef kCustomersDueForReconfirm{
    .what = "list customers due for consent reconfirmation",
    .sql =
        "SELECT customer_id FROM customers WHERE marketing_consent = 1"
        " AND consent_confirmed_at_us > 0 AND consent_confirmed_at_us <= ?"
        " AND customer_id > ? ORDER BY customer_id LIMIT ?"};

// --- the lifecycle triggers' customer activity ---

// The newest order of customer c not cancelled, and its first confirmed one (the same ORDER BY
// in both lookups of each, so the instant and the id come from the same order).
#define LOYALTY_SQL_LAST_ORDER(column)                                   \
  "(SELECT o." column                                                    \
  " FROM orders o WHERE o.customer_id = c.customer_id AND o.status <> 3" \
  " ORDER BY o.placed_at_us DESC, o.order_id DESC LIMIT 1)"
#define LOYALTY_SQL_FIRST_CONFIRMED(column)            \
  "(SELECT o." column                                  \
  " FROM orders o WHERE o.customer_id = c.customer_id" \
  " AND o.confirmed_at_us > 0 ORDER BY o.confirmed_at_us, o.order_id LIMIT 1)"
// customer_id, tier, created_at_us, orders, last_order_at_us, last_order_id,
// first_confirmed_at_us, first_confirmed_order_id.
#define LOYALTY_SQL_ACTIVITY_SELECT \
  "SELECT c.customer_id, c.tier, c.created_at_us, (SELECT COUNT(*) FROM orders o"  \
  " WHERE o.customer_id = c.customer_id AND o.status <> 3),"                       \
  " COALESCE(" LOYALTY_SQL_LAST_ORDER("placed_at_us") ", 0),"                      \
  " COALESCE(" LOYALTY_SQL_LAST_ORDER("order_id") ", ''),"                         \
  " COALESCE(" LOYALTY_SQL_FIRST_CONFIRMED("confirmed_at_us") ", 0),"              \
  " COALESCE(" LOYALTY_SQL_FIRST_CONFIRMED("order_id") ", '')"
// SQLite: the step reads every customer and most have few or no orders. The five subqueries over
// orders (each sets up a sorter) run only for a customer who has orders at all (one probe of the
// index; CASE evaluates its branches lazily).
#define LOYALTY_SQL_HAS_ORDERS "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)"
#define LOYALTY_SQL_ACTIVITY_SELECT_IF_ORDERS \
  "SELECT c.customer_id, c.tier, c.created_at_us,"                                     \
  " CASE WHEN " LOYALTY_SQL_HAS_ORDERS " THEN (SELECT COUNT(*) FROM orders o"          \
  " WHERE o.customer_id = c.customer_id AND o.status <> 3) ELSE 0 END,"                \
  " CASE WHEN " LOYALTY_SQL_HAS_ORDERS                                                 \
  " THEN COALESCE(" LOYALTY_SQL_LAST_ORDER("placed_at_us") ", 0) ELSE 0 END,"          \
  " CASE WHEN " LOYALTY_SQL_HAS_ORDERS                                                 \
  " THEN COALESCE(" LOYALTY_SQL_LAST_ORDER("order_id") ", '') ELSE '' END,"            \
  " CASE WHEN " LOYALTY_SQL_HAS_ORDERS                                                 \
  " THEN COALESCE(" LOYALTY_SQL_FIRST_CONFIRMED("confirmed_at_us") ", 0) ELSE 0 END,"  \
  " CASE WHEN " LOYALTY_SQL_HAS_ORDERS                                                 \
  " THEN COALESCE(" LOYALTY_SQL_FIRST_CONFIRMED("order_id") ", '') ELSE '' END"
#define LOYALTY_SQL_ACTIVITY_OF_SHARD         \
  " FROM customers c WHERE c.customer_id > ?" \
  " AND (? = 1 OR CRC32(c.customer_id) % ? = ?) ORDER BY c.customer_id LIMIT ?"
#define LOYALTY_SQL_ACTIVITY_OF_CUSTOMER " FROM customers c WHERE c.customer_id = ?"

// Parameters: after_id, shards, shards, shard, limit.
inline constexpr StmtDef kListCustomerActivity{
    .what = "list customer activity",
    .sql = LOYALTY_SQL_ACTIVITY_SELECT LOYALTY_SQL_ACTIVITY_OF_SHARD,
    .sqlite_sql = LOYALTY_SQL_ACTIVITY_SELECT_IF_ORDERS LOYALTY_SQL_ACTIVITY_OF_SHARD};
// Parameters: customer_id.
inline constexpr StmtDef kFindCustomerActivity{
    .what = "find customer activity",
    .sql = LOYALTY_SQL_ACTIVITY_SELECT LOYALTY_SQL_ACTIVITY_OF_CUSTOMER,
    .sqlite_sql = LOYALTY_SQL_ACTIVITY_SELECT_IF_ORDERS LOYALTY_SQL_ACTIVITY_OF_CUSTOMER};

#undef LOYALTY_SQL_LAST_ORDER
#undef LOYALTY_SQL_FIRST_CONFIRMED
#undef LOYALTY_SQL_ACTIVITY_SELECT
#undef LOYALTY_SQL_HAS_ORDERS
#undef LOYALTY_SQL_ACTIVITY_SELECT_IF_ORDERS
#undef LOYALTY_SQL_ACTIVITY_OF_SHARD
#undef LOYALTY_SQL_ACTIVITY_OF_CUSTOMER

// --- the job's progress records ---

// Parameters: business_date, step, shard, shards.
inline constexpr StmtDef kFindJobRun{.what = "find job run",
                                     .sql = "SELECT " LOYALTY_SQL_JOB_RUN_COLUMNS
                                            " FROM job_runs WHERE business_date = ?"
                                            " AND step = ? AND shard = ? AND shards = ?"};
// Parameters: the columns in order. An existing run keeps its started_at_us.
inline constexpr StmtDef kUpsertJobRun{
    .what = "save job run",
    .sql = "INSERT INTO job_runs (" LOYALTY_SQL_JOB_RUN_COLUMNS
           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
           " ON CONFLICT (business_date, step, shard, shards) DO UPDATE SET"
           " status = excluded.status, `cursor` = excluded.`cursor`,"
           " summary_json = excluded.summary_json, finished_at_us = excluded.finished_at_us",
    .mysql_sql = "INSERT INTO job_runs (" LOYALTY_SQL_JOB_RUN_COLUMNS
                 ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                 " ON DUPLICATE KEY UPDATE status = VALUES(status), `cursor` = VALUES(`cursor`),"
                 " summary_json = VALUES(summary_json), finished_at_us = VALUES(finished_at_us)"};
// Parameters: step.
inline constexpr StmtDef kListJobRunsOfStep{
    .what = "list job runs of step",
    .sql = "SELECT " LOYALTY_SQL_JOB_RUN_COLUMNS
           " FROM job_runs WHERE step = ? ORDER BY business_date, shards, shard"};
// Parameters: business_date, shard, shards.
inline constexpr StmtDef kListJobRunsOfDate{
    .what = "list job runs of date",
    .sql = "SELECT " LOYALTY_SQL_JOB_RUN_COLUMNS
           " FROM job_runs WHERE business_date = ? AND shard = ? AND shards = ?"
           " ORDER BY started_at_us, step"};

// --- the job's leases (migration 0009) ---

#define LOYALTY_SQL_JOB_LEASE_COLUMNS \
  "business_date, shard, shards, holder, acquired_at_us, expires_at_us"
// Parameters: the columns in order. A row already there (anyone's) is left alone.
inline constexpr StmtDef kInsertJobLease{
    .what = "insert job lease",
    .sql = "INSERT INTO job_leases (" LOYALTY_SQL_JOB_LEASE_COLUMNS
           ") VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    .mysql_sql = "INSERT IGNORE INTO job_leases (" LOYALTY_SQL_JOB_LEASE_COLUMNS
                 ") VALUES (?, ?, ?, ?, ?, ?)"};
// Parameters: holder, acquired_at_us, expires_at_us, business_date, shard, shards, holder, now.
// The one statement that decides between two nodes: only the holder itself or anyone after
// expiry matches. A renewal keeps acquired_at_us.
inline constexpr StmtDef kTakeJobLease{
    .what = "take job lease",
    .sql =
        "UPDATE job_leases SET acquired_at_us = CASE WHEN holder = ? THEN acquired_at_us"
        " ELSE ? END, holder = ?, expires_at_us = ?"
        " WHERE business_date = ? AND shard = ? AND shards = ?"
        " AND (holder = ? OR expires_at_us <= ?)"};
// Parameters: business_date, shard, shards.
inline constexpr StmtDef kFindJobLease{
    .what = "find job lease",
    .sql = "SELECT " LOYALTY_SQL_JOB_LEASE_COLUMNS
           " FROM job_leases WHERE business_date = ? AND shard = ? AND shards = ?"};
// Parameters: business_date, shard, shards, holder.
inline constexpr StmtDef kReleaseJobLease{
    .what = "release job lease",
    .sql =
        "DELETE FROM job_leases WHERE business_date = ? AND shard = ? AND shards = ?"
        " AND holder = ?"};
inline constexpr StmtDef kListJobLeases{
    .what = "list job leases",
    .sql = "SELECT " LOYALTY_SQL_JOB_LEASE_COLUMNS
           " FROM job_leases ORDER BY business_date, shards, shard"};

}  // namespace loyalty::sql::stmt
