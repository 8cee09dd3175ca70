// Internal to store/sql: the statements of coupons and coupon batches (sql_session_coupons.cpp).
// Parameters are positional `?`, bound in the order they appear (store/sql/driver.h). A batch's
// coupons are listed in issue order: MySQL's coupon_seq (an AUTO_INCREMENT key, so that bulk
// issuance appends to the clustered index), SQLite's rowid.
#pragma once

#include "store/sql/driver.h"

namespace loyalty::sql::stmt {

// Column lists, in the order the session's row readers expect them.
#define LOYALTY_SQL_COUPON_COLUMNS                                                          \
  "code, template_code, customer_id, status, issued_at_us, valid_from_us, valid_until_us, " \
  "order_id, discount_won, redeemed_at_us, dedupe_key, batch_id, reason, issued_by, "       \
  "expiring_notified, updated_at_us"
#define LOYALTY_SQL_COUPON_BATCH_COLUMNS                                                  \
  "batch_id, template_code, customer_ids, requested, issued, status, reason, issued_by, " \
  "request_hash, created_at_us, finished_at_us"

// --- coupons ---

// Parameters: the columns in order.
inline constexpr StmtDef kInsertCoupon{
    .what = "insert coupon",
    .sql = "INSERT INTO coupons (" LOYALTY_SQL_COUPON_COLUMNS
           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
// Read with Variant::kForUpdate in a write transaction. Parameters: code.
inline constexpr StmtDef kFindCoupon{
    .what = "find coupon",
    .sql = "SELECT " LOYALTY_SQL_COUPON_COLUMNS " FROM coupons WHERE code = ?"};
// Parameters: dedupe_key.
inline constexpr StmtDef kFindCouponByDedupeKey{
    .what = "find coupon by dedupe key",
    .sql = "SELECT " LOYALTY_SQL_COUPON_COLUMNS " FROM coupons WHERE dedupe_key = ?"};
// THE guard against double redemption: only an active coupon changes, atomically. A concurrent
// redeemer waits on the row lock (MySQL), then re-reads the committed row (status 2: no match).
// Parameters: customer_id, order_id, discount_won, redeemed_at_us, updated_at_us, code.
inline constexpr StmtDef kRedeemCoupon{
    .what = "redeem coupon",
    .sql =
        "UPDATE coupons SET status = 2, customer_id = ?, order_id = ?, discount_won = ?,"
        " redeemed_at_us = ?, updated_at_us = ? WHERE code = ? AND status = 1"};
// Parameters: the columns in this order, then code.
inline constexpr StmtDef kUpdateCoupon{
    .what = "update coupon",
    .sql =
        "UPDATE coupons SET customer_id = ?, status = ?, valid_from_us = ?, valid_until_us = ?,"
        " order_id = ?, discount_won = ?, redeemed_at_us = ?, reason = ?, issued_by = ?,"
        " expiring_notified = ?, updated_at_us = ? WHERE code = ?"};
// Parameters of the three lists: key, status (0 = any), status, after_code, limit.
inline constexpr StmtDef kListCouponsOfCustomer{
    .what = "list coupons",
    .sql = "SELECT " LOYALTY_SQL_COUPON_COLUMNS
           " FROM coupons WHERE customer_id = ?"
           " AND (? = 0 OR status = ?) AND code > ? ORDER BY code LIMIT ?"};
inline constexpr StmtDef kListCouponsOfOrder{
    .what = "list coupons of order",
    .sql = "SELECT " LOYALTY_SQL_COUPON_COLUMNS
           " FROM coupons WHERE order_id = ?"
           " AND (? = 0 OR status = ?) AND code > ? ORDER BY code LIMIT ?"};
// In issue order, after the coupon `after_code` (from the start when there is none).
inline constexpr StmtDef kListCouponsOfBatch{
    .what = "list coupons of batch",
    .sql = "SELECT " LOYALTY_SQL_COUPON_COLUMNS
           " FROM coupons WHERE batch_id = ? AND (? = 0 OR status = ?)"
           " AND coupon_seq > COALESCE((SELECT a.coupon_seq FROM coupons a WHERE a.code = ?), 0)"
           " ORDER BY coupon_seq LIMIT ?",
    .sqlite_sql = "SELECT " LOYALTY_SQL_COUPON_COLUMNS
                  " FROM coupons WHERE batch_id = ? AND (? = 0 OR status = ?)"
                  " AND rowid > COALESCE((SELECT a.rowid FROM coupons a WHERE a.code = ?), 0)"
                  " ORDER BY rowid LIMIT ?"};
// Parameters: customer_id, template_code.
inline constexpr StmtDef kCountRedeemedCoupons{
    .what = "count redeemed coupons",
    .sql =
        "SELECT COUNT(*) FROM coupons WHERE customer_id = ? AND template_code = ?"
        " AND status = 2"};
// Parameters: until_before_us, after_code, limit. SQLite names its partial index of active coupons
// by end (WHERE status = 1), so that the planner never walks every coupon in code order for the
// ORDER BY instead; MySQL's coupons_active_by_end (status, valid_until_us, code) needs no hint.
inline constexpr StmtDef kListActiveCouponsEndingBy{
    .what = "list coupons ending",
    .sql = "SELECT " LOYALTY_SQL_COUPON_COLUMNS
           " FROM coupons WHERE status = 1"
           " AND valid_until_us <= ? AND code > ? ORDER BY code LIMIT ?",
    .sqlite_sql = "SELECT " LOYALTY_SQL_COUPON_COLUMNS
                  " FROM coupons INDEXED BY coupons_active_by_end WHERE status = 1"
                  " AND valid_until_us <= ? AND code > ? ORDER BY code LIMIT ?"};

// --- coupon batches ---

// Parameters: the columns in order (customer_ids: one id a line).
inline constexpr StmtDef kInsertCouponBatch{
    .what = "insert coupon batch",
    .sql = "INSERT INTO coupon_batches (" LOYALTY_SQL_COUPON_BATCH_COLUMNS
           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
// Read with Variant::kForUpdate in a write transaction. Parameters: batch_id.
inline constexpr StmtDef kFindCouponBatch{
    .what = "find coupon batch",
    .sql = "SELECT " LOYALTY_SQL_COUPON_BATCH_COLUMNS " FROM coupon_batches WHERE batch_id = ?"};
// Parameters: issued, status, finished_at_us, batch_id.
inline constexpr StmtDef kUpdateCouponBatch{
    .what = "update coupon batch",
    .sql =
        "UPDATE coupon_batches SET issued = ?, status = ?, finished_at_us = ?"
        " WHERE batch_id = ?"};
inline constexpr StmtDef kListUnfinishedCouponBatches{
    .what = "list unfinished coupon batches",
    .sql = "SELECT batch_id FROM coupon_batches WHERE status <> 'done' ORDER BY batch_id"};

}  // namespace loyalty::sql::stmt
