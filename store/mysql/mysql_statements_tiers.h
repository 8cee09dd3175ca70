// Internal to store/mysql: the statements of qualifying spend, tier history and the daily job.
// Shards use CRC32(customer_id) MOD n, the same function as core/shard.h.
#pragma once

namespace loyalty::mysql::stmt {

#define LOYALTY_MYSQL_TIER_CHANGE_COLUMNS                                                \
  "change_id, customer_id, from_tier, to_tier, kind, reason, window_start, window_end, " \
  "qualifying_won, threshold_won, order_count, policy, rule_version, business_date, "    \
  "created_at_us"
#define LOYALTY_MYSQL_JOB_RUN_COLUMNS                                                     \
  "business_date, step, shard, shards, status, `cursor`, summary_json, started_at_us, " \
  "finished_at_us"

inline constexpr const char* kInsertSpend =
    "INSERT INTO spend_records (customer_id, order_id, `date`, amount_won, orders_delta,"
    " created_at_us) VALUES (?, ?, ?, ?, ?, ?)";
inline constexpr const char* kSumSpend =
    "SELECT COALESCE(SUM(amount_won), 0), COALESCE(SUM(orders_delta), 0), COALESCE(MIN(`date`), 0)"
    " FROM spend_records WHERE customer_id = ? AND `date` BETWEEN ? AND ?";
inline constexpr const char* kInsertTierChange =
    "INSERT INTO tier_changes (customer_id, from_tier, to_tier, kind, reason, window_start,"
    " window_end, qualifying_won, threshold_won, order_count, policy, rule_version,"
    " business_date, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kListTierChanges =
    "SELECT " LOYALTY_MYSQL_TIER_CHANGE_COLUMNS " FROM tier_changes WHERE customer_id = ?"
    " ORDER BY change_id DESC LIMIT ?";
inline constexpr const char* kOrdersAwaitingActivation =
    "SELECT order_id FROM orders WHERE earn_activated = 0 AND order_id > ? AND status <> 3"
    " AND placed_at_us < ? ORDER BY order_id LIMIT ?";
inline constexpr const char* kCustomersWithDueLots =
    "SELECT DISTINCT customer_id FROM lots WHERE kind = 2 AND expired = 0"
    " AND expires_at_us > 0 AND expires_at_us <= ? AND customer_id > ?"
    " ORDER BY customer_id LIMIT ?";
inline constexpr const char* kRecomputeWindowSpend =
    "UPDATE customers c LEFT JOIN (SELECT customer_id, SUM(amount_won) AS won,"
    " SUM(orders_delta) AS n FROM spend_records WHERE `date` BETWEEN ? AND ?"
    " GROUP BY customer_id) s ON s.customer_id = c.customer_id"
    " SET c.window_spend_won = COALESCE(s.won, 0), c.window_orders = COALESCE(s.n, 0),"
    " c.spend_as_of = ? WHERE ? = 1 OR MOD(CRC32(c.customer_id), ?) = ?";
inline constexpr const char* kCountCustomers = "SELECT COUNT(*) FROM customers";
inline constexpr const char* kListStandings =
    "SELECT customer_id, tier, tier_since_us, window_spend_won, window_orders,"
    " available_points, pending_points FROM customers WHERE customer_id > ?"
    " AND (? = 1 OR MOD(CRC32(customer_id), ?) = ?) ORDER BY customer_id LIMIT ?";
inline constexpr const char* kFindJobRun =
    "SELECT " LOYALTY_MYSQL_JOB_RUN_COLUMNS " FROM job_runs WHERE business_date = ? AND step = ?"
    " AND shard = ? AND shards = ?";
inline constexpr const char* kUpsertJobRun =
    "INSERT INTO job_runs (" LOYALTY_MYSQL_JOB_RUN_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE status = VALUES(status), `cursor` = VALUES(`cursor`),"
    " summary_json = VALUES(summary_json), finished_at_us = VALUES(finished_at_us)";

}  // namespace loyalty::mysql::stmt
