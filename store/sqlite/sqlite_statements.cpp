#include "store/sqlite/sqlite_statements.h"

#include <array>

#include "core/status.h"

namespace loyalty::sqlite {

namespace {

// Column lists, in the order the session's row readers expect them.
#define CUSTOMER_COLUMNS                                                                \
  "customer_id, birth_date, marketing_consent, night_consent, tier, available_points, " \
  "pending_points, event_seq, created_at_us, updated_at_us, tier_since_us, window_spend_won, " \
  "window_orders, spend_as_of"
#define LOT_COLUMNS                                                                          \
  "lot_id, customer_id, kind, order_id, source_entry_id, initial_points, remaining_points, " \
  "created_at_us, expires_at_us, expired"
#define ENTRY_COLUMNS                                                                       \
  "entry_id, customer_id, kind, pending_delta, available_delta, order_id, ref_id, reason, " \
  "actor, created_at_us"
#define ORDER_COLUMNS                                                                          \
  "order_id, customer_id, amount_won, shipping_won, points_redeemed, paid_won, earn_rate_bp, " \
  "rule_version, tier_at_order, earn_points, earn_clawed_points, restored_points, "            \
  "shortfall_points, refunded_won, qualifying_won, status, earn_activated, placed_at_us, "     \
  "confirmed_at_us, cancelled_at_us, request_hash, spend_date, counted_spend_won, "         \
  "coupon_discount_won, coupon_codes"
#define REFUND_COLUMNS                                                                  \
  "order_id, refund_id, amount_won, clawed_points, restored_points, shortfall_points, " \
  "deduction_won, cash_refund_won, cancel, request_hash, created_at_us"
#define ADJUSTMENT_COLUMNS                                                                    \
  "adjustment_id, customer_id, points, reason_code, note, actor_name, actor_role, entry_id, " \
  "request_hash, created_at_us"
#define EVENT_COLUMNS "event_id, customer_id, seq, type, payload_json, created_at_us"
#define IDEMPOTENCY_COLUMNS \
  "scope_key, request_hash, status_code, response_body, created_at_us, expires_at_us"
#define COUPON_COLUMNS                                                                       \
  "code, template_code, customer_id, status, issued_at_us, valid_from_us, valid_until_us, "  \
  "order_id, discount_won, redeemed_at_us, dedupe_key, batch_id, reason, issued_by, "        \
  "expiring_notified, updated_at_us"
#define COUPON_BATCH_COLUMNS                                                                 \
  "batch_id, template_code, customer_ids, requested, issued, status, reason, issued_by, "    \
  "request_hash, created_at_us, finished_at_us"
#define API_KEY_COLUMNS "name, role, key_hash, created_at_us, revoked_at_us"
#define MESSAGE_COLUMNS                                                                      \
  "message_id, customer_id, type, category, template_code, variables_json, text, sms_text, " \
  "dedupe_key, status, status_reason, created_at_us, not_before_us, attempts, last_error, "  \
  "lease_until_us, lease_owner, delivered_at_us, updated_at_us"
// The newest order of customer c not cancelled, and the first confirmed one (same ORDER BY in
// both lookups of each, so the instant and the id come from the same order).
#define LAST_ORDER(column)                                                                 \
  "(SELECT o." column " FROM orders o WHERE o.customer_id = c.customer_id AND o.status <> 3" \
  " ORDER BY o.placed_at_us DESC, o.order_id DESC LIMIT 1)"
#define HAS_ORDERS "EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.customer_id)"
// The five subqueries over orders (each sets up a sorter) only for a customer who has orders at
// all (one probe of the index; CASE evaluates its branches lazily).
#define ACTIVITY_SELECT                                                                       \
  "SELECT c.customer_id, c.tier, c.created_at_us,"                                            \
  " CASE WHEN " HAS_ORDERS " THEN (SELECT COUNT(*) FROM orders o"                             \
  " WHERE o.customer_id = c.customer_id AND o.status <> 3) ELSE 0 END,"                       \
  " CASE WHEN " HAS_ORDERS " THEN COALESCE(" LAST_ORDER("placed_at_us") ", 0) ELSE 0 END,"    \
  " CASE WHEN " HAS_ORDERS " THEN COALESCE(" LAST_ORDER("order_id") ", '') ELSE '' END,"      \
  " CASE WHEN " HAS_ORDERS " THEN COALESCE(" FIRST_CONFIRMED("confirmed_at_us") ", 0)"        \
  " ELSE 0 END,"                                                                              \
  " CASE WHEN " HAS_ORDERS " THEN COALESCE(" FIRST_CONFIRMED("order_id") ", '') ELSE '' END"
#define FIRST_CONFIRMED(column)                                                               \
  "(SELECT o." column " FROM orders o WHERE o.customer_id = c.customer_id"                    \
  " AND o.confirmed_at_us > 0 ORDER BY o.confirmed_at_us, o.order_id LIMIT 1)"
#define TIER_CHANGE_COLUMNS                                                                   \
  "change_id, customer_id, from_tier, to_tier, kind, reason, window_start, window_end, "      \
  "qualifying_won, threshold_won, order_count, policy, rule_version, business_date, "         \
  "created_at_us"
#define JOB_RUN_COLUMNS                                                                   \
  "business_date, step, shard, shards, status, cursor, summary_json, started_at_us, "     \
  "finished_at_us"

// The LotQuery filters, shared by the three lot lookups so they bind alike: ?1 customer_id ('' =
// any), ?2 kind (0 = any), ?3 order_id ('' = any), ?4 only_nonzero, ?5 include_expired,
// ?6 due_before_us (0 = no due filter). Each lookup leads with the equality its index serves.
#define LOT_FILTERS                                                               \
  " AND (?1 = '' OR customer_id = ?1) AND (?2 = 0 OR kind = ?2)"                  \
  " AND (?3 = '' OR order_id = ?3) AND (?4 = 0 OR remaining_points <> 0)"         \
  " AND (?5 = 1 OR expired = 0)"                                                  \
  " AND (?6 = 0 OR (expired = 0 AND expires_at_us <> 0 AND expires_at_us <= ?6))" \
  " ORDER BY CASE WHEN expires_at_us = 0 THEN 1 ELSE 0 END, expires_at_us, lot_id"

constexpr std::array<StmtDef, kStmtCount> kDefs = {{
    {StmtId::kBegin, "begin", "BEGIN IMMEDIATE"},
    {StmtId::kBeginRead, "begin read", "BEGIN"},
    {StmtId::kCommit, "commit", "COMMIT"},
    {StmtId::kRollback, "rollback", "ROLLBACK"},
    {StmtId::kSavepoint, "savepoint", "SAVEPOINT cmd"},
    {StmtId::kRelease, "release savepoint", "RELEASE cmd"},
    {StmtId::kRollbackTo, "rollback to savepoint", "ROLLBACK TO cmd"},
    {StmtId::kEntrySavepoint, "insert entry", "SAVEPOINT insert_entry"},
    {StmtId::kEntryRelease, "insert entry", "RELEASE insert_entry"},
    {StmtId::kEntryRollbackTo, "insert entry", "ROLLBACK TO insert_entry"},

    {StmtId::kFindCustomer, "find customer",
     "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE customer_id = ?1"},
    {StmtId::kInsertCustomer, "insert customer",
     "INSERT INTO customers (" CUSTOMER_COLUMNS
     ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"},
    {StmtId::kUpdateCustomer, "update customer",
     "UPDATE customers SET birth_date = ?2, marketing_consent = ?3, night_consent = ?4, tier = ?5,"
     " available_points = ?6, pending_points = ?7, event_seq = ?8, updated_at_us = ?9,"
     " tier_since_us = ?10, window_spend_won = ?11, window_orders = ?12, spend_as_of = ?13"
     " WHERE customer_id = ?1"},
    {StmtId::kListCustomers, "list customers",
     "SELECT " CUSTOMER_COLUMNS " FROM customers WHERE customer_id > ?1"
     " ORDER BY customer_id LIMIT ?2"},

    {StmtId::kFindLot, "find lot", "SELECT " LOT_COLUMNS " FROM lots WHERE lot_id = ?1"},
    {StmtId::kFindLotsOfCustomer, "find lots",
     "SELECT " LOT_COLUMNS " FROM lots WHERE customer_id = ?1" LOT_FILTERS},
    {StmtId::kFindLotsOfCustomerKind, "find lots",
     "SELECT " LOT_COLUMNS " FROM lots WHERE customer_id = ?1 AND kind = ?2" LOT_FILTERS},
    {StmtId::kFindLotsOfOrder, "find lots",
     "SELECT " LOT_COLUMNS " FROM lots WHERE order_id = ?3" LOT_FILTERS},
    {StmtId::kInsertLot, "insert lot",
     "INSERT INTO lots (customer_id, kind, order_id, source_entry_id, initial_points,"
     " remaining_points, created_at_us, expires_at_us, expired)"
     " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
    {StmtId::kUpdateLot, "update lot",
     "UPDATE lots SET remaining_points = ?2, expired = ?3, expires_at_us = ?4,"
     " source_entry_id = ?5 WHERE lot_id = ?1"},

    {StmtId::kInsertEntry, "insert entry",
     "INSERT INTO entries (customer_id, kind, pending_delta, available_delta, order_id, ref_id,"
     " reason, actor, created_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
    {StmtId::kInsertAllocation, "insert allocation",
     "INSERT INTO entry_allocations (entry_id, line, lot_id, points) VALUES (?1, ?2, ?3, ?4)"},
    {StmtId::kListEntriesOfOrder, "list entries",
     "SELECT " ENTRY_COLUMNS " FROM entries WHERE order_id = ?1"
     " AND (?2 = '' OR customer_id = ?2) ORDER BY entry_id"},
    {StmtId::kListEntriesOfCustomer, "list entries",
     "SELECT " ENTRY_COLUMNS " FROM entries WHERE customer_id = ?1 AND entry_id < ?2"
     " ORDER BY entry_id DESC LIMIT ?3"},
    {StmtId::kListAllocations, "list allocations",
     "SELECT lot_id, points FROM entry_allocations WHERE entry_id = ?1 ORDER BY line"},

    {StmtId::kFindOrder, "find order", "SELECT " ORDER_COLUMNS " FROM orders WHERE order_id = ?1"},
    {StmtId::kInsertOrder, "insert order",
     "INSERT INTO orders (" ORDER_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
     " ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"},
    {StmtId::kUpdateOrder, "update order",
     "UPDATE orders SET amount_won = ?2, shipping_won = ?3, points_redeemed = ?4, paid_won = ?5,"
     " earn_rate_bp = ?6, rule_version = ?7, tier_at_order = ?8, earn_points = ?9,"
     " earn_clawed_points = ?10, restored_points = ?11, shortfall_points = ?12,"
     " refunded_won = ?13, qualifying_won = ?14, status = ?15, earn_activated = ?16,"
     " placed_at_us = ?17, confirmed_at_us = ?18, cancelled_at_us = ?19, request_hash = ?20,"
     " spend_date = ?21, counted_spend_won = ?22, coupon_discount_won = ?23, coupon_codes = ?24"
     " WHERE order_id = ?1"},
    {StmtId::kFindRefund, "find refund",
     "SELECT " REFUND_COLUMNS " FROM refunds WHERE order_id = ?1 AND refund_id = ?2"},
    {StmtId::kInsertRefund, "insert refund",
     "INSERT INTO refunds (" REFUND_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
     " ?11)"},
    {StmtId::kListRefunds, "list refunds",
     "SELECT " REFUND_COLUMNS " FROM refunds WHERE order_id = ?1 ORDER BY created_at_us, rowid"},

    {StmtId::kFindAdjustment, "find adjustment",
     "SELECT " ADJUSTMENT_COLUMNS " FROM adjustments WHERE adjustment_id = ?1"},
    {StmtId::kInsertAdjustment, "insert adjustment",
     "INSERT INTO adjustments (" ADJUSTMENT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
     " ?9, ?10)"},

    {StmtId::kAppendEvent, "append event",
     "INSERT INTO events (customer_id, seq, type, payload_json, created_at_us)"
     " VALUES (?1, ?2, ?3, ?4, ?5)"},
    {StmtId::kListEvents, "list events",
     "SELECT " EVENT_COLUMNS " FROM events WHERE event_id > ?1 ORDER BY event_id LIMIT ?2"},
    {StmtId::kListEventsOfCustomer, "list events",
     "SELECT " EVENT_COLUMNS " FROM events WHERE customer_id = ?1 AND event_id > ?2"
     " ORDER BY event_id LIMIT ?3"},

    {StmtId::kFindIdempotency, "find idempotency record",
     "SELECT " IDEMPOTENCY_COLUMNS " FROM idempotency WHERE scope_key = ?1"},
    {StmtId::kInsertIdempotency, "insert idempotency record",
     "INSERT INTO idempotency (" IDEMPOTENCY_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
    {StmtId::kPurgeIdempotency, "purge idempotency records",
     "DELETE FROM idempotency WHERE expires_at_us > 0 AND expires_at_us <= ?1"},

    {StmtId::kInsertSpend, "insert spend record",
     "INSERT INTO spend_records (customer_id, order_id, date, amount_won, orders_delta,"
     " created_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
    {StmtId::kSumSpend, "sum spend",
     "SELECT COALESCE(SUM(amount_won), 0), COALESCE(SUM(orders_delta), 0), COALESCE(MIN(date), 0)"
     " FROM spend_records WHERE customer_id = ?1 AND date BETWEEN ?2 AND ?3"},
    {StmtId::kInsertTierChange, "insert tier change",
     "INSERT INTO tier_changes (" TIER_CHANGE_COLUMNS ") VALUES (NULL, ?1, ?2, ?3, ?4, ?5, ?6,"
     " ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"},
    {StmtId::kListTierChanges, "list tier changes",
     "SELECT " TIER_CHANGE_COLUMNS " FROM tier_changes WHERE customer_id = ?1"
     " ORDER BY change_id DESC LIMIT ?2"},
    {StmtId::kOrdersAwaitingActivation, "list orders awaiting activation",
     "SELECT order_id FROM orders WHERE earn_activated = 0 AND status <> 3"
     " AND placed_at_us < ?1 AND order_id > ?2 ORDER BY order_id LIMIT ?3"},
    {StmtId::kCustomersWithDueLots, "list customers with due lots",
     "SELECT DISTINCT customer_id FROM lots WHERE kind = 2 AND expired = 0"
     " AND expires_at_us > 0 AND expires_at_us <= ?1 AND customer_id > ?2"
     " ORDER BY customer_id LIMIT ?3"},
    {StmtId::kRecomputeWindowSpend, "recompute window spend",
     "UPDATE customers SET (window_spend_won, window_orders) = (SELECT"
     " COALESCE(SUM(r.amount_won), 0), COALESCE(SUM(r.orders_delta), 0) FROM spend_records r"
     " WHERE r.customer_id = customers.customer_id AND r.date BETWEEN ?1 AND ?2),"
     " spend_as_of = ?3 WHERE ?5 = 1 OR loyalty_shard(customer_id, ?5) = ?4"},
    {StmtId::kListStandings, "list standings",
     "SELECT customer_id, tier, tier_since_us, window_spend_won, window_orders,"
     " available_points, pending_points FROM customers WHERE customer_id > ?1"
     " AND (?4 = 1 OR loyalty_shard(customer_id, ?4) = ?3) ORDER BY customer_id LIMIT ?2"},
    {StmtId::kCountCustomers, "count customers", "SELECT COUNT(*) FROM customers"},
    {StmtId::kFindJobRun, "find job run",
     "SELECT " JOB_RUN_COLUMNS " FROM job_runs WHERE business_date = ?1 AND step = ?2"
     " AND shard = ?3 AND shards = ?4"},
    {StmtId::kUpsertJobRun, "save job run",
     "INSERT INTO job_runs (" JOB_RUN_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
     " ON CONFLICT (business_date, step, shard, shards) DO UPDATE SET status = excluded.status,"
     " cursor = excluded.cursor, summary_json = excluded.summary_json,"
     " finished_at_us = excluded.finished_at_us"},

    {StmtId::kInsertCoupon, "insert coupon",
     "INSERT INTO coupons (" COUPON_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
     " ?11, ?12, ?13, ?14, ?15, ?16)"},
    {StmtId::kFindCoupon, "find coupon", "SELECT " COUPON_COLUMNS " FROM coupons WHERE code = ?1"},
    {StmtId::kFindCouponByDedupeKey, "find coupon by dedupe key",
     "SELECT " COUPON_COLUMNS " FROM coupons WHERE dedupe_key = ?1"},
    // THE guard against double redemption: only an active coupon changes, atomically.
    {StmtId::kRedeemCoupon, "redeem coupon",
     "UPDATE coupons SET status = 2, customer_id = ?2, order_id = ?3, discount_won = ?4,"
     " redeemed_at_us = ?5, updated_at_us = ?5 WHERE code = ?1 AND status = 1"},
    {StmtId::kUpdateCoupon, "update coupon",
     "UPDATE coupons SET customer_id = ?2, status = ?3, valid_from_us = ?4, valid_until_us = ?5,"
     " order_id = ?6, discount_won = ?7, redeemed_at_us = ?8, reason = ?9, issued_by = ?10,"
     " expiring_notified = ?11, updated_at_us = ?12 WHERE code = ?1"},
    {StmtId::kListCouponsOfCustomer, "list coupons",
     "SELECT " COUPON_COLUMNS " FROM coupons WHERE customer_id = ?1 AND (?2 = 0 OR status = ?2)"
     " AND code > ?3 ORDER BY code LIMIT ?4"},
    {StmtId::kListCouponsOfOrder, "list coupons of order",
     "SELECT " COUPON_COLUMNS " FROM coupons WHERE order_id = ?1 AND (?2 = 0 OR status = ?2)"
     " AND code > ?3 ORDER BY code LIMIT ?4"},
    {StmtId::kListCouponsOfBatch, "list coupons of batch",
     "SELECT " COUPON_COLUMNS " FROM coupons WHERE batch_id = ?1 AND (?2 = 0 OR status = ?2)"
     " AND rowid > COALESCE((SELECT rowid FROM coupons WHERE code = ?3), 0)"
     " ORDER BY rowid LIMIT ?4"},
    {StmtId::kCountRedeemedCoupons, "count redeemed coupons",
     "SELECT COUNT(*) FROM coupons WHERE customer_id = ?1 AND template_code = ?2 AND status = 2"},
    {StmtId::kListActiveCouponsEndingBy, "list coupons ending",
     "SELECT " COUPON_COLUMNS " FROM coupons INDEXED BY coupons_active_by_end WHERE status = 1"
     " AND valid_until_us <= ?1 AND code > ?2 ORDER BY code LIMIT ?3"},
    {StmtId::kCustomersBornInMonth, "list customers by birth month",
     "SELECT customer_id FROM customers WHERE birth_date IS NOT NULL"
     " AND substr(birth_date, 6, 2) = ?1 AND customer_id > ?2 ORDER BY customer_id LIMIT ?3"},
    {StmtId::kInsertCouponBatch, "insert coupon batch",
     "INSERT INTO coupon_batches (" COUPON_BATCH_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
     " ?8, ?9, ?10, ?11)"},
    {StmtId::kFindCouponBatch, "find coupon batch",
     "SELECT " COUPON_BATCH_COLUMNS " FROM coupon_batches WHERE batch_id = ?1"},
    {StmtId::kUpdateCouponBatch, "update coupon batch",
     "UPDATE coupon_batches SET issued = ?2, status = ?3, finished_at_us = ?4 WHERE batch_id = ?1"},
    {StmtId::kListUnfinishedCouponBatches, "list unfinished coupon batches",
     "SELECT batch_id FROM coupon_batches WHERE status <> 'done' ORDER BY batch_id"},

    {StmtId::kInsertMessage, "insert message",
     "INSERT INTO messages (customer_id, type, category, template_code, variables_json, text,"
     " sms_text, dedupe_key, status, status_reason, created_at_us, not_before_us, attempts,"
     " last_error, lease_until_us, lease_owner, delivered_at_us, updated_at_us) VALUES (?1, ?2,"
     " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"},
    {StmtId::kFindMessage, "find message",
     "SELECT " MESSAGE_COLUMNS " FROM messages WHERE message_id = ?1"},
    {StmtId::kFindMessageByDedupeKey, "find message by dedupe key",
     "SELECT " MESSAGE_COLUMNS " FROM messages WHERE dedupe_key = ?1"},
    {StmtId::kUpdateMessage, "update message",
     "UPDATE messages SET status = ?2, status_reason = ?3, not_before_us = ?4, attempts = ?5,"
     " last_error = ?6, lease_until_us = ?7, lease_owner = ?8, delivered_at_us = ?9,"
     " updated_at_us = ?10 WHERE message_id = ?1"},
    // Every customer: ?1 after_message_id, ?2 status (0 = any), ?3 type ('' = any), ?4 limit.
    {StmtId::kListMessages, "list messages",
     "SELECT " MESSAGE_COLUMNS " FROM messages WHERE message_id > ?1"
     " AND (?2 = 0 OR status = ?2) AND (?3 = '' OR type = ?3) ORDER BY message_id LIMIT ?4"},
    {StmtId::kListMessagesOfStatus, "list messages",
     "SELECT " MESSAGE_COLUMNS " FROM messages WHERE status = ?2 AND message_id > ?1"
     " AND (?3 = '' OR type = ?3) ORDER BY message_id LIMIT ?4"},
    // One customer: ?1 customer_id, then the parameters above as ?2 .. ?5.
    {StmtId::kListMessagesOfCustomer, "list messages",
     "SELECT " MESSAGE_COLUMNS " FROM messages WHERE customer_id = ?1 AND message_id > ?2"
     " AND (?3 = 0 OR status = ?3) AND (?4 = '' OR type = ?4) ORDER BY message_id LIMIT ?5"},
    // Pending, due, not leased, and the oldest pending message of its customer (head of line).
    {StmtId::kListDeliverableMessages, "list deliverable messages",
     "SELECT " MESSAGE_COLUMNS " FROM messages m WHERE m.status = 1"
     " AND m.not_before_us <= ?1 AND m.lease_until_us <= ?1"
     " AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.customer_id = m.customer_id"
     " AND p.status = 1 AND p.message_id < m.message_id) ORDER BY m.message_id LIMIT ?2"},
    // THE guard against handing a message out twice: only an unleased pending one changes.
    {StmtId::kLeaseMessage, "lease message",
     "UPDATE messages SET lease_until_us = ?3, lease_owner = ?4, updated_at_us = ?2"
     " WHERE message_id = ?1 AND status = 1 AND lease_until_us <= ?2"},
    {StmtId::kCountMessagesSince, "count messages",
     "SELECT COUNT(*) FROM messages WHERE customer_id = ?1 AND created_at_us >= ?2"
     " AND status NOT IN (4, 5)"},
    {StmtId::kCountMessagesSinceOfType, "count messages",
     "SELECT COUNT(*) FROM messages WHERE customer_id = ?1 AND type = ?3"
     " AND created_at_us >= ?2 AND status NOT IN (4, 5)"},
    {StmtId::kRequeueMessages, "requeue messages",
     "UPDATE messages SET status = 1, attempts = 0, lease_until_us = 0, lease_owner = '',"
     " not_before_us = ?3, last_error = '', updated_at_us = ?3 WHERE status IN (2, 3)"
     " AND message_id > ?1 AND (?2 = 0 OR message_id <= ?2)"},
    // The step reads every customer; most have few or no orders (ACTIVITY_SELECT).
    {StmtId::kListCustomerActivity, "list customer activity",
     ACTIVITY_SELECT
     " FROM customers c WHERE c.customer_id > ?1"
     " AND (?4 = 1 OR loyalty_shard(c.customer_id, ?4) = ?3) ORDER BY c.customer_id LIMIT ?2"},
    {StmtId::kFindCustomerActivity, "find customer activity",
     ACTIVITY_SELECT
     " FROM customers c WHERE c.customer_id = ?1"},

    {StmtId::kInsertApiKey, "insert api key",
     "INSERT INTO api_keys (" API_KEY_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5)"},
    {StmtId::kFindApiKeyByHash, "find api key",
     "SELECT " API_KEY_COLUMNS " FROM api_keys WHERE key_hash = ?1"},
    {StmtId::kListApiKeys, "list api keys",
     "SELECT " API_KEY_COLUMNS " FROM api_keys ORDER BY name"},
    {StmtId::kRevokeApiKey, "revoke api key",
     "UPDATE api_keys SET revoked_at_us = CASE WHEN revoked_at_us = 0 THEN ?2"
     " ELSE revoked_at_us END WHERE name = ?1"},
}};

#undef CUSTOMER_COLUMNS
#undef LOT_COLUMNS
#undef ENTRY_COLUMNS
#undef ORDER_COLUMNS
#undef REFUND_COLUMNS
#undef ADJUSTMENT_COLUMNS
#undef EVENT_COLUMNS
#undef IDEMPOTENCY_COLUMNS
#undef API_KEY_COLUMNS
#undef MESSAGE_COLUMNS
#undef LAST_ORDER
#undef FIRST_CONFIRMED
#undef HAS_ORDERS
#undef ACTIVITY_SELECT
#undef COUPON_COLUMNS
#undef COUPON_BATCH_COLUMNS
#undef TIER_CHANGE_COLUMNS
#undef JOB_RUN_COLUMNS
#undef LOT_FILTERS

// The table is indexed by id: catch a definition out of place at compile time.
constexpr bool DefsInOrder() {
  for (size_t i = 0; i < kDefs.size(); ++i) {
    if (static_cast<size_t>(kDefs[i].id) != i) return false;
  }
  return true;
}
static_assert(DefsInOrder(), "kDefs must list the statements in StmtId order");

}  // namespace

const StmtDef& Def(StmtId id) {
  const auto index = static_cast<size_t>(id);
  LOYALTY_CHECK(index < kDefs.size());
  return kDefs[index];
}

}  // namespace loyalty::sqlite
