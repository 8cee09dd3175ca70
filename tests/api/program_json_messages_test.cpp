// Programme JSON, the messaging section: parsed strictly (unknown fields, wrong types, fractions
// and huge numbers refused with the JSON path), rendered back by ProgramToJson (`loyalty program
// show`) so that it parses to the same programme, and ValidateMessaging's findings surface.
#include <gtest/gtest.h>

#include <string>

#include "app/program_codec.h"
#include "core/program.h"

namespace loyalty {
namespace {

// A small valid programme with `messaging` as given ("" = no messaging section).
std::string ProgramWith(const std::string& messaging) {
  std::string out = R"json({
  "version": 1,
  "name": "messages test",
  "tiers": [
    {"code": "BRONZE", "threshold_won": 0, "earn_rate_bp": 100},
    {"code": "SILVER", "threshold_won": 300000, "earn_rate_bp": 200}
  ],
  "coupons": {
    "templates": [
      {"code": "COMEBACK", "kind": "fixed_won", "discount_won": 5000,
       "validity": {"days_from_issue": 14}}
    ]
  })json";
  if (!messaging.empty()) out += ",\n  \"messaging\": " + messaging;
  return out + "\n}\n";
}

// Every key of the section, the triggers deliberately not in documentation order.
const char* const kFullMessaging = R"json({
    "sender": {"name": "테스트샵", "contact": "02-000-0000"},
    "opt_out": "무료수신거부 080-000-0000",
    "templates": [
      {"code": "WINBACK", "type": "winback", "category": "advertising",
       "text": "(광고) #{coupon_name} 쿠폰 #{coupon_code} #{sender} #{opt_out}",
       "sms_text": "(광고) #{coupon_code} 테스트샵 02-000-0000 무료수신거부 080-000-0000"},
      {"code": "NEAR", "type": "tier_near", "category": "informational",
       "text": "#{next_tier_name}까지 #{gap_won}원 #{coupon_code}",
       "coupon_exemption": "고객이 신청한 쿠폰"},
      {"code": "EXPIRING", "type": "points_expiring", "category": "informational",
       "text": "#{points}P #{expires_on} 소멸"},
      {"code": "RECONFIRM", "type": "consent_reconfirm", "category": "informational",
       "text": "#{consented_on} #{consent_items} 동의 유지. #{opt_out}"},
      {"code": "CHANGED", "type": "consent_changed", "category": "informational",
       "text": "#{changed_on} #{consent_items} #{consent_result} #{sender}"}
    ],
    "triggers": {
      "winback": {"enabled": true, "template": "WINBACK", "days": 90,
                  "coupon_template": "COMEBACK", "daily_cap": 1},
      "tier_near": {"enabled": false, "template": "NEAR", "within_won": 50000,
                    "within_percent_bp": 1000, "coupon_template": "COMEBACK"},
      "points_expiring": {"enabled": true, "template": "EXPIRING", "stages": [60, 30, 3]},
      "consent_changed": {"enabled": true, "template": "CHANGED"},
      "consent_reconfirm": {"enabled": true, "template": "RECONFIRM"}
    },
    "order_thresholds": [{"amount_won": 50000, "label": "무료배송"},
                         {"amount_won": 100000, "label": "사은품"}],
    "daily_cap_per_customer": 3,
    "catch_up_days": 5,
    "tier_at_risk_days": 10
  })json";

// The parse error's field for a programme whose messaging section is `messaging`.
std::string FieldOf(const std::string& messaging) {
  auto p = ParseProgramJson(ProgramWith(messaging));
  if (p.ok()) return "(accepted)";
  EXPECT_EQ(p.status().code(), Code::kValidationFailed) << p.status().ToString();
  return p.status().field();
}

TEST(ProgramJsonMessagesTest, ParsesEveryKeyKeepingTheTriggersInFileOrder) {
  auto p = ParseProgramJson(ProgramWith(kFullMessaging));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const MessagingSettings& m = p->messaging;
  EXPECT_EQ(m.sender_name, "테스트샵");
  EXPECT_EQ(m.sender_contact, "02-000-0000");
  EXPECT_EQ(m.opt_out, "무료수신거부 080-000-0000");
  ASSERT_EQ(m.templates.size(), 5u);
  EXPECT_EQ(m.templates[0].code, "WINBACK");
  EXPECT_EQ(m.templates[0].type, "winback");
  EXPECT_EQ(m.templates[0].category, MessageCategory::kAdvertising);
  EXPECT_EQ(m.templates[0].text, "(광고) #{coupon_name} 쿠폰 #{coupon_code} #{sender} #{opt_out}");
  EXPECT_EQ(m.templates[0].sms_text,
            "(광고) #{coupon_code} 테스트샵 02-000-0000 무료수신거부 080-000-0000");
  EXPECT_EQ(m.templates[0].coupon_exemption, "");
  EXPECT_EQ(m.templates[1].category, MessageCategory::kInformational);
  EXPECT_EQ(m.templates[1].sms_text, "");
  EXPECT_EQ(m.templates[1].coupon_exemption, "고객이 신청한 쿠폰");
  EXPECT_EQ(m.templates[3].type, "consent_reconfirm");
  EXPECT_EQ(m.templates[4].type, "consent_changed");
  ASSERT_EQ(m.triggers.size(), 5u);
  EXPECT_EQ(m.triggers[0].first, "winback");
  EXPECT_EQ(m.triggers[1].first, "tier_near");
  EXPECT_EQ(m.triggers[2].first, "points_expiring");
  EXPECT_EQ(m.triggers[3].first, "consent_changed");
  EXPECT_EQ(m.triggers[4].first, "consent_reconfirm");
  EXPECT_NE(m.Enabled("consent_reconfirm"), nullptr);
  EXPECT_EQ(m.Enabled("consent_reconfirm")->template_code, "RECONFIRM");
  const TriggerSettings& winback = m.triggers[0].second;
  EXPECT_TRUE(winback.enabled);
  EXPECT_EQ(winback.template_code, "WINBACK");
  EXPECT_EQ(winback.days, 90);
  EXPECT_EQ(winback.coupon_template, "COMEBACK");
  EXPECT_EQ(winback.daily_cap, 1);
  const TriggerSettings& near = m.triggers[1].second;
  EXPECT_FALSE(near.enabled);
  EXPECT_EQ(near.within_won, 50000);
  EXPECT_EQ(near.within_bp, 1000);
  EXPECT_EQ(m.triggers[2].second.stages, (std::vector<int32_t>{60, 30, 3}));
  ASSERT_EQ(m.order_thresholds.size(), 2u);
  EXPECT_EQ(m.order_thresholds[1].amount_won, 100000);
  EXPECT_EQ(m.order_thresholds[0].label, "무료배송");
  EXPECT_EQ(m.daily_cap_per_customer, 3);
  EXPECT_EQ(m.catch_up_days, 5);
  EXPECT_EQ(m.tier_at_risk_days, 10);
  EXPECT_EQ(m.Enabled("tier_near"), nullptr);
  EXPECT_NE(m.Enabled("points_expiring"), nullptr);
}

TEST(ProgramJsonMessagesTest, EverythingIsOptionalWithTheProgrammeDefaults) {
  const MessagingSettings defaults;
  for (const std::string& messaging : {std::string(), std::string("{}")}) {
    auto p = ParseProgramJson(ProgramWith(messaging));
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_TRUE(p->messaging.templates.empty());
    EXPECT_TRUE(p->messaging.triggers.empty());
    EXPECT_TRUE(p->messaging.order_thresholds.empty());
    EXPECT_EQ(p->messaging.sender_name, "");
    EXPECT_EQ(p->messaging.sender_contact, "");
    EXPECT_EQ(p->messaging.opt_out, "");
    EXPECT_EQ(p->messaging.daily_cap_per_customer, defaults.daily_cap_per_customer);
    EXPECT_EQ(p->messaging.catch_up_days, defaults.catch_up_days);
    EXPECT_EQ(p->messaging.tier_at_risk_days, defaults.tier_at_risk_days);
  }
}

TEST(ProgramJsonMessagesTest, RendersTheSectionAndParsesBackToTheSameProgramme) {
  auto p = ParseProgramJson(ProgramWith(kFullMessaging));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const std::string shown = ProgramToJson(*p);
  EXPECT_NE(shown.find("\"within_percent_bp\""), std::string::npos) << shown;
  EXPECT_NE(shown.find("\"tier_at_risk_days\""), std::string::npos) << shown;
  EXPECT_NE(shown.find("\"coupon_exemption\""), std::string::npos) << shown;
  EXPECT_NE(shown.find("\"opt_out\""), std::string::npos) << shown;
  auto back = ParseProgramJson(shown);
  ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << shown;
  const MessagingSettings& a = p->messaging;
  const MessagingSettings& b = back->messaging;
  EXPECT_EQ(a.sender_name, b.sender_name);
  EXPECT_EQ(a.sender_contact, b.sender_contact);
  EXPECT_EQ(a.opt_out, b.opt_out);
  ASSERT_EQ(a.templates.size(), b.templates.size());
  for (size_t i = 0; i < a.templates.size(); ++i) {
    EXPECT_EQ(a.templates[i].code, b.templates[i].code);
    EXPECT_EQ(a.templates[i].type, b.templates[i].type);
    EXPECT_EQ(a.templates[i].category, b.templates[i].category);
    EXPECT_EQ(a.templates[i].text, b.templates[i].text);
    EXPECT_EQ(a.templates[i].sms_text, b.templates[i].sms_text);
    EXPECT_EQ(a.templates[i].coupon_exemption, b.templates[i].coupon_exemption);
  }
  ASSERT_EQ(a.triggers.size(), b.triggers.size());
  for (size_t i = 0; i < a.triggers.size(); ++i) {
    const TriggerSettings& x = a.triggers[i].second;
    const TriggerSettings& y = b.triggers[i].second;
    EXPECT_EQ(a.triggers[i].first, b.triggers[i].first);  // order kept through the render
    EXPECT_EQ(x.enabled, y.enabled);
    EXPECT_EQ(x.template_code, y.template_code);
    EXPECT_EQ(x.days, y.days);
    EXPECT_EQ(x.minutes, y.minutes);
    EXPECT_EQ(x.coupon_template, y.coupon_template);
    EXPECT_EQ(x.daily_cap, y.daily_cap);
    EXPECT_EQ(x.within_won, y.within_won);
    EXPECT_EQ(x.within_bp, y.within_bp);
    EXPECT_EQ(x.stages, y.stages);
  }
  ASSERT_EQ(a.order_thresholds.size(), b.order_thresholds.size());
  for (size_t i = 0; i < a.order_thresholds.size(); ++i) {
    EXPECT_EQ(a.order_thresholds[i].amount_won, b.order_thresholds[i].amount_won);
    EXPECT_EQ(a.order_thresholds[i].label, b.order_thresholds[i].label);
  }
  EXPECT_EQ(a.daily_cap_per_customer, b.daily_cap_per_customer);
  EXPECT_EQ(a.catch_up_days, b.catch_up_days);
  EXPECT_EQ(a.tier_at_risk_days, b.tier_at_risk_days);
  EXPECT_EQ(ProgramToJson(*back), shown);  // a fixed point
}

TEST(ProgramJsonMessagesTest, TheDemoProgrammeRoundTrips) {
  auto demo = ParseProgramJson(DemoProgramJson());
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  const std::string shown = ProgramToJson(*demo);
  auto back = ParseProgramJson(shown);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->messaging.templates.size(), demo->messaging.templates.size());
  ASSERT_EQ(back->messaging.triggers.size(), demo->messaging.triggers.size());
  for (size_t i = 0; i < demo->messaging.triggers.size(); ++i) {
    EXPECT_EQ(back->messaging.triggers[i].first, demo->messaging.triggers[i].first);
  }
  EXPECT_EQ(back->messaging.sender_name, "데모샵");
  EXPECT_EQ(back->messaging.opt_out, demo->messaging.opt_out);
  EXPECT_EQ(ProgramToJson(*back), shown);
}

TEST(ProgramJsonMessagesTest, NoSenderNoOptOutNoExemptionAreNotShown) {
  auto p = ParseProgramJson(ProgramWith(R"({"templates": [{"code": "NEAR", "type": "tier_near",
      "category": "informational", "text": "#{gap_won}"}]})"));
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  const std::string shown = ProgramToJson(*p);
  EXPECT_EQ(shown.find("\"sender\""), std::string::npos) << shown;
  EXPECT_EQ(shown.find("\"opt_out\""), std::string::npos) << shown;
  EXPECT_EQ(shown.find("\"coupon_exemption\""), std::string::npos) << shown;
  auto back = ParseProgramJson(shown);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ProgramToJson(*back), shown);
}

TEST(ProgramJsonMessagesTest, UnknownFieldsAreRefusedWithTheirPath) {
  EXPECT_EQ(FieldOf(R"({"sender": {"name": "a", "contact": "b", "phone": "c"}})"),
            "messaging.sender.phone");
  EXPECT_EQ(FieldOf(R"({"quiet_hours": 21})"), "messaging.quiet_hours");
  EXPECT_EQ(FieldOf(R"({"templates": [{"code": "A", "type": "winback",
      "category": "informational", "text": "x", "channel": "kakao"}]})"),
            "messaging.templates[0].channel");
  EXPECT_EQ(FieldOf(R"({"triggers": {"winback": {"enabled": true, "template": "W",
      "days": 90, "within_percent": 10}}})"),
            "messaging.triggers.winback.within_percent");
  EXPECT_EQ(FieldOf(R"({"order_thresholds": [{"amount_won": 50000, "label": "x",
      "currency": "KRW"}]})"),
            "messaging.order_thresholds[0].currency");
}

TEST(ProgramJsonMessagesTest, WrongTypesFractionsAndHugeNumbersAreRefused) {
  EXPECT_EQ(FieldOf(R"([])"), "messaging");
  EXPECT_EQ(FieldOf(R"({"sender": "데모샵 1588-0000"})"), "messaging.sender");
  EXPECT_EQ(FieldOf(R"({"sender": {"name": 7}})"), "messaging.sender.name");
  EXPECT_EQ(FieldOf(R"({"sender": {"contact": 15880000}})"), "messaging.sender.contact");
  EXPECT_EQ(FieldOf(R"({"opt_out": true})"), "messaging.opt_out");
  EXPECT_EQ(FieldOf(R"({"templates": [{"code": "A", "type": "winback",
      "category": "informational", "text": "x", "coupon_exemption": 1}]})"),
            "messaging.templates[0].coupon_exemption");
  EXPECT_EQ(FieldOf(R"({"templates": {}})"), "messaging.templates");
  EXPECT_EQ(FieldOf(R"({"templates": ["WINBACK"]})"), "messaging.templates[0]");
  EXPECT_EQ(FieldOf(R"({"templates": [{"code": 7, "type": "winback",
      "category": "informational", "text": "x"}]})"),
            "messaging.templates[0].code");
  EXPECT_EQ(FieldOf(R"({"templates": [{"code": "A", "type": "winback",
      "category": "spam", "text": "x"}]})"),
            "messaging.templates[0].category");
  EXPECT_EQ(FieldOf(R"({"templates": [{"code": "A", "type": "winback", "text": "x"}]})"),
            "messaging.templates[0].category");  // never guessed: consent depends on it
  EXPECT_EQ(FieldOf(R"({"triggers": []})"), "messaging.triggers");
  EXPECT_EQ(FieldOf(R"({"triggers": {"winback": true}})"), "messaging.triggers.winback");
  EXPECT_EQ(FieldOf(R"({"triggers": {"winback": {"enabled": "yes"}}})"),
            "messaging.triggers.winback.enabled");
  EXPECT_EQ(FieldOf(R"({"triggers": {"winback": {"days": 7.5}}})"),
            "messaging.triggers.winback.days");
  EXPECT_EQ(FieldOf(R"({"triggers": {"winback": {"days": "7"}}})"),
            "messaging.triggers.winback.days");
  EXPECT_EQ(FieldOf(R"({"triggers": {"tier_near": {"within_won": 1e30}}})"),
            "messaging.triggers.tier_near.within_won");
  EXPECT_EQ(FieldOf(R"({"triggers": {"tier_near": {"within_won": 18446744073709551615}}})"),
            "messaging.triggers.tier_near.within_won");
  EXPECT_EQ(FieldOf(R"({"triggers": {"tier_near": {"within_percent_bp": 4294967296}}})"),
            "messaging.triggers.tier_near.within_percent_bp");
  EXPECT_EQ(FieldOf(R"({"triggers": {"points_expiring": {"stages": 30}}})"),
            "messaging.triggers.points_expiring.stages");
  EXPECT_EQ(FieldOf(R"({"triggers": {"points_expiring": {"stages": [60, 1.5]}}})"),
            "messaging.triggers.points_expiring.stages[1]");
  EXPECT_EQ(FieldOf(R"({"triggers": {"points_expiring": {"stages": [60, "30"]}}})"),
            "messaging.triggers.points_expiring.stages[1]");
  EXPECT_EQ(FieldOf(R"({"triggers": {"points_expiring": {"stages": [true]}}})"),
            "messaging.triggers.points_expiring.stages[0]");
  EXPECT_EQ(FieldOf(R"({"triggers": {"points_expiring": {"stages": [3000000000]}}})"),
            "messaging.triggers.points_expiring.stages[0]");
  EXPECT_EQ(FieldOf(R"({"order_thresholds": [{"amount_won": 50000.5, "label": "x"}]})"),
            "messaging.order_thresholds[0].amount_won");
  EXPECT_EQ(FieldOf(R"({"order_thresholds": [{"label": "x"}]})"),
            "messaging.order_thresholds[0].amount_won");
  EXPECT_EQ(FieldOf(R"({"catch_up_days": "7"})"), "messaging.catch_up_days");
  EXPECT_EQ(FieldOf(R"({"daily_cap_per_customer": 2.0})"), "messaging.daily_cap_per_customer");
  EXPECT_EQ(FieldOf(R"({"tier_at_risk_days": 99999999999})"), "messaging.tier_at_risk_days");
}

TEST(ProgramJsonMessagesTest, ValidationFindingsSurfaceWithTheirPath) {
  // A slot the trigger type does not provide.
  EXPECT_EQ(FieldOf(R"({"templates": [{"code": "NEAR", "type": "tier_near",
      "category": "informational", "text": "#{points} left"}]})"),
            "messaging.templates[0].text");
  // A malformed slot in the SMS text.
  EXPECT_EQ(FieldOf(R"({"templates": [{"code": "NEAR", "type": "tier_near",
      "category": "informational", "text": "#{gap_won}", "sms_text": "#{gap_won"}]})"),
            "messaging.templates[0].sms_text");
  // A trigger naming a template that does not exist, and a type that does not exist.
  EXPECT_EQ(FieldOf(R"({"triggers": {"winback": {"enabled": true, "template": "NOPE",
      "days": 90}}})"),
            "messaging.triggers.winback.template");
  EXPECT_EQ(FieldOf(R"({"triggers": {"sms_blast": {"enabled": false}}})"),
            "messaging.triggers.sms_blast");
  // Thresholds must ascend.
  EXPECT_EQ(FieldOf(R"({"order_thresholds": [{"amount_won": 50000, "label": "a"},
      {"amount_won": 40000, "label": "b"}]})"),
            "messaging.order_thresholds[1].amount_won");
  EXPECT_EQ(FieldOf(R"({"catch_up_days": -1})"), "messaging.catch_up_days");
  // The advertising rules: a sender and opt-out are needed, and the text must show them.
  const std::string ad = R"({"code": "NEAR", "type": "tier_near", "category": "advertising",
      "text": "(광고) #{gap_won} #{sender} #{opt_out}"})";
  EXPECT_EQ(FieldOf(R"({"templates": [)" + ad + "]}"), "messaging.sender.name");
  EXPECT_EQ(FieldOf(R"({"sender": {"name": "샵"}, "templates": [)" + ad + "]}"),
            "messaging.sender.contact");
  EXPECT_EQ(FieldOf(R"({"sender": {"name": "샵", "contact": "1"}, "templates": [)" + ad + "]}"),
            "messaging.opt_out");
  EXPECT_EQ(FieldOf(R"({"sender": {"name": "샵", "contact": "1"}, "opt_out": "거부 080",
      "templates": [)" +
                    ad + "]}"),
            "(accepted)");
  EXPECT_EQ(FieldOf(R"({"sender": {"name": "샵", "contact": "1"}, "opt_out": "거부 080",
      "templates": [{"code": "NEAR", "type": "tier_near", "category": "advertising",
      "text": "#{gap_won} #{sender} #{opt_out}"}]})"),
            "messaging.templates[0].text");
  // A coupon makes a message advertising.
  EXPECT_EQ(FieldOf(R"({"templates": [{"code": "W", "type": "winback",
      "category": "informational", "text": "#{coupon_code}"}],
      "triggers": {"winback": {"enabled": true, "template": "W", "days": 90,
      "coupon_template": "COMEBACK"}}})"),
            "messaging.templates[0].category");
  // The consent notices are informational.
  EXPECT_EQ(FieldOf(R"({"sender": {"name": "샵", "contact": "1"}, "opt_out": "거부 080",
      "templates": [{"code": "R", "type": "consent_reconfirm", "category": "advertising",
      "text": "(광고) #{consented_on} #{sender} #{opt_out}"}]})"),
            "messaging.templates[0].category");
}

}  // namespace
}  // namespace loyalty
