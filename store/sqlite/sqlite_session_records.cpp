// SqliteSession: orders, refunds, adjustments, events, idempotency records and API keys.
#include "store/sqlite/sqlite_session.h"

#include <utility>

namespace loyalty::sqlite {

namespace {

Order ReadOrder(const Stmt& s) {
  Order o;
  o.order_id = s.Text(0);
  o.customer_id = s.Text(1);
  o.amount_won = s.Int(2);
  o.shipping_won = s.Int(3);
  o.points_redeemed = s.Int(4);
  o.paid_won = s.Int(5);
  o.earn_rate_bp = static_cast<int32_t>(s.Int(6));
  o.rule_version = s.Int(7);
  o.tier_at_order = s.Text(8);
  o.earn_points = s.Int(9);
  o.earn_clawed_points = s.Int(10);
  o.restored_points = s.Int(11);
  o.shortfall_points = s.Int(12);
  o.refunded_won = s.Int(13);
  o.qualifying_won = s.Int(14);
  o.status = static_cast<OrderStatus>(s.Int(15));
  o.earn_activated = s.Bool(16);
  o.placed_at_us = s.Int(17);
  o.confirmed_at_us = s.Int(18);
  o.cancelled_at_us = s.Int(19);
  o.request_hash = s.Text(20);
  o.spend_date = static_cast<int32_t>(s.Int(21));
  o.counted_spend_won = s.Int(22);
  o.coupon_discount_won = s.Int(23);
  std::string codes = s.Text(24);
  for (size_t start = 0; start < codes.size();) {
    size_t comma = codes.find(',', start);
    if (comma == std::string::npos) comma = codes.size();
    o.coupon_codes.push_back(codes.substr(start, comma - start));
    start = comma + 1;
  }
  return o;
}

// The columns after order_id and customer_id, in ORDER_COLUMNS order (insert and update alike).
void BindOrderBody(Stmt& s, const Order& o) {
  s.BindInt(o.amount_won);
  s.BindInt(o.shipping_won);
  s.BindInt(o.points_redeemed);
  s.BindInt(o.paid_won);
  s.BindInt(o.earn_rate_bp);
  s.BindInt(o.rule_version);
  s.BindText(o.tier_at_order);
  s.BindInt(o.earn_points);
  s.BindInt(o.earn_clawed_points);
  s.BindInt(o.restored_points);
  s.BindInt(o.shortfall_points);
  s.BindInt(o.refunded_won);
  s.BindInt(o.qualifying_won);
  s.BindInt(static_cast<int>(o.status));
  s.BindBool(o.earn_activated);
  s.BindInt(o.placed_at_us);
  s.BindInt(o.confirmed_at_us);
  s.BindInt(o.cancelled_at_us);
  s.BindText(o.request_hash);
  s.BindInt(o.spend_date);
  s.BindInt(o.counted_spend_won);
  s.BindInt(o.coupon_discount_won);
  std::string codes;
  for (const std::string& c : o.coupon_codes) codes += (codes.empty() ? "" : ",") + c;
  s.BindText(codes);
}

Refund ReadRefund(const Stmt& s) {
  Refund r;
  r.order_id = s.Text(0);
  r.refund_id = s.Text(1);
  r.amount_won = s.Int(2);
  r.clawed_points = s.Int(3);
  r.restored_points = s.Int(4);
  r.shortfall_points = s.Int(5);
  r.deduction_won = s.Int(6);
  r.cash_refund_won = s.Int(7);
  r.cancel = s.Bool(8);
  r.request_hash = s.Text(9);
  r.created_at_us = s.Int(10);
  return r;
}

Adjustment ReadAdjustment(const Stmt& s) {
  Adjustment a;
  a.adjustment_id = s.Text(0);
  a.customer_id = s.Text(1);
  a.points = s.Int(2);
  a.reason_code = s.Text(3);
  a.note = s.Text(4);
  a.actor_name = s.Text(5);
  a.actor_role = s.Text(6);
  a.entry_id = s.Int(7);
  a.request_hash = s.Text(8);
  a.created_at_us = s.Int(9);
  return a;
}

Event ReadEvent(const Stmt& s) {
  Event e;
  e.event_id = s.Int(0);
  e.customer_id = s.Text(1);
  e.seq = s.Int(2);
  e.type = s.Text(3);
  e.payload_json = s.Text(4);
  e.created_at_us = s.Int(5);
  return e;
}

IdempotencyRecord ReadIdempotency(const Stmt& s) {
  IdempotencyRecord r;
  r.scope_key = s.Text(0);
  r.request_hash = s.Text(1);
  r.status_code = static_cast<int>(s.Int(2));
  r.response_body = s.Text(3);
  r.created_at_us = s.Int(4);
  r.expires_at_us = s.Int(5);
  return r;
}

ApiKey ReadApiKey(const Stmt& s) {
  ApiKey k;
  k.name = s.Text(0);
  k.role = s.Text(1);
  k.key_hash = s.Text(2);
  k.created_at_us = s.Int(3);
  k.revoked_at_us = s.Int(4);
  return k;
}

}  // namespace

// --- orders and refunds ---

Result<std::optional<Order>> SqliteSession::FindOrder(const std::string& order_id) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindOrder));
  stmt.BindText(order_id);
  return ReadOne(stmt, &ReadOrder);
}

Status SqliteSession::InsertOrder(const Order& o) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertOrder));
  stmt.BindText(o.order_id);
  stmt.BindText(o.customer_id);
  BindOrderBody(stmt, o);
  return stmt.RunInsert();
}

Status SqliteSession::UpdateOrder(const Order& o) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kUpdateOrder));
  stmt.BindText(o.order_id);
  BindOrderBody(stmt, o);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return ExpectOneChange("order", o.order_id);
}

Result<std::optional<Refund>> SqliteSession::FindRefund(const std::string& order_id,
                                                        const std::string& refund_id) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindRefund));
  stmt.BindText(order_id);
  stmt.BindText(refund_id);
  return ReadOne(stmt, &ReadRefund);
}

Status SqliteSession::InsertRefund(const Refund& r) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertRefund));
  stmt.BindText(r.order_id);
  stmt.BindText(r.refund_id);
  stmt.BindInt(r.amount_won);
  stmt.BindInt(r.clawed_points);
  stmt.BindInt(r.restored_points);
  stmt.BindInt(r.shortfall_points);
  stmt.BindInt(r.deduction_won);
  stmt.BindInt(r.cash_refund_won);
  stmt.BindBool(r.cancel);
  stmt.BindText(r.request_hash);
  stmt.BindInt(r.created_at_us);
  return stmt.RunInsert();
}

Result<std::vector<Refund>> SqliteSession::ListRefunds(const std::string& order_id) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kListRefunds));
  stmt.BindText(order_id);
  return ReadAll(stmt, &ReadRefund);
}

// --- CS adjustments ---

Result<std::optional<Adjustment>> SqliteSession::FindAdjustment(const std::string& adjustment_id) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindAdjustment));
  stmt.BindText(adjustment_id);
  return ReadOne(stmt, &ReadAdjustment);
}

Status SqliteSession::InsertAdjustment(const Adjustment& a) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertAdjustment));
  stmt.BindText(a.adjustment_id);
  stmt.BindText(a.customer_id);
  stmt.BindInt(a.points);
  stmt.BindText(a.reason_code);
  stmt.BindText(a.note);
  stmt.BindText(a.actor_name);
  stmt.BindText(a.actor_role);
  stmt.BindInt(a.entry_id);
  stmt.BindText(a.request_hash);
  stmt.BindInt(a.created_at_us);
  return stmt.RunInsert();
}

// --- domain events ---

Result<int64_t> SqliteSession::AppendEvent(const Event& e) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kAppendEvent));
  stmt.BindText(e.customer_id);
  stmt.BindInt(e.seq);
  stmt.BindText(e.type);
  stmt.BindText(e.payload_json);
  stmt.BindInt(e.created_at_us);
  LOYALTY_RETURN_IF_ERROR(stmt.RunInsert());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

Result<std::vector<Event>> SqliteSession::ListEvents(const EventQuery& q) {
  const bool by_customer = !q.customer_id.empty();
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt,
                           Use(by_customer ? StmtId::kListEventsOfCustomer : StmtId::kListEvents));
  if (by_customer) stmt.BindText(q.customer_id);
  stmt.BindInt(q.after_event_id);
  stmt.BindInt(PageLimit(q.limit));
  return ReadAll(stmt, &ReadEvent);
}

// --- idempotency records ---

Result<std::optional<IdempotencyRecord>> SqliteSession::FindIdempotency(
    const std::string& scope_key) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindIdempotency));
  stmt.BindText(scope_key);
  return ReadOne(stmt, &ReadIdempotency);
}

Status SqliteSession::InsertIdempotency(const IdempotencyRecord& r) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertIdempotency));
  stmt.BindText(r.scope_key);
  stmt.BindText(r.request_hash);
  stmt.BindInt(r.status_code);
  stmt.BindText(r.response_body);
  stmt.BindInt(r.created_at_us);
  stmt.BindInt(r.expires_at_us);
  return stmt.RunInsert();
}

Result<int64_t> SqliteSession::PurgeIdempotency(Micros now_us) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kPurgeIdempotency));
  stmt.BindInt(now_us);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return static_cast<int64_t>(sqlite3_changes64(db_.get()));
}

// --- API keys ---

Status SqliteSession::InsertApiKey(const ApiKey& k) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertApiKey));
  stmt.BindText(k.name);
  stmt.BindText(k.role);
  stmt.BindText(k.key_hash);
  stmt.BindInt(k.created_at_us);
  stmt.BindInt(k.revoked_at_us);
  return stmt.RunInsert();
}

Result<std::optional<ApiKey>> SqliteSession::FindApiKeyByHash(const std::string& key_hash) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindApiKeyByHash));
  stmt.BindText(key_hash);
  return ReadOne(stmt, &ReadApiKey);
}

Result<std::vector<ApiKey>> SqliteSession::ListApiKeys() {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kListApiKeys));
  return ReadAll(stmt, &ReadApiKey);
}

Status SqliteSession::RevokeApiKey(const std::string& name, Micros now_us) {
  // Revoking a revoked key again keeps the first revocation time.
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kRevokeApiKey));
  stmt.BindText(name);
  stmt.BindInt(now_us);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return ExpectOneChange("api key", name);
}

}  // namespace loyalty::sqlite
