// Consent records on a real store (SQLite here; MySQL in mysql_ledger_tests): the history row,
// the confirmation date and channel, the withdrawal suppressing pending advertising messages
// (informational ones stay), the consent_changed notice, the same rules through
// PUT /v1/customers/{id} (UpsertCustomer, channel "api"), and the reconfirmation notice.
#include <map>
#include <vector>

#include "core/consent.h"
#include "core/ledger_internal.h"
#include "core/messaging.h"
#include "tests/core/messaging_test_util.h"
#include "tests/core/test_util.h"

namespace loyalty::testing {
namespace {

// A programme with one advertising trigger (win-back), one informational (review request) and
// the two consent notices on.
Program ConsentProgram() {
  Program p = TestProgram();
  constexpr MessageCategory kInfo = MessageCategory::kInformational;
  constexpr MessageCategory kAd = MessageCategory::kAdvertising;
  MessagingSettings& m = p.messaging;
  m.templates = {
      Tmpl("WINBACK", kMsgWinback, AdText("#{days_since_last_order}일 만이에요"), kAd),
      Tmpl("REVIEW", kMsgReviewRequest, "#{order_id} 리뷰를 남겨 주세요", kInfo),
      Tmpl("RECONFIRM", kMsgConsentReconfirm,
           "#{consented_on}에 #{consent_items}에 동의하셨습니다. 수신거부: 080-000-0000", kInfo),
      Tmpl("CHANGED", kMsgConsentChanged, "#{changed_on} #{consent_items} #{consent_result} 처리",
           kInfo),
  };
  SetTestSender(m);
  TriggerSettings winback = On("WINBACK");
  winback.days = 90;
  TriggerSettings review = On("REVIEW");
  review.days = 3;
  m.triggers = {{kMsgWinback, winback},
                {kMsgReviewRequest, review},
                {kMsgConsentReconfirm, On("RECONFIRM")},
                {kMsgConsentChanged, On("CHANGED")}};
  return p;
}

class LedgerConsentTest : public LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    program_ = ConsentProgram();
    Status st = ValidateProgram(program_);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  void Disable(const std::string& type) {
    for (auto& [t, settings] : program_.messaging.triggers) {
      if (t == type) settings.enabled = false;
    }
  }

  Result<CustomerWrite> Put(const std::string& id, std::optional<bool> marketing,
                            std::optional<bool> night, Micros at) {
    CustomerInput in;
    in.customer_id = id;
    in.marketing_consent = marketing;
    in.night_consent = night;
    return Tx([&](Session& s) { return UpsertCustomer(s, in, At(at)); });
  }

  Result<ConsentWrite> Change(const std::string& id, std::optional<bool> marketing,
                              std::optional<bool> night, const std::string& channel, Micros at,
                              bool reconfirm = false) {
    ConsentRequest r;
    r.customer_id = id;
    r.marketing_consent = marketing;
    r.night_consent = night;
    r.channel = channel;
    r.reconfirm = reconfirm;
    return Tx([&](Session& s) { return ChangeConsent(s, r, At(at)); });
  }

  // A message written as a trigger would write it (customer locked, then saved).
  Message Enqueue(const std::string& id, const std::string& type, const std::string& key,
                  std::map<std::string, std::string> vars, Micros at) {
    auto w = Tx([&](Session& s) -> Result<std::optional<MessageWrite>> {
      const Ctx ctx = At(at);
      LOYALTY_ASSIGN_OR_RETURN(Customer c, internal::LoadCustomer(s, id));
      MessageRequest r;
      r.type = type;
      r.variables = vars;
      r.dedupe_key = key;
      LOYALTY_ASSIGN_OR_RETURN(std::optional<MessageWrite> out, EnqueueMessage(s, c, r, ctx));
      LOYALTY_RETURN_IF_ERROR(internal::SaveCustomer(s, c, ctx));
      return out;
    });
    EXPECT_TRUE(w.ok() && w->has_value()) << w.status().ToString();
    return w.ok() && w->has_value() ? (*w)->message : Message{};
  }

  std::vector<Message> Messages(const std::string& id, const std::string& type = "") {
    MessageQuery q;
    q.customer_id = id;
    q.type = type;
    q.limit = 100;
    auto r = session_->ListMessages(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Message>{};
  }
  Message Find(int64_t id) {
    auto m = session_->FindMessage(id);
    EXPECT_TRUE(m.ok() && m->has_value());
    return m.ok() && m->has_value() ? **m : Message{};
  }
  std::vector<ConsentChange> History(const std::string& id) {
    auto r = session_->ListConsentChanges(id, 100);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<ConsentChange>{};
  }
  std::vector<Event> Events(const std::string& id, const std::string& type) {
    EventQuery q;
    q.customer_id = id;
    q.limit = 500;
    auto r = session_->ListEvents(q);
    EXPECT_TRUE(r.ok());
    std::vector<Event> out;
    for (const Event& e : *r) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }
};

TEST_F(LedgerConsentTest, GrantSetsTheDateChannelHistoryAndNotice) {
  const Micros t0 = Kst(2026, 3, 10, 12, 0);
  ASSERT_TRUE(Put("c-1", std::nullopt, std::nullopt, t0).ok());
  EXPECT_EQ(Get("c-1").consent_confirmed_at_us, 0);
  EXPECT_TRUE(History("c-1").empty());

  const Micros t1 = Kst(2026, 3, 11, 9, 30);
  auto w = Change("c-1", true, true, "web", t1);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_TRUE(w->customer.marketing_consent);
  EXPECT_TRUE(w->customer.night_consent);
  EXPECT_EQ(w->customer.consent_confirmed_at_us, t1);
  EXPECT_EQ(w->customer.consent_channel, "web");
  ASSERT_TRUE(w->change.has_value());
  EXPECT_TRUE(w->notice_written);
  EXPECT_EQ(w->suppressed_messages, 0);

  const Customer c = Get("c-1");
  EXPECT_EQ(c.consent_confirmed_at_us, t1);
  EXPECT_EQ(c.consent_channel, "web");
  std::vector<ConsentChange> h = History("c-1");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_TRUE(h[0].marketing_consent);
  EXPECT_TRUE(h[0].night_consent);
  EXPECT_EQ(h[0].channel, "web");
  EXPECT_EQ(h[0].actor, "admin:tester");
  EXPECT_EQ(h[0].created_at_us, t1);

  std::vector<Message> notices = Messages("c-1", kMsgConsentChanged);
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].category, MessageCategory::kInformational);
  EXPECT_EQ(notices[0].status, MessageStatus::kPending);
  EXPECT_EQ(notices[0].text, "2026-03-11 광고성 정보 수신 (야간 포함) 수신 동의 처리");
  EXPECT_EQ(notices[0].dedupe_key, "consent_changed:c-1:" + std::to_string(h[0].change_id));
  ASSERT_EQ(Events("c-1", "consent.changed").size(), 1u);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerConsentTest, WithdrawalSuppressesPendingAdvertisingOnly) {
  const Micros t0 = Kst(2026, 3, 10, 12, 0);
  ASSERT_TRUE(Put("c-1", true, false, t0).ok());
  ASSERT_TRUE(Put("c-2", true, false, t0).ok());
  const Message ad1 = Enqueue("c-1", kMsgWinback, "w1", {{"days_since_last_order", "90"}}, t0);
  const Message ad2 = Enqueue("c-1", kMsgWinback, "w2", {{"days_since_last_order", "91"}}, t0);
  const Message info = Enqueue("c-1", kMsgReviewRequest, "r1", {{"order_id", "o-1"}}, t0);
  const Message other = Enqueue("c-2", kMsgWinback, "w3", {{"days_since_last_order", "90"}}, t0);
  ASSERT_EQ(ad1.status, MessageStatus::kPending);
  // ad2 is handed out (leased) but not acknowledged: not handed out for good, suppressed too.
  ASSERT_TRUE(Tx([&](Session& s) -> Result<bool> {
                return s.LeaseMessage(ad2.message_id, t0, t0 + 60'000'000, "webhook");
              }).ok());

  const Micros t1 = t0 + 1'000'000;
  auto w = Change("c-1", false, std::nullopt, "sms_080", t1);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->suppressed_messages, 2);
  EXPECT_FALSE(w->customer.marketing_consent);
  EXPECT_EQ(w->customer.consent_confirmed_at_us, 0);
  EXPECT_EQ(w->customer.consent_channel, "sms_080");
  EXPECT_TRUE(w->notice_written);
  for (int64_t id : {ad1.message_id, ad2.message_id}) {
    const Message m = Find(id);
    EXPECT_EQ(m.status, MessageStatus::kSuppressed) << id;
    EXPECT_EQ(m.status_reason, "consent_withdrawn");
    EXPECT_EQ(m.updated_at_us, t1);
  }
  EXPECT_EQ(Find(info.message_id).status, MessageStatus::kPending);
  EXPECT_EQ(Find(other.message_id).status, MessageStatus::kPending);

  // The notice of the result goes out though consent is withdrawn (informational).
  std::vector<Message> notices = Messages("c-1", kMsgConsentChanged);
  ASSERT_EQ(notices.size(), 2u);  // the grant at sign-up, then the withdrawal
  EXPECT_EQ(notices[1].status, MessageStatus::kPending);
  EXPECT_EQ(notices[1].text, "2026-03-10 광고성 정보 수신 수신 거부 처리");
  std::vector<Event> events = Events("c-1", "consent.changed");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[1].payload_json.find("\"suppressed_messages\":2"), std::string::npos)
      << events[1].payload_json;
  EXPECT_NE(events[1].payload_json.find("\"channel\":\"sms_080\""), std::string::npos);

  // A second withdrawal (the unsubscribe link after the 080 reply) records nothing.
  auto again = Change("c-1", false, std::nullopt, "web", t1 + 1);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->change.has_value());
  EXPECT_EQ(again->suppressed_messages, 0);
  EXPECT_EQ(History("c-1").size(), 2u);
  EXPECT_EQ(Messages("c-1", kMsgConsentChanged).size(), 2u);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerConsentTest, NightOnlyChangeRecordsHistoryWithoutNotice) {
  const Micros t0 = Kst(2026, 3, 10, 12, 0);
  ASSERT_TRUE(Put("c-1", true, false, t0).ok());
  auto w = Change("c-1", std::nullopt, true, "app", t0 + 5);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(w->change.has_value());
  EXPECT_FALSE(w->notice_written);
  EXPECT_TRUE(w->customer.night_consent);
  EXPECT_EQ(w->customer.consent_confirmed_at_us, t0);  // the grant's, unchanged
  EXPECT_EQ(w->customer.consent_channel, "api");
  EXPECT_EQ(History("c-1").size(), 2u);
  EXPECT_EQ(Messages("c-1", kMsgConsentChanged).size(), 1u);  // the sign-up's only
}

TEST_F(LedgerConsentTest, ReconfirmResetsTheDate) {
  const Micros t0 = Kst(2024, 3, 10, 12, 0);
  ASSERT_TRUE(Put("c-1", true, false, t0).ok());
  const Micros t1 = Kst(2026, 3, 10, 13, 0);
  auto w = Change("c-1", std::nullopt, std::nullopt, "cs", t1, /*reconfirm=*/true);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->customer.consent_confirmed_at_us, t1);
  EXPECT_EQ(w->customer.consent_channel, "cs");
  EXPECT_FALSE(w->notice_written);
  EXPECT_EQ(History("c-1").size(), 2u);

  ASSERT_TRUE(Put("c-2", false, false, t0).ok());
  auto refused = Change("c-2", std::nullopt, std::nullopt, "cs", t1, /*reconfirm=*/true);
  EXPECT_EQ(refused.status().code(), Code::kValidationFailed);
  EXPECT_EQ(refused.status().field(), "reconfirm");
}

TEST_F(LedgerConsentTest, RequestsAreValidated) {
  ASSERT_TRUE(Put("c-1", false, false, now_us_).ok());
  auto bad_channel = Change("c-1", true, std::nullopt, "Web!", now_us_);
  EXPECT_EQ(bad_channel.status().code(), Code::kValidationFailed);
  EXPECT_EQ(bad_channel.status().field(), "channel");
  auto empty = Change("c-1", std::nullopt, std::nullopt, "web", now_us_);
  EXPECT_EQ(empty.status().code(), Code::kValidationFailed);
  auto unknown = Change("nobody", true, std::nullopt, "web", now_us_);
  EXPECT_EQ(unknown.status().code(), Code::kNotFound);
  EXPECT_TRUE(History("c-1").empty());
}

TEST_F(LedgerConsentTest, PutFollowsTheSameRules) {
  const Micros t0 = Kst(2026, 3, 10, 12, 0);
  // Sign-up with consent: a grant through the API channel.
  ASSERT_TRUE(Put("c-1", true, false, t0).ok());
  Customer c = Get("c-1");
  EXPECT_EQ(c.consent_confirmed_at_us, t0);
  EXPECT_EQ(c.consent_channel, "api");
  std::vector<ConsentChange> h = History("c-1");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].channel, "api");
  EXPECT_EQ(Messages("c-1", kMsgConsentChanged).size(), 1u);

  // The same values again: nothing recorded, the date kept.
  ASSERT_TRUE(Put("c-1", true, false, t0 + 10).ok());
  EXPECT_EQ(History("c-1").size(), 1u);
  EXPECT_EQ(Get("c-1").consent_confirmed_at_us, t0);

  // Withdrawal through PUT: suppression with the reason, the date cleared, the notice.
  const Message ad = Enqueue("c-1", kMsgWinback, "w1", {{"days_since_last_order", "90"}}, t0);
  const Message info = Enqueue("c-1", kMsgReviewRequest, "r1", {{"order_id", "o-1"}}, t0);
  ASSERT_TRUE(Put("c-1", false, std::nullopt, t0 + 20).ok());
  EXPECT_EQ(Find(ad.message_id).status, MessageStatus::kSuppressed);
  EXPECT_EQ(Find(ad.message_id).status_reason, "consent_withdrawn");
  EXPECT_EQ(Find(info.message_id).status, MessageStatus::kPending);
  c = Get("c-1");
  EXPECT_EQ(c.consent_confirmed_at_us, 0);
  EXPECT_EQ(History("c-1").size(), 2u);
  EXPECT_EQ(Messages("c-1", kMsgConsentChanged).size(), 2u);

  // Sign-up without consent: no history, no notice.
  ASSERT_TRUE(Put("c-2", std::nullopt, std::nullopt, t0).ok());
  EXPECT_TRUE(History("c-2").empty());
  EXPECT_TRUE(Messages("c-2").empty());
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerConsentTest, NoNoticeWhenTheTriggerIsOff) {
  Disable(kMsgConsentChanged);
  ASSERT_TRUE(Put("c-1", true, false, now_us_).ok());
  auto w = Change("c-1", false, std::nullopt, "web", now_us_ + 1);
  ASSERT_TRUE(w.ok());
  EXPECT_TRUE(w->change.has_value());
  EXPECT_FALSE(w->notice_written);
  EXPECT_TRUE(Messages("c-1").empty());
  EXPECT_EQ(History("c-1").size(), 2u);
}

TEST_F(LedgerConsentTest, NoticesAreNeverCapped) {
  program_.messaging.daily_cap_per_customer = 1;
  ASSERT_TRUE(Put("c-1", true, false, now_us_).ok());
  ASSERT_TRUE(Change("c-1", false, std::nullopt, "web", now_us_ + 1).ok());
  ASSERT_TRUE(Change("c-1", true, std::nullopt, "web", now_us_ + 2).ok());
  std::vector<Message> notices = Messages("c-1", kMsgConsentChanged);
  ASSERT_EQ(notices.size(), 3u);
  for (const Message& m : notices) EXPECT_EQ(m.status, MessageStatus::kPending) << m.text;
}

TEST(ReconfirmDueThroughTest, SameDayTwoYearsEarlierAndLeapDays) {
  auto due = [](int y, int m, int d) { return FormatLocalDate(ReconfirmDueThrough({y, m, d})); };
  EXPECT_EQ(due(2026, 3, 10), "2024-03-10");
  EXPECT_EQ(due(2026, 2, 28), "2024-02-29");  // a 29 February confirmation is due on the 28th
  EXPECT_EQ(due(2026, 3, 1), "2024-03-01");
  EXPECT_EQ(due(2028, 2, 28), "2026-02-28");
  EXPECT_EQ(due(2028, 2, 29), "2026-02-28");
  EXPECT_EQ(due(2027, 1, 1), "2025-01-01");
  // The end of that day in KST.
  EXPECT_EQ(ReconfirmCutoff({2026, 3, 10}, "Asia/Seoul"), Kst(2024, 3, 11) - 1);
}

}  // namespace
}  // namespace loyalty::testing
