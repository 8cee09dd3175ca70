// MysqlSession: orders, refunds, adjustments, events, idempotency records and API keys.
#include <utility>

#include "store/mysql/mysql_session.h"
#include "store/mysql/mysql_statements.h"

namespace loyalty::mysql {

namespace {

Order ReadOrder(const sql::ResultSet& rs) {
  Order o;
  o.order_id = Text(rs, 1);
  o.customer_id = Text(rs, 2);
  o.amount_won = Int(rs, 3);
  o.shipping_won = Int(rs, 4);
  o.points_redeemed = Int(rs, 5);
  o.paid_won = Int(rs, 6);
  o.earn_rate_bp = static_cast<int32_t>(Int(rs, 7));
  o.rule_version = Int(rs, 8);
  o.tier_at_order = Text(rs, 9);
  o.earn_points = Int(rs, 10);
  o.earn_clawed_points = Int(rs, 11);
  o.restored_points = Int(rs, 12);
  o.shortfall_points = Int(rs, 13);
  o.refunded_won = Int(rs, 14);
  o.qualifying_won = Int(rs, 15);
  o.status = static_cast<OrderStatus>(Int(rs, 16));
  o.earn_activated = Bool(rs, 17);
  o.placed_at_us = Int(rs, 18);
  o.confirmed_at_us = Int(rs, 19);
  o.cancelled_at_us = Int(rs, 20);
  o.request_hash = Text(rs, 21);
  o.spend_date = static_cast<int32_t>(Int(rs, 22));
  o.counted_spend_won = Int(rs, 23);
  o.coupon_discount_won = Int(rs, 24);
  const std::string codes = Text(rs, 25);
  for (size_t start = 0; start < codes.size();) {
    size_t comma = codes.find(',', start);
    if (comma == std::string::npos) comma = codes.size();
    o.coupon_codes.push_back(codes.substr(start, comma - start));
    start = comma + 1;
  }
  return o;
}

// The columns after order_id and customer_id, in ORDER_COLUMNS order (insert and update alike).
void BindOrderBody(Bind& b, const Order& o) {
  b.Int(o.amount_won)
      .Int(o.shipping_won)
      .Int(o.points_redeemed)
      .Int(o.paid_won)
      .Int(o.earn_rate_bp)
      .Int(o.rule_version)
      .Text(o.tier_at_order)
      .Int(o.earn_points)
      .Int(o.earn_clawed_points)
      .Int(o.restored_points)
      .Int(o.shortfall_points)
      .Int(o.refunded_won)
      .Int(o.qualifying_won)
      .Int(static_cast<int>(o.status))
      .Bool(o.earn_activated)
      .Int(o.placed_at_us)
      .Int(o.confirmed_at_us)
      .Int(o.cancelled_at_us)
      .Text(o.request_hash)
      .Int(o.spend_date)
      .Int(o.counted_spend_won)
      .Int(o.coupon_discount_won);
  std::string codes;  // comma-separated, as on SQLite
  for (const std::string& c : o.coupon_codes) codes += (codes.empty() ? "" : ",") + c;
  b.Text(codes);
}

Refund ReadRefund(const sql::ResultSet& rs) {
  Refund r;
  r.order_id = Text(rs, 1);
  r.refund_id = Text(rs, 2);
  r.amount_won = Int(rs, 3);
  r.clawed_points = Int(rs, 4);
  r.restored_points = Int(rs, 5);
  r.shortfall_points = Int(rs, 6);
  r.deduction_won = Int(rs, 7);
  r.cash_refund_won = Int(rs, 8);
  r.cancel = Bool(rs, 9);
  r.request_hash = Text(rs, 10);
  r.created_at_us = Int(rs, 11);
  return r;
}

Adjustment ReadAdjustment(const sql::ResultSet& rs) {
  Adjustment a;
  a.adjustment_id = Text(rs, 1);
  a.customer_id = Text(rs, 2);
  a.points = Int(rs, 3);
  a.reason_code = Text(rs, 4);
  a.note = Text(rs, 5);
  a.actor_name = Text(rs, 6);
  a.actor_role = Text(rs, 7);
  a.entry_id = Int(rs, 8);
  a.request_hash = Text(rs, 9);
  a.created_at_us = Int(rs, 10);
  return a;
}

Event ReadEvent(const sql::ResultSet& rs) {
  Event e;
  e.event_id = Int(rs, 1);
  e.customer_id = Text(rs, 2);
  e.seq = Int(rs, 3);
  e.type = Text(rs, 4);
  e.payload_json = Text(rs, 5);
  e.created_at_us = Int(rs, 6);
  return e;
}

IdempotencyRecord ReadIdempotency(const sql::ResultSet& rs) {
  IdempotencyRecord r;
  r.scope_key = Text(rs, 1);
  r.request_hash = Text(rs, 2);
  r.status_code = static_cast<int>(Int(rs, 3));
  r.response_body = Text(rs, 4);
  r.created_at_us = Int(rs, 5);
  r.expires_at_us = Int(rs, 6);
  return r;
}

ApiKey ReadApiKey(const sql::ResultSet& rs) {
  ApiKey k;
  k.name = Text(rs, 1);
  k.role = Text(rs, 2);
  k.key_hash = Text(rs, 3);
  k.created_at_us = Int(rs, 4);
  k.revoked_at_us = Int(rs, 5);
  return k;
}

}  // namespace

// --- orders and refunds ---

Result<std::optional<Order>> MysqlSession::FindOrder(const std::string& order_id) {
  const char* sql = tx_ == Tx::kWrite ? stmt::kFindOrderForUpdate : stmt::kFindOrder;
  return Looked(Run("find order", false, [&]() -> Result<std::optional<Order>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(sql)).Text(order_id).Query();
    return ReadFirst(*rs, &ReadOrder);
  }), "order:" + order_id);
}

Status MysqlSession::InsertOrder(const Order& o) {
  return Inserted(Run("insert order", true, [&] {
    Bind bind(Prepare(stmt::kInsertOrder));
    bind.Text(o.order_id).Text(o.customer_id);
    BindOrderBody(bind, o);
    bind.Update();
    return Status::Ok();
  }), "order:" + o.order_id);
}

Status MysqlSession::UpdateOrder(const Order& o) {
  return Run("update order", false, [&] {
    Bind bind(Prepare(stmt::kUpdateOrder));
    BindOrderBody(bind, o);
    bind.Text(o.order_id);
    return ExpectOne(bind.Update(), "order", o.order_id);
  });
}

Result<std::optional<Refund>> MysqlSession::FindRefund(const std::string& order_id,
                                                       const std::string& refund_id) {
  return Looked(Run("find refund", false, [&]() -> Result<std::optional<Refund>> {
    std::unique_ptr<sql::ResultSet> rs =
        Bind(Prepare(stmt::kFindRefund)).Text(order_id).Text(refund_id).Query();
    return ReadFirst(*rs, &ReadRefund);
  }), "refund:" + order_id + "/" + refund_id);
}

Status MysqlSession::InsertRefund(const Refund& r) {
  return Inserted(Run("insert refund", true, [&] {
    Bind(Prepare(stmt::kInsertRefund))
        .Text(r.order_id)
        .Text(r.refund_id)
        .Int(r.amount_won)
        .Int(r.clawed_points)
        .Int(r.restored_points)
        .Int(r.shortfall_points)
        .Int(r.deduction_won)
        .Int(r.cash_refund_won)
        .Bool(r.cancel)
        .Text(r.request_hash)
        .Int(r.created_at_us)
        .Update();
    return Status::Ok();
  }), "refund:" + r.order_id + "/" + r.refund_id);
}

Result<std::vector<Refund>> MysqlSession::ListRefunds(const std::string& order_id) {
  return Run("list refunds", false, [&]() -> Result<std::vector<Refund>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kListRefunds)).Text(order_id).Query();
    return ReadRows(*rs, &ReadRefund);
  });
}

// --- CS adjustments ---

Result<std::optional<Adjustment>> MysqlSession::FindAdjustment(const std::string& adjustment_id) {
  return Looked(Run("find adjustment", false, [&]() -> Result<std::optional<Adjustment>> {
    std::unique_ptr<sql::ResultSet> rs =
        Bind(Prepare(stmt::kFindAdjustment)).Text(adjustment_id).Query();
    return ReadFirst(*rs, &ReadAdjustment);
  }), "adjustment:" + adjustment_id);
}

Status MysqlSession::InsertAdjustment(const Adjustment& a) {
  return Inserted(Run("insert adjustment", true, [&] {
    Bind(Prepare(stmt::kInsertAdjustment))
        .Text(a.adjustment_id)
        .Text(a.customer_id)
        .Int(a.points)
        .Text(a.reason_code)
        .Text(a.note)
        .Text(a.actor_name)
        .Text(a.actor_role)
        .Int(a.entry_id)
        .Text(a.request_hash)
        .Int(a.created_at_us)
        .Update();
    return Status::Ok();
  }), "adjustment:" + a.adjustment_id);
}

// --- domain events ---

Result<int64_t> MysqlSession::AppendEvent(const Event& e) {
  return Run("append event", true, [&]() -> Result<int64_t> {
    return InsertReturningId(stmt::kAppendEvent, "event_id", [&](Bind& b) {
      b.Text(e.customer_id).Int(e.seq).Text(e.type).Text(e.payload_json).Int(e.created_at_us);
    });
  });
}

Result<std::vector<Event>> MysqlSession::ListEvents(const EventQuery& q) {
  return Run("list events", false, [&]() -> Result<std::vector<Event>> {
    const bool by_customer = !q.customer_id.empty();
    Bind bind(Prepare(by_customer ? stmt::kListEventsOfCustomer : stmt::kListEvents));
    if (by_customer) bind.Text(q.customer_id);
    std::unique_ptr<sql::ResultSet> rs = bind.Int(q.after_event_id).Int(PageLimit(q.limit)).Query();
    return ReadRows(*rs, &ReadEvent);
  });
}

// --- idempotency records ---

Result<std::optional<IdempotencyRecord>> MysqlSession::FindIdempotency(
    const std::string& scope_key) {
  return Looked(Run("find idempotency record", false, [&]() -> Result<std::optional<IdempotencyRecord>> {
    std::unique_ptr<sql::ResultSet> rs =
        Bind(Prepare(stmt::kFindIdempotency)).Text(scope_key).Query();
    return ReadFirst(*rs, &ReadIdempotency);
  }), "idempotency:" + scope_key);
}

Status MysqlSession::InsertIdempotency(const IdempotencyRecord& r) {
  return Inserted(Run("insert idempotency record", true, [&] {
    Bind(Prepare(stmt::kInsertIdempotency))
        .Text(r.scope_key)
        .Text(r.request_hash)
        .Int(r.status_code)
        .Text(r.response_body)
        .Int(r.created_at_us)
        .Int(r.expires_at_us)
        .Update();
    return Status::Ok();
  }), "idempotency:" + r.scope_key);
}

Result<int64_t> MysqlSession::PurgeIdempotency(Micros now_us) {
  return Run("purge idempotency records", false, [&]() -> Result<int64_t> {
    return Bind(Prepare(stmt::kPurgeIdempotency)).Int(now_us).Update();
  });
}

// --- API keys ---

Status MysqlSession::InsertApiKey(const ApiKey& k) {
  return Run("insert api key", true, [&] {
    Bind(Prepare(stmt::kInsertApiKey))
        .Text(k.name)
        .Text(k.role)
        .Text(k.key_hash)
        .Int(k.created_at_us)
        .Int(k.revoked_at_us)
        .Update();
    return Status::Ok();
  });
}

Result<std::optional<ApiKey>> MysqlSession::FindApiKeyByHash(const std::string& key_hash) {
  return Run("find api key", false, [&]() -> Result<std::optional<ApiKey>> {
    std::unique_ptr<sql::ResultSet> rs =
        Bind(Prepare(stmt::kFindApiKeyByHash)).Text(key_hash).Query();
    return ReadFirst(*rs, &ReadApiKey);
  });
}

Result<std::vector<ApiKey>> MysqlSession::ListApiKeys() {
  return Run("list api keys", false, [&]() -> Result<std::vector<ApiKey>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kListApiKeys)).Query();
    return ReadRows(*rs, &ReadApiKey);
  });
}

Status MysqlSession::RevokeApiKey(const std::string& name, Micros now_us) {
  // Revoking a revoked key again keeps the first revocation time (the row still matches).
  return Run("revoke api key", false, [&] {
    return ExpectOne(Bind(Prepare(stmt::kRevokeApiKey)).Int(now_us).Text(name).Update(), "api key",
                     name);
  });
}

}  // namespace loyalty::mysql
