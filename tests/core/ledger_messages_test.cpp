// Messages in the ledger, on a real store (SQLite here; MySQL in mysql_ledger_tests): the outbox
// rows written with their causes, the consent / night / cap rules, dedupe on reruns, cart
// reminders cancelled by an order, the delivery cycle (claim in per-customer order, ack,
// failures, dead letter, replay), the daily job's notices and the quote's nudges.
#include <algorithm>
#include <map>

#include "core/ledger_internal.h"
#include "core/messaging.h"
#include "tests/core/coupon_test_util.h"
#include "tests/core/messaging_test_util.h"

namespace loyalty::testing {
namespace {

constexpr Micros kMinuteUs = 60'000'000;

// CouponProgram (WELCOME, SILVER_UP, BDAY birthday coupon of BRONZE, EXTRA) with every trigger
// on: welcome with the WELCOME coupon, tier_near within ₩50,000, notices 60/30/3 days before
// expiry, first purchase 7 days, review 3, repurchase 30, win-back 90 with EXTRA, cart reminder
// after 60 minutes at most once a day; at most 3 messages per customer per day.
Program MessagingLedgerProgram() {
  Program p = CouponProgram();
  constexpr MessageCategory kInfo = MessageCategory::kInformational;
  constexpr MessageCategory kAd = MessageCategory::kAdvertising;
  MessagingSettings& m = p.messaging;
  m.templates = {
      Tmpl("WELCOME", kMsgWelcome, "#{tier_name} 회원님 환영합니다! 쿠폰 #{coupon_code}", kInfo,
           "환영 #{coupon_code}"),
      Tmpl("NEAR", kMsgTierNear, AdText("#{next_tier_name}까지 #{gap_won}원 남았어요!"), kAd),
      Tmpl("RISK", kMsgTierAtRisk,
           AdText("#{tier_name} 유지까지 #{needed_won}원 (#{evaluation_date})"), kAd),
      Tmpl("EXPIRING", kMsgPointsExpiring,
           "#{points}P가 #{expires_on}에 소멸됩니다 (#{days_left}일)", kInfo),
      Tmpl("FIRST", kMsgFirstPurchaseReminder,
           AdText("가입 #{days_since_signup}일째, 첫 구매 혜택!"), kAd),
      Tmpl("REVIEW", kMsgReviewRequest, "#{order_id} 리뷰를 남겨 주세요", kInfo),
      Tmpl("REPURCHASE", kMsgRepurchaseReminder,
           AdText("#{last_order_id} 후 #{days_since_last_order}일"), kAd),
      Tmpl("WINBACK", kMsgWinback, AdText("#{days_since_last_order}일 만이에요 #{coupon_code}"),
           kAd),
      Tmpl("BIRTHDAY", kMsgBirthday, AdText("생일 축하 #{coupon_name} #{coupon_code}"), kAd),
      Tmpl("CART", kMsgCartReminder, AdText("장바구니 #{cart_items}개 #{cart_amount_won}원"), kAd),
  };
  // The welcome coupon is one the customer asked for: the welcome stays informational.
  m.templates[0].coupon_exemption = "가입 시 고객이 신청한 쿠폰";
  SetTestSender(m);
  TriggerSettings welcome = On("WELCOME");
  welcome.coupon_template = "WELCOME";
  TriggerSettings near = On("NEAR");
  near.within_won = 50000;
  TriggerSettings expiring = On("EXPIRING");
  expiring.stages = {60, 30, 3};
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
  cart.daily_cap = 1;
  m.triggers = {{kMsgWelcome, welcome},
                {kMsgTierNear, near},
                {kMsgTierAtRisk, On("RISK")},
                {kMsgPointsExpiring, expiring},
                {kMsgFirstPurchaseReminder, first},
                {kMsgReviewRequest, review},
                {kMsgRepurchaseReminder, repurchase},
                {kMsgWinback, winback},
                {kMsgBirthday, On("BIRTHDAY")},
                {kMsgCartReminder, cart}};
  m.order_thresholds = {{50000, "무료배송"}, {100000, "사은품"}};
  m.daily_cap_per_customer = 3;
  m.catch_up_days = 7;
  m.tier_at_risk_days = 7;
  return p;
}

class LedgerMessagesTest : public LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    program_ = MessagingLedgerProgram();
    random_ = &random_source_;
    Status st = ValidateProgram(program_);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }

  void Disable(const std::string& type) {
    for (auto& [t, settings] : program_.messaging.triggers) {
      if (t == type) settings.enabled = false;
    }
  }

  Customer Create(const std::string& id, bool marketing, bool night, Micros at) {
    CustomerInput in;
    in.customer_id = id;
    in.marketing_consent = marketing;
    in.night_consent = night;
    auto r = Tx([&](Session& s) { return UpsertCustomer(s, in, At(at)); });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->customer : Customer{};
  }

  void SetConsent(const std::string& id, bool marketing, bool night, Micros at) {
    CustomerInput in;
    in.customer_id = id;
    in.marketing_consent = marketing;
    in.night_consent = night;
    auto r = Tx([&](Session& s) { return UpsertCustomer(s, in, At(at)); });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_FALSE(r->created);
  }

  // EnqueueMessage as a ledger command would call it: the customer locked, then saved.
  Result<std::optional<MessageWrite>> Enqueue(const std::string& id, const std::string& type,
                                              const std::string& key,
                                              std::map<std::string, std::string> vars, Micros at) {
    return Tx([&](Session& s) -> Result<std::optional<MessageWrite>> {
      const Ctx ctx = At(at);
      LOYALTY_ASSIGN_OR_RETURN(Customer c, internal::LoadCustomer(s, id));
      MessageRequest r;
      r.type = type;
      r.variables = vars;
      r.dedupe_key = key;
      LOYALTY_ASSIGN_OR_RETURN(std::optional<MessageWrite> w, EnqueueMessage(s, c, r, ctx));
      LOYALTY_RETURN_IF_ERROR(internal::SaveCustomer(s, c, ctx));
      return w;
    });
  }
  // A first-purchase reminder (advertising, no coupon) with its own key.
  Message Ad(const std::string& id, const std::string& key, Micros at) {
    auto w = Enqueue(id, kMsgFirstPurchaseReminder, key, {{"days_since_signup", "7"}}, at);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_TRUE(w.ok() && w->has_value());
    return w.ok() && w->has_value() ? (*w)->message : Message{};
  }
  // A review request (informational).
  Message Info(const std::string& id, const std::string& key, Micros at) {
    auto w = Enqueue(id, kMsgReviewRequest, key, {{"order_id", "o1"}}, at);
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    EXPECT_TRUE(w.ok() && w->has_value());
    return w.ok() && w->has_value() ? (*w)->message : Message{};
  }

  Result<std::optional<MessageWrite>> Cart(const std::string& id, const std::string& cart_id,
                                           Micros at, Won amount = 45000, int32_t items = 2) {
    CartEvent e{id, cart_id, amount, items};
    return Tx([&](Session& s) { return RecordCart(s, e, At(at)); });
  }

  Result<OrderWrite> OrderAt(const std::string& order_id, const std::string& customer_id,
                             Won amount_won, Micros at) {
    OrderRequest r;
    r.order_id = order_id;
    r.customer_id = customer_id;
    r.amount_won = amount_won;
    r.request_hash = order_id;
    return Tx([&](Session& s) { return CreateOrder(s, r, At(at)); });
  }

  std::vector<Message> Claim(Micros at, int limit = 100) {
    ClaimOptions o;
    o.limit = limit;
    o.owner = "tester";
    auto r = Tx([&](Session& s) { return ClaimMessages(s, o, At(at)); });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Message>{};
  }
  std::vector<int64_t> Ids(const std::vector<Message>& v) {
    std::vector<int64_t> out;
    for (const Message& m : v) out.push_back(m.message_id);
    return out;
  }
  std::vector<AckResult> Ack(std::vector<int64_t> ids, Micros at) {
    auto r = Tx([&](Session& s) { return AckMessages(s, ids, At(at)); });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<AckResult>{};
  }
  // The acknowledgement of another client than the one Claim leases to ("tester").
  Code AckAs(const std::string& caller, int64_t id, Micros at) {
    const Ctx ctx{program_, at, Actor{caller, "messaging"}, random_};
    auto r = Tx([&](Session& s) { return AckMessages(s, {id}, ctx); });
    EXPECT_TRUE(r.ok() && r->size() == 1u) << r.status().ToString();
    return r.ok() && r->size() == 1u ? (*r)[0].status.code() : Code::kInternal;
  }

  std::vector<Message> Messages(const std::string& id, const std::string& type = "") {
    MessageQuery q;
    q.customer_id = id;
    q.type = type;
    q.limit = kMaxPageSize;
    auto r = session_->ListMessages(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Message>{};
  }
  Message Find(int64_t id) {
    auto m = session_->FindMessage(id);
    EXPECT_TRUE(m.ok() && m->has_value()) << id;
    return m.ok() && m->has_value() ? **m : Message{};
  }

  std::vector<Event> Events(const std::string& id, const std::string& type) {
    EventQuery q;
    q.customer_id = id;
    q.limit = kMaxPageSize;
    auto events = session_->ListEvents(q);
    EXPECT_TRUE(events.ok());
    std::vector<Event> out;
    for (const Event& e : events.value()) {
      if (e.type == type) out.push_back(e);
    }
    return out;
  }

  Result<bool> Nudge(const std::string& id, const LocalDate& d, Micros at) {
    return Tx([&](Session& s) { return NudgeTier(s, id, d, At(at)); });
  }
  Result<bool> Notify(const std::string& id, const LocalDate& d, Micros at) {
    return Tx([&](Session& s) { return NotifyExpiringPoints(s, id, d, At(at)); });
  }

  Result<Quote> QuoteFor(const std::string& customer_id, Won amount_won, Points redeem = 0) {
    QuoteRequest q;
    q.customer_id = customer_id;
    q.amount_won = amount_won;
    q.points_to_redeem = redeem;
    return QuoteOrder(*session_, q, Now());
  }

  SeededRandom random_source_{7};
};

// ---- written with their causes ----

TEST_F(LedgerMessagesTest, WelcomeOnSignUpWithItsCouponAndNotOnUpdate) {
  Create("c1", false, false, now_us_);
  std::vector<Message> msgs = Messages("c1");
  ASSERT_EQ(msgs.size(), 1u);
  const Message& m = msgs[0];
  EXPECT_EQ(m.type, kMsgWelcome);
  EXPECT_EQ(m.category, MessageCategory::kInformational);  // no consent needed
  EXPECT_EQ(m.status, MessageStatus::kPending);
  EXPECT_EQ(m.template_code, "WELCOME");
  EXPECT_EQ(m.dedupe_key, "welcome:c1");
  EXPECT_EQ(m.not_before_us, now_us_);
  EXPECT_EQ(m.created_at_us, now_us_);
  // The welcome coupon was issued in the same transaction, under the message's dedupe key.
  auto coupon = session_->FindCouponByDedupeKey("welcome:c1");
  ASSERT_TRUE(coupon.ok() && coupon->has_value());
  EXPECT_EQ((*coupon)->template_code, "WELCOME");
  EXPECT_EQ(m.text, "BRONZE 회원님 환영합니다! 쿠폰 " + (*coupon)->code);
  EXPECT_EQ(m.sms_text, "환영 " + (*coupon)->code);
  EXPECT_NE(m.variables_json.find("\"coupon_code\":\"" + (*coupon)->code + "\""), std::string::npos)
      << m.variables_json;
  EXPECT_NE(m.variables_json.find("\"customer_id\":\"c1\""), std::string::npos);
  ASSERT_EQ(Events("c1", "message.created").size(), 1u);
  EXPECT_NE(Events("c1", "message.created")[0].payload_json.find("\"dedupe_key\":\"welcome:c1\""),
            std::string::npos);
  EXPECT_EQ(Events("c1", "coupon.issued").size(), 1u);
  // An update (consent given) is not a sign-up.
  SetConsent("c1", true, true, now_us_ + kMinuteUs);
  EXPECT_EQ(Messages("c1").size(), 1u);
  EXPECT_EQ(Events("c1", "coupon.issued").size(), 1u);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerMessagesTest, NoMessagingConfiguredWritesNothing) {
  program_ = TestProgram();  // no messaging section, no random source needed
  random_ = nullptr;
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 50000).ok());
  EXPECT_TRUE(Messages("c1").empty());
  auto cart = Cart("c1", "k1", now_us_);
  ASSERT_TRUE(cart.ok()) << cart.status().ToString();
  EXPECT_FALSE(cart->has_value());
  auto q = QuoteFor("c1", 40000);
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->next_threshold.has_value());
}

TEST_F(LedgerMessagesTest, AdvertisingWithoutConsentIsKeptSuppressed) {
  Create("c1", false, false, now_us_);
  Message m = Ad("c1", "ad:1", now_us_);
  EXPECT_EQ(m.status, MessageStatus::kSuppressed);
  EXPECT_EQ(m.status_reason, "no_marketing_consent");
  EXPECT_GT(m.message_id, 0);
  EXPECT_EQ(m.text, AdRendered("가입 7일째, 첫 구매 혜택!"));
  EXPECT_NE(m.variables_json.find("\"opt_out\":\"무료수신거부 080-000-0000\""), std::string::npos)
      << m.variables_json;
  ASSERT_EQ(Events("c1", "message.suppressed").size(), 1u);
  EXPECT_NE(Events("c1", "message.suppressed")[0].payload_json.find("no_marketing_consent"),
            std::string::npos);
  // Informational messages need no consent.
  EXPECT_EQ(Info("c1", "info:1", now_us_).status, MessageStatus::kPending);
  // Suppressed messages are never handed out.
  std::vector<Message> claimed = Claim(now_us_);
  for (const Message& c : claimed) EXPECT_NE(c.message_id, m.message_id);
}

TEST_F(LedgerMessagesTest, NightTimeSchedulingAtTheEdges) {
  Disable(kMsgWelcome);
  program_.messaging.daily_cap_per_customer = 0;  // two edges fall on each KST day
  Create("day", true, false, now_us_);
  Create("night", true, true, now_us_);
  struct Edge {
    Micros at;
    Micros expected;
  };
  const std::vector<Edge> edges = {
      {Kst(2026, 3, 10, 20, 59), Kst(2026, 3, 10, 20, 59)},
      {Kst(2026, 3, 10, 21, 0), Kst(2026, 3, 11, 8, 0)},
      {Kst(2026, 3, 11, 7, 59), Kst(2026, 3, 11, 8, 0)},
      {Kst(2026, 3, 11, 8, 0), Kst(2026, 3, 11, 8, 0)},
  };
  int n = 0;
  for (const Edge& e : edges) {
    SCOPED_TRACE(FormatInstant(e.at));
    const std::string key = "edge:" + std::to_string(n++);
    Message day = Ad("day", key + ":day", e.at);
    EXPECT_EQ(day.status, MessageStatus::kPending);
    EXPECT_EQ(day.not_before_us, e.expected);
    Message night = Ad("night", key + ":night", e.at);
    EXPECT_EQ(night.not_before_us, e.at);  // night consent: at once
    // Informational messages go out at night too.
    Message info = Info("day", key + ":info", e.at);
    EXPECT_EQ(info.not_before_us, e.at);
  }
}

TEST_F(LedgerMessagesTest, FrequencyCapPerCustomerPerKstDay) {
  Create("c1", true, true, Kst(2026, 3, 10, 9));  // the welcome message is the first of the day
  EXPECT_EQ(Info("c1", "r:1", Kst(2026, 3, 10, 10)).status, MessageStatus::kPending);
  EXPECT_EQ(Ad("c1", "r:2", Kst(2026, 3, 10, 11)).status, MessageStatus::kPending);
  Message over = Info("c1", "r:3", Kst(2026, 3, 10, 23, 59));
  EXPECT_EQ(over.status, MessageStatus::kSuppressed);
  EXPECT_EQ(over.status_reason, "frequency_cap");
  EXPECT_EQ(Events("c1", "message.suppressed").size(), 1u);
  // Suppressed ones do not count; a new KST day starts at 00:00 KST (15:00 UTC).
  EXPECT_EQ(Info("c1", "r:4", Kst(2026, 3, 11, 0, 0)).status, MessageStatus::kPending);
  // Another customer has its own cap.
  Create("c2", true, true, Kst(2026, 3, 10, 23));
  EXPECT_EQ(Info("c2", "r:1", Kst(2026, 3, 10, 23, 30)).status, MessageStatus::kPending);
}

TEST_F(LedgerMessagesTest, FrequencyCapPerTypeAndCancelledOnesDoNotCount) {
  Disable(kMsgWelcome);
  Create("c1", true, true, Kst(2026, 3, 10, 9));
  auto first = Cart("c1", "k1", Kst(2026, 3, 10, 10));
  ASSERT_TRUE(first.ok() && first->has_value()) << first.status().ToString();
  EXPECT_EQ((*first)->message.status, MessageStatus::kPending);
  auto second = Cart("c1", "k2", Kst(2026, 3, 10, 11));  // cart_reminder: once a day
  ASSERT_TRUE(second.ok() && second->has_value());
  EXPECT_EQ((*second)->message.status, MessageStatus::kSuppressed);
  EXPECT_EQ((*second)->message.status_reason, "frequency_cap");
  // Another type is not capped by it.
  EXPECT_EQ(Info("c1", "r:1", Kst(2026, 3, 10, 12)).status, MessageStatus::kPending);
  // Next day: allowed again; an order cancels it, and a cancelled one does not count.
  auto third = Cart("c1", "k3", Kst(2026, 3, 11, 9));
  ASSERT_TRUE(third.ok() && third->has_value());
  EXPECT_EQ((*third)->message.status, MessageStatus::kPending);
  ASSERT_TRUE(OrderAt("o1", "c1", 30000, Kst(2026, 3, 11, 9, 30)).ok());
  EXPECT_EQ(Find((*third)->message.message_id).status, MessageStatus::kCancelled);
  auto fourth = Cart("c1", "k4", Kst(2026, 3, 11, 10));
  ASSERT_TRUE(fourth.ok() && fourth->has_value());
  EXPECT_EQ((*fourth)->message.status, MessageStatus::kPending);
}

TEST_F(LedgerMessagesTest, TheSameCauseNeverWritesTwice) {
  Create("c1", true, true, now_us_);
  auto a = Enqueue("c1", kMsgReviewRequest, "review_request:c1", {{"order_id", "o1"}}, now_us_);
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_FALSE((*a)->replayed);
  const size_t before = Messages("c1").size();
  const size_t events = Events("c1", "message.created").size();
  auto b = Enqueue("c1", kMsgReviewRequest, "review_request:c1", {{"order_id", "o2"}},
                   now_us_ + kMinuteUs);
  ASSERT_TRUE(b.ok() && b->has_value());
  EXPECT_TRUE((*b)->replayed);
  EXPECT_EQ((*b)->message.message_id, (*a)->message.message_id);
  EXPECT_EQ((*b)->message.text, "o1 리뷰를 남겨 주세요");  // the first one, unchanged
  EXPECT_EQ(Messages("c1").size(), before);
  EXPECT_EQ(Events("c1", "message.created").size(), events);
  // A disabled trigger writes nothing; a request without a key is refused.
  Disable(kMsgReviewRequest);
  auto off = Enqueue("c1", kMsgReviewRequest, "review_request:c9", {{"order_id", "o1"}}, now_us_);
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->has_value());
  auto no_key = Enqueue("c1", kMsgFirstPurchaseReminder, "", {}, now_us_);
  EXPECT_EQ(no_key.status().code(), Code::kValidationFailed);
}

TEST_F(LedgerMessagesTest, LifecycleRunsOnceAndIssuesTheWinbackCouponOnce) {
  Create("c1", true, true, Kst(2026, 1, 2, 10));
  ASSERT_TRUE(OrderAt("o1", "c1", 20000, Kst(2026, 1, 5, 10)).ok());
  auto found = session_->FindCustomerActivity("c1");
  ASSERT_TRUE(found.ok() && found->has_value());
  const CustomerActivity a = **found;
  EXPECT_EQ(a.last_order_id, "o1");
  const LocalDate d{2026, 4, 5};  // 90 days after 5 January
  auto run = [&]() {
    return Tx([&](Session& s) { return RunLifecycle(s, a, d, At(Kst(2026, 4, 5, 10))); });
  };
  auto first = run();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 1);
  std::vector<Message> wb = Messages("c1", kMsgWinback);
  ASSERT_EQ(wb.size(), 1u);
  EXPECT_EQ(wb[0].dedupe_key, "winback:c1:o1");
  auto coupon = session_->FindCouponByDedupeKey("winback:c1:o1");
  ASSERT_TRUE(coupon.ok() && coupon->has_value());
  EXPECT_EQ((*coupon)->template_code, "EXTRA");
  EXPECT_EQ(wb[0].text, AdRendered("90일 만이에요 " + (*coupon)->code));
  EXPECT_NE(wb[0].variables_json.find("\"coupon_valid_until\":\"2026-05-04\""), std::string::npos)
      << wb[0].variables_json;
  // The rerun (no random source needed: nothing new is drawn) writes nothing.
  random_ = nullptr;
  auto again = run();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(Messages("c1", kMsgWinback).size(), 1u);
  EXPECT_EQ(Events("c1", "coupon.issued").size(), 2u);  // welcome + win-back
}

TEST_F(LedgerMessagesTest, ReviewRequestFromTheStoresActivity) {
  Disable(kMsgWelcome);
  Create("c1", false, false, Kst(2026, 3, 1, 10));
  ASSERT_TRUE(OrderAt("o1", "c1", 30000, Kst(2026, 3, 2, 10)).ok());
  ASSERT_TRUE(Tx([&](Session& s) { return ConfirmOrder(s, "o1", At(Kst(2026, 3, 4, 10))); }).ok());
  auto page = session_->ListCustomerActivity("", 10, 0, 1);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->size(), 1u);
  const CustomerActivity& a = (*page)[0];
  EXPECT_EQ(a.first_confirmed_order_id, "o1");
  auto n = Tx([&](Session& s) { return RunLifecycle(s, a, {2026, 3, 7}, At(Kst(2026, 3, 7, 9))); });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 1);
  std::vector<Message> r = Messages("c1", kMsgReviewRequest);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].text, "o1 리뷰를 남겨 주세요");
  EXPECT_EQ(r[0].dedupe_key, "review_request:c1");
  // No first-purchase reminder: there is an order.
  EXPECT_TRUE(Messages("c1", kMsgFirstPurchaseReminder).empty());
}

TEST_F(LedgerMessagesTest, LifecycleDecidesAgainUnderTheLockFromTheCurrentActivity) {
  Disable(kMsgWelcome);
  Create("c1", true, true, Kst(2026, 3, 1, 10));
  // The job read its page (no order yet: a first-purchase reminder is due on 8 March) ...
  auto page = session_->ListCustomerActivity("", 10, 0, 1);
  ASSERT_TRUE(page.ok() && page->size() == 1u);
  const CustomerActivity stale = (*page)[0];
  const LocalDate d{2026, 3, 8};
  ASSERT_FALSE(DueLifecycle(program_, stale, d).empty());
  // ... then, before it locked the customer, the first order arrived (another node).
  ASSERT_TRUE(OrderAt("o1", "c1", 30000, Kst(2026, 3, 8, 9)).ok());
  auto n = Tx([&](Session& s) { return RunLifecycle(s, stale, d, At(Kst(2026, 3, 8, 10))); });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 0);
  EXPECT_TRUE(Messages("c1", kMsgFirstPurchaseReminder).empty());
}

TEST_F(LedgerMessagesTest, BirthdayMessageCarriesTheBirthdayCoupon) {
  Disable(kMsgWelcome);
  CustomerInput in;
  in.customer_id = "c1";
  in.birth_date = std::optional<std::string>("1990-03-15");
  in.marketing_consent = true;
  ASSERT_TRUE(Tx([&](Session& s) { return UpsertCustomer(s, in, Now()); }).ok());
  auto issue = [&]() {
    return Tx([&](Session& s) { return IssueBirthdayCoupon(s, "c1", {2026, 3, 10}, Now()); });
  };
  auto issued = issue();
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  EXPECT_TRUE(*issued);
  std::vector<Message> b = Messages("c1", kMsgBirthday);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].dedupe_key, "birthday:c1:2026");
  auto coupon = session_->FindCouponByDedupeKey("birthday:c1:2026");
  ASSERT_TRUE(coupon.ok() && coupon->has_value());
  EXPECT_EQ(b[0].text, AdRendered("생일 축하 BDAY " + (*coupon)->code));
  auto again = issue();
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(Messages("c1", kMsgBirthday).size(), 1u);
  EXPECT_EQ(CheckAll(), "");
}

// ---- cart reminders ----

TEST_F(LedgerMessagesTest, CartReminderAfterNMinutesCancelledByAnOrder) {
  Disable(kMsgWelcome);
  Create("c1", true, false, now_us_);
  Create("c2", true, false, now_us_);
  auto w = Cart("c1", "cart-1", now_us_, 45000, 3);
  ASSERT_TRUE(w.ok() && w->has_value()) << w.status().ToString();
  const Message m = (*w)->message;
  EXPECT_EQ(m.status, MessageStatus::kPending);
  EXPECT_EQ(m.dedupe_key, "cart_reminder:c1:cart-1");
  EXPECT_EQ(m.not_before_us, now_us_ + 60 * kMinuteUs);
  EXPECT_EQ(m.text, AdRendered("장바구니 3개 45,000원"));
  // The same cart posted again: the same reminder.
  auto again = Cart("c1", "cart-1", now_us_ + kMinuteUs);
  ASSERT_TRUE(again.ok() && again->has_value());
  EXPECT_TRUE((*again)->replayed);
  EXPECT_EQ((*again)->message.message_id, m.message_id);
  auto other = Cart("c2", "cart-9", now_us_);
  ASSERT_TRUE(other.ok() && other->has_value());
  // Not due before the delay.
  EXPECT_TRUE(Claim(now_us_ + 29 * kMinuteUs).empty());
  // An order arrives first: the reminder is withdrawn, with the evidence.
  ASSERT_TRUE(OrderAt("o1", "c1", 45000, now_us_ + 30 * kMinuteUs).ok());
  Message after = Find(m.message_id);
  EXPECT_EQ(after.status, MessageStatus::kCancelled);
  EXPECT_EQ(after.status_reason, "order_placed");
  ASSERT_EQ(Events("c1", "message.cancelled").size(), 1u);
  EXPECT_NE(Events("c1", "message.cancelled")[0].payload_json.find("\"order_id\":\"o1\""),
            std::string::npos);
  // c2's reminder is untouched and goes out after the delay; c1's never does.
  EXPECT_EQ(Ids(Claim(now_us_ + 61 * kMinuteUs)),
            std::vector<int64_t>{(*other)->message.message_id});
  // The cancelled reminder cannot be acknowledged.
  std::vector<AckResult> ack = Ack({m.message_id}, now_us_ + 62 * kMinuteUs);
  ASSERT_EQ(ack.size(), 1u);
  EXPECT_EQ(ack[0].status.code(), Code::kInvalidState);
}

TEST_F(LedgerMessagesTest, CartReminderDueAtNightWaitsForTheMorning) {
  Disable(kMsgWelcome);
  Create("c1", true, false, now_us_);
  auto w = Cart("c1", "late", Kst(2026, 3, 10, 20, 30));  // due 21:30
  ASSERT_TRUE(w.ok() && w->has_value());
  EXPECT_EQ((*w)->message.not_before_us, Kst(2026, 3, 11, 8, 0));
  EXPECT_EQ(Cart("nobody", "x", now_us_).status().code(), Code::kNotFound);
  EXPECT_EQ(Cart("c1", "", now_us_).status().code(), Code::kValidationFailed);
}

// ---- delivery ----

TEST_F(LedgerMessagesTest, ClaimHonoursEachCustomersOrder) {
  Disable(kMsgWelcome);
  Create("c1", true, true, now_us_);
  Create("c2", true, true, now_us_);
  auto cart = Cart("c1", "k1", now_us_);  // c1's oldest: due in 60 minutes
  ASSERT_TRUE(cart.ok() && cart->has_value());
  const int64_t m1 = (*cart)->message.message_id;
  const int64_t m2 = Info("c1", "r:c1", now_us_).message_id;  // due now, but behind m1
  const int64_t m3 = Info("c2", "r:c2", now_us_).message_id;
  ASSERT_LT(m1, m2);
  std::vector<Message> now = Claim(now_us_);
  EXPECT_EQ(Ids(now), std::vector<int64_t>{m3});
  EXPECT_EQ(now[0].lease_owner, "tester");
  EXPECT_EQ(Ack({m3}, now_us_)[0].status.code(), Code::kOk);
  // Leased messages are not handed out again while the lease runs.
  const Micros later = now_us_ + 61 * kMinuteUs;
  EXPECT_EQ(Ids(Claim(later)), std::vector<int64_t>{m1});
  EXPECT_TRUE(Claim(later + 1).empty());  // m1 leased; m2 still behind it
  EXPECT_EQ(Ack({m1}, later)[0].status.code(), Code::kOk);
  EXPECT_EQ(Ids(Claim(later + 2)), std::vector<int64_t>{m2});
}

TEST_F(LedgerMessagesTest, AnExpiredLeaseIsHandedOutAgain) {
  Create("c1", true, true, now_us_);
  std::vector<Message> first = Claim(now_us_);
  ASSERT_EQ(first.size(), 1u);  // the welcome message
  EXPECT_TRUE(Claim(now_us_ + 59'000'000).empty());
  EXPECT_EQ(Ids(Claim(now_us_ + 60'000'000)), Ids(first));
}

TEST_F(LedgerMessagesTest, ClaimSuppressesAfterConsentWithdrawalAndDefersAtNight) {
  Disable(kMsgWelcome);
  Create("c1", true, false, now_us_);
  Create("c2", true, false, now_us_);
  const int64_t withdrawn = Ad("c1", "ad:c1", Kst(2026, 3, 10, 12)).message_id;
  const int64_t night = Ad("c2", "ad:c2", Kst(2026, 3, 10, 20, 0)).message_id;
  EXPECT_EQ(Find(night).not_before_us, Kst(2026, 3, 10, 20, 0));
  SetConsent("c1", false, false, Kst(2026, 3, 10, 12, 30));  // opt-out: suppressed at once
  // The webhook was down until 22:00: c1's message is suppressed, c2's waits for 08:00.
  EXPECT_TRUE(Claim(Kst(2026, 3, 10, 22, 0)).empty());
  Message s = Find(withdrawn);
  EXPECT_EQ(s.status, MessageStatus::kSuppressed);
  EXPECT_EQ(s.status_reason, "consent_withdrawn");
  EXPECT_EQ(Events("c1", "message.suppressed").size(), 1u);
  Message n = Find(night);
  EXPECT_EQ(n.status, MessageStatus::kPending);
  EXPECT_EQ(n.not_before_us, Kst(2026, 3, 11, 8, 0));
  EXPECT_TRUE(Claim(Kst(2026, 3, 11, 7, 59)).empty());
  EXPECT_EQ(Ids(Claim(Kst(2026, 3, 11, 8, 0))), std::vector<int64_t>{night});
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerMessagesTest, AckIsIdempotentAndNamesWhatCannotBeAcknowledged) {
  Disable(kMsgWelcome);
  Create("c1", true, true, now_us_);
  Create("c2", false, false, now_us_);
  const int64_t ok = Info("c1", "r:1", now_us_).message_id;
  const int64_t suppressed = Ad("c2", "ad:1", now_us_).message_id;
  ASSERT_EQ(Claim(now_us_).size(), 1u);
  std::vector<AckResult> first = Ack({ok}, now_us_ + 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_TRUE(first[0].status.ok()) << first[0].status.ToString();
  Message d = Find(ok);
  EXPECT_EQ(d.status, MessageStatus::kDelivered);
  EXPECT_EQ(d.delivered_at_us, now_us_ + 1);
  EXPECT_EQ(d.lease_until_us, 0);
  std::vector<AckResult> again = Ack({ok, 999999, suppressed}, now_us_ + 2);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_TRUE(again[0].status.ok());
  EXPECT_EQ(Find(ok).delivered_at_us, now_us_ + 1);  // unchanged
  EXPECT_EQ(again[1].message_id, 999999);
  EXPECT_EQ(again[1].status.code(), Code::kNotFound);
  EXPECT_EQ(again[2].status.code(), Code::kInvalidState);
  EXPECT_NE(again[2].status.message().find("suppressed"), std::string::npos);
  EXPECT_TRUE(Claim(now_us_ + 3'600'000'000).empty());  // delivered: never again
  auto empty = Tx([&](Session& s) { return AckMessages(s, {}, Now()); });
  EXPECT_EQ(empty.status().code(), Code::kValidationFailed);
}

TEST_F(LedgerMessagesTest, OnlyTheHolderOfALiveLeaseMayAcknowledge) {
  Disable(kMsgWelcome);
  Create("c1", true, true, now_us_);
  const int64_t id = Info("c1", "r:1", now_us_).message_id;
  // Never pulled: refused, and still pending (it goes out at the next pull).
  std::vector<AckResult> unpulled = Ack({id}, now_us_);
  ASSERT_EQ(unpulled.size(), 1u);
  EXPECT_EQ(unpulled[0].status.code(), Code::kMessageNotLeased);
  EXPECT_EQ(unpulled[0].status.field(), "message_ids");
  EXPECT_EQ(Find(id).status, MessageStatus::kPending);
  ASSERT_EQ(Ids(Claim(now_us_)), std::vector<int64_t>{id});
  // Leased by "tester": another client cannot acknowledge it.
  EXPECT_EQ(AckAs("someone-else", id, now_us_ + 1), Code::kMessageNotLeased);
  EXPECT_EQ(Find(id).status, MessageStatus::kPending);
  // The lease runs 60 s: at its end it is over, and the holder is told so.
  EXPECT_EQ(AckAs("tester", id, now_us_ + 60'000'000), Code::kLeaseExpired);
  EXPECT_EQ(Find(id).status, MessageStatus::kPending);
  // Pulled again (by the same client, or another one) it can be acknowledged under that lease.
  ASSERT_EQ(Ids(Claim(now_us_ + 61'000'000)), std::vector<int64_t>{id});
  EXPECT_EQ(AckAs("tester", id, now_us_ + 61'000'001), Code::kOk);
  EXPECT_EQ(Find(id).status, MessageStatus::kDelivered);
  EXPECT_EQ(Find(id).lease_owner, "");
  // Delivered: acknowledging it again is fine for anyone, and changes nothing.
  EXPECT_EQ(AckAs("someone-else", id, now_us_ + 62'000'000), Code::kOk);
  EXPECT_EQ(Find(id).delivered_at_us, now_us_ + 61'000'001);
}

TEST_F(LedgerMessagesTest, ANightDeferredAdCannotBeAcknowledgedWithoutBeingPulled) {
  Disable(kMsgWelcome);
  Create("c2", true, false, now_us_);  // marketing consent, no night consent
  const int64_t night = Ad("c2", "ad:c2", Kst(2026, 3, 10, 20, 0)).message_id;
  EXPECT_TRUE(Claim(Kst(2026, 3, 10, 22, 0)).empty());  // deferred to 08:00
  ASSERT_EQ(Find(night).not_before_us, Kst(2026, 3, 11, 8, 0));
  std::vector<AckResult> by_id = Ack({night}, Kst(2026, 3, 10, 22, 1));
  ASSERT_EQ(by_id.size(), 1u);
  EXPECT_EQ(by_id[0].status.code(), Code::kMessageNotLeased);
  EXPECT_EQ(Find(night).status, MessageStatus::kPending);
  EXPECT_EQ(Find(night).delivered_at_us, 0);
  ASSERT_EQ(Ids(Claim(Kst(2026, 3, 11, 8, 0))), std::vector<int64_t>{night});
  EXPECT_TRUE(Ack({night}, Kst(2026, 3, 11, 8, 0))[0].status.ok());
  EXPECT_EQ(Find(night).delivered_at_us, Kst(2026, 3, 11, 8, 0));
}

TEST_F(LedgerMessagesTest, FailuresBackOffThenDeadLetterThenReplay) {
  Disable(kMsgWelcome);
  Create("c1", true, true, now_us_);
  const int64_t id = Info("c1", "r:1", now_us_).message_id;
  const int64_t behind = Info("c1", "r:2", now_us_).message_id;
  RetryPolicy policy;
  policy.max_attempts = 3;
  policy.base_backoff_us = 30'000'000;
  policy.max_backoff_us = 45'000'000;
  auto fail = [&](Micros at) {
    return Tx([&](Session& s) { return RecordDeliveryFailure(s, id, "HTTP 503", policy, At(at)); });
  };
  ASSERT_EQ(Ids(Claim(now_us_)), std::vector<int64_t>{id});
  auto f1 = fail(now_us_ + 1'000'000);
  ASSERT_TRUE(f1.ok()) << f1.status().ToString();
  EXPECT_EQ(f1->attempts, 1);
  EXPECT_EQ(f1->status, MessageStatus::kPending);
  EXPECT_EQ(f1->last_error, "HTTP 503");
  EXPECT_EQ(f1->lease_until_us, 0);
  EXPECT_EQ(f1->not_before_us, now_us_ + 31'000'000);  // 30 s
  // Still the customer's oldest: nothing of c1 goes out meanwhile.
  EXPECT_TRUE(Claim(now_us_ + 30'000'000).empty());
  ASSERT_EQ(Ids(Claim(now_us_ + 31'000'000)), std::vector<int64_t>{id});
  auto f2 = fail(now_us_ + 32'000'000);
  ASSERT_TRUE(f2.ok());
  EXPECT_EQ(f2->not_before_us, now_us_ + 32'000'000 + 45'000'000);  // 60 s, capped at 45 s
  auto f3 = fail(now_us_ + 33'000'000);
  ASSERT_TRUE(f3.ok());
  EXPECT_EQ(f3->attempts, 3);
  EXPECT_EQ(f3->status, MessageStatus::kDeadLetter);
  EXPECT_EQ(Find(id).status, MessageStatus::kDeadLetter);
  // The dead letter no longer blocks the customer's next message.
  EXPECT_EQ(Ids(Claim(now_us_ + 34'000'000)), std::vector<int64_t>{behind});
  EXPECT_EQ(Ack({id}, now_us_ + 35'000'000)[0].status.code(), Code::kInvalidState);
  EXPECT_EQ(fail(now_us_ + 36'000'000).status().code(), Code::kInvalidState);
  auto none =
      Tx([&](Session& s) { return RecordDeliveryFailure(s, 424242, "x", policy, At(now_us_)); });
  EXPECT_EQ(none.status().code(), Code::kNotFound);
  // Replay from before it: back to pending with no attempts, handed out again.
  ASSERT_TRUE(Ack({behind}, now_us_ + 37'000'000)[0].status.ok());
  auto replayed =
      Tx([&](Session& s) { return ReplayMessages(s, id - 1, id, At(now_us_ + 38'000'000)); });
  ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
  EXPECT_EQ(*replayed, 1);
  Message r = Find(id);
  EXPECT_EQ(r.status, MessageStatus::kPending);
  EXPECT_EQ(r.attempts, 0);
  EXPECT_EQ(Find(behind).status, MessageStatus::kDelivered);  // after up_to: untouched
  EXPECT_EQ(Ids(Claim(now_us_ + 38'000'000)), std::vector<int64_t>{id});
  auto bad = Tx([&](Session& s) { return ReplayMessages(s, 5, 5, Now()); });
  EXPECT_EQ(bad.status().code(), Code::kValidationFailed);
}

// ---- the daily job's notices ----

TEST_F(LedgerMessagesTest, TierNearOncePerNextTierAndMonth) {
  Create("c1", true, true, now_us_);
  Create("c2", true, true, now_us_);
  ASSERT_TRUE(Order("o1", "c1", 260000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  ASSERT_TRUE(Order("o2", "c2", 100000).ok());
  ASSERT_TRUE(Confirm("o2").ok());
  auto first = Nudge("c1", {2026, 3, 10}, now_us_);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  std::vector<Message> near = Messages("c1", kMsgTierNear);
  ASSERT_EQ(near.size(), 1u);
  EXPECT_EQ(near[0].dedupe_key, "tier_near:c1:SILVER:202603");
  EXPECT_EQ(near[0].text, AdRendered("SILVER까지 40,000원 남았어요!"));
  EXPECT_NE(near[0].variables_json.find("\"threshold_won\":\"300,000\""), std::string::npos);
  EXPECT_NE(near[0].variables_json.find("\"spend_won\":\"260,000\""), std::string::npos);
  // valid_through is tier_progress's gap_valid_through (the customer resource says the same).
  auto progress = Tx([&](Session& s) { return ComputeProgress(s, Get("c1"), Now()); });
  ASSERT_TRUE(progress.ok() && progress->next.has_value());
  const std::string through = FormatLocalDate(FromDateKey(progress->next->gap_valid_through));
  EXPECT_NE(near[0].variables_json.find("\"valid_through\":\"" + through + "\""), std::string::npos)
      << near[0].variables_json;
  // Rerun the same day, later the same month: nothing new.
  EXPECT_FALSE(*Nudge("c1", {2026, 3, 10}, now_us_ + kMinuteUs));
  EXPECT_FALSE(*Nudge("c1", {2026, 3, 20}, Kst(2026, 3, 20, 9)));
  // Next month: once more.
  EXPECT_TRUE(*Nudge("c1", {2026, 4, 2}, Kst(2026, 4, 2, 9)));
  EXPECT_EQ(Messages("c1", kMsgTierNear).size(), 2u);
  // ₩200,000 away is not near.
  EXPECT_FALSE(*Nudge("c2", {2026, 3, 10}, now_us_));
  EXPECT_TRUE(Messages("c2", kMsgTierNear).empty());
}

TEST_F(LedgerMessagesTest, TierAtRiskBeforeTheEvaluationDate) {
  program_.tiering.schedule = EvaluationSchedule::kMonthly;  // evaluated on the 1st
  Create("c1", true, true, now_us_);
  ASSERT_TRUE(Order("o1", "c1", 300000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  ASSERT_EQ(Get("c1").tier, "SILVER");
  ASSERT_TRUE(RefundOf("o1", "r1", 100000).ok());  // the window now holds ₩200,000
  // 1 April is 22 days away: not yet.
  EXPECT_FALSE(*Nudge("c1", {2026, 3, 10}, now_us_));
  auto due = Nudge("c1", {2026, 3, 25}, Kst(2026, 3, 25, 9));
  ASSERT_TRUE(due.ok()) << due.status().ToString();
  EXPECT_TRUE(*due);
  std::vector<Message> risk = Messages("c1", kMsgTierAtRisk);
  ASSERT_EQ(risk.size(), 1u);
  EXPECT_EQ(risk[0].dedupe_key, "tier_at_risk:c1:20260401");
  EXPECT_EQ(risk[0].text, AdRendered("SILVER 유지까지 100,000원 (2026-04-01)"));
  EXPECT_FALSE(*Nudge("c1", {2026, 3, 26}, Kst(2026, 3, 26, 9)));
  EXPECT_EQ(Messages("c1", kMsgTierAtRisk).size(), 1u);
}

TEST_F(LedgerMessagesTest, StagedExpiryNoticesOncePerStage) {
  Create("c1", false, false, now_us_);
  ASSERT_TRUE(Adjust("a1", "c1", 1000).ok());  // expires at the end of 2027-03-10
  ASSERT_TRUE(Adjust("a2", "c1", 500).ok());   // same day: one notice for both
  struct Day {
    LocalDate d;
    bool wrote;
  };
  const std::vector<Day> days = {
      {{2027, 1, 8}, false},   // 61 days left
      {{2027, 1, 9}, true},    // 60: first notice
      {{2027, 1, 9}, false},   // rerun
      {{2027, 1, 20}, false},  // 49: still the 60-day stage
      {{2027, 2, 8}, true},    // 30
      {{2027, 3, 7}, true},    // 3
      {{2027, 3, 10}, false},  // 0: the 3-day stage was sent
  };
  for (const Day& day : days) {
    SCOPED_TRACE(FormatLocalDate(day.d));
    auto r = Notify("c1", day.d, StartOfDay(day.d, "Asia/Seoul") + 9 * 3'600'000'000LL);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(*r, day.wrote);
  }
  std::vector<Message> notices = Messages("c1", kMsgPointsExpiring);
  ASSERT_EQ(notices.size(), 3u);
  EXPECT_EQ(notices[0].dedupe_key, "points_expiring:c1:20270310:60");
  EXPECT_EQ(notices[1].dedupe_key, "points_expiring:c1:20270310:30");
  EXPECT_EQ(notices[2].dedupe_key, "points_expiring:c1:20270310:3");
  EXPECT_EQ(notices[0].text, "1,500P가 2027-03-10에 소멸됩니다 (60일)");
  EXPECT_EQ(notices[0].status, MessageStatus::kPending);  // informational: no consent needed
  std::vector<Event> evidence = Events("c1", "points.expiry_notice");
  ASSERT_EQ(evidence.size(), 3u);
  EXPECT_NE(evidence[0].payload_json.find("\"points\":1500"), std::string::npos);
  EXPECT_NE(evidence[0].payload_json.find("\"expires_on\":\"2027-03-10\""), std::string::npos);
  EXPECT_NE(evidence[0].payload_json.find("\"stage\":60"), std::string::npos);
  EXPECT_EQ(CheckAll(), "");
}

// ---- the quote's nudges ----

TEST_F(LedgerMessagesTest, QuoteTellsTheNextThresholdAndTheTierOnConfirmation) {
  // An unknown customer: entry tier, nothing counted.
  auto q = QuoteFor("stranger", 49000);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  ASSERT_TRUE(q->next_threshold.has_value());
  EXPECT_EQ(q->next_threshold->threshold_won, 50000);
  EXPECT_EQ(q->next_threshold->gap_won, 1000);
  EXPECT_EQ(q->next_threshold->label, "무료배송");
  EXPECT_EQ(q->qualifying_won, 49000);
  EXPECT_EQ(q->tier_on_confirmation, "BRONZE");
  EXPECT_EQ(q->gap_to_next_tier_won, 251000);
  // Exactly on a threshold: the next one.
  auto on = QuoteFor("stranger", 50000);
  ASSERT_TRUE(on.ok());
  EXPECT_EQ(on->next_threshold->threshold_won, 100000);
  EXPECT_EQ(on->next_threshold->gap_won, 50000);
  auto above = QuoteFor("stranger", 150000);
  ASSERT_TRUE(above.ok());
  EXPECT_FALSE(above->next_threshold.has_value());

  // A customer with ₩260,000 counted: this order of ₩45,000 would reach SILVER.
  Create("c1", true, true, now_us_);
  ASSERT_TRUE(Order("o1", "c1", 260000).ok());
  ASSERT_TRUE(Confirm("o1").ok());  // earns 2,600 points
  auto up = QuoteFor("c1", 45000);
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->tier, "BRONZE");
  EXPECT_EQ(up->qualifying_won, 45000);
  EXPECT_EQ(up->tier_on_confirmation, "SILVER");
  EXPECT_EQ(up->gap_to_next_tier_won, 1000000 - 305000);
  // Net paid: points do not count...
  auto with_points = QuoteFor("c1", 41000, 2000);
  ASSERT_TRUE(with_points.ok());
  ASSERT_TRUE(with_points->redeem_status.ok()) << with_points->redeem_status.ToString();
  EXPECT_EQ(with_points->qualifying_won, 39000);
  EXPECT_EQ(with_points->tier_on_confirmation, "BRONZE");
  EXPECT_EQ(with_points->gap_to_next_tier_won, 300000 - 299000);
  // ...net amount: they do.
  program_.tiering.basis = SpendBasis::kNetAmount;
  auto net_amount = QuoteFor("c1", 41000, 2000);
  ASSERT_TRUE(net_amount.ok());
  EXPECT_EQ(net_amount->qualifying_won, 41000);
  EXPECT_EQ(net_amount->tier_on_confirmation, "SILVER");
}

TEST_F(LedgerMessagesTest, TheQuoteNeverLowersTheTier) {
  Create("c1", true, true, now_us_);
  ASSERT_TRUE(Order("o1", "c1", 300000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  ASSERT_TRUE(RefundOf("o1", "r1", 200000).ok());  // SILVER on ₩100,000
  auto q = QuoteFor("c1", 10000);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->tier, "SILVER");
  EXPECT_EQ(q->tier_on_confirmation, "SILVER");
  EXPECT_EQ(q->gap_to_next_tier_won, 1000000 - 110000);
}

}  // namespace
}  // namespace loyalty::testing
