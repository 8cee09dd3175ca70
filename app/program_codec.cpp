#include "app/program_codec.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <fstream>
#include <set>
#include <sstream>

#include "api/strict_json.h"

namespace loyalty {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

// Reads members of one JSON object, rejecting unknown ones and wrong types.
class Reader {
 public:
  Reader(Object::Ptr obj, std::string path) : obj_(std::move(obj)), path_(std::move(path)) {}

  std::string Field(const std::string& name) const {
    return path_.empty() ? name : path_ + "." + name;
  }

  Status Known(std::initializer_list<const char*> names) const {
    std::set<std::string> allowed(names.begin(), names.end());
    for (const auto& [k, v] : *obj_) {
      if (!allowed.count(k)) return Status::Invalid(Field(k), "is not a known field");
    }
    return Status::Ok();
  }

  Status Int(const std::string& name, int64_t& out, bool required = false) const {
    if (!obj_->has(name)) {
      return required ? Status::Invalid(Field(name), "is required") : Status::Ok();
    }
    Poco::Dynamic::Var v = obj_->get(name);
    if (!v.isInteger() || v.isBoolean()) {
      return Status::Invalid(Field(name), "must be an integer");
    }
    try {
      out = v.convert<int64_t>();
    } catch (const Poco::Exception&) {
      return Status::Invalid(Field(name), "is out of range");
    }
    return Status::Ok();
  }

  template <typename T>
  Status SmallInt(const std::string& name, T& out, bool required = false) const {
    int64_t v = out;
    LOYALTY_RETURN_IF_ERROR(Int(name, v, required));
    if (v < INT32_MIN || v > INT32_MAX) return Status::Invalid(Field(name), "is out of range");
    out = static_cast<T>(v);
    return Status::Ok();
  }

  Status Str(const std::string& name, std::string& out, bool required = false) const {
    if (!obj_->has(name)) {
      return required ? Status::Invalid(Field(name), "is required") : Status::Ok();
    }
    Poco::Dynamic::Var v = obj_->get(name);
    if (!v.isString()) return Status::Invalid(Field(name), "must be a string");
    out = v.extract<std::string>();
    return Status::Ok();
  }

  Status Bool(const std::string& name, bool& out) const {
    if (!obj_->has(name)) return Status::Ok();
    Poco::Dynamic::Var v = obj_->get(name);
    if (!v.isBoolean()) return Status::Invalid(Field(name), "must be true or false");
    out = v.extract<bool>();
    return Status::Ok();
  }

  Result<Reader> Sub(const std::string& name) const {
    if (!obj_->has(name)) return Reader(new Object, Field(name));
    Object::Ptr o = obj_->getObject(name);
    if (o.isNull()) return Status::Invalid(Field(name), "must be an object");
    return Reader(o, Field(name));
  }

  Object::Ptr obj() const { return obj_; }

 private:
  Object::Ptr obj_;
  std::string path_;
};

template <typename E>
Status Enum(const Reader& r, const std::string& name, E& out,
            std::initializer_list<std::pair<const char*, E>> values) {
  std::string s;
  if (!r.obj()->has(name)) return Status::Ok();
  LOYALTY_RETURN_IF_ERROR(r.Str(name, s));
  std::string names;
  for (const auto& [text, value] : values) {
    if (s == text) {
      out = value;
      return Status::Ok();
    }
    names += names.empty() ? text : std::string(", ") + text;
  }
  return Status::Invalid(r.Field(name), "must be one of: " + names);
}

Status ParseTiers(const Reader& top, Program& p) {
  if (!top.obj()->has("tiers")) return Status::Invalid("tiers", "is required");
  Array::Ptr arr = top.obj()->getArray("tiers");
  if (arr.isNull()) return Status::Invalid("tiers", "must be an array");
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string path = "tiers[" + std::to_string(i) + "]";
    Object::Ptr o = arr->getObject(static_cast<unsigned>(i));
    if (o.isNull()) return Status::Invalid(path, "must be an object");
    Reader r(o, path);
    LOYALTY_RETURN_IF_ERROR(r.Known({"code", "name", "threshold_won", "min_orders", "earn_rate_bp",
                                     "downgradable", "benefits"}));
    TierRule t;
    LOYALTY_RETURN_IF_ERROR(r.Str("code", t.code, true));
    t.name = t.code;
    LOYALTY_RETURN_IF_ERROR(r.Str("name", t.name));
    LOYALTY_RETURN_IF_ERROR(r.Int("threshold_won", t.threshold_won, true));
    LOYALTY_RETURN_IF_ERROR(r.SmallInt("earn_rate_bp", t.earn_rate_bp, true));
    LOYALTY_RETURN_IF_ERROR(r.SmallInt("min_orders", t.min_orders));
    LOYALTY_RETURN_IF_ERROR(r.Bool("downgradable", t.downgradable));
    LOYALTY_ASSIGN_OR_RETURN(Reader benefits, r.Sub("benefits"));
    LOYALTY_RETURN_IF_ERROR(benefits.Known({"promotion_coupon", "birthday_coupon"}));
    LOYALTY_RETURN_IF_ERROR(benefits.Str("promotion_coupon", t.promotion_coupon));
    LOYALTY_RETURN_IF_ERROR(benefits.Str("birthday_coupon", t.birthday_coupon));
    p.tiers.push_back(std::move(t));
  }
  return Status::Ok();
}

Status ParseTiering(const Reader& top, TierSettings& t) {
  LOYALTY_ASSIGN_OR_RETURN(Reader r, top.Sub("tiering"));
  LOYALTY_RETURN_IF_ERROR(r.Known({"window", "spend_counts_at", "spend_basis", "evaluation",
                                   "retention_months", "downgrade_policy"}));
  LOYALTY_ASSIGN_OR_RETURN(Reader window, r.Sub("window"));
  LOYALTY_RETURN_IF_ERROR(window.Known({"kind", "months"}));
  LOYALTY_RETURN_IF_ERROR(Enum<WindowKind>(window, "kind", t.window,
                                           {{"rolling_months", WindowKind::kRollingMonths},
                                            {"calendar_year", WindowKind::kCalendarYear},
                                            {"lifetime", WindowKind::kLifetime}}));
  LOYALTY_RETURN_IF_ERROR(window.SmallInt("months", t.window_months));
  LOYALTY_RETURN_IF_ERROR(Enum<SpendMoment>(
      r, "spend_counts_at", t.counts_at,
      {{"confirmation", SpendMoment::kConfirmation}, {"placement", SpendMoment::kPlacement}}));
  LOYALTY_RETURN_IF_ERROR(Enum<SpendBasis>(
      r, "spend_basis", t.basis,
      {{"net_paid", SpendBasis::kNetPaid}, {"net_amount", SpendBasis::kNetAmount}}));
  LOYALTY_ASSIGN_OR_RETURN(Reader evaluation, r.Sub("evaluation"));
  LOYALTY_RETURN_IF_ERROR(evaluation.Known({"schedule", "day_of_month"}));
  LOYALTY_RETURN_IF_ERROR(Enum<EvaluationSchedule>(
      evaluation, "schedule", t.schedule,
      {{"daily", EvaluationSchedule::kDaily}, {"monthly", EvaluationSchedule::kMonthly}}));
  LOYALTY_RETURN_IF_ERROR(evaluation.SmallInt("day_of_month", t.evaluation_day));
  LOYALTY_RETURN_IF_ERROR(r.SmallInt("retention_months", t.retention_months));
  LOYALTY_RETURN_IF_ERROR(Enum<DowngradePolicy>(
      r, "downgrade_policy", t.policy,
      {{"to_qualified", DowngradePolicy::kToQualified}, {"one_step", DowngradePolicy::kOneStep}}));
  return Status::Ok();
}

Status ParseCoupons(const Reader& top, CouponSettings& c) {
  LOYALTY_ASSIGN_OR_RETURN(Reader r, top.Sub("coupons"));
  LOYALTY_RETURN_IF_ERROR(r.Known({"templates", "application_order", "expiring_soon_days"}));
  LOYALTY_RETURN_IF_ERROR(Enum<CouponApplicationOrder>(
      r, "application_order", c.application_order,
      {{"coupon_then_points", CouponApplicationOrder::kCouponThenPoints},
       {"points_then_coupon", CouponApplicationOrder::kPointsThenCoupon}}));
  LOYALTY_RETURN_IF_ERROR(r.SmallInt("expiring_soon_days", c.expiring_soon_days));
  if (!r.obj()->has("templates")) return Status::Ok();
  Array::Ptr arr = r.obj()->getArray("templates");
  if (arr.isNull()) return Status::Invalid("coupons.templates", "must be an array");
  for (size_t i = 0; i < arr->size(); ++i) {
    std::string path = "coupons.templates[" + std::to_string(i) + "]";
    Object::Ptr o = arr->getObject(static_cast<unsigned>(i));
    if (o.isNull()) return Status::Invalid(path, "must be an object");
    Reader t(o, path);
    LOYALTY_RETURN_IF_ERROR(
        t.Known({"code", "name", "kind", "discount_won", "percent_bp", "cap_won", "min_order_won",
                 "validity", "per_customer_limit", "stackable", "truncation_unit_won",
                 "restore_on_cancel", "code_prefix"}));
    CouponTemplate ct;
    LOYALTY_RETURN_IF_ERROR(t.Str("code", ct.code, true));
    ct.name = ct.code;
    LOYALTY_RETURN_IF_ERROR(t.Str("name", ct.name));
    if (!o->has("kind")) return Status::Invalid(t.Field("kind"), "is required");
    LOYALTY_RETURN_IF_ERROR(Enum<CouponKind>(
        t, "kind", ct.kind,
        {{"fixed_won", CouponKind::kFixedWon}, {"percent", CouponKind::kPercent}}));
    LOYALTY_RETURN_IF_ERROR(t.Int("discount_won", ct.discount_won));
    LOYALTY_RETURN_IF_ERROR(t.SmallInt("percent_bp", ct.percent_bp));
    LOYALTY_RETURN_IF_ERROR(t.Int("cap_won", ct.cap_won));
    LOYALTY_RETURN_IF_ERROR(t.Int("min_order_won", ct.min_order_won));
    LOYALTY_ASSIGN_OR_RETURN(Reader validity, t.Sub("validity"));
    LOYALTY_RETURN_IF_ERROR(validity.Known({"days_from_issue", "valid_from", "valid_until"}));
    LOYALTY_RETURN_IF_ERROR(validity.SmallInt("days_from_issue", ct.valid_days));
    LOYALTY_RETURN_IF_ERROR(validity.Str("valid_from", ct.valid_from));
    LOYALTY_RETURN_IF_ERROR(validity.Str("valid_until", ct.valid_until));
    LOYALTY_RETURN_IF_ERROR(t.SmallInt("per_customer_limit", ct.per_customer_limit));
    LOYALTY_RETURN_IF_ERROR(t.Bool("stackable", ct.stackable));
    LOYALTY_RETURN_IF_ERROR(t.Int("truncation_unit_won", ct.truncation_unit_won));
    LOYALTY_RETURN_IF_ERROR(Enum<CouponRestorePolicy>(
        t, "restore_on_cancel", ct.restore_on_cancel,
        {{"if_valid", CouponRestorePolicy::kIfValid}, {"never", CouponRestorePolicy::kNever}}));
    LOYALTY_RETURN_IF_ERROR(t.Str("code_prefix", ct.code_prefix));
    c.templates.push_back(std::move(ct));
  }
  return Status::Ok();
}

// One integer of an array ("messaging.triggers.x.stages[2]"): no fractions, int32 range.
Status ArrayInt32(const Poco::Dynamic::Var& v, const std::string& path, int32_t& out) {
  if (!v.isInteger() || v.isBoolean()) return Status::Invalid(path, "must be an integer");
  int64_t n = 0;
  try {
    n = v.convert<int64_t>();
  } catch (const Poco::Exception&) {
    return Status::Invalid(path, "is out of range");
  }
  if (n < INT32_MIN || n > INT32_MAX) return Status::Invalid(path, "is out of range");
  out = static_cast<int32_t>(n);
  return Status::Ok();
}

// The array member `name` of r ("" when absent), or an error naming it.
Result<Array::Ptr> OptionalArray(const Reader& r, const std::string& name) {
  if (!r.obj()->has(name)) return Array::Ptr();
  if (!r.obj()->isArray(name)) return Status::Invalid(r.Field(name), "must be an array");
  return r.obj()->getArray(name);
}

Status ParseTrigger(const Reader& t, TriggerSettings& ts) {
  LOYALTY_RETURN_IF_ERROR(t.Known({"enabled", "template", "days", "minutes", "coupon_template",
                                   "daily_cap", "within_won", "within_percent_bp", "stages"}));
  LOYALTY_RETURN_IF_ERROR(t.Bool("enabled", ts.enabled));
  LOYALTY_RETURN_IF_ERROR(t.Str("template", ts.template_code));
  LOYALTY_RETURN_IF_ERROR(t.SmallInt("days", ts.days));
  LOYALTY_RETURN_IF_ERROR(t.SmallInt("minutes", ts.minutes));
  LOYALTY_RETURN_IF_ERROR(t.Str("coupon_template", ts.coupon_template));
  LOYALTY_RETURN_IF_ERROR(t.SmallInt("daily_cap", ts.daily_cap));
  LOYALTY_RETURN_IF_ERROR(t.Int("within_won", ts.within_won));
  LOYALTY_RETURN_IF_ERROR(t.SmallInt("within_percent_bp", ts.within_bp));
  LOYALTY_ASSIGN_OR_RETURN(Array::Ptr stages, OptionalArray(t, "stages"));
  if (stages.isNull()) return Status::Ok();
  for (size_t i = 0; i < stages->size(); ++i) {
    int32_t days = 0;
    LOYALTY_RETURN_IF_ERROR(ArrayInt32(stages->get(static_cast<unsigned>(i)),
                                       t.Field("stages") + "[" + std::to_string(i) + "]", days));
    ts.stages.push_back(days);
  }
  return Status::Ok();
}

// "messaging": sender {name, contact} and opt_out, templates, triggers (an object keyed by
// type, kept in file order), order thresholds and the caps. Types, slots and parameters are checked
// by ValidateMessaging.
Status ParseMessaging(const Reader& top, MessagingSettings& m) {
  LOYALTY_ASSIGN_OR_RETURN(Reader r, top.Sub("messaging"));
  LOYALTY_RETURN_IF_ERROR(
      r.Known({"sender", "opt_out", "templates", "triggers", "order_thresholds",
               "daily_cap_per_customer", "catch_up_days", "tier_at_risk_days"}));
  LOYALTY_ASSIGN_OR_RETURN(Reader sender, r.Sub("sender"));
  LOYALTY_RETURN_IF_ERROR(sender.Known({"name", "contact"}));
  LOYALTY_RETURN_IF_ERROR(sender.Str("name", m.sender_name));
  LOYALTY_RETURN_IF_ERROR(sender.Str("contact", m.sender_contact));
  LOYALTY_RETURN_IF_ERROR(r.Str("opt_out", m.opt_out));
  LOYALTY_RETURN_IF_ERROR(r.SmallInt("daily_cap_per_customer", m.daily_cap_per_customer));
  LOYALTY_RETURN_IF_ERROR(r.SmallInt("catch_up_days", m.catch_up_days));
  LOYALTY_RETURN_IF_ERROR(r.SmallInt("tier_at_risk_days", m.tier_at_risk_days));

  LOYALTY_ASSIGN_OR_RETURN(Array::Ptr templates, OptionalArray(r, "templates"));
  for (size_t i = 0; !templates.isNull() && i < templates->size(); ++i) {
    std::string path = r.Field("templates") + "[" + std::to_string(i) + "]";
    Object::Ptr o = templates->getObject(static_cast<unsigned>(i));
    if (o.isNull()) return Status::Invalid(path, "must be an object");
    Reader t(o, path);
    LOYALTY_RETURN_IF_ERROR(
        t.Known({"code", "type", "category", "text", "sms_text", "coupon_exemption"}));
    MessageTemplate mt;
    LOYALTY_RETURN_IF_ERROR(t.Str("code", mt.code, true));
    LOYALTY_RETURN_IF_ERROR(t.Str("type", mt.type, true));
    // Required: advertising needs consent, so the category is never guessed.
    if (!o->has("category")) return Status::Invalid(t.Field("category"), "is required");
    LOYALTY_RETURN_IF_ERROR(
        Enum<MessageCategory>(t, "category", mt.category,
                              {{"informational", MessageCategory::kInformational},
                               {"advertising", MessageCategory::kAdvertising}}));
    LOYALTY_RETURN_IF_ERROR(t.Str("text", mt.text, true));
    LOYALTY_RETURN_IF_ERROR(t.Str("sms_text", mt.sms_text));
    LOYALTY_RETURN_IF_ERROR(t.Str("coupon_exemption", mt.coupon_exemption));
    m.templates.push_back(std::move(mt));
  }

  if (r.obj()->has("triggers")) {
    Object::Ptr triggers = r.obj()->getObject("triggers");
    if (triggers.isNull()) return Status::Invalid(r.Field("triggers"), "must be an object");
    // getNames() keeps the file's order (the parser preserves insertion order).
    for (const std::string& type : triggers->getNames()) {
      std::string path = r.Field("triggers") + "." + type;
      Object::Ptr o = triggers->getObject(type);
      if (o.isNull()) return Status::Invalid(path, "must be an object");
      TriggerSettings ts;
      LOYALTY_RETURN_IF_ERROR(ParseTrigger(Reader(o, path), ts));
      m.triggers.emplace_back(type, std::move(ts));
    }
  }

  LOYALTY_ASSIGN_OR_RETURN(Array::Ptr thresholds, OptionalArray(r, "order_thresholds"));
  for (size_t i = 0; !thresholds.isNull() && i < thresholds->size(); ++i) {
    std::string path = r.Field("order_thresholds") + "[" + std::to_string(i) + "]";
    Object::Ptr o = thresholds->getObject(static_cast<unsigned>(i));
    if (o.isNull()) return Status::Invalid(path, "must be an object");
    Reader t(o, path);
    LOYALTY_RETURN_IF_ERROR(t.Known({"amount_won", "label"}));
    OrderThreshold ot;
    LOYALTY_RETURN_IF_ERROR(t.Int("amount_won", ot.amount_won, true));
    LOYALTY_RETURN_IF_ERROR(t.Str("label", ot.label));
    m.order_thresholds.push_back(std::move(ot));
  }
  return Status::Ok();
}

Status ParseInto(const Reader& top, Program& p) {
  LOYALTY_RETURN_IF_ERROR(
      top.Known({"version", "effective_date", "name", "currency", "time_zone", "point_value_won",
                 "tiers", "tiering", "earning", "pending", "expiry", "redemption", "refunds",
                 "adjustments", "coupons", "messaging"}));
  LOYALTY_RETURN_IF_ERROR(top.Int("version", p.version, true));
  LOYALTY_RETURN_IF_ERROR(top.Str("effective_date", p.effective_date));
  LOYALTY_RETURN_IF_ERROR(top.Str("name", p.name, true));
  LOYALTY_RETURN_IF_ERROR(top.Str("currency", p.currency));
  LOYALTY_RETURN_IF_ERROR(top.Str("time_zone", p.time_zone));
  LOYALTY_RETURN_IF_ERROR(top.Int("point_value_won", p.point_value_won));
  LOYALTY_RETURN_IF_ERROR(ParseTiers(top, p));

  LOYALTY_RETURN_IF_ERROR(ParseTiering(top, p.tiering));
  LOYALTY_RETURN_IF_ERROR(ParseCoupons(top, p.coupons));
  LOYALTY_RETURN_IF_ERROR(ParseMessaging(top, p.messaging));

  LOYALTY_ASSIGN_OR_RETURN(Reader earning, top.Sub("earning"));
  LOYALTY_RETURN_IF_ERROR(earning.Known({"truncation_unit_points"}));
  LOYALTY_RETURN_IF_ERROR(earning.Int("truncation_unit_points", p.truncation_unit_points));

  LOYALTY_ASSIGN_OR_RETURN(Reader pending, top.Sub("pending"));
  LOYALTY_RETURN_IF_ERROR(pending.Known({"mode", "days"}));
  LOYALTY_RETURN_IF_ERROR(
      Enum<PendingMode>(pending, "mode", p.pending_mode,
                        {{"immediate", PendingMode::kImmediate},
                         {"until_confirmation", PendingMode::kUntilConfirmation},
                         {"days", PendingMode::kDays},
                         {"confirmation_or_days", PendingMode::kConfirmationOrDays}}));
  LOYALTY_RETURN_IF_ERROR(pending.SmallInt("days", p.pending_days));

  LOYALTY_ASSIGN_OR_RETURN(Reader expiry, top.Sub("expiry"));
  LOYALTY_RETURN_IF_ERROR(expiry.Known({"months", "rounding"}));
  LOYALTY_RETURN_IF_ERROR(expiry.SmallInt("months", p.expiry_months));
  LOYALTY_RETURN_IF_ERROR(Enum<ExpiryRounding>(
      expiry, "rounding", p.expiry_rounding,
      {{"end_of_day", ExpiryRounding::kEndOfDay}, {"end_of_month", ExpiryRounding::kEndOfMonth}}));

  LOYALTY_ASSIGN_OR_RETURN(Reader redemption, top.Sub("redemption"));
  LOYALTY_RETURN_IF_ERROR(redemption.Known({"min_balance_points", "min_points", "max_share_bp"}));
  LOYALTY_RETURN_IF_ERROR(redemption.Int("min_balance_points", p.min_redeem_balance_points));
  LOYALTY_RETURN_IF_ERROR(redemption.Int("min_points", p.min_redeem_points));
  LOYALTY_RETURN_IF_ERROR(redemption.SmallInt("max_share_bp", p.max_redeem_share_bp));

  LOYALTY_ASSIGN_OR_RETURN(Reader refunds, top.Sub("refunds"));
  LOYALTY_RETURN_IF_ERROR(refunds.Known({"clawback_policy"}));
  LOYALTY_RETURN_IF_ERROR(
      Enum<ClawbackPolicy>(refunds, "clawback_policy", p.clawback_policy,
                           {{"allow_negative", ClawbackPolicy::kAllowNegative},
                            {"take_available", ClawbackPolicy::kTakeAvailable},
                            {"deduct_from_refund", ClawbackPolicy::kDeductFromRefund}}));

  LOYALTY_ASSIGN_OR_RETURN(Reader adjustments, top.Sub("adjustments"));
  LOYALTY_RETURN_IF_ERROR(adjustments.Known({"allow_negative"}));
  LOYALTY_RETURN_IF_ERROR(adjustments.Bool("allow_negative", p.allow_negative_adjustments));
  return Status::Ok();
}

const char* CategoryJsonName(MessageCategory c) {
  return c == MessageCategory::kAdvertising ? "advertising" : "informational";
}

// The messaging section; a trigger's parameters are written only when set (which ones a type
// uses: docs/messages.md), so `program show` stays readable and parses back to the same value.
void RenderMessaging(const MessagingSettings& m, Object::Ptr out) {
  if (!m.sender_name.empty() || !m.sender_contact.empty()) {
    Object::Ptr sender = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    sender->set("name", m.sender_name);
    sender->set("contact", m.sender_contact);
    out->set("sender", sender);
  }
  if (!m.opt_out.empty()) out->set("opt_out", m.opt_out);
  Array::Ptr templates = new Array;
  for (const MessageTemplate& t : m.templates) {
    Object::Ptr to = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    to->set("code", t.code);
    to->set("type", t.type);
    to->set("category", std::string(CategoryJsonName(t.category)));
    to->set("text", t.text);
    if (!t.sms_text.empty()) to->set("sms_text", t.sms_text);
    if (!t.coupon_exemption.empty()) to->set("coupon_exemption", t.coupon_exemption);
    templates->add(to);
  }
  out->set("templates", templates);
  Object::Ptr triggers = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [type, ts] : m.triggers) {
    Object::Ptr to = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    to->set("enabled", ts.enabled);
    to->set("template", ts.template_code);
    if (ts.days != 0) to->set("days", ts.days);
    if (ts.minutes != 0) to->set("minutes", ts.minutes);
    if (!ts.coupon_template.empty()) to->set("coupon_template", ts.coupon_template);
    if (ts.daily_cap != 0) to->set("daily_cap", ts.daily_cap);
    if (ts.within_won != 0) to->set("within_won", ts.within_won);
    if (ts.within_bp != 0) to->set("within_percent_bp", ts.within_bp);
    if (!ts.stages.empty()) {
      Array::Ptr stages = new Array;
      for (int32_t d : ts.stages) stages->add(d);
      to->set("stages", stages);
    }
    triggers->set(type, to);
  }
  out->set("triggers", triggers);
  Array::Ptr thresholds = new Array;
  for (const OrderThreshold& t : m.order_thresholds) {
    Object::Ptr to = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    to->set("amount_won", t.amount_won);
    to->set("label", t.label);
    thresholds->add(to);
  }
  out->set("order_thresholds", thresholds);
  out->set("daily_cap_per_customer", m.daily_cap_per_customer);
  out->set("catch_up_days", m.catch_up_days);
  out->set("tier_at_risk_days", m.tier_at_risk_days);
}

}  // namespace

Result<Program> ParseProgramJson(const std::string& json_text) {
  StrictJsonOptions options;
  // Objects keep their members' order: messaging.triggers is applied in file order.
  options.preserve_key_order = true;
  options.refuse_unsafe_integers = true;
  LOYALTY_ASSIGN_OR_RETURN(Poco::Dynamic::Var v, ParseStrictJson(json_text, options));
  if (v.type() != typeid(Object::Ptr)) {
    return Status::Invalid("", "the programme must be a JSON object");
  }
  Program p;
  LOYALTY_RETURN_IF_ERROR(ParseInto(Reader(v.extract<Object::Ptr>(), ""), p));
  LOYALTY_RETURN_IF_ERROR(ValidateProgram(p));
  return p;
}

Result<Program> LoadProgramFile(const std::string& path) {
  if (path.empty() || path == "demo") return ParseProgramJson(DemoProgramJson());
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid("", "cannot read programme file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseProgramJson(ss.str());
}

std::string ProgramToJson(const Program& p) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("version", p.version);
  if (!p.effective_date.empty()) o->set("effective_date", p.effective_date);
  o->set("name", p.name);
  o->set("currency", p.currency);
  o->set("time_zone", p.time_zone);
  // Written only when it is not the default: a programme stored before the field existed keeps
  // its canonical text, hence its hash (`serve --program` compares them).
  if (p.point_value_won != 1) o->set("point_value_won", p.point_value_won);
  Array::Ptr tiers = new Array;
  for (const TierRule& t : p.tiers) {
    Object::Ptr to = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    to->set("code", t.code);
    to->set("name", t.name);
    to->set("threshold_won", t.threshold_won);
    to->set("min_orders", t.min_orders);
    to->set("earn_rate_bp", t.earn_rate_bp);
    to->set("downgradable", t.downgradable);
    Object::Ptr benefits = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    benefits->set("promotion_coupon", t.promotion_coupon);
    benefits->set("birthday_coupon", t.birthday_coupon);
    to->set("benefits", benefits);
    tiers->add(to);
  }
  o->set("tiers", tiers);
  auto sub = [&](const char* name) {
    Object::Ptr s = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set(name, s);
    return s;
  };
  auto tiering = sub("tiering");
  Object::Ptr window = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  window->set("kind", std::string(WindowKindName(p.tiering.window)));
  window->set("months", p.tiering.window_months);
  tiering->set("window", window);
  tiering->set("spend_counts_at", std::string(SpendMomentName(p.tiering.counts_at)));
  tiering->set("spend_basis", std::string(SpendBasisName(p.tiering.basis)));
  Object::Ptr evaluation = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  evaluation->set("schedule", std::string(EvaluationScheduleName(p.tiering.schedule)));
  evaluation->set("day_of_month", p.tiering.evaluation_day);
  tiering->set("evaluation", evaluation);
  tiering->set("retention_months", p.tiering.retention_months);
  tiering->set("downgrade_policy", std::string(DowngradePolicyName(p.tiering.policy)));
  sub("earning")->set("truncation_unit_points", p.truncation_unit_points);
  auto pending = sub("pending");
  pending->set("mode", std::string(PendingModeName(p.pending_mode)));
  pending->set("days", p.pending_days);
  auto expiry = sub("expiry");
  expiry->set("months", p.expiry_months);
  expiry->set("rounding", std::string(ExpiryRoundingName(p.expiry_rounding)));
  auto redemption = sub("redemption");
  redemption->set("min_balance_points", p.min_redeem_balance_points);
  redemption->set("min_points", p.min_redeem_points);
  redemption->set("max_share_bp", p.max_redeem_share_bp);
  sub("refunds")->set("clawback_policy", std::string(ClawbackPolicyName(p.clawback_policy)));
  sub("adjustments")->set("allow_negative", p.allow_negative_adjustments);
  auto coupons = sub("coupons");
  coupons->set("application_order",
               std::string(CouponApplicationOrderName(p.coupons.application_order)));
  coupons->set("expiring_soon_days", p.coupons.expiring_soon_days);
  Array::Ptr templates = new Array;
  for (const CouponTemplate& t : p.coupons.templates) {
    Object::Ptr to = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    to->set("code", t.code);
    to->set("name", t.name);
    to->set("kind", std::string(CouponKindName(t.kind)));
    if (t.kind == CouponKind::kFixedWon) {
      to->set("discount_won", t.discount_won);
    } else {
      to->set("percent_bp", t.percent_bp);
      to->set("cap_won", t.cap_won);
    }
    to->set("min_order_won", t.min_order_won);
    Object::Ptr validity = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    if (t.valid_days > 0) {
      validity->set("days_from_issue", t.valid_days);
    } else {
      validity->set("valid_from", t.valid_from);
      validity->set("valid_until", t.valid_until);
    }
    to->set("validity", validity);
    to->set("per_customer_limit", t.per_customer_limit);
    to->set("stackable", t.stackable);
    to->set("truncation_unit_won", t.truncation_unit_won);
    to->set("restore_on_cancel", std::string(CouponRestorePolicyName(t.restore_on_cancel)));
    to->set("code_prefix", t.code_prefix);
    templates->add(to);
  }
  coupons->set("templates", templates);
  RenderMessaging(p.messaging, sub("messaging"));
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(o, out, 2);
  return out.str();
}

}  // namespace loyalty
