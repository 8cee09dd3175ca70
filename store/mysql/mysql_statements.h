// Internal to store/mysql: every SQL statement a session runs. Values always travel as bound
// parameters (`?`, bound in the order they appear), never inside the text. The few statements
// whose shape depends on the request (lot filters, multi-row allocation inserts) are built by the
// functions at the end, from a bounded set of shapes, so the session's statement cache stays small.
#pragma once

#include <string>

#include "core/store.h"

namespace loyalty::mysql::stmt {

// Column lists, in the order the session's row readers expect them.
#define LOYALTY_MYSQL_CUSTOMER_COLUMNS                                                  \
  "customer_id, birth_date, marketing_consent, night_consent, tier, available_points, " \
  "pending_points, event_seq, created_at_us, updated_at_us, tier_since_us, window_spend_won, " \
  "window_orders, spend_as_of"
#define LOYALTY_MYSQL_LOT_COLUMNS                                                            \
  "lot_id, customer_id, kind, order_id, source_entry_id, initial_points, remaining_points, " \
  "created_at_us, expires_at_us, expired"
#define LOYALTY_MYSQL_ENTRY_COLUMNS                                                         \
  "entry_id, customer_id, kind, pending_delta, available_delta, order_id, ref_id, reason, " \
  "actor, created_at_us"
#define LOYALTY_MYSQL_ORDER_COLUMNS                                                            \
  "order_id, customer_id, amount_won, shipping_won, points_redeemed, paid_won, earn_rate_bp, " \
  "rule_version, tier_at_order, earn_points, earn_clawed_points, restored_points, "            \
  "shortfall_points, refunded_won, qualifying_won, status, earn_activated, placed_at_us, "     \
  "confirmed_at_us, cancelled_at_us, request_hash, spend_date, counted_spend_won, "        \
  "coupon_discount_won, coupon_codes"
#define LOYALTY_MYSQL_REFUND_COLUMNS                                                    \
  "order_id, refund_id, amount_won, clawed_points, restored_points, shortfall_points, " \
  "deduction_won, cash_refund_won, cancel, request_hash, created_at_us"
#define LOYALTY_MYSQL_ADJUSTMENT_COLUMNS                                                      \
  "adjustment_id, customer_id, points, reason_code, note, actor_name, actor_role, entry_id, " \
  "request_hash, created_at_us"
#define LOYALTY_MYSQL_EVENT_COLUMNS "event_id, customer_id, seq, type, payload_json, created_at_us"
#define LOYALTY_MYSQL_IDEMPOTENCY_COLUMNS \
  "scope_key, request_hash, status_code, response_body, created_at_us, expires_at_us"
#define LOYALTY_MYSQL_API_KEY_COLUMNS "name, role, key_hash, created_at_us, revoked_at_us"

// --- transactions ---
inline constexpr const char* kBegin = "START TRANSACTION";
inline constexpr const char* kSessionReadCommitted =
    "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED";
inline constexpr const char* kSessionRepeatableRead =
    "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ";
inline constexpr const char* kBeginRead = "START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT";
inline constexpr const char* kCommit = "COMMIT";
inline constexpr const char* kRollback = "ROLLBACK";
inline constexpr const char* kSavepoint = "SAVEPOINT cmd";
inline constexpr const char* kRollbackTo = "ROLLBACK TO SAVEPOINT cmd";
inline constexpr const char* kLastInsertId = "SELECT LAST_INSERT_ID()";
inline constexpr const char* kServerVersion = "SELECT VERSION()";

// --- customers ---
inline constexpr const char* kFindCustomer =
    "SELECT " LOYALTY_MYSQL_CUSTOMER_COLUMNS " FROM customers WHERE customer_id = ?";
inline constexpr const char* kFindCustomerForUpdate =
    "SELECT " LOYALTY_MYSQL_CUSTOMER_COLUMNS " FROM customers WHERE customer_id = ? FOR UPDATE";
inline constexpr const char* kInsertCustomer =
    "INSERT INTO customers (" LOYALTY_MYSQL_CUSTOMER_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kUpdateCustomer =
    "UPDATE customers SET birth_date = ?, marketing_consent = ?, night_consent = ?, tier = ?,"
    " available_points = ?, pending_points = ?, event_seq = ?, updated_at_us = ?,"
    " tier_since_us = ?, window_spend_won = ?, window_orders = ?, spend_as_of = ?"
    " WHERE customer_id = ?";
inline constexpr const char* kListCustomers =
    "SELECT " LOYALTY_MYSQL_CUSTOMER_COLUMNS " FROM customers WHERE customer_id > ?"
    " ORDER BY customer_id LIMIT ?";

// --- lots ---
inline constexpr const char* kFindLot =
    "SELECT " LOYALTY_MYSQL_LOT_COLUMNS " FROM lots WHERE lot_id = ?";
inline constexpr const char* kInsertLot =
    "INSERT INTO lots (customer_id, kind, order_id, source_entry_id, initial_points,"
    " remaining_points, created_at_us, expires_at_us, expired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kUpdateLot =
    "UPDATE lots SET remaining_points = ?, expired = ?, expires_at_us = ?, source_entry_id = ?"
    " WHERE lot_id = ?";

// --- entries ---
inline constexpr const char* kInsertEntry =
    "INSERT INTO entries (customer_id, kind, pending_delta, available_delta, order_id, ref_id,"
    " reason, actor, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
// Undoes an entry whose allocations could not all be inserted: entry_id, entry_id.
inline constexpr const char* kDeleteAllocationsOfEntry =
    "DELETE FROM entry_allocations WHERE entry_id = ?";
inline constexpr const char* kDeleteEntry = "DELETE FROM entries WHERE entry_id = ?";
inline constexpr const char* kListEntriesOfCustomer =
    "SELECT " LOYALTY_MYSQL_ENTRY_COLUMNS " FROM entries WHERE customer_id = ? AND entry_id < ?"
    " ORDER BY entry_id DESC LIMIT ?";
// The allocations of a customer's entries with ids in [?, ?], in entry and line order.
inline constexpr const char* kListAllocationsOfCustomer =
    "SELECT a.entry_id, a.lot_id, a.points FROM entry_allocations a"
    " JOIN entries e ON e.entry_id = a.entry_id"
    " WHERE e.customer_id = ? AND e.entry_id BETWEEN ? AND ? ORDER BY a.entry_id, a.line";

// --- orders and refunds ---
inline constexpr const char* kFindOrder =
    "SELECT " LOYALTY_MYSQL_ORDER_COLUMNS " FROM orders WHERE order_id = ?";
inline constexpr const char* kFindOrderForUpdate =
    "SELECT " LOYALTY_MYSQL_ORDER_COLUMNS " FROM orders WHERE order_id = ? FOR UPDATE";
inline constexpr const char* kInsertOrder =
    "INSERT INTO orders (" LOYALTY_MYSQL_ORDER_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kUpdateOrder =
    "UPDATE orders SET amount_won = ?, shipping_won = ?, points_redeemed = ?, paid_won = ?,"
    " earn_rate_bp = ?, rule_version = ?, tier_at_order = ?, earn_points = ?,"
    " earn_clawed_points = ?, restored_points = ?, shortfall_points = ?, refunded_won = ?,"
    " qualifying_won = ?, status = ?, earn_activated = ?, placed_at_us = ?, confirmed_at_us = ?,"
    " cancelled_at_us = ?, request_hash = ?, spend_date = ?, counted_spend_won = ?,"
    " coupon_discount_won = ?, coupon_codes = ? WHERE order_id = ?";
inline constexpr const char* kFindRefund =
    "SELECT " LOYALTY_MYSQL_REFUND_COLUMNS " FROM refunds WHERE order_id = ? AND refund_id = ?";
inline constexpr const char* kInsertRefund =
    "INSERT INTO refunds (" LOYALTY_MYSQL_REFUND_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kListRefunds =
    "SELECT " LOYALTY_MYSQL_REFUND_COLUMNS " FROM refunds WHERE order_id = ?"
    " ORDER BY created_at_us, refund_seq";

// --- adjustments ---
inline constexpr const char* kFindAdjustment =
    "SELECT " LOYALTY_MYSQL_ADJUSTMENT_COLUMNS " FROM adjustments WHERE adjustment_id = ?";
inline constexpr const char* kInsertAdjustment =
    "INSERT INTO adjustments (" LOYALTY_MYSQL_ADJUSTMENT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?,"
    " ?, ?, ?)";

// --- events ---
inline constexpr const char* kAppendEvent =
    "INSERT INTO events (customer_id, seq, type, payload_json, created_at_us)"
    " VALUES (?, ?, ?, ?, ?)";
inline constexpr const char* kListEvents =
    "SELECT " LOYALTY_MYSQL_EVENT_COLUMNS " FROM events WHERE event_id > ?"
    " ORDER BY event_id LIMIT ?";
inline constexpr const char* kListEventsOfCustomer =
    "SELECT " LOYALTY_MYSQL_EVENT_COLUMNS " FROM events WHERE customer_id = ? AND event_id > ?"
    " ORDER BY event_id LIMIT ?";

// --- idempotency records ---
inline constexpr const char* kFindIdempotency =
    "SELECT " LOYALTY_MYSQL_IDEMPOTENCY_COLUMNS " FROM idempotency WHERE scope_key = ?";
inline constexpr const char* kInsertIdempotency =
    "INSERT INTO idempotency (" LOYALTY_MYSQL_IDEMPOTENCY_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)";
inline constexpr const char* kPurgeIdempotency =
    "DELETE FROM idempotency WHERE expires_at_us > 0 AND expires_at_us <= ?";

// --- API keys ---
inline constexpr const char* kInsertApiKey =
    "INSERT INTO api_keys (" LOYALTY_MYSQL_API_KEY_COLUMNS ") VALUES (?, ?, ?, ?, ?)";
inline constexpr const char* kFindApiKeyByHash =
    "SELECT " LOYALTY_MYSQL_API_KEY_COLUMNS " FROM api_keys WHERE key_hash = ?";
inline constexpr const char* kListApiKeys =
    "SELECT " LOYALTY_MYSQL_API_KEY_COLUMNS " FROM api_keys ORDER BY name";
inline constexpr const char* kRevokeApiKey =
    "UPDATE api_keys SET revoked_at_us = CASE WHEN revoked_at_us = 0 THEN ? ELSE revoked_at_us END"
    " WHERE name = ?";

// --- built per request shape ---
// Lots matching `q`; parameters in this order: order_id (if set), customer_id (if set), kind (if
// set), due_before_us (if > 0). Ordered by expiry with never-expiring (0) last, then lot_id.
std::string FindLots(const LotQuery& q);
// The entries of an order (ascending), optionally of one customer: order_id[, customer_id].
std::string ListEntriesOfOrder(bool with_customer);
// Their allocations: order_id[, customer_id].
std::string ListAllocationsOfOrder(bool with_customer);
// INSERT of `rows` allocation rows (entry_id, line, lot_id, points) each.
inline constexpr int kMaxAllocationRowsPerInsert = 16;
std::string InsertAllocations(int rows);

}  // namespace loyalty::mysql::stmt
