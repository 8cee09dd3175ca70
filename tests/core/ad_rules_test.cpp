// The advertising rules of programme.messaging (정보통신망법 §50, docs/messages.md), checked at
// load time by ValidateMessaging: the sender and free opt-out of the programme, the (광고) mark,
// the sender and opt-out in every advertising text (as slots or literally), a coupon making a
// message advertising unless exempted, the consent notices informational, and the template length
// with the new slots at their longest.
#include <gtest/gtest.h>

#include <string>

#include "core/messaging.h"
#include "tests/core/coupon_test_util.h"
#include "tests/core/messaging_test_util.h"
#include "tests/core/test_util.h"

namespace loyalty::testing {
namespace {

constexpr MessageCategory kAd = MessageCategory::kAdvertising;
constexpr MessageCategory kInfo = MessageCategory::kInformational;

// CouponProgram with the test sender and five templates:
//   [0] CART     cart_reminder, advertising (AdText)
//   [1] WINBACK  winback, advertising, its trigger issues EXTRA
//   [2] REVIEW   review_request, informational
//   [3] RECONFIRM consent_reconfirm, informational
//   [4] CHANGED  consent_changed, informational
Program AdProgram() {
  Program p = CouponProgram();
  MessagingSettings& m = p.messaging;
  SetTestSender(m);
  m.templates = {
      Tmpl("CART", kMsgCartReminder, AdText("장바구니 #{cart_items}개"), kAd,
           AdText("장바구니 확인")),
      Tmpl("WINBACK", kMsgWinback, AdText("다시 만나요 #{coupon_code}"), kAd),
      Tmpl("REVIEW", kMsgReviewRequest, "#{order_id} 리뷰를 남겨 주세요"),
      Tmpl("RECONFIRM", kMsgConsentReconfirm,
           "#{consented_on}에 동의하신 #{consent_items} 수신 동의가 유지됩니다. 철회: #{opt_out} "
           "#{sender}"),
      Tmpl("CHANGED", kMsgConsentChanged,
           "#{changed_on} #{consent_items} #{consent_result} 처리되었습니다. #{sender}"),
  };
  TriggerSettings cart = On("CART");
  cart.minutes = 60;
  TriggerSettings winback = On("WINBACK");
  winback.days = 90;
  winback.coupon_template = "EXTRA";
  TriggerSettings review = On("REVIEW");
  review.days = 3;
  m.triggers = {{kMsgCartReminder, cart},
                {kMsgWinback, winback},
                {kMsgReviewRequest, review},
                {kMsgConsentReconfirm, On("RECONFIRM")},
                {kMsgConsentChanged, On("CHANGED")}};
  return p;
}

std::string Repeat(const char* s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

TriggerSettings& TriggerOf(Program& p, const std::string& type) {
  for (auto& [t, settings] : p.messaging.triggers) {
    if (t == type) return settings;
  }
  ADD_FAILURE() << "no trigger " << type;
  static TriggerSettings none;
  return none;
}

bool Says(const Status& s, const std::string& part) {
  return s.message().find(part) != std::string::npos;
}

TEST(AdRulesTest, TheAdProgrammeIsValid) {
  Status s = ValidateProgram(AdProgram());
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(AdRulesTest, TheConsentTypesAndTheirSlots) {
  EXPECT_TRUE(IsMessageType(kMsgConsentReconfirm));
  EXPECT_TRUE(IsMessageType(kMsgConsentChanged));
  const std::vector<std::string>& types = MessageTypes();
  ASSERT_GE(types.size(), 3u);
  EXPECT_EQ(types[types.size() - 3], kMsgCartReminder);  // documentation order
  EXPECT_EQ(types[types.size() - 2], kMsgConsentReconfirm);
  EXPECT_EQ(types.back(), kMsgConsentChanged);
  EXPECT_EQ(SlotsFor(kMsgConsentReconfirm, false),
            (std::vector<std::string>{"customer_id", "tier", "tier_name", "sender", "opt_out",
                                      "consented_on", "consent_items"}));
  EXPECT_EQ(SlotsFor(kMsgConsentChanged, false),
            (std::vector<std::string>{"customer_id", "tier", "tier_name", "sender", "opt_out",
                                      "consent_result", "changed_on", "consent_items"}));
  EXPECT_EQ(MaxSlotChars("sender"), kMaxSenderNameChars + 1 + kMaxSenderContactChars);
  EXPECT_EQ(MaxSlotChars("opt_out"), kMaxOptOutChars);
  EXPECT_EQ(MaxSlotChars("consent_items"), 100u);
  EXPECT_EQ(MaxSlotChars("consent_result"), 10u);
  EXPECT_EQ(MaxSlotChars("consented_on"), 10u);
  EXPECT_EQ(MaxSlotChars("changed_on"), 10u);
}

TEST(AdRulesTest, SenderTextJoinsNameAndContact) {
  MessagingSettings m;
  EXPECT_EQ(SenderText(m), "");
  m.sender_name = "데모샵";
  EXPECT_EQ(SenderText(m), "데모샵");
  m.sender_contact = "1588-0000";
  EXPECT_EQ(SenderText(m), "데모샵 1588-0000");
  m.sender_name.clear();
  EXPECT_EQ(SenderText(m), "1588-0000");
}

TEST(AdRulesTest, AdvertisingNeedsTheSenderAndOptOutOfTheProgramme) {
  for (const char* field :
       {"messaging.sender.name", "messaging.sender.contact", "messaging.opt_out"}) {
    Program p = AdProgram();
    MessagingSettings& m = p.messaging;
    std::string& value = std::string(field) == "messaging.sender.name"      ? m.sender_name
                         : std::string(field) == "messaging.sender.contact" ? m.sender_contact
                                                                            : m.opt_out;
    value.clear();
    Status s = ValidateMessaging(p);
    EXPECT_EQ(s.code(), Code::kValidationFailed) << field;
    EXPECT_EQ(s.field(), field) << s.ToString();
    EXPECT_TRUE(Says(s, "is required")) << s.message();
    EXPECT_TRUE(Says(s, "messaging.templates[0] is advertising")) << s.message();
    value = "  ";  // blank is not set
    EXPECT_EQ(ValidateMessaging(p).field(), field);
  }
}

TEST(AdRulesTest, WithoutAdvertisingNoSenderIsNeeded) {
  Program p = AdProgram();
  p.messaging.sender_name.clear();
  p.messaging.sender_contact.clear();
  p.messaging.opt_out.clear();
  p.messaging.templates[0].category = kInfo;
  p.messaging.templates[1].category = kInfo;
  p.messaging.templates[1].coupon_exemption = "고객이 신청한 쿠폰";
  for (MessageTemplate& t : p.messaging.templates) {
    t.text = "안내";
    t.sms_text.clear();
  }
  Status s = ValidateMessaging(p);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(AdRulesTest, ATemplateShowingTheSenderOrOptOutNeedsThem) {
  Program p = AdProgram();
  for (MessageTemplate& t : p.messaging.templates) {
    t.category = kInfo;
    t.coupon_exemption = "고객이 신청한 쿠폰";
    t.text = "안내";
    t.sms_text.clear();
  }
  p.messaging.templates[3].sms_text = "철회: #{opt_out}";
  p.messaging.opt_out.clear();
  Status s = ValidateMessaging(p);
  EXPECT_EQ(s.field(), "messaging.opt_out");
  EXPECT_TRUE(Says(s, "messaging.templates[3] uses #{opt_out}")) << s.message();
  p.messaging.templates[3].sms_text.clear();
  p.messaging.templates[4].text = "#{sender}";
  p.messaging.sender_contact.clear();
  s = ValidateMessaging(p);
  EXPECT_EQ(s.field(), "messaging.sender.contact");
  EXPECT_TRUE(Says(s, "messaging.templates[4] uses #{sender}")) << s.message();
  p.messaging.sender_contact = "02-000-0000";
  EXPECT_TRUE(ValidateMessaging(p).ok()) << ValidateMessaging(p).ToString();
}

TEST(AdRulesTest, TheSenderOptOutAndExemptionHaveLimits) {
  Program p = AdProgram();
  p.messaging.sender_name = Repeat("가", kMaxSenderNameChars);
  p.messaging.sender_contact = Repeat("1", kMaxSenderContactChars);
  p.messaging.opt_out = Repeat("나", kMaxOptOutChars);
  p.messaging.templates[2].coupon_exemption = Repeat("다", kMaxCouponExemptionChars);
  EXPECT_TRUE(ValidateMessaging(p).ok()) << ValidateMessaging(p).ToString();

  Program name = p;
  name.messaging.sender_name += "가";
  EXPECT_EQ(ValidateMessaging(name).field(), "messaging.sender.name");
  Program contact = p;
  contact.messaging.sender_contact += "1";
  EXPECT_EQ(ValidateMessaging(contact).field(), "messaging.sender.contact");
  Program opt_out = p;
  opt_out.messaging.opt_out += "나";
  EXPECT_EQ(ValidateMessaging(opt_out).field(), "messaging.opt_out");
  Program exemption = p;
  exemption.messaging.templates[2].coupon_exemption += "다";
  EXPECT_EQ(ValidateMessaging(exemption).field(), "messaging.templates[2].coupon_exemption");
}

TEST(AdRulesTest, AnAdvertisingTextBeginsWithTheAdMark) {
  for (const char* text :
       {"장바구니 #{sender} #{opt_out}", " (광고) 장바구니 #{sender} #{opt_out}",
        "[광고] 장바구니 #{sender} #{opt_out}", "장바구니 (광고) #{sender} #{opt_out}"}) {
    Program p = AdProgram();
    p.messaging.templates[0].text = text;
    Status s = ValidateMessaging(p);
    EXPECT_EQ(s.field(), "messaging.templates[0].text") << text;
    EXPECT_TRUE(Says(s, "must begin with \"(광고)\"")) << s.message();
  }
  // The SMS text too.
  Program p = AdProgram();
  p.messaging.templates[0].sms_text = "장바구니 확인 #{sender} #{opt_out}";
  Status s = ValidateMessaging(p);
  EXPECT_EQ(s.field(), "messaging.templates[0].sms_text");
  EXPECT_TRUE(Says(s, "(광고)")) << s.message();
  // No SMS text: nothing to check.
  p.messaging.templates[0].sms_text.clear();
  EXPECT_TRUE(ValidateMessaging(p).ok()) << ValidateMessaging(p).ToString();
  // Exactly the mark, nothing else needed before the sender.
  p.messaging.templates[0].text = "(광고)#{sender}#{opt_out}";
  EXPECT_TRUE(ValidateMessaging(p).ok()) << ValidateMessaging(p).ToString();
}

TEST(AdRulesTest, AnAdvertisingTextNamesTheSenderBySlotOrLiterally) {
  Program p = AdProgram();
  MessageTemplate& t = p.messaging.templates[0];
  t.text = "(광고) 장바구니 #{opt_out}";
  Status s = ValidateMessaging(p);
  EXPECT_EQ(s.field(), "messaging.templates[0].text");
  EXPECT_TRUE(Says(s, "#{sender}")) << s.message();
  EXPECT_TRUE(Says(s, "테스트샵 02-000-0000")) << s.message();  // what the slot renders
  // Both the name and the contact, literally.
  t.text = "(광고) 장바구니 테스트샵(02-000-0000) #{opt_out}";
  EXPECT_TRUE(ValidateMessaging(p).ok()) << ValidateMessaging(p).ToString();
  // The name alone is not enough; nor the contact alone.
  t.text = "(광고) 장바구니 테스트샵 #{opt_out}";
  EXPECT_EQ(ValidateMessaging(p).field(), "messaging.templates[0].text");
  t.text = "(광고) 장바구니 02-000-0000 #{opt_out}";
  EXPECT_EQ(ValidateMessaging(p).field(), "messaging.templates[0].text");
  // The word is not the slot.
  t.text = "(광고) 장바구니 sender #{opt_out}";
  EXPECT_EQ(ValidateMessaging(p).field(), "messaging.templates[0].text");
  // In the SMS text as well.
  t.text = AdText("장바구니");
  t.sms_text = "(광고) 장바구니 #{opt_out}";
  EXPECT_EQ(ValidateMessaging(p).field(), "messaging.templates[0].sms_text");
}

TEST(AdRulesTest, AnAdvertisingTextCarriesTheFreeOptOutBySlotOrLiterally) {
  Program p = AdProgram();
  MessageTemplate& t = p.messaging.templates[1];
  t.text = "(광고) 다시 만나요 #{coupon_code} #{sender}";
  Status s = ValidateMessaging(p);
  EXPECT_EQ(s.field(), "messaging.templates[1].text");
  EXPECT_TRUE(Says(s, "#{opt_out}")) << s.message();
  EXPECT_TRUE(Says(s, "무료수신거부 080-000-0000")) << s.message();
  t.text = "(광고) 다시 만나요 #{coupon_code} #{sender} 무료수신거부 080-000-0000";
  EXPECT_TRUE(ValidateMessaging(p).ok()) << ValidateMessaging(p).ToString();
  // Part of the text is not the text.
  t.text = "(광고) 다시 만나요 #{coupon_code} #{sender} 수신거부 080-000-0000";
  EXPECT_EQ(ValidateMessaging(p).field(), "messaging.templates[1].text");
}

TEST(AdRulesTest, ACouponMakesAMessageAdvertisingUnlessExempted) {
  // The winback trigger issues a coupon: informational is refused on the category.
  Program p = AdProgram();
  p.messaging.templates[1].category = kInfo;
  Status s = ValidateMessaging(p);
  EXPECT_EQ(s.field(), "messaging.templates[1].category");
  EXPECT_TRUE(Says(s, "advertising")) << s.message();
  EXPECT_TRUE(Says(s, "coupon_exemption")) << s.message();
  // Even when its text does not show the coupon: the trigger issues one with it.
  p.messaging.templates[1].text = "오랜만이에요";
  s = ValidateMessaging(p);
  EXPECT_EQ(s.field(), "messaging.templates[1].category");
  EXPECT_TRUE(Says(s, "messaging.triggers.winback")) << s.message();
  // A documented exemption keeps it informational.
  p.messaging.templates[1].coupon_exemption = "고객이 요청한 재방문 쿠폰";
  EXPECT_TRUE(ValidateMessaging(p).ok()) << ValidateMessaging(p).ToString();
  p.messaging.templates[1].coupon_exemption = " ";  // blank is no reason
  EXPECT_EQ(ValidateMessaging(p).field(), "messaging.templates[1].category");

  // A coupon slot in the SMS text is a coupon too.
  Program sms = AdProgram();
  MessageTemplate& w = sms.messaging.templates[1];
  w.category = kInfo;
  w.text = "오랜만이에요";
  w.sms_text = "쿠폰 #{coupon_valid_until}까지";
  s = ValidateMessaging(sms);
  EXPECT_EQ(s.field(), "messaging.templates[1].category");
  EXPECT_TRUE(Says(s, "#{coupon_valid_until}")) << s.message();

  // The birthday message always carries the tier's birthday coupon.
  Program birthday = AdProgram();
  birthday.messaging.templates.push_back(Tmpl("BDAY", kMsgBirthday, "생일 축하드려요"));
  birthday.messaging.triggers.emplace_back(kMsgBirthday, On("BDAY"));
  EXPECT_EQ(ValidateMessaging(birthday).field(), "messaging.templates[5].category");
  birthday.messaging.templates[5].category = kAd;
  birthday.messaging.templates[5].text = AdText("생일 축하드려요 #{coupon_code}");
  EXPECT_TRUE(ValidateMessaging(birthday).ok()) << ValidateMessaging(birthday).ToString();
}

TEST(AdRulesTest, TheConsentNoticesAreInformational) {
  for (size_t i : {3u, 4u}) {
    Program p = AdProgram();
    MessageTemplate& t = p.messaging.templates[i];
    t.category = kAd;
    t.text = AdText(t.text);  // even with every advertising mark
    Status s = ValidateMessaging(p);
    EXPECT_EQ(s.field(), "messaging.templates[" + std::to_string(i) + "].category") << s.ToString();
    EXPECT_TRUE(Says(s, "\"informational\"")) << s.message();
  }
}

TEST(AdRulesTest, TheConsentNoticesCarryNoCoupon) {
  Program p = AdProgram();
  TriggerOf(p, kMsgConsentChanged).coupon_template = "EXTRA";
  Status s = ValidateMessaging(p);
  EXPECT_EQ(s.field(), "messaging.templates[4].category");
  EXPECT_TRUE(Says(s, "carries no coupon")) << s.message();
  p = AdProgram();
  p.messaging.templates[3].coupon_exemption = "무관";  // no exemption for a notice
  p.messaging.templates[3].text += " #{coupon_code}";
  TriggerOf(p, kMsgConsentReconfirm).coupon_template = "EXTRA";
  EXPECT_EQ(ValidateMessaging(p).field(), "messaging.templates[3].category");
}

TEST(AdRulesTest, TheConsentSlotsBelongToTheirTypes) {
  Program p = AdProgram();
  p.messaging.templates[3].text = "#{consent_result}";  // a consent_changed slot
  EXPECT_EQ(ValidateMessaging(p).field(), "messaging.templates[3].text");
  p = AdProgram();
  p.messaging.templates[2].text = "#{order_id} #{consent_items}";
  EXPECT_EQ(ValidateMessaging(p).field(), "messaging.templates[2].text");
}

TEST(AdRulesTest, LengthCountsTheSenderAndOptOutAtTheirLongest) {
  // The REVIEW template: text + #{sender} (141) + #{opt_out} (200) = 1000 is allowed.
  const size_t room = kMaxMessageChars - MaxSlotChars("sender") - MaxSlotChars("opt_out");
  Program p = AdProgram();
  p.messaging.templates[2].text = Repeat("가", room) + "#{sender}#{opt_out}";
  EXPECT_TRUE(ValidateMessaging(p).ok()) << ValidateMessaging(p).ToString();
  p.messaging.templates[2].text = Repeat("가", room + 1) + "#{sender}#{opt_out}";
  Status s = ValidateMessaging(p);
  EXPECT_EQ(s.field(), "messaging.templates[2].text");
  EXPECT_TRUE(Says(s, "1001 characters")) << s.message();
  // consent_changed: consent_result 10, changed_on 10, consent_items 100.
  const size_t notice_room = kMaxMessageChars - 120;
  Program n = AdProgram();
  n.messaging.templates[4].text =
      Repeat("나", notice_room) + "#{consent_result}#{changed_on}#{consent_items}";
  EXPECT_TRUE(ValidateMessaging(n).ok()) << ValidateMessaging(n).ToString();
  n.messaging.templates[4].text =
      Repeat("나", notice_room + 1) + "#{consent_result}#{changed_on}#{consent_items}";
  EXPECT_EQ(ValidateMessaging(n).field(), "messaging.templates[4].text");
}

TEST(AdRulesTest, ValidateProgramRunsTheRules) {
  Program p = AdProgram();
  p.messaging.templates[0].text = "장바구니 #{sender} #{opt_out}";
  EXPECT_EQ(ValidateProgram(p).field(), "messaging.templates[0].text");
}

}  // namespace
}  // namespace loyalty::testing
