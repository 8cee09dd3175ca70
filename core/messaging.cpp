// Messages, the pure part: trigger types and their slots, template parsing and rendering, the
// load-time checks of programme.messaging, and the consent / night-time rule. The commands are in
// messaging_triggers.cpp (writing messages) and messaging_delivery.cpp (handing them out).
#include "core/messaging.h"

#include <algorithm>
#include <cstdint>
#include <set>

#include "core/limits.h"

namespace loyalty {
namespace {

constexpr int kNightStartHour = 21;  // 21:00 local
constexpr int kMorningHour = 8;      // 08:00 local

// Longest values, in characters.
constexpr size_t kWonChars = 26;            // "-9,223,372,036,854,775,808"
constexpr size_t kCountChars = 11;          // "-2147483648"
constexpr size_t kDateChars = 10;           // "2026-11-25"
constexpr size_t kConsentItemsChars = 100;  // "광고성 정보 수신(문자, 카카오톡)", ...
constexpr size_t kConsentResultChars = 10;  // "수신 동의" / "수신 거부"

constexpr const char kAdMark[] = "(광고)";

struct SlotDef {
  const char* name;
  size_t max_chars;
};

const std::vector<SlotDef>& CommonSlots() {
  static const std::vector<SlotDef> slots = {
      {"customer_id", kMaxIdLength},
      {"tier", kMaxCodeChars},
      {"tier_name", kMaxNameChars},
      {"sender", kMaxSenderNameChars + 1 + kMaxSenderContactChars},  // "<name> <contact>"
      {"opt_out", kMaxOptOutChars}};
  return slots;
}

const std::vector<SlotDef>& CouponSlots() {
  static const std::vector<SlotDef> slots = {{"coupon_code", kMaxCouponCodeLength},
                                             {"coupon_name", kMaxNameChars},
                                             {"coupon_valid_until", kDateChars}};
  return slots;
}

// The type's own slots (documentation order of MessageTypes()).
const std::vector<SlotDef>* OwnSlots(const std::string& type) {
  static const std::vector<std::pair<std::string, std::vector<SlotDef>>> table = {
      {kMsgTierNear,
       {{"next_tier", kMaxCodeChars},
        {"next_tier_name", kMaxNameChars},
        {"gap_won", kWonChars},
        {"threshold_won", kWonChars},
        {"spend_won", kWonChars},
        {"valid_through", kDateChars}}},
      {kMsgTierAtRisk,
       {{"evaluation_date", kDateChars},
        {"needed_won", kWonChars},
        {"needed_orders", kCountChars}}},
      {kMsgPointsExpiring,
       {{"points", kWonChars}, {"expires_on", kDateChars}, {"days_left", kCountChars}}},
      {kMsgWelcome, {}},
      {kMsgFirstPurchaseReminder, {{"days_since_signup", kCountChars}}},
      {kMsgReviewRequest, {{"order_id", kMaxIdLength}}},
      {kMsgRepurchaseReminder,
       {{"days_since_last_order", kCountChars}, {"last_order_id", kMaxIdLength}}},
      {kMsgWinback, {{"days_since_last_order", kCountChars}}},
      {kMsgBirthday, {}},
      {kMsgCartReminder,
       {{"cart_id", kMaxIdLength}, {"cart_amount_won", kWonChars}, {"cart_items", kCountChars}}},
      {kMsgConsentReconfirm, {{"consented_on", kDateChars}, {"consent_items", kConsentItemsChars}}},
      {kMsgConsentChanged,
       {{"consent_result", kConsentResultChars},
        {"changed_on", kDateChars},
        {"consent_items", kConsentItemsChars}}},
  };
  for (const auto& [t, slots] : table) {
    if (t == type) return &slots;
  }
  return nullptr;
}

bool IsSlotChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

bool IsTemplateCode(const std::string& s) {
  if (s.empty() || s.size() > 32) return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

bool IsCouponSlot(const std::string& slot) {
  for (const SlotDef& d : CouponSlots()) {
    if (slot == d.name) return true;
  }
  return false;
}

// The birthday message always carries the tier's birthday coupon.
bool TypeAlwaysHasCoupon(const std::string& type) { return type == kMsgBirthday; }

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Slots of `text` all known for the type (coupon slots allowed here: whether the trigger issues
// a coupon is checked with the triggers), and the text within kMaxMessageChars with every slot
// at its longest.
Status CheckTemplateText(const std::string& text, const std::string& type,
                         const std::string& path) {
  auto slots = TemplateSlots(text);
  if (!slots.ok()) return Status::Invalid(path, slots.status().message());
  const std::vector<std::string> allowed = SlotsFor(type, true);
  size_t chars = Utf8Chars(text);
  for (const std::string& slot : *slots) {
    if (std::find(allowed.begin(), allowed.end(), slot) == allowed.end()) {
      return Status::Invalid(
          path, "unknown slot #{" + slot + "}: a " + type + " template may use " + Join(allowed));
    }
    chars = chars - (slot.size() + 3) + MaxSlotChars(slot);
  }
  if (chars > kMaxMessageChars) {
    return Status::Invalid(path, "is " + std::to_string(chars) +
                                     " characters long with every slot at its longest; at most " +
                                     std::to_string(kMaxMessageChars));
  }
  return Status::Ok();
}

// The first coupon slot of the text, or "".
std::string FirstCouponSlot(const std::string& text) {
  auto slots = TemplateSlots(text);
  if (!slots.ok()) return "";
  for (const std::string& s : *slots) {
    if (IsCouponSlot(s)) return s;
  }
  return "";
}

bool HasSlot(const std::string& text, const std::string& slot) {
  auto slots = TemplateSlots(text);
  return slots.ok() && std::find(slots->begin(), slots->end(), slot) != slots->end();
}

bool Contains(const std::string& text, const std::string& part) {
  return !part.empty() && text.find(part) != std::string::npos;
}

bool IsBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

bool IsConsentNotice(const std::string& type) {
  return type == kMsgConsentReconfirm || type == kMsgConsentChanged;
}

// The marks an advertising text carries (정보통신망법 §50 (4)): "(광고)" first, the sender and its
// contact, the free way to refuse.
Status CheckAdvertisingText(const MessagingSettings& m, const std::string& text,
                            const std::string& path) {
  if (text.rfind(kAdMark, 0) != 0) {
    return Status::Invalid(path,
                           "an advertising message must begin with \"(광고)\" (정보통신망법 §50): "
                           "write \"(광고) \" at the very start, with nothing before it");
  }
  if (!HasSlot(text, "sender") &&
      !(Contains(text, m.sender_name) && Contains(text, m.sender_contact))) {
    return Status::Invalid(path,
                           "an advertising message must name its sender and contact: write "
                           "#{sender} (rendered \"" +
                               SenderText(m) + "\") or both \"" + m.sender_name + "\" and \"" +
                               m.sender_contact + "\"");
  }
  if (!HasSlot(text, "opt_out") && !Contains(text, m.opt_out)) {
    return Status::Invalid(path,
                           "an advertising message must say how to refuse it for free: write "
                           "#{opt_out} (rendered \"" +
                               m.opt_out + "\") or that text");
  }
  return Status::Ok();
}

// Why template t carries a coupon: "it uses #{coupon_code}" (a slot of text or sms_text), or the
// trigger that issues a coupon with it ("messaging.triggers.welcome issues the coupon WELCOME
// with it"); "" = none.
std::string CouponCarried(const MessagingSettings& m, const MessageTemplate& t) {
  for (const std::string* text : {&t.text, &t.sms_text}) {
    std::string slot = FirstCouponSlot(*text);
    if (!slot.empty()) return "it uses #{" + slot + "}";
  }
  for (const auto& [type, ts] : m.triggers) {
    if (ts.template_code != t.code) continue;
    if (!ts.coupon_template.empty()) {
      return "messaging.triggers." + type + " issues the coupon " + ts.coupon_template + " with it";
    }
    if (TypeAlwaysHasCoupon(type)) {
      return "messaging.triggers." + type + " sends it with the tier's birthday coupon";
    }
  }
  return "";
}

// The category rules of a template (its slots are checked already): the consent notices are
// informational, a coupon makes a message advertising unless exempted, and an advertising text
// carries the marks.
Status CheckTemplateCategory(const MessagingSettings& m, const MessageTemplate& t,
                             const std::string& base) {
  if (Utf8Chars(t.coupon_exemption) > kMaxCouponExemptionChars) {
    return Status::Invalid(
        base + "coupon_exemption",
        "must be at most " + std::to_string(kMaxCouponExemptionChars) + " characters");
  }
  const bool advertising = t.category == MessageCategory::kAdvertising;
  if (IsConsentNotice(t.type)) {
    if (advertising) {
      return Status::Invalid(base + "category",
                             "a " + t.type +
                                 " template is the consent notice the law asks for (정보통신망법 "
                                 "§50) and goes out whatever the consent: write \"category\": "
                                 "\"informational\"");
    }
    const std::string why = CouponCarried(m, t);
    if (!why.empty()) {
      return Status::Invalid(base + "category", "a " + t.type + " notice carries no coupon (" +
                                                    why + "): a coupon would make it advertising");
    }
    return Status::Ok();
  }
  if (!advertising) {
    const std::string why = CouponCarried(m, t);
    if (!why.empty() && IsBlank(t.coupon_exemption)) {
      return Status::Invalid(base + "category",
                             "carries a coupon (" + why +
                                 "), and a coupon makes a message advertising: write "
                                 "\"category\": \"advertising\" (with the (광고) mark, sender and "
                                 "opt-out), or give coupon_exemption saying why it is "
                                 "informational (e.g. a coupon the customer asked for)");
    }
    return Status::Ok();
  }
  LOYALTY_RETURN_IF_ERROR(CheckAdvertisingText(m, t.text, base + "text"));
  if (!t.sms_text.empty()) {
    LOYALTY_RETURN_IF_ERROR(CheckAdvertisingText(m, t.sms_text, base + "sms_text"));
  }
  return Status::Ok();
}

// messaging.sender and messaging.opt_out: within their limits, and set when a template shows
// them (#{sender}, #{opt_out}) or any template is advertising.
Status CheckSender(const MessagingSettings& m) {
  if (Utf8Chars(m.sender_name) > kMaxSenderNameChars) {
    return Status::Invalid(
        "messaging.sender.name",
        "must be at most " + std::to_string(kMaxSenderNameChars) + " characters");
  }
  if (Utf8Chars(m.sender_contact) > kMaxSenderContactChars) {
    return Status::Invalid(
        "messaging.sender.contact",
        "must be at most " + std::to_string(kMaxSenderContactChars) + " characters");
  }
  if (Utf8Chars(m.opt_out) > kMaxOptOutChars) {
    return Status::Invalid("messaging.opt_out",
                           "must be at most " + std::to_string(kMaxOptOutChars) + " characters");
  }
  size_t ad = m.templates.size();
  for (size_t i = 0; i < m.templates.size() && ad == m.templates.size(); ++i) {
    if (m.templates[i].category == MessageCategory::kAdvertising) ad = i;
  }
  if (ad < m.templates.size()) {
    const std::string because = " (messaging.templates[" + std::to_string(ad) +
                                "] is advertising, and an advertising message names its sender "
                                "and a free way to refuse it: 정보통신망법 §50)";
    if (IsBlank(m.sender_name)) {
      return Status::Invalid("messaging.sender.name",
                             "is required: the shop's name as the recipient knows it, e.g. "
                             "\"데모샵\"" +
                                 because);
    }
    if (IsBlank(m.sender_contact)) {
      return Status::Invalid("messaging.sender.contact",
                             "is required: a phone number or address the recipient can reach, e.g. "
                             "\"1588-0000\"" +
                                 because);
    }
    if (IsBlank(m.opt_out)) {
      return Status::Invalid("messaging.opt_out",
                             "is required: the free way to refuse, e.g. \"무료수신거부 "
                             "080-000-0000\" or an in-app path" +
                                 because);
    }
  }
  // A template showing #{sender} or #{opt_out} needs what they render.
  for (size_t i = 0; i < m.templates.size(); ++i) {
    const MessageTemplate& t = m.templates[i];
    const std::string uses = " (messaging.templates[" + std::to_string(i) + "] uses #{";
    if ((HasSlot(t.text, "sender") || HasSlot(t.sms_text, "sender")) &&
        (IsBlank(m.sender_name) || IsBlank(m.sender_contact))) {
      return Status::Invalid(
          IsBlank(m.sender_name) ? "messaging.sender.name" : "messaging.sender.contact",
          "is required: #{sender} renders the sender's name and contact" + uses + "sender})");
    }
    if ((HasSlot(t.text, "opt_out") || HasSlot(t.sms_text, "opt_out")) && IsBlank(m.opt_out)) {
      return Status::Invalid("messaging.opt_out",
                             "is required: #{opt_out} renders it" + uses + "opt_out})");
    }
  }
  return Status::Ok();
}

bool UsesDays(const std::string& type) {
  return type == kMsgFirstPurchaseReminder || type == kMsgReviewRequest ||
         type == kMsgRepurchaseReminder || type == kMsgWinback;
}

Status ValidateTrigger(const Program& p, const std::string& type, const TriggerSettings& ts) {
  const MessagingSettings& m = p.messaging;
  const std::string base = "messaging.triggers." + type;
  if (!IsMessageType(type)) {
    return Status::Invalid(
        base, "'" + type + "' is not a trigger type (one of: " + Join(MessageTypes()) + ")");
  }
  if (ts.daily_cap < 0 || ts.daily_cap > 1000) {
    return Status::Invalid(base + ".daily_cap", "must be 0 (no cap) to 1000");
  }
  if (ts.days < 0 || ts.days > 3650) return Status::Invalid(base + ".days", "must be 0 to 3650");
  if (ts.minutes < 0 || ts.minutes > 10080) {
    return Status::Invalid(base + ".minutes", "must be 0 to 10080 (a week)");
  }
  if (ts.within_won < 0 || ts.within_won > kMaxOrderAmountWon) {
    return Status::Invalid(base + ".within_won", "must be 0 to 10,000,000,000");
  }
  if (ts.within_bp < 0 || ts.within_bp > 10000) {
    return Status::Invalid(base + ".within_percent_bp", "must be 0 to 10000 basis points");
  }
  const MessageTemplate* t = nullptr;
  if (!ts.template_code.empty()) {
    t = m.FindTemplate(ts.template_code);
    if (t == nullptr) {
      return Status::Invalid(base + ".template",
                             "'" + ts.template_code + "' is not a template in messaging.templates");
    }
    if (t->type != type) {
      return Status::Invalid(base + ".template", "template " + t->code + " is written for " +
                                                     t->type + ", not " + type);
    }
  } else if (ts.enabled) {
    return Status::Invalid(base + ".template", "is required when the trigger is enabled");
  }
  if (!ts.coupon_template.empty()) {
    if (type == kMsgBirthday) {
      return Status::Invalid(
          base + ".coupon_template",
          "the birthday coupon is the tier's (tiers[].benefits.birthday_coupon)");
    }
    if (p.FindCouponTemplate(ts.coupon_template) == nullptr) {
      return Status::Invalid(base + ".coupon_template",
                             "'" + ts.coupon_template + "' is not a template in coupons.templates");
    }
  }
  if (t != nullptr && ts.coupon_template.empty() && !TypeAlwaysHasCoupon(type)) {
    size_t j = static_cast<size_t>(t - m.templates.data());
    const std::string tpath = "messaging.templates[" + std::to_string(j) + "].";
    for (const char* member : {"text", "sms_text"}) {
      const std::string& text = std::string(member) == "text" ? t->text : t->sms_text;
      std::string slot = FirstCouponSlot(text);
      if (!slot.empty()) {
        return Status::Invalid(tpath + member, "#{" + slot +
                                                   "} is only filled when the trigger issues a "
                                                   "coupon, and " +
                                                   base + " has no coupon_template");
      }
    }
  }
  if (!ts.enabled) return Status::Ok();
  if (UsesDays(type) && ts.days < 1) {
    return Status::Invalid(base + ".days", "is required: 1 to 3650 days");
  }
  if (type == kMsgCartReminder && ts.minutes < 1) {
    return Status::Invalid(base + ".minutes", "is required: 1 to 10080 minutes after the cart");
  }
  if (type == kMsgTierNear && ts.within_won == 0 && ts.within_bp == 0) {
    return Status::Invalid(base + ".within_won",
                           "give within_won or within_percent_bp (how near is near)");
  }
  if (type == kMsgPointsExpiring) {
    if (ts.stages.empty() || ts.stages.size() > 10) {
      return Status::Invalid(base + ".stages", "is required: 1 to 10 days before expiry");
    }
    std::set<int32_t> seen;
    for (size_t k = 0; k < ts.stages.size(); ++k) {
      const std::string path = base + ".stages[" + std::to_string(k) + "]";
      if (ts.stages[k] < 0 || ts.stages[k] > 3650) {
        return Status::Invalid(path, "must be 0 to 3650 days before expiry");
      }
      if (!seen.insert(ts.stages[k]).second) return Status::Invalid(path, "appears twice");
    }
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& MessageTypes() {
  static const std::vector<std::string> types = {kMsgTierNear,
                                                 kMsgTierAtRisk,
                                                 kMsgPointsExpiring,
                                                 kMsgWelcome,
                                                 kMsgFirstPurchaseReminder,
                                                 kMsgReviewRequest,
                                                 kMsgRepurchaseReminder,
                                                 kMsgWinback,
                                                 kMsgBirthday,
                                                 kMsgCartReminder,
                                                 kMsgConsentReconfirm,
                                                 kMsgConsentChanged};
  return types;
}

bool IsMessageType(const std::string& type) { return OwnSlots(type) != nullptr; }

std::vector<std::string> SlotsFor(const std::string& type, bool with_coupon) {
  const std::vector<SlotDef>* own = OwnSlots(type);
  if (own == nullptr) return {};
  std::vector<std::string> out;
  for (const SlotDef& d : CommonSlots()) out.push_back(d.name);
  for (const SlotDef& d : *own) out.push_back(d.name);
  if (with_coupon) {
    for (const SlotDef& d : CouponSlots()) out.push_back(d.name);
  }
  return out;
}

size_t MaxSlotChars(const std::string& slot) {
  for (const SlotDef& d : CommonSlots()) {
    if (slot == d.name) return d.max_chars;
  }
  for (const SlotDef& d : CouponSlots()) {
    if (slot == d.name) return d.max_chars;
  }
  for (const std::string& type : MessageTypes()) {
    for (const SlotDef& d : *OwnSlots(type)) {
      if (slot == d.name) return d.max_chars;
    }
  }
  return 0;
}

Result<std::vector<std::string>> TemplateSlots(const std::string& text) {
  std::vector<std::string> out;
  size_t i = 0;
  while ((i = text.find("#{", i)) != std::string::npos) {
    size_t end = text.find('}', i + 2);
    if (end == std::string::npos) {
      return Status::Invalid(
          "", "a slot opened at byte " + std::to_string(i) + " is not closed with }");
    }
    std::string name = text.substr(i + 2, end - i - 2);
    if (name.empty()) return Status::Invalid("", "an empty slot #{} at byte " + std::to_string(i));
    if (!std::all_of(name.begin(), name.end(), IsSlotChar)) {
      return Status::Invalid("", "the slot #{" + name + "} must be named with a-z, 0-9 and _");
    }
    out.push_back(std::move(name));
    i = end + 1;
  }
  return out;
}

std::string RenderTemplate(const std::string& text,
                           const std::map<std::string, std::string>& variables) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t open = text.find("#{", i);
    if (open == std::string::npos) break;
    size_t end = text.find('}', open + 2);
    if (end == std::string::npos) break;
    out.append(text, i, open - i);
    auto it = variables.find(text.substr(open + 2, end - open - 2));
    if (it != variables.end()) out += it->second;  // unknown: nothing (checked at load time)
    i = end + 1;
  }
  out.append(text, i, std::string::npos);
  return out;
}

size_t Utf8Chars(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string SenderText(const MessagingSettings& m) {
  if (m.sender_name.empty()) return m.sender_contact;
  if (m.sender_contact.empty()) return m.sender_name;
  return m.sender_name + " " + m.sender_contact;
}

std::string FormatWon(Won won) {
  const bool negative = won < 0;
  uint64_t v = negative ? ~static_cast<uint64_t>(won) + 1 : static_cast<uint64_t>(won);
  std::string digits = std::to_string(v);
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

Status ValidateMessaging(const Program& p) {
  const MessagingSettings& m = p.messaging;
  if (m.templates.size() > 200) return Status::Invalid("messaging.templates", "at most 200");
  if (m.triggers.size() > 50) return Status::Invalid("messaging.triggers", "at most 50");
  if (m.daily_cap_per_customer < 0 || m.daily_cap_per_customer > 1000) {
    return Status::Invalid("messaging.daily_cap_per_customer", "must be 0 (no cap) to 1000");
  }
  if (m.catch_up_days < 0 || m.catch_up_days > 365) {
    return Status::Invalid("messaging.catch_up_days", "must be 0 to 365");
  }
  if (m.tier_at_risk_days < 0 || m.tier_at_risk_days > 365) {
    return Status::Invalid("messaging.tier_at_risk_days", "must be 0 to 365");
  }
  LOYALTY_RETURN_IF_ERROR(CheckSender(m));
  std::set<std::string> codes;
  for (size_t i = 0; i < m.templates.size(); ++i) {
    const MessageTemplate& t = m.templates[i];
    const std::string base = "messaging.templates[" + std::to_string(i) + "].";
    if (!IsTemplateCode(t.code)) {
      return Status::Invalid(base + "code", "must be 1-32 characters of A-Z, 0-9 and _");
    }
    if (!codes.insert(t.code).second) {
      return Status::Invalid(base + "code", "'" + t.code + "' appears twice");
    }
    if (!IsMessageType(t.type)) {
      return Status::Invalid(base + "type", "'" + t.type + "' is not a message type (one of: " +
                                                Join(MessageTypes()) + ")");
    }
    if (t.text.empty()) return Status::Invalid(base + "text", "is required");
    LOYALTY_RETURN_IF_ERROR(CheckTemplateText(t.text, t.type, base + "text"));
    if (!t.sms_text.empty()) {
      LOYALTY_RETURN_IF_ERROR(CheckTemplateText(t.sms_text, t.type, base + "sms_text"));
    }
  }
  std::set<std::string> types;
  for (const auto& [type, ts] : m.triggers) {
    if (!types.insert(type).second) {
      return Status::Invalid("messaging.triggers." + type, "appears twice");
    }
    LOYALTY_RETURN_IF_ERROR(ValidateTrigger(p, type, ts));
  }
  // The advertising rules last: they read the triggers (which one issues a coupon).
  for (size_t i = 0; i < m.templates.size(); ++i) {
    LOYALTY_RETURN_IF_ERROR(CheckTemplateCategory(
        m, m.templates[i], "messaging.templates[" + std::to_string(i) + "]."));
  }
  for (size_t i = 0; i < m.order_thresholds.size(); ++i) {
    const OrderThreshold& t = m.order_thresholds[i];
    const std::string base = "messaging.order_thresholds[" + std::to_string(i) + "].";
    if (t.amount_won < 1 || t.amount_won > kMaxOrderAmountWon) {
      return Status::Invalid(base + "amount_won", "must be 1 to 10,000,000,000 won");
    }
    if (i > 0 && t.amount_won <= m.order_thresholds[i - 1].amount_won) {
      return Status::Invalid(base + "amount_won", "thresholds must be in ascending order");
    }
    if (t.label.empty() || Utf8Chars(t.label) > kMaxNameChars) {
      return Status::Invalid(base + "label", "must be 1 to 100 characters");
    }
  }
  return Status::Ok();
}

bool IsNightTime(Micros t_us, const std::string& time_zone) {
  const Micros since_midnight = t_us - StartOfDay(BusinessDate(t_us, time_zone), time_zone);
  return since_midnight >= kNightStartHour * kHourUs || since_midnight < kMorningHour * kHourUs;
}

bool WithinNudgeDistance(const TriggerSettings& near, Won gap_won, Won threshold_won) {
  if (gap_won <= 0) return false;
  const bool by_won = near.within_won > 0 && gap_won <= near.within_won;
  // gap * 10000 <= within_bp * threshold, without overflow for any won amount.
  const bool by_share =
      near.within_bp > 0 && static_cast<__int128>(gap_won) * 10000 <=
                                static_cast<__int128>(near.within_bp) * threshold_won;
  return by_won || by_share;
}

Micros NextMorning(Micros t_us, const std::string& time_zone) {
  const LocalDate d = BusinessDate(t_us, time_zone);
  const Micros today = StartOfDay(d, time_zone) + kMorningHour * kHourUs;
  if (t_us <= today) return today;
  return StartOfDay(AddDays(d, 1), time_zone) + kMorningHour * kHourUs;
}

DeliveryDecision DecideDelivery(MessageCategory category, const Customer& c, Micros earliest_us,
                                const std::string& time_zone) {
  DeliveryDecision out;
  out.not_before_us = earliest_us;
  if (category != MessageCategory::kAdvertising) return out;
  if (!c.marketing_consent) {
    out.suppress = true;
    out.reason = "no_marketing_consent";
    return out;
  }
  if (!c.night_consent && IsNightTime(earliest_us, time_zone)) {
    out.not_before_us = NextMorning(earliest_us, time_zone);
  }
  return out;
}

}  // namespace loyalty
