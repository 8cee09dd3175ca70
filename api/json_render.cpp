#include "api/json_render.h"

#include "core/business_time.h"
#include "core/json_writer.h"
#include "core/tiers.h"

namespace loyalty {
namespace {

JsonWriter& StrOrNull(JsonWriter& w, std::string_view key, const std::string& value) {
  return value.empty() ? w.Null(key) : w.Str(key, value);
}

std::string RenderLot(const Lot& lot) {
  return JsonWriter()
      .Int("lot_id", lot.lot_id)
      .Int("points", lot.remaining_points)
      .Raw("expires_at", JsonInstantOrNull(lot.expires_at_us))
      .Finish();
}

std::string RenderStatus(const Status& s) {
  if (s.ok()) return "null";
  JsonWriter w;
  w.Str("code", CodeName(s.code())).Str("detail", s.message());
  StrOrNull(w, "field", s.field());
  return w.Finish();
}

std::string DateKeyJson(DateKey k) {
  return k == 0 ? "null" : JsonWriter::Quote(FormatLocalDate(FromDateKey(k)));
}

std::string RenderWindow(const Window& w) {
  return JsonWriter()
      .Str("start", FormatLocalDate(FromDateKey(w.start)))
      .Str("end", FormatLocalDate(FromDateKey(w.end)))
      .Finish();
}

std::string RenderTierProgress(const TierProgress& p) {
  JsonWriter w;
  w.Str("tier", p.tier)
      .Str("business_date", FormatLocalDate(p.business_date))
      .Raw("window", RenderWindow(p.window))
      .Int("qualifying_won", p.spend_won)
      .Int("orders", p.orders);
  if (p.next) {
    w.Raw("next", JsonWriter()
                      .Str("tier", p.next->tier)
                      .Int("threshold_won", p.next->threshold_won)
                      .Int("min_orders", p.next->min_orders)
                      .Int("gap_won", p.next->gap_won)
                      .Int("gap_orders", p.next->gap_orders)
                      .Raw("gap_valid_through", DateKeyJson(p.next->gap_valid_through))
                      .Finish());
  } else {
    w.Null("next");
  }
  if (p.keep) {
    JsonWriter k;
    k.Str("evaluation_date", FormatLocalDate(p.keep->evaluation_date))
        .Raw("window", RenderWindow(p.keep->window))
        .Int("counted_won", p.keep->counted_won)
        .Int("counted_orders", p.keep->counted_orders)
        .Int("needed_won", p.keep->needed_won)
        .Int("needed_orders", p.keep->needed_orders)
        .Bool("lifetime", p.keep->lifetime);
    if (p.keep->retained_until) {
      k.Str("retained_until", FormatLocalDate(*p.keep->retained_until));
    } else {
      k.Null("retained_until");
    }
    w.Raw("keep", k.Finish());
  } else {
    w.Null("keep");
  }
  return w.Finish();
}

std::string RenderCustomerImpl(const Customer& c, Points pending_points,
                               const std::vector<Lot>* next_expiring,
                               const TierProgress* progress = nullptr) {
  JsonWriter w;
  w.Str("customer_id", c.customer_id);
  if (c.birth_date) {
    w.Str("birth_date", *c.birth_date);
  } else {
    w.Null("birth_date");
  }
  w.Bool("marketing_consent", c.marketing_consent)
      .Bool("night_consent", c.night_consent)
      .Raw("consent_confirmed_at", JsonInstantOrNull(c.consent_confirmed_at_us))
      .Raw("consent_channel",
           c.consent_channel.empty() ? "null" : JsonWriter::Quote(c.consent_channel))
      .Str("tier", c.tier)
      .Raw("tier_since", JsonInstantOrNull(c.tier_since_us))
      .Int("available_points", c.available_points)
      .Int("pending_points", pending_points);
  if (next_expiring != nullptr) {
    std::vector<std::string> lots;
    for (const Lot& lot : *next_expiring) lots.push_back(RenderLot(lot));
    w.Raw("next_expiring", JsonArray(lots));
  }
  if (progress != nullptr) w.Raw("tier_progress", RenderTierProgress(*progress));
  w.Raw("created_at", JsonInstantOrNull(c.created_at_us))
      .Raw("updated_at", JsonInstantOrNull(c.updated_at_us));
  return w.Finish();
}

}  // namespace

std::string JsonArray(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ",";
    out += items[i];
  }
  return out + "]";
}

std::string JsonInstantOrNull(Micros t_us) {
  return t_us == 0 ? "null" : JsonWriter::Quote(FormatInstant(t_us));
}

std::string JsonCursorOrNull(int64_t id) {
  return id == 0 ? "null" : JsonWriter::Quote(std::to_string(id));
}

std::string RenderCustomer(const Customer& c) {
  return RenderCustomerImpl(c, c.pending_points, nullptr);
}

std::string RenderCustomerView(const CustomerView& v) {
  return RenderCustomerImpl(v.customer, v.pending_points, &v.next_expiring, &v.progress);
}

std::string RenderTierChange(const TierChange& c) {
  return JsonWriter()
      .Int("change_id", c.change_id)
      .Str("from_tier", c.from_tier)
      .Str("to_tier", c.to_tier)
      .Str("kind", c.kind)
      .Str("reason", c.reason)
      .Raw("window", RenderWindow(Window{c.window_start, c.window_end}))
      .Int("qualifying_won", c.qualifying_won)
      .Int("threshold_won", c.threshold_won)
      .Int("order_count", c.order_count)
      .Str("policy", c.policy)
      .Int("rule_version", c.rule_version)
      .Str("business_date", FormatLocalDate(FromDateKey(c.business_date)))
      .Raw("created_at", JsonInstantOrNull(c.created_at_us))
      .Finish();
}

std::string RenderOrder(const Order& o, const std::vector<Refund>* refunds) {
  JsonWriter w;
  w.Str("order_id", o.order_id)
      .Str("customer_id", o.customer_id)
      .Str("status", OrderStatusName(o.status))
      .Int("amount_won", o.amount_won)
      .Int("shipping_won", o.shipping_won)
      .Int("points_redeemed", o.points_redeemed)
      .Int("coupon_discount_won", o.coupon_discount_won)
      .Raw("coupon_codes", JsonStringArray(o.coupon_codes))
      .Int("paid_won", o.paid_won)
      .Int("earn_rate_bp", o.earn_rate_bp)
      .Int("rule_version", o.rule_version)
      .Str("tier_at_order", o.tier_at_order)
      .Int("earn_points", o.earn_points)
      .Bool("earn_activated", o.earn_activated)
      .Int("clawback_requested_points", o.clawback_requested_points)
      .Int("earn_clawed_points", o.earn_clawed_points)
      .Int("shortfall_points", o.shortfall_points)
      .Int("restored_points", o.restored_points)
      .Int("restored_expired_points", o.restored_expired_points)
      .Int("refunded_won", o.refunded_won)
      .Int("qualifying_won", o.qualifying_won)
      .Raw("placed_at", JsonInstantOrNull(o.placed_at_us))
      .Raw("confirmed_at", JsonInstantOrNull(o.confirmed_at_us))
      .Raw("cancelled_at", JsonInstantOrNull(o.cancelled_at_us));
  if (refunds != nullptr) {
    std::vector<std::string> items;
    for (const Refund& r : *refunds) items.push_back(RenderRefund(r));
    w.Raw("refunds", JsonArray(items));
  }
  return w.Finish();
}

std::string RenderRefund(const Refund& r) {
  return JsonWriter()
      .Str("order_id", r.order_id)
      .Str("refund_id", r.refund_id)
      .Bool("cancel", r.cancel)
      .Int("amount_won", r.amount_won)
      .Int("clawback_requested_points", r.clawback_requested_points)
      .Int("clawed_points", r.clawed_points)
      .Int("shortfall_points", r.shortfall_points)
      .Int("deduction_won", r.deduction_won)
      .Int("restored_points", r.restored_points)
      .Int("restored_expired_points", r.restored_expired_points)
      .Int("cash_refund_won", r.cash_refund_won)
      .Raw("created_at", JsonInstantOrNull(r.created_at_us))
      .Finish();
}

std::string RenderQuote(const std::string& customer_id, const Quote& q) {
  JsonWriter w;
  w.Str("customer_id", customer_id)
      .Str("tier", q.tier)
      .Int("earn_rate_bp", q.earn_rate_bp)
      .Int("available_points", q.available_points)
      .Int("max_redeemable_points", q.max_redeemable_points)
      .Int("points_to_redeem", q.points_to_redeem)
      .Int("paid_won", q.paid_won)
      .Int("earn_points", q.earn_points)
      .Bool("redeemable", q.redeem_status.ok())
      .Raw("redeem_error", RenderStatus(q.redeem_status))
      .Int("coupon_discount_won", q.coupon_discount_won)
      .Raw("coupon_codes", JsonStringArray(q.coupon_codes))
      .Bool("coupon_applicable", q.coupon_status.ok())
      .Raw("coupon_error", RenderStatus(q.coupon_status));
  if (q.next_threshold) {
    w.Raw("next_threshold", JsonWriter()
                                .Int("threshold_won", q.next_threshold->threshold_won)
                                .Str("label", q.next_threshold->label)
                                .Int("gap_won", q.next_threshold->gap_won)
                                .Finish());
  } else {
    w.Null("next_threshold");
  }
  w.Int("qualifying_won", q.qualifying_won);
  StrOrNull(w, "tier_on_confirmation", q.tier_on_confirmation);
  w.Int("gap_to_next_tier_won", q.gap_to_next_tier_won);
  return w.Finish();
}

std::string RenderEntry(const Entry& e) {
  std::vector<std::string> allocations;
  for (const Allocation& a : e.allocations) {
    allocations.push_back(JsonWriter().Int("lot_id", a.lot_id).Int("points", a.points).Finish());
  }
  JsonWriter w;
  w.Int("entry_id", e.entry_id)
      .Str("customer_id", e.customer_id)
      .Str("kind", EntryKindName(e.kind))
      .Int("pending_delta", e.pending_delta)
      .Int("available_delta", e.available_delta);
  StrOrNull(w, "order_id", e.order_id);
  StrOrNull(w, "ref_id", e.ref_id);
  StrOrNull(w, "reason", e.reason);
  w.Str("actor", e.actor)
      .Raw("created_at", JsonInstantOrNull(e.created_at_us))
      .Raw("allocations", JsonArray(allocations));
  return w.Finish();
}

std::string RenderAdjustment(const Adjustment& a) {
  JsonWriter w;
  w.Str("adjustment_id", a.adjustment_id)
      .Str("customer_id", a.customer_id)
      .Int("points", a.points)
      .Str("reason_code", a.reason_code);
  StrOrNull(w, "note", a.note);
  w.Str("actor_name", a.actor_name)
      .Str("actor_role", a.actor_role)
      .Int("entry_id", a.entry_id)
      .Raw("created_at", JsonInstantOrNull(a.created_at_us));
  return w.Finish();
}

std::string RenderEvent(const Event& e) {
  return JsonWriter()
      .Int("event_id", e.event_id)
      .Str("customer_id", e.customer_id)
      .Int("seq", e.seq)
      .Str("type", e.type)
      .Raw("payload", e.payload_json.empty() ? "{}" : e.payload_json)
      .Raw("created_at", JsonInstantOrNull(e.created_at_us))
      .Finish();
}

std::string JsonStringArray(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  quoted.reserve(items.size());
  for (const std::string& s : items) quoted.push_back(JsonWriter::Quote(s));
  return JsonArray(quoted);
}

std::string RenderCoupon(const Coupon& c) {
  JsonWriter w;
  w.Str("code", c.code).Str("template", c.template_code);
  StrOrNull(w, "customer_id", c.customer_id);
  w.Str("status", CouponStatusName(c.status))
      .Raw("issued_at", JsonInstantOrNull(c.issued_at_us))
      .Raw("valid_from", JsonInstantOrNull(c.valid_from_us))
      .Raw("valid_until", JsonInstantOrNull(c.valid_until_us));
  StrOrNull(w, "order_id", c.order_id);
  w.Int("discount_won", c.discount_won).Raw("redeemed_at", JsonInstantOrNull(c.redeemed_at_us));
  StrOrNull(w, "batch_id", c.batch_id);
  StrOrNull(w, "reason", c.reason);
  w.Str("issued_by", c.issued_by);
  return w.Finish();
}

std::string RenderCouponBatch(const CouponBatch& b) {
  return JsonWriter()
      .Str("batch_id", b.batch_id)
      .Str("template", b.template_code)
      .Str("status", b.status)
      .Int("requested", b.requested)
      .Int("issued", b.issued)
      .Bool("unassigned", b.customer_ids.empty())
      .Str("reason", b.reason)
      .Str("issued_by", b.issued_by)
      .Raw("created_at", JsonInstantOrNull(b.created_at_us))
      .Raw("finished_at", JsonInstantOrNull(b.finished_at_us))
      .Finish();
}

std::string RenderMessage(const Message& m) {
  JsonWriter w;
  w.Int("message_id", m.message_id)
      .Str("customer_id", m.customer_id)
      .Str("type", m.type)
      .Str("category", MessageCategoryName(m.category))
      .Str("template_code", m.template_code)
      .Raw("variables", m.variables_json.empty() ? "{}" : m.variables_json)
      .Str("text", m.text);
  StrOrNull(w, "sms_text", m.sms_text);
  w.Str("dedupe_key", m.dedupe_key).Str("status", MessageStatusName(m.status));
  StrOrNull(w, "status_reason", m.status_reason);
  w.Raw("created_at", JsonInstantOrNull(m.created_at_us))
      .Raw("not_before", JsonInstantOrNull(m.not_before_us))
      .Int("attempts", m.attempts);
  StrOrNull(w, "last_error", m.last_error);
  w.Raw("lease_until", JsonInstantOrNull(m.lease_until_us))
      .Raw("delivered_at", JsonInstantOrNull(m.delivered_at_us));
  return w.Finish();
}

std::string RenderMessagePage(const std::vector<Message>& messages, int64_t after, int limit) {
  std::vector<std::string> items;
  items.reserve(messages.size());
  for (const Message& m : messages) items.push_back(RenderMessage(m));
  const int64_t next = messages.empty() ? after : messages.back().message_id;
  return JsonWriter()
      .Raw("messages", JsonArray(items))
      .Str("next_cursor", std::to_string(next))
      .Bool("has_more", static_cast<int>(messages.size()) >= limit)
      .Finish();
}

}  // namespace loyalty
