// Internal to store/mysql: the statements of coupons and coupon batches. The same statements as
// store/sqlite (sqlite_statements.cpp), with coupon_seq in the place of SQLite's rowid.
#pragma once

namespace loyalty::mysql::stmt {

#define LOYALTY_MYSQL_COUPON_COLUMNS                                                         \
  "code, template_code, customer_id, status, issued_at_us, valid_from_us, valid_until_us, " \
  "order_id, discount_won, redeemed_at_us, dedupe_key, batch_id, reason, issued_by, "       \
  "expiring_notified, updated_at_us"
#define LOYALTY_MYSQL_COUPON_BATCH_COLUMNS                                                \
  "batch_id, template_code, customer_ids, requested, issued, status, reason, issued_by, " \
  "request_hash, created_at_us, finished_at_us"

inline constexpr const char* kInsertCoupon =
    "INSERT INTO coupons (" LOYALTY_MYSQL_COUPON_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kFindCoupon =
    "SELECT " LOYALTY_MYSQL_COUPON_COLUMNS " FROM coupons WHERE code = ?";
inline constexpr const char* kFindCouponForUpdate =
    "SELECT " LOYALTY_MYSQL_COUPON_COLUMNS " FROM coupons WHERE code = ? FOR UPDATE";
inline constexpr const char* kFindCouponByDedupeKey =
    "SELECT " LOYALTY_MYSQL_COUPON_COLUMNS " FROM coupons WHERE dedupe_key = ?";
// THE guard against double redemption: only an active coupon changes, atomically. A concurrent
// redeemer waits on the row lock, then re-reads the committed row (status 2: no match).
// Parameters: customer_id, order_id, discount_won, redeemed_at_us, updated_at_us, code.
inline constexpr const char* kRedeemCoupon =
    "UPDATE coupons SET status = 2, customer_id = ?, order_id = ?, discount_won = ?,"
    " redeemed_at_us = ?, updated_at_us = ? WHERE code = ? AND status = 1";
// Parameters: the columns in this order, then code.
inline constexpr const char* kUpdateCoupon =
    "UPDATE coupons SET customer_id = ?, status = ?, valid_from_us = ?, valid_until_us = ?,"
    " order_id = ?, discount_won = ?, redeemed_at_us = ?, reason = ?, issued_by = ?,"
    " expiring_notified = ?, updated_at_us = ? WHERE code = ?";
// Parameters of the three lists: key, status (0 = any), status, after_code, limit.
inline constexpr const char* kListCouponsOfCustomer =
    "SELECT " LOYALTY_MYSQL_COUPON_COLUMNS " FROM coupons WHERE customer_id = ?"
    " AND (? = 0 OR status = ?) AND code > ? ORDER BY code LIMIT ?";
inline constexpr const char* kListCouponsOfOrder =
    "SELECT " LOYALTY_MYSQL_COUPON_COLUMNS " FROM coupons WHERE order_id = ?"
    " AND (? = 0 OR status = ?) AND code > ? ORDER BY code LIMIT ?";
// In issue order, after the coupon `after_code` (from the start when there is none).
inline constexpr const char* kListCouponsOfBatch =
    "SELECT " LOYALTY_MYSQL_COUPON_COLUMNS " FROM coupons WHERE batch_id = ?"
    " AND (? = 0 OR status = ?)"
    " AND coupon_seq > COALESCE((SELECT a.coupon_seq FROM coupons a WHERE a.code = ?), 0)"
    " ORDER BY coupon_seq LIMIT ?";
inline constexpr const char* kCountRedeemedCoupons =
    "SELECT COUNT(*) FROM coupons WHERE customer_id = ? AND template_code = ? AND status = 2";
inline constexpr const char* kListActiveCouponsEndingBy =
    "SELECT " LOYALTY_MYSQL_COUPON_COLUMNS " FROM coupons WHERE status = 1"
    " AND valid_until_us <= ? AND code > ? ORDER BY code LIMIT ?";
// birth_date is CHAR(10) 'YYYY-MM-DD': the month is characters 6 and 7, as on SQLite.
inline constexpr const char* kCustomersBornInMonth =
    "SELECT customer_id FROM customers WHERE birth_date IS NOT NULL"
    " AND SUBSTRING(birth_date, 6, 2) = ? AND customer_id > ? ORDER BY customer_id LIMIT ?";

inline constexpr const char* kInsertCouponBatch =
    "INSERT INTO coupon_batches (" LOYALTY_MYSQL_COUPON_BATCH_COLUMNS ") VALUES (?, ?, ?, ?, ?,"
    " ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kFindCouponBatch =
    "SELECT " LOYALTY_MYSQL_COUPON_BATCH_COLUMNS " FROM coupon_batches WHERE batch_id = ?";
inline constexpr const char* kFindCouponBatchForUpdate =
    "SELECT " LOYALTY_MYSQL_COUPON_BATCH_COLUMNS " FROM coupon_batches WHERE batch_id = ?"
    " FOR UPDATE";
inline constexpr const char* kUpdateCouponBatch =
    "UPDATE coupon_batches SET issued = ?, status = ?, finished_at_us = ? WHERE batch_id = ?";
inline constexpr const char* kListUnfinishedCouponBatches =
    "SELECT batch_id FROM coupon_batches WHERE status <> 'done' ORDER BY batch_id";

}  // namespace loyalty::mysql::stmt
