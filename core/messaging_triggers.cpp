// Writing messages: EnqueueMessage (render, rules, caps, outbox row, event), the ledger's hooks
// (sign-up, order, birthday coupon), cart events and the daily job's steps (tier nudges, staged
// expiry notices, lifecycle triggers). Every function runs inside a write transaction with the
// customer locked before any of its messages is written.
#include <date/date.h>

#include <algorithm>
#include <map>

#include "core/json_writer.h"
#include "core/ledger_internal.h"
#include "core/limits.h"
#include "core/messaging.h"
#include "core/tiers.h"

namespace loyalty {
using namespace internal;

namespace internal {

std::string MessageEventPayload(const Message& m) {
  JsonWriter w;
  w.Int("message_id", m.message_id)
      .Str("type", m.type)
      .Str("category", MessageCategoryName(m.category))
      .Str("template", m.template_code)
      .Str("dedupe_key", m.dedupe_key)
      .Str("not_before", FormatInstant(m.not_before_us));
  if (!m.status_reason.empty()) w.Str("reason", m.status_reason);
  return w.Finish();
}

}  // namespace internal

namespace {

using MaybeWrite = std::optional<MessageWrite>;

int DaysBetween(const LocalDate& from, const LocalDate& to) {
  auto day = [](const LocalDate& d) {
    return date::sys_days{date::year{d.year} / date::month{static_cast<unsigned>(d.month)} /
                          date::day{static_cast<unsigned>(d.day)}};
  };
  return static_cast<int>((day(to) - day(from)).count());
}

std::string DateKeyText(DateKey k) { return std::to_string(k); }

// An instant inside business date d for reads "as of d": now when today is d, else the last
// microsecond of d.
Micros AsOf(const LocalDate& d, const Ctx& ctx) {
  const std::string& tz = ctx.program.time_zone;
  if (BusinessDate(ctx.now_us, tz) == d) return ctx.now_us;
  return StartOfDay(AddDays(d, 1), tz) - 1;
}

void AddCouponSlots(const Coupon& coupon, const Ctx& ctx,
                    std::map<std::string, std::string>& vars) {
  const CouponTemplate* t = ctx.program.FindCouponTemplate(coupon.template_code);
  vars["coupon_code"] = coupon.code;
  vars["coupon_name"] = t != nullptr ? t->name : coupon.template_code;
  // valid_until is exclusive: the last day it may be used.
  vars["coupon_valid_until"] =
      FormatLocalDate(BusinessDate(coupon.valid_until_us - 1, ctx.program.time_zone));
}

// The trigger's message, with its coupon first when the trigger names one (the coupon's dedupe
// key is the message's, so a rerun issues nothing twice). Nothing when the trigger is off.
Result<MaybeWrite> Fire(Session& s, Customer& c, MessageRequest r, const Ctx& ctx) {
  const TriggerSettings* t = ctx.program.messaging.Enabled(r.type);
  if (t == nullptr || ctx.history) return MaybeWrite{};
  if (!t->coupon_template.empty()) {
    IssueCouponRequest ir;
    ir.customer_id = c.customer_id;
    ir.template_code = t->coupon_template;
    ir.reason = r.type;
    ir.dedupe_key = r.dedupe_key;
    LOYALTY_ASSIGN_OR_RETURN(CouponIssue issue, IssueCouponTo(s, &c, ir, ctx));
    AddCouponSlots(issue.coupon, ctx, r.variables);
  }
  return EnqueueMessage(s, c, r, ctx);
}

bool Written(const MaybeWrite& w) { return w.has_value() && !w->replayed; }

// Saves c when something appended to its history.
Status SaveIfChanged(Session& s, Customer& c, int64_t seq_before, const Ctx& ctx) {
  if (c.event_seq == seq_before) return Status::Ok();
  return SaveCustomer(s, c, ctx);
}

std::string TierName(const Program& p, const std::string& code) {
  const TierRule* t = p.FindTier(code);
  return t != nullptr ? t->name : code;
}

}  // namespace

Result<std::optional<MessageWrite>> EnqueueMessage(Session& s, Customer& c, const MessageRequest& r,
                                                   const Ctx& ctx) {
  const Program& p = ctx.program;
  const TriggerSettings* t = p.messaging.Enabled(r.type);
  if (t == nullptr || ctx.history) return MaybeWrite{};
  if (r.dedupe_key.empty()) return Status::Invalid("dedupe_key", "is required");
  std::optional<Message> prior;
  if (!r.dedupe_checked) {
    LOYALTY_ASSIGN_OR_RETURN(prior, s.FindMessageByDedupeKey(r.dedupe_key));
    if (prior) return MaybeWrite{MessageWrite{std::move(*prior), true}};
  }
  const MessageTemplate* tmpl = p.messaging.FindTemplate(t->template_code);
  if (tmpl == nullptr) {
    return Status(Code::kInternal, "the " + r.type + " trigger names no template of the programme");
  }
  std::map<std::string, std::string> vars = r.variables;
  vars["customer_id"] = c.customer_id;
  vars["tier"] = c.tier;
  vars["tier_name"] = TierName(p, c.tier);
  vars["sender"] = SenderText(p.messaging);
  vars["opt_out"] = p.messaging.opt_out;

  Message m;
  m.customer_id = c.customer_id;
  m.type = r.type;
  m.category = tmpl->category;
  m.template_code = tmpl->code;
  JsonWriter w;
  for (const auto& [k, v] : vars) w.Str(k, v);
  m.variables_json = w.Finish();
  m.text = RenderTemplate(tmpl->text, vars);
  if (!tmpl->sms_text.empty()) m.sms_text = RenderTemplate(tmpl->sms_text, vars);
  m.dedupe_key = r.dedupe_key;
  m.created_at_us = ctx.now_us;
  m.updated_at_us = ctx.now_us;

  const DeliveryDecision d = DecideDelivery(
      tmpl->category, c, r.earliest_us > 0 ? r.earliest_us : ctx.now_us, p.time_zone);
  m.not_before_us = d.not_before_us;
  if (d.suppress) {
    m.status = MessageStatus::kSuppressed;
    m.status_reason = d.reason;
  } else if (r.type != kMsgConsentReconfirm && r.type != kMsgConsentChanged) {
    // Caps per KST day of creation; suppressed and cancelled messages do not count. The consent
    // notices the law asks for are never capped.
    const Micros day_start = StartOfDay(BusinessDate(ctx.now_us, p.time_zone), p.time_zone);
    bool over = false;
    if (p.messaging.daily_cap_per_customer > 0) {
      LOYALTY_ASSIGN_OR_RETURN(int64_t n, s.CountMessagesSince(c.customer_id, "", day_start));
      over = n >= p.messaging.daily_cap_per_customer;
    }
    if (!over && t->daily_cap > 0) {
      LOYALTY_ASSIGN_OR_RETURN(int64_t n, s.CountMessagesSince(c.customer_id, r.type, day_start));
      over = n >= t->daily_cap;
    }
    if (over) {
      m.status = MessageStatus::kSuppressed;
      m.status_reason = "frequency_cap";
    }
  }
  auto id = s.InsertMessage(m);
  if (!id.ok()) {
    if (id.status().code() != Code::kAlreadyExists) return id.status();
    // Another transaction wrote the same cause first.
    LOYALTY_ASSIGN_OR_RETURN(prior, s.FindMessageByDedupeKey(r.dedupe_key));
    if (!prior) return id.status();
    return MaybeWrite{MessageWrite{std::move(*prior), true}};
  }
  m.message_id = *id;
  if (ctx.tally != nullptr) {
    ++ctx.tally->messages[m.type];
    if (m.status == MessageStatus::kSuppressed) ++ctx.tally->messages_suppressed;
  }
  LOYALTY_RETURN_IF_ERROR(AppendEvent(
      s, c, m.status == MessageStatus::kSuppressed ? "message.suppressed" : "message.created",
      MessageEventPayload(m), ctx));
  return MaybeWrite{MessageWrite{std::move(m), false}};
}

Status OnCustomerCreated(Session& s, Customer& c, const Ctx& ctx) {
  if (ctx.program.messaging.Enabled(kMsgWelcome) == nullptr) return Status::Ok();
  MessageRequest r;
  r.type = kMsgWelcome;
  r.dedupe_key = "welcome:" + c.customer_id;
  LOYALTY_ASSIGN_OR_RETURN(MaybeWrite w, Fire(s, c, std::move(r), ctx));
  (void)w;
  return Status::Ok();
}

Status OnOrderPlaced(Session& s, Customer& c, const Order& o, const Ctx& ctx) {
  // Reminders written while the trigger was on are cancelled even if it is off now.
  if (ctx.program.messaging.Trigger(kMsgCartReminder) == nullptr) return Status::Ok();
  MessageQuery q;
  q.customer_id = c.customer_id;
  q.status = MessageStatus::kPending;
  q.type = kMsgCartReminder;
  q.limit = kMaxPageSize;
  for (;;) {
    LOYALTY_ASSIGN_OR_RETURN(std::vector<Message> page, s.ListMessages(q));
    for (Message& m : page) {
      q.after_message_id = m.message_id;
      if (m.status != MessageStatus::kPending) continue;
      m.status = MessageStatus::kCancelled;
      m.status_reason = "order_placed";
      m.updated_at_us = ctx.now_us;
      LOYALTY_RETURN_IF_ERROR(s.UpdateMessage(m));
      std::string payload = MessageEventPayload(m);
      payload.pop_back();  // add the order to the object
      payload += ",\"order_id\":" + JsonWriter::Quote(o.order_id) + "}";
      LOYALTY_RETURN_IF_ERROR(AppendEvent(s, c, "message.cancelled", payload, ctx));
    }
    if (static_cast<int>(page.size()) < q.limit) break;
  }
  return Status::Ok();
}

Status OnBirthdayCoupon(Session& s, Customer& c, const Coupon& coupon, const LocalDate& d,
                        const Ctx& ctx) {
  if (ctx.program.messaging.Enabled(kMsgBirthday) == nullptr) return Status::Ok();
  MessageRequest r;
  r.type = kMsgBirthday;
  r.dedupe_key = "birthday:" + c.customer_id + ":" + std::to_string(d.year);
  AddCouponSlots(coupon, ctx, r.variables);
  LOYALTY_ASSIGN_OR_RETURN(MaybeWrite w, EnqueueMessage(s, c, r, ctx));
  (void)w;
  return Status::Ok();
}

Result<std::optional<MessageWrite>> RecordCart(Session& s, const CartEvent& e, const Ctx& ctx) {
  LOYALTY_RETURN_IF_ERROR(CheckId("customer_id", e.customer_id));
  LOYALTY_RETURN_IF_ERROR(CheckId("cart_id", e.cart_id));
  if (e.amount_won < 0 || e.amount_won > kMaxOrderAmountWon) {
    return Status::Invalid("amount_won", "must be 0 to 10,000,000,000 won");
  }
  if (e.items < 0 || e.items > 100000) return Status::Invalid("items", "must be 0 to 100000");
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, e.customer_id));  // locks the customer
  const TriggerSettings* t = ctx.program.messaging.Enabled(kMsgCartReminder);
  if (t == nullptr) return MaybeWrite{};
  MessageRequest r;
  r.type = kMsgCartReminder;
  r.dedupe_key = "cart_reminder:" + c.customer_id + ":" + e.cart_id;
  r.earliest_us = ctx.now_us + int64_t{t->minutes} * kMinuteUs;
  r.variables = {{"cart_id", e.cart_id},
                 {"cart_amount_won", FormatWon(e.amount_won)},
                 {"cart_items", std::to_string(e.items)}};
  const int64_t seq = c.event_seq;
  LOYALTY_ASSIGN_OR_RETURN(MaybeWrite w, Fire(s, c, std::move(r), ctx));
  LOYALTY_RETURN_IF_ERROR(SaveIfChanged(s, c, seq, ctx));
  return w;
}

Result<bool> NudgeTier(Session& s, const std::string& customer_id, const LocalDate& d,
                       const Ctx& ctx) {
  const Program& p = ctx.program;
  const TriggerSettings* near = p.messaging.Enabled(kMsgTierNear);
  const bool at_risk = p.messaging.Enabled(kMsgTierAtRisk) != nullptr;
  if (near == nullptr && !at_risk) return false;
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, customer_id));
  const Ctx as_of{p, AsOf(d, ctx), ctx.actor, ctx.random};
  // What ComputeProgress will say, as far as it is known before summing any spend (its
  // business date is d): which message could be due, and its dedupe key. A key already used
  // means nothing to write for that message (EnqueueMessage would replay it), so a rerun on
  // the same month costs a look-up, and the spend is summed only for a message still possible.
  const size_t idx = TierIndex(p, c.tier);
  std::string near_key;
  if (near != nullptr && idx + 1 < p.tiers.size()) {
    near_key = "tier_near:" + c.customer_id + ":" + p.tiers[idx + 1].code + ":" +
               std::to_string(ToDateKey(d) / 100);
    LOYALTY_ASSIGN_OR_RETURN(std::optional<Message> prior, s.FindMessageByDedupeKey(near_key));
    if (prior) near_key.clear();
  }
  std::string risk_key;
  if (at_risk && idx > 0 && p.tiers[idx].downgradable) {  // else Keep::lifetime or no keep
    const LocalDate eval = NextEvaluationDate(p.tiering, d);
    const int days_left = DaysBetween(d, eval);
    if (!(eval < RetainedUntil(p, c.tier_since_us)) && days_left >= 0 &&
        days_left <= p.messaging.tier_at_risk_days) {
      risk_key = "tier_at_risk:" + c.customer_id + ":" + DateKeyText(ToDateKey(eval));
      LOYALTY_ASSIGN_OR_RETURN(std::optional<Message> prior, s.FindMessageByDedupeKey(risk_key));
      if (prior) risk_key.clear();
    }
  }
  if (near_key.empty() && risk_key.empty()) return false;
  LOYALTY_ASSIGN_OR_RETURN(TierProgress progress,
                           ComputeProgress(s, c, as_of, /*with_keep=*/!risk_key.empty()));
  const int64_t seq = c.event_seq;
  bool wrote = false;

  if (!near_key.empty() && progress.next && progress.next->gap_won > 0) {
    const TierProgress::Next& n = *progress.next;
    if (WithinNudgeDistance(*near, n.gap_won, n.threshold_won)) {
      std::string valid_through;
      if (n.gap_valid_through != 0) {
        valid_through = FormatLocalDate(FromDateKey(n.gap_valid_through));
      } else if (p.tiering.window == WindowKind::kCalendarYear) {
        valid_through = FormatLocalDate(LocalDate{d.year, 12, 31});
      }
      MessageRequest r;
      r.type = kMsgTierNear;
      r.dedupe_key = std::move(near_key);
      r.dedupe_checked = true;
      r.variables = {{"next_tier", n.tier},
                     {"next_tier_name", TierName(p, n.tier)},
                     {"gap_won", FormatWon(n.gap_won)},
                     {"threshold_won", FormatWon(n.threshold_won)},
                     {"spend_won", FormatWon(progress.spend_won)},
                     {"valid_through", valid_through}};
      LOYALTY_ASSIGN_OR_RETURN(MaybeWrite w, Fire(s, c, std::move(r), ctx));
      wrote = wrote || Written(w);
    }
  }

  if (!risk_key.empty() && progress.keep) {
    const TierProgress::Keep& k = *progress.keep;
    const int days_left = DaysBetween(d, k.evaluation_date);
    if (!k.lifetime && !k.retained_until && (k.needed_won > 0 || k.needed_orders > 0) &&
        days_left >= 0 && days_left <= p.messaging.tier_at_risk_days) {
      MessageRequest r;
      r.type = kMsgTierAtRisk;
      r.dedupe_key = std::move(risk_key);
      r.dedupe_checked = true;
      r.variables = {{"evaluation_date", FormatLocalDate(k.evaluation_date)},
                     {"needed_won", FormatWon(k.needed_won)},
                     {"needed_orders", std::to_string(k.needed_orders)}};
      LOYALTY_ASSIGN_OR_RETURN(MaybeWrite w, Fire(s, c, std::move(r), ctx));
      wrote = wrote || Written(w);
    }
  }
  LOYALTY_RETURN_IF_ERROR(SaveIfChanged(s, c, seq, ctx));
  return wrote;
}

Result<bool> NotifyExpiringPoints(Session& s, const std::string& customer_id, const LocalDate& d,
                                  const Ctx& ctx) {
  const Program& p = ctx.program;
  const TriggerSettings* t = p.messaging.Enabled(kMsgPointsExpiring);
  if (t == nullptr || t->stages.empty()) return false;
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, customer_id));
  const Ctx as_of{p, AsOf(d, ctx), ctx.actor, ctx.random};
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Lot> lots, LiveLots(s, customer_id, as_of));
  // Lots grouped by the last day they may be used (expires_at is exclusive).
  std::map<DateKey, Points> by_date;
  for (const Lot& l : lots) {
    if (l.expires_at_us == 0 || l.remaining_points <= 0) continue;
    by_date[ToDateKey(BusinessDate(l.expires_at_us - 1, p.time_zone))] += l.remaining_points;
  }
  std::vector<int32_t> stages = t->stages;
  std::sort(stages.begin(), stages.end());
  const int64_t seq = c.event_seq;
  bool wrote = false;
  for (const auto& [date_key, points] : by_date) {
    const LocalDate expires_on = FromDateKey(date_key);
    const int days_left = DaysBetween(d, expires_on);
    if (days_left < 0) continue;
    auto stage = std::lower_bound(stages.begin(), stages.end(), days_left);
    if (stage == stages.end()) continue;  // not yet within the first notice
    MessageRequest r;
    r.type = kMsgPointsExpiring;
    r.dedupe_key = "points_expiring:" + c.customer_id + ":" + DateKeyText(date_key) + ":" +
                   std::to_string(*stage);
    r.variables = {{"points", FormatWon(points)},
                   {"expires_on", FormatLocalDate(expires_on)},
                   {"days_left", std::to_string(days_left)}};
    LOYALTY_ASSIGN_OR_RETURN(MaybeWrite w, Fire(s, c, std::move(r), ctx));
    if (!Written(w)) continue;
    wrote = true;
    LOYALTY_RETURN_IF_ERROR(AppendEvent(s, c, "points.expiry_notice",
                                        JsonWriter()
                                            .Int("message_id", w->message.message_id)
                                            .Int("points", points)
                                            .Str("expires_on", FormatLocalDate(expires_on))
                                            .Int("stage", *stage)
                                            .Int("days_left", days_left)
                                            .Str("status", MessageStatusName(w->message.status))
                                            .Finish(),
                                        ctx));
  }
  LOYALTY_RETURN_IF_ERROR(SaveIfChanged(s, c, seq, ctx));
  return wrote;
}

std::vector<LifecycleDue> DueLifecycle(const Program& p, const CustomerActivity& a,
                                       const LocalDate& d) {
  std::vector<LifecycleDue> out;
  const MessagingSettings& m = p.messaging;
  // Due `days` after the cause's business date; still due catch_up_days later.
  auto due = [&](const TriggerSettings* t, Micros cause_us, int* days_since) {
    if (t == nullptr || cause_us == 0) return false;
    const LocalDate cause = BusinessDate(cause_us, p.time_zone);
    const int since = DaysBetween(cause, d);
    *days_since = since;
    return since >= t->days && since <= t->days + m.catch_up_days;
  };
  int since = 0;
  if (a.orders == 0 && a.last_order_at_us == 0 &&
      due(m.Enabled(kMsgFirstPurchaseReminder), a.created_at_us, &since)) {
    out.push_back({kMsgFirstPurchaseReminder,
                   "first_purchase_reminder:" + a.customer_id,
                   {{"days_since_signup", std::to_string(since)}}});
  }
  if (!a.first_confirmed_order_id.empty() &&
      due(m.Enabled(kMsgReviewRequest), a.first_confirmed_at_us, &since)) {
    out.push_back({kMsgReviewRequest,
                   "review_request:" + a.customer_id,
                   {{"order_id", a.first_confirmed_order_id}}});
  }
  if (!a.last_order_id.empty() &&
      due(m.Enabled(kMsgRepurchaseReminder), a.last_order_at_us, &since)) {
    out.push_back(
        {kMsgRepurchaseReminder,
         "repurchase_reminder:" + a.customer_id + ":" + a.last_order_id,
         {{"days_since_last_order", std::to_string(since)}, {"last_order_id", a.last_order_id}}});
  }
  if (!a.last_order_id.empty() && due(m.Enabled(kMsgWinback), a.last_order_at_us, &since)) {
    out.push_back({kMsgWinback,
                   "winback:" + a.customer_id + ":" + a.last_order_id,
                   {{"days_since_last_order", std::to_string(since)}}});
  }
  return out;
}

Result<int64_t> RunLifecycle(Session& s, const CustomerActivity& a, const LocalDate& d,
                             const Ctx& ctx) {
  if (DueLifecycle(ctx.program, a, d).empty()) return int64_t{0};
  LOYALTY_ASSIGN_OR_RETURN(Customer c, LoadCustomer(s, a.customer_id));
  // Decide again from the activity as it is under the customer's lock: an order placed (on
  // another node) after the page was read must stop a first-purchase reminder, and move the
  // repurchase and win-back clocks.
  LOYALTY_ASSIGN_OR_RETURN(std::optional<CustomerActivity> now,
                           s.FindCustomerActivity(a.customer_id));
  if (!now) return int64_t{0};
  std::vector<LifecycleDue> due = DueLifecycle(ctx.program, *now, d);
  if (due.empty()) return int64_t{0};
  const int64_t seq = c.event_seq;
  int64_t written = 0;
  for (LifecycleDue& item : due) {
    MessageRequest r;
    r.type = item.type;
    r.dedupe_key = std::move(item.dedupe_key);
    r.variables = std::move(item.variables);
    LOYALTY_ASSIGN_OR_RETURN(MaybeWrite w, Fire(s, c, std::move(r), ctx));
    if (Written(w)) ++written;
  }
  LOYALTY_RETURN_IF_ERROR(SaveIfChanged(s, c, seq, ctx));
  return written;
}

}  // namespace loyalty
