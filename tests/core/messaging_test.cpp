// Messages, the pure part: template slots and rendering, won formatting, the load-time checks
// of programme.messaging, the consent and night-time rule at the edges of the night, and the
// lifecycle triggers' due dates.
#include "core/messaging.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "tests/core/coupon_test_util.h"
#include "tests/core/messaging_test_util.h"
#include "tests/core/test_util.h"

namespace loyalty::testing {
namespace {

// CouponProgram with one valid template and trigger per type (the welcome coupon is one the
// customer asked for, so its message stays informational).
Program MessagingProgram() {
  Program p = CouponProgram();
  MessagingSettings& m = p.messaging;
  SetTestSender(m);
  m.templates = {
      Tmpl("NEAR", kMsgTierNear, AdText("#{next_tier_name}까지 #{gap_won}원 남았어요!"),
           MessageCategory::kAdvertising),
      Tmpl("RISK", kMsgTierAtRisk, "#{tier_name} 유지까지 #{needed_won}원 (#{evaluation_date})"),
      Tmpl("EXPIRING", kMsgPointsExpiring, "#{points}P가 #{expires_on}에 소멸 (#{days_left}일)"),
      Tmpl("WELCOME", kMsgWelcome, "환영합니다 #{coupon_code}"),
      Tmpl("FIRST", kMsgFirstPurchaseReminder, "가입 #{days_since_signup}일째"),
      Tmpl("REVIEW", kMsgReviewRequest, "#{order_id} 리뷰"),
      Tmpl("REPURCHASE", kMsgRepurchaseReminder, "#{last_order_id} 후 #{days_since_last_order}일"),
      Tmpl("WINBACK", kMsgWinback, AdText("#{days_since_last_order}일 #{coupon_code}"),
           MessageCategory::kAdvertising),
      Tmpl("BIRTHDAY", kMsgBirthday, AdText("생일 #{coupon_name} #{coupon_code}"),
           MessageCategory::kAdvertising),
      Tmpl("CART", kMsgCartReminder, AdText("장바구니 #{cart_items}개 #{cart_amount_won}원"),
           MessageCategory::kAdvertising),
      Tmpl("RECONFIRM", kMsgConsentReconfirm,
           "#{consented_on}에 동의하신 #{consent_items} 수신 동의가 유지됩니다. #{opt_out}"),
      Tmpl("CHANGED", kMsgConsentChanged,
           "#{changed_on} #{consent_items} #{consent_result} 처리되었습니다. #{sender}"),
  };
  m.templates[3].coupon_exemption = "가입 시 고객이 신청한 쿠폰";
  TriggerSettings near = On("NEAR");
  near.within_won = 50000;
  TriggerSettings expiring = On("EXPIRING");
  expiring.stages = {60, 30, 3};
  TriggerSettings welcome = On("WELCOME");
  welcome.coupon_template = "WELCOME";
  TriggerSettings first = On("FIRST");
  first.days = 7;
  TriggerSettings review = On("REVIEW");
  review.days = 3;
  TriggerSettings repurchase = On("REPURCHASE");
  repurchase.days = 30;
  TriggerSettings winback = On("WINBACK");
  winback.days = 90;
  winback.coupon_template = "EXTRA";
  TriggerSettings cart = On("CART");
  cart.minutes = 60;
  m.triggers = {{kMsgTierNear, near},
                {kMsgTierAtRisk, On("RISK")},
                {kMsgPointsExpiring, expiring},
                {kMsgWelcome, welcome},
                {kMsgFirstPurchaseReminder, first},
                {kMsgReviewRequest, review},
                {kMsgRepurchaseReminder, repurchase},
                {kMsgWinback, winback},
                {kMsgBirthday, On("BIRTHDAY")},
                {kMsgCartReminder, cart},
                {kMsgConsentReconfirm, On("RECONFIRM")},
                {kMsgConsentChanged, On("CHANGED")}};
  m.order_thresholds = {{50000, "무료배송"}, {100000, "사은품"}};
  m.daily_cap_per_customer = 3;
  return p;
}

TriggerSettings& TriggerOf(Program& p, const std::string& type) {
  for (auto& [t, settings] : p.messaging.triggers) {
    if (t == type) return settings;
  }
  ADD_FAILURE() << "no trigger " << type;
  static TriggerSettings none;
  return none;
}

MessageTemplate& TemplateOf(Program& p, const std::string& code) {
  for (MessageTemplate& t : p.messaging.templates) {
    if (t.code == code) return t;
  }
  ADD_FAILURE() << "no template " << code;
  static MessageTemplate none;
  return none;
}

TEST(MessagingTest, TemplateSlotsInOrderWithDuplicates) {
  auto slots = TemplateSlots("#{tier_name} 등급까지 #{gap_won}원, 다시 #{tier_name}");
  ASSERT_TRUE(slots.ok());
  EXPECT_EQ(*slots, (std::vector<std::string>{"tier_name", "gap_won", "tier_name"}));
  auto none = TemplateSlots("슬롯 없음 # { } #x {y}");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(MessagingTest, MalformedSlotsAreRefused) {
  for (const char* text :
       {"#{gap_won", "안녕 #{}", "#{Gap}", "#{gap won}", "#{a#{b}}", "#{tier-name}", "#{등급}"}) {
    auto slots = TemplateSlots(text);
    EXPECT_FALSE(slots.ok()) << text;
    EXPECT_EQ(slots.status().code(), Code::kValidationFailed) << text;
  }
}

TEST(MessagingTest, RenderReplacesEverySlot) {
  std::map<std::string, std::string> vars = {{"tier_name", "골드"}, {"gap_won", "1,000"}};
  EXPECT_EQ(RenderTemplate("#{tier_name} 등급까지 #{gap_won}원 남았어요! (#{tier_name})", vars),
            "골드 등급까지 1,000원 남았어요! (골드)");
  EXPECT_EQ(RenderTemplate("no slots # {x}", vars), "no slots # {x}");
  EXPECT_EQ(RenderTemplate("#{gap_won}", vars), "1,000");
}

TEST(MessagingTest, Utf8CharsCountsKoreanAsOneEach) {
  EXPECT_EQ(Utf8Chars(""), 0u);
  EXPECT_EQ(Utf8Chars("abc"), 3u);
  EXPECT_EQ(Utf8Chars("등급"), 2u);  // 6 bytes
  EXPECT_EQ(std::string("등급").size(), 6u);
  EXPECT_EQ(Utf8Chars("₩1,000 무료배송"), 11u);
}

TEST(MessagingTest, FormatWonGroupsThousands) {
  EXPECT_EQ(FormatWon(0), "0");
  EXPECT_EQ(FormatWon(999), "999");
  EXPECT_EQ(FormatWon(1000), "1,000");
  EXPECT_EQ(FormatWon(50000), "50,000");
  EXPECT_EQ(FormatWon(1234567), "1,234,567");
  EXPECT_EQ(FormatWon(-1000), "-1,000");
  EXPECT_EQ(FormatWon(-100), "-100");
  EXPECT_EQ(FormatWon(INT64_MIN), "-9,223,372,036,854,775,808");
  EXPECT_EQ(FormatWon(INT64_MAX).size(), MaxSlotChars("gap_won") - 1);
}

TEST(MessagingTest, SlotsPerType) {
  auto has = [](const std::vector<std::string>& v, const char* s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  std::vector<std::string> near = SlotsFor(kMsgTierNear, false);
  for (const char* s : {"customer_id", "tier", "tier_name", "next_tier", "next_tier_name",
                        "gap_won", "threshold_won", "spend_won", "valid_through"}) {
    EXPECT_TRUE(has(near, s)) << s;
  }
  EXPECT_FALSE(has(near, "coupon_code"));
  EXPECT_TRUE(has(SlotsFor(kMsgWinback, true), "coupon_code"));
  EXPECT_TRUE(has(SlotsFor(kMsgCartReminder, false), "cart_amount_won"));
  EXPECT_EQ(SlotsFor(kMsgWelcome, false).size(), 5u);  // customer_id tier tier_name sender opt_out
  EXPECT_TRUE(SlotsFor("newsletter", true).empty());
  EXPECT_EQ(MessageTypes().size(), 12u);
  for (const std::string& t : MessageTypes()) EXPECT_TRUE(IsMessageType(t)) << t;
  EXPECT_FALSE(IsMessageType("newsletter"));
  EXPECT_EQ(MaxSlotChars("customer_id"), kMaxIdLength);
  EXPECT_EQ(MaxSlotChars("expires_on"), 10u);
  EXPECT_EQ(MaxSlotChars("nope"), 0u);
}

TEST(MessagingTest, TheMessagingProgrammeIsValid) {
  Status st = ValidateProgram(MessagingProgram());
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(ValidateProgram(TestProgram()).ok());  // no messaging section at all
}

TEST(MessagingTest, FindTemplateTriggerEnabled) {
  Program p = MessagingProgram();
  ASSERT_NE(p.messaging.FindTemplate("NEAR"), nullptr);
  EXPECT_EQ(p.messaging.FindTemplate("NOPE"), nullptr);
  ASSERT_NE(p.messaging.Trigger(kMsgWinback), nullptr);
  EXPECT_EQ(p.messaging.Trigger(kMsgWinback)->days, 90);
  TriggerOf(p, kMsgWinback).enabled = false;
  EXPECT_NE(p.messaging.Trigger(kMsgWinback), nullptr);
  EXPECT_EQ(p.messaging.Enabled(kMsgWinback), nullptr);
  EXPECT_NE(p.messaging.Enabled(kMsgWelcome), nullptr);
  EXPECT_EQ(TestProgram().messaging.Trigger(kMsgWelcome), nullptr);
}

TEST(MessagingTest, NamesOfCategoriesAndStatuses) {
  EXPECT_STREQ(MessageCategoryName(MessageCategory::kInformational), "informational");
  EXPECT_STREQ(MessageCategoryName(MessageCategory::kAdvertising), "advertising");
  EXPECT_STREQ(MessageStatusName(MessageStatus::kPending), "pending");
  EXPECT_STREQ(MessageStatusName(MessageStatus::kDelivered), "delivered");
  EXPECT_STREQ(MessageStatusName(MessageStatus::kDeadLetter), "dead_letter");
  EXPECT_STREQ(MessageStatusName(MessageStatus::kSuppressed), "suppressed");
  EXPECT_STREQ(MessageStatusName(MessageStatus::kCancelled), "cancelled");
}

struct Case {
  const char* field;
  std::function<void(Program&)> mutate;
};

TEST(MessagingTest, EachProblemNamesItsJsonPath) {
  const std::vector<Case> cases = {
      {"messaging.templates[0].text",  // unknown slot
       [](Program& p) { TemplateOf(p, "NEAR").text = "#{gap_won} #{order_id}"; }},
      {"messaging.templates[2].text",  // malformed
       [](Program& p) { TemplateOf(p, "EXPIRING").text = "#{points"; }},
      {"messaging.templates[1].text",  // coupon slot, trigger without a coupon
       [](Program& p) { TemplateOf(p, "RISK").text = "#{needed_won} #{coupon_code}"; }},
      {"messaging.templates[6].sms_text",  // coupon slot in the SMS text
       [](Program& p) { TemplateOf(p, "REPURCHASE").sms_text = "#{coupon_valid_until}"; }},
      {"messaging.templates[3].text",  // too long once every slot is at its longest
       [](Program& p) {
         // 900 characters + #{coupon_code} (40) + #{customer_id} (64) = 1004 > 1000.
         std::string text;
         for (int i = 0; i < 900; ++i) text += "가";
         TemplateOf(p, "WELCOME").text = text + "#{coupon_code}#{customer_id}";
       }},
      {"messaging.templates[0].type",
       [](Program& p) { TemplateOf(p, "NEAR").type = "newsletter"; }},
      {"messaging.templates[0].code", [](Program& p) { TemplateOf(p, "NEAR").code = "near"; }},
      {"messaging.templates[1].code", [](Program& p) { TemplateOf(p, "RISK").code = "NEAR"; }},
      {"messaging.templates[4].text", [](Program& p) { TemplateOf(p, "FIRST").text = ""; }},
      {"messaging.triggers.newsletter",
       [](Program& p) { p.messaging.triggers.emplace_back("newsletter", On("NEAR")); }},
      {"messaging.triggers.tier_near.template",  // a template of another type
       [](Program& p) { TriggerOf(p, kMsgTierNear).template_code = "RISK"; }},
      {"messaging.triggers.winback.template",  // missing template
       [](Program& p) { TriggerOf(p, kMsgWinback).template_code = "GONE"; }},
      {"messaging.triggers.review_request.template",
       [](Program& p) { TriggerOf(p, kMsgReviewRequest).template_code.clear(); }},
      {"messaging.triggers.first_purchase_reminder.days",  // enabled without days
       [](Program& p) { TriggerOf(p, kMsgFirstPurchaseReminder).days = 0; }},
      {"messaging.triggers.winback.days", [](Program& p) { TriggerOf(p, kMsgWinback).days = -1; }},
      {"messaging.triggers.cart_reminder.minutes",
       [](Program& p) { TriggerOf(p, kMsgCartReminder).minutes = 0; }},
      {"messaging.triggers.tier_near.within_won",
       [](Program& p) { TriggerOf(p, kMsgTierNear).within_won = 0; }},
      {"messaging.triggers.tier_near.within_percent_bp",
       [](Program& p) { TriggerOf(p, kMsgTierNear).within_bp = 10001; }},
      {"messaging.triggers.points_expiring.stages",
       [](Program& p) { TriggerOf(p, kMsgPointsExpiring).stages.clear(); }},
      {"messaging.triggers.points_expiring.stages[2]",
       [](Program& p) {
         TriggerOf(p, kMsgPointsExpiring).stages = {60, 30, 30};
       }},
      {"messaging.triggers.welcome.coupon_template",
       [](Program& p) { TriggerOf(p, kMsgWelcome).coupon_template = "NOPE"; }},
      {"messaging.triggers.birthday.coupon_template",
       [](Program& p) { TriggerOf(p, kMsgBirthday).coupon_template = "EXTRA"; }},
      {"messaging.triggers.cart_reminder.daily_cap",
       [](Program& p) { TriggerOf(p, kMsgCartReminder).daily_cap = -1; }},
      {"messaging.triggers.welcome",
       [](Program& p) { p.messaging.triggers.emplace_back(kMsgWelcome, On("WELCOME")); }},
      {"messaging.order_thresholds[1].amount_won",
       [](Program& p) { p.messaging.order_thresholds[1].amount_won = 50000; }},
      {"messaging.order_thresholds[0].amount_won",
       [](Program& p) { p.messaging.order_thresholds[0].amount_won = 0; }},
      {"messaging.order_thresholds[0].label",
       [](Program& p) { p.messaging.order_thresholds[0].label.clear(); }},
      {"messaging.daily_cap_per_customer",
       [](Program& p) { p.messaging.daily_cap_per_customer = -1; }},
      {"messaging.catch_up_days", [](Program& p) { p.messaging.catch_up_days = -1; }},
      {"messaging.tier_at_risk_days", [](Program& p) { p.messaging.tier_at_risk_days = 400; }},
  };
  for (const Case& c : cases) {
    Program p = MessagingProgram();
    c.mutate(p);
    Status s = ValidateProgram(p);
    EXPECT_EQ(s.code(), Code::kValidationFailed) << c.field;
    EXPECT_EQ(s.field(), c.field) << s.ToString();
  }
}

TEST(MessagingTest, LengthIsCheckedWithEverySlotAtItsLongest) {
  // 936 characters + #{customer_id} (64) = 1000: allowed; one more character is not.
  std::string text;
  for (int i = 0; i < 936; ++i) text += "가";
  Program p = MessagingProgram();
  TemplateOf(p, "REVIEW").text = text + "#{customer_id}";
  EXPECT_TRUE(ValidateMessaging(p).ok()) << ValidateMessaging(p).ToString();
  TemplateOf(p, "REVIEW").text = text + "나#{customer_id}";
  EXPECT_EQ(ValidateMessaging(p).field(), "messaging.templates[5].text");
}

TEST(MessagingTest, CouponSlotsNeedACouponExceptForBirthday) {
  Program p = MessagingProgram();
  // The birthday message always carries the tier's birthday coupon.
  EXPECT_TRUE(ValidateMessaging(p).ok());
  // Welcome loses its coupon: its template may no longer use #{coupon_code}.
  TriggerOf(p, kMsgWelcome).coupon_template.clear();
  Status s = ValidateMessaging(p);
  EXPECT_EQ(s.field(), "messaging.templates[3].text");
  EXPECT_NE(s.message().find("coupon_template"), std::string::npos) << s.message();
}

TEST(MessagingTest, ADisabledTriggerNeedsNoParameters) {
  Program p = MessagingProgram();
  TriggerSettings& first = TriggerOf(p, kMsgFirstPurchaseReminder);
  first.enabled = false;
  first.days = 0;
  first.template_code.clear();
  EXPECT_TRUE(ValidateMessaging(p).ok()) << ValidateMessaging(p).ToString();
}

// ---- the night-time rule at its edges (KST) ----

TEST(MessagingTest, NightIsFrom2100To0800Kst) {
  const std::string tz = "Asia/Seoul";
  EXPECT_FALSE(IsNightTime(Kst(2026, 3, 10, 20, 59), tz));
  EXPECT_TRUE(IsNightTime(Kst(2026, 3, 10, 21, 0), tz));
  EXPECT_TRUE(IsNightTime(Kst(2026, 3, 11, 0, 0), tz));
  EXPECT_TRUE(IsNightTime(Kst(2026, 3, 11, 7, 59), tz));
  EXPECT_FALSE(IsNightTime(Kst(2026, 3, 11, 8, 0), tz));
  EXPECT_FALSE(IsNightTime(Kst(2026, 3, 11, 12, 0), tz));
  // 20:59:59.999999 is still day; the same instant is 11:59 UTC.
  EXPECT_FALSE(IsNightTime(Kst(2026, 3, 10, 21, 0) - 1, tz));
  EXPECT_TRUE(IsNightTime(Kst(2026, 3, 11, 8, 0) - 1, tz));
}

TEST(MessagingTest, NextMorningIsTheNext0800AtOrAfter) {
  const std::string tz = "Asia/Seoul";
  EXPECT_EQ(NextMorning(Kst(2026, 3, 10, 21, 0), tz), Kst(2026, 3, 11, 8, 0));
  EXPECT_EQ(NextMorning(Kst(2026, 3, 10, 23, 59), tz), Kst(2026, 3, 11, 8, 0));
  EXPECT_EQ(NextMorning(Kst(2026, 3, 11, 7, 59), tz), Kst(2026, 3, 11, 8, 0));
  EXPECT_EQ(NextMorning(Kst(2026, 3, 11, 8, 0), tz), Kst(2026, 3, 11, 8, 0));
  EXPECT_EQ(NextMorning(Kst(2026, 3, 10, 20, 59), tz), Kst(2026, 3, 11, 8, 0));
  EXPECT_EQ(NextMorning(Kst(2026, 12, 31, 22, 0), tz), Kst(2027, 1, 1, 8, 0));
}

TEST(MessagingTest, DecideDeliveryAtTheEdgesOfTheNight) {
  const std::string tz = "Asia/Seoul";
  Customer consent;
  consent.marketing_consent = true;
  Customer night = consent;
  night.night_consent = true;
  Customer none;
  struct Edge {
    Micros at;
    bool night;
  };
  const std::vector<Edge> edges = {{Kst(2026, 3, 10, 20, 59), false},
                                   {Kst(2026, 3, 10, 21, 0), true},
                                   {Kst(2026, 3, 11, 7, 59), true},
                                   {Kst(2026, 3, 11, 8, 0), false}};
  for (const Edge& e : edges) {
    SCOPED_TRACE(FormatInstant(e.at));
    // Informational: always at once, consent or not.
    DeliveryDecision info = DecideDelivery(MessageCategory::kInformational, none, e.at, tz);
    EXPECT_FALSE(info.suppress);
    EXPECT_EQ(info.not_before_us, e.at);
    // Advertising without marketing consent: suppressed, day or night.
    DeliveryDecision no = DecideDelivery(MessageCategory::kAdvertising, none, e.at, tz);
    EXPECT_TRUE(no.suppress);
    EXPECT_EQ(no.reason, "no_marketing_consent");
    // Advertising with consent: at night waits for 08:00 unless night consent.
    DeliveryDecision day = DecideDelivery(MessageCategory::kAdvertising, consent, e.at, tz);
    EXPECT_FALSE(day.suppress);
    EXPECT_EQ(day.not_before_us, e.night ? NextMorning(e.at, tz) : e.at);
    if (e.night) {
      EXPECT_EQ(BusinessDate(day.not_before_us, tz).day, 11);
    }
    DeliveryDecision with_night = DecideDelivery(MessageCategory::kAdvertising, night, e.at, tz);
    EXPECT_FALSE(with_night.suppress);
    EXPECT_EQ(with_night.not_before_us, e.at);
  }
  // Night consent alone does not replace marketing consent.
  Customer only_night;
  only_night.night_consent = true;
  EXPECT_TRUE(
      DecideDelivery(MessageCategory::kAdvertising, only_night, Kst(2026, 3, 10, 12), tz).suppress);
}

// ---- lifecycle due dates ----

class DueLifecycleTest : public ::testing::Test {
 protected:
  std::vector<std::string> TypesOn(const LocalDate& d) {
    std::vector<std::string> out;
    for (const LifecycleDue& due : DueLifecycle(p_, a_, d)) out.push_back(due.type);
    return out;
  }
  const LifecycleDue* Find(const LocalDate& d, const std::string& type) {
    due_ = DueLifecycle(p_, a_, d);
    for (const LifecycleDue& x : due_) {
      if (x.type == type) return &x;
    }
    return nullptr;
  }

  Program p_ = MessagingProgram();  // first purchase 7, review 3, repurchase 30, winback 90
  CustomerActivity a_ = [] {
    CustomerActivity a;
    a.customer_id = "c1";
    a.tier = "BRONZE";
    a.created_at_us = Kst(2026, 3, 1, 23, 30);  // signed up on 1 March KST (14:30 UTC)
    return a;
  }();
  std::vector<LifecycleDue> due_;
};

TEST_F(DueLifecycleTest, FirstPurchaseReminderFromDayNWithinCatchUp) {
  p_.messaging.catch_up_days = 2;
  EXPECT_TRUE(TypesOn({2026, 3, 7}).empty());
  const LifecycleDue* due = Find({2026, 3, 8}, kMsgFirstPurchaseReminder);
  ASSERT_NE(due, nullptr);
  EXPECT_EQ(due->dedupe_key, "first_purchase_reminder:c1");
  EXPECT_EQ(due->variables.at("days_since_signup"), "7");
  EXPECT_NE(Find({2026, 3, 10}, kMsgFirstPurchaseReminder), nullptr);  // 2 days late: caught up
  EXPECT_EQ(Find({2026, 3, 11}, kMsgFirstPurchaseReminder), nullptr);  // 3 days late: missed
}

TEST_F(DueLifecycleTest, NoFirstPurchaseReminderOnceThereIsAnOrder) {
  a_.orders = 1;
  a_.last_order_at_us = Kst(2026, 3, 5, 10);
  a_.last_order_id = "o1";
  EXPECT_EQ(Find({2026, 3, 8}, kMsgFirstPurchaseReminder), nullptr);
}

TEST_F(DueLifecycleTest, ReviewRequestAfterTheFirstConfirmation) {
  a_.orders = 1;
  a_.last_order_at_us = Kst(2026, 3, 2, 10);
  a_.last_order_id = "o1";
  a_.first_confirmed_at_us = Kst(2026, 3, 4, 23, 59);
  a_.first_confirmed_order_id = "o1";
  EXPECT_EQ(Find({2026, 3, 6}, kMsgReviewRequest), nullptr);
  const LifecycleDue* due = Find({2026, 3, 7}, kMsgReviewRequest);
  ASSERT_NE(due, nullptr);
  EXPECT_EQ(due->dedupe_key, "review_request:c1");
  EXPECT_EQ(due->variables.at("order_id"), "o1");
  EXPECT_NE(Find({2026, 3, 14}, kMsgReviewRequest), nullptr);  // catch_up_days 7
  EXPECT_EQ(Find({2026, 3, 15}, kMsgReviewRequest), nullptr);
  // Not confirmed yet: nothing.
  a_.first_confirmed_at_us = 0;
  a_.first_confirmed_order_id.clear();
  EXPECT_EQ(Find({2026, 3, 7}, kMsgReviewRequest), nullptr);
}

TEST_F(DueLifecycleTest, RepurchaseAndWinbackCountFromTheLastOrder) {
  a_.orders = 2;
  a_.last_order_at_us = Kst(2026, 1, 10, 9);
  a_.last_order_id = "o2";
  const LifecycleDue* re = Find({2026, 2, 9}, kMsgRepurchaseReminder);  // 30 days
  ASSERT_NE(re, nullptr);
  EXPECT_EQ(re->dedupe_key, "repurchase_reminder:c1:o2");
  EXPECT_EQ(re->variables.at("days_since_last_order"), "30");
  EXPECT_EQ(re->variables.at("last_order_id"), "o2");
  EXPECT_EQ(Find({2026, 2, 8}, kMsgRepurchaseReminder), nullptr);
  EXPECT_EQ(Find({2026, 2, 17}, kMsgRepurchaseReminder), nullptr);  // 8 days late
  EXPECT_EQ(Find({2026, 4, 9}, kMsgWinback), nullptr);              // 89 days
  const LifecycleDue* wb = Find({2026, 4, 10}, kMsgWinback);        // 90 days
  ASSERT_NE(wb, nullptr);
  EXPECT_EQ(wb->dedupe_key, "winback:c1:o2");
  EXPECT_EQ(wb->variables.at("days_since_last_order"), "90");
  EXPECT_NE(Find({2026, 4, 17}, kMsgWinback), nullptr);
  EXPECT_EQ(Find({2026, 4, 18}, kMsgWinback), nullptr);
  // A customer who never ordered is the first-purchase reminder's, not the win-back's.
  a_ = CustomerActivity();
  a_.customer_id = "c2";
  a_.created_at_us = Kst(2025, 1, 1);
  EXPECT_TRUE(TypesOn({2026, 4, 10}).empty());
}

TEST_F(DueLifecycleTest, DisabledTriggersAreNeverDue) {
  for (auto& [type, t] : p_.messaging.triggers) t.enabled = false;
  a_.orders = 1;
  a_.last_order_at_us = Kst(2026, 1, 10, 9);
  a_.last_order_id = "o1";
  a_.first_confirmed_at_us = Kst(2026, 1, 10, 9);
  a_.first_confirmed_order_id = "o1";
  for (int day = 0; day < 200; ++day) {
    EXPECT_TRUE(TypesOn(AddDays({2026, 1, 1}, day)).empty());
  }
}

}  // namespace
}  // namespace loyalty::testing
