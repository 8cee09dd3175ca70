// SqlSession: orders, refunds and CS adjustments.
#include <string>
#include <utility>
#include <vector>

#include "store/sql/sql_session.h"
#include "store/sql/statements_export.h"
#include "store/sql/statements_ledger.h"

namespace loyalty::sql {

namespace {

Order ReadOrder(const Statement& s) {
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
  const std::string codes = s.Text(24);  // comma-separated
  for (size_t start = 0; start < codes.size();) {
    size_t comma = codes.find(',', start);
    if (comma == std::string::npos) comma = codes.size();
    o.coupon_codes.push_back(codes.substr(start, comma - start));
    start = comma + 1;
  }
  o.clawback_requested_points = s.Int(25);
  o.restored_expired_points = s.Int(26);
  return o;
}

// The columns after order_id and customer_id, in LOYALTY_SQL_ORDER_COLUMNS order (insert and
// update alike).
void BindOrderBody(Statement& s, const Order& o) {
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
  std::string codes;  // comma-separated
  for (const std::string& c : o.coupon_codes) codes += (codes.empty() ? "" : ",") + c;
  s.BindText(codes);
  s.BindInt(o.clawback_requested_points);
  s.BindInt(o.restored_expired_points);
}

Refund ReadRefund(const Statement& s) {
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
  r.clawback_requested_points = s.Int(11);
  r.restored_expired_points = s.Int(12);
  return r;
}

Adjustment ReadAdjustment(const Statement& s) {
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

}  // namespace

// --- orders and refunds ---

Result<std::optional<Order>> SqlSession::FindOrder(const std::string& order_id) {
  // Inside a write transaction the row stays locked until it ends (MySQL: FOR UPDATE).
  return Looked(QueryOne(
                    stmt::kFindOrder, Variant::kForUpdate,
                    [&](Statement& s) { s.BindText(order_id); }, &ReadOrder),
                "order:" + order_id);
}

Status SqlSession::InsertOrder(const Order& o) {
  Result<int64_t> inserted = Execute(stmt::kInsertOrder, [&](Statement& s) {
    s.BindText(o.order_id);
    s.BindText(o.customer_id);
    BindOrderBody(s, o);
  });
  return Inserted(inserted.status(), "order:" + o.order_id);
}

Status SqlSession::UpdateOrder(const Order& o) {
  return ExecuteOne(
      stmt::kUpdateOrder,
      [&](Statement& s) {
        BindOrderBody(s, o);
        s.BindText(o.order_id);
      },
      "order", o.order_id);
}

Result<std::optional<Refund>> SqlSession::FindRefund(const std::string& order_id,
                                                     const std::string& refund_id) {
  return Looked(QueryOne(
                    stmt::kFindRefund, Variant::kPlain,
                    [&](Statement& s) {
                      s.BindText(order_id);
                      s.BindText(refund_id);
                    },
                    &ReadRefund),
                "refund:" + order_id + "/" + refund_id);
}

Status SqlSession::InsertRefund(const Refund& r) {
  Result<int64_t> inserted = Execute(stmt::kInsertRefund, [&](Statement& s) {
    s.BindText(r.order_id);
    s.BindText(r.refund_id);
    s.BindInt(r.amount_won);
    s.BindInt(r.clawed_points);
    s.BindInt(r.restored_points);
    s.BindInt(r.shortfall_points);
    s.BindInt(r.deduction_won);
    s.BindInt(r.cash_refund_won);
    s.BindBool(r.cancel);
    s.BindText(r.request_hash);
    s.BindInt(r.created_at_us);
    s.BindInt(r.clawback_requested_points);
    s.BindInt(r.restored_expired_points);
  });
  return Inserted(inserted.status(), "refund:" + r.order_id + "/" + r.refund_id);
}

Result<std::vector<Refund>> SqlSession::ListRefunds(const std::string& order_id) {
  return QueryRows(
      stmt::kListRefunds, [&](Statement& s) { s.BindText(order_id); }, &ReadRefund);
}

// --- CS adjustments ---

Result<std::optional<Adjustment>> SqlSession::FindAdjustment(const std::string& adjustment_id) {
  return Looked(QueryOne(
                    stmt::kFindAdjustment, Variant::kPlain,
                    [&](Statement& s) { s.BindText(adjustment_id); }, &ReadAdjustment),
                "adjustment:" + adjustment_id);
}

Status SqlSession::InsertAdjustment(const Adjustment& a) {
  Result<int64_t> inserted = Execute(stmt::kInsertAdjustment, [&](Statement& s) {
    s.BindText(a.adjustment_id);
    s.BindText(a.customer_id);
    s.BindInt(a.points);
    s.BindText(a.reason_code);
    s.BindText(a.note);
    s.BindText(a.actor_name);
    s.BindText(a.actor_role);
    s.BindInt(a.entry_id);
    s.BindText(a.request_hash);
    s.BindInt(a.created_at_us);
  });
  return Inserted(inserted.status(), "adjustment:" + a.adjustment_id);
}

// --- export pages (ExportQueries) ---

namespace {

// LOYALTY_SQL_ORDER_COLUMNS, then the newest refund's instant.
OrderPageRow ReadOrderPageRow(const Statement& s) {
  OrderPageRow row;
  row.order = ReadOrder(s);
  row.last_refund_at_us = s.Int(27);
  return row;
}

}  // namespace

Result<std::vector<OrderPageRow>> SqlSession::ListOrderPage(const OrderPageQuery& q) {
  return QueryRows(
      stmt::kListOrderPage,
      [&](Statement& s) {
        s.BindText(q.after_order_id);
        s.BindInt(q.placed_from_us);
        s.BindInt(UpperBound(q.placed_before_us));
        s.BindInt(ExportPageLimit(q.limit));
      },
      &ReadOrderPageRow);
}

}  // namespace loyalty::sql
