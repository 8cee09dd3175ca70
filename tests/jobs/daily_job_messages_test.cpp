// The daily job's message steps (nudges, expiry_notices, lifecycle) over a real store (SQLite
// here, MySQL in mysql_ledger_tests): the expected messages for a small population, nothing
// twice on a rerun or a later date inside the catch-up window, nothing in a dry run, shards that
// together write what one run writes, and a crashed run that resumes.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/messaging.h"
#include "core/shard.h"
#include "jobs/daily_job.h"
#include "tests/core/coupon_test_util.h"
#include "tests/core/messaging_test_util.h"
#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::LedgerFixture;

// testing::TestProgram() with a monthly evaluation on the 1st over a 6-month window, a win-back
// coupon and the messaging triggers the daily job serves (informational templates, so consent
// and night time do not decide whether a message goes out).
Program MessagesProgram() {
  Program p = testing::TestProgram();
  p.tiering.schedule = EvaluationSchedule::kMonthly;
  p.tiering.evaluation_day = 1;
  p.tiering.window_months = 6;
  p.coupons.templates = {testing::FixedTemplate("COMEBACK", 5000, 0)};
  using testing::Tmpl;
  MessagingSettings& m = p.messaging;
  m.templates = {
      Tmpl("NEAR", kMsgTierNear, "#{next_tier_name}까지 #{gap_won}원"),
      Tmpl("AT_RISK", kMsgTierAtRisk, "#{evaluation_date}까지 #{needed_won}원"),
      Tmpl("EXPIRING", kMsgPointsExpiring, "#{points}P #{expires_on} 소멸 (#{days_left}일)"),
      Tmpl("FIRST", kMsgFirstPurchaseReminder, "가입 #{days_since_signup}일"),
      Tmpl("REVIEW", kMsgReviewRequest, "주문 #{order_id} 리뷰"),
      Tmpl("REPURCHASE", kMsgRepurchaseReminder, "#{days_since_last_order}일 전 주문"),
      Tmpl("WINBACK", kMsgWinback, "#{coupon_name} #{coupon_code} (#{coupon_valid_until})"),
  };
  // A coupon makes a message advertising unless the programme says why not.
  m.templates.back().coupon_exemption = "test: informational, so consent does not decide";
  auto trigger = [](const char* code) { return testing::On(code); };
  TriggerSettings near = trigger("NEAR");
  near.within_won = 50000;
  near.within_bp = 1000;
  TriggerSettings expiring = trigger("EXPIRING");
  expiring.stages = {60, 30, 3};
  TriggerSettings first = trigger("FIRST");
  first.days = 7;
  TriggerSettings review = trigger("REVIEW");
  review.days = 3;
  TriggerSettings repurchase = trigger("REPURCHASE");
  repurchase.days = 30;
  TriggerSettings winback = trigger("WINBACK");
  winback.days = 90;
  winback.coupon_template = "COMEBACK";
  m.triggers = {{kMsgTierNear, near},           {kMsgTierAtRisk, trigger("AT_RISK")},
                {kMsgPointsExpiring, expiring}, {kMsgFirstPurchaseReminder, first},
                {kMsgReviewRequest, review},    {kMsgRepurchaseReminder, repurchase},
                {kMsgWinback, winback}};
  m.catch_up_days = 7;
  m.tier_at_risk_days = 7;
  return p;
}

// The business date the population is built for: 6 days before the evaluation of 1 July.
constexpr LocalDate kD{2026, 6, 25};

class DailyJobMessagesTest : public LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    program_ = MessagesProgram();
    ASSERT_TRUE(ValidateProgram(program_).ok()) << ValidateProgram(program_).ToString();
    random_ = &random_source_;
  }

  Result<DailySummary> RunJob(LocalDate d, DailyJobOptions o = {}) {
    FakeClock clock(now_us_);
    DailyJob job(*store_, program_, clock);
    o.date = d;
    o.random = &random_source_;
    return job.Run(o);
  }
  // Runs D at 01:00 the next morning.
  Result<DailySummary> RunFor(LocalDate d, DailyJobOptions o = {}) {
    const LocalDate next = AddDays(d, 1);
    now_us_ = Kst(next.year, next.month, next.day, 1, 0);
    return RunJob(d, std::move(o));
  }

  // For every suffix, one customer of each kind, built in time order (all ten-o'clock events):
  //   near<i>     BRONZE, 280,000 confirmed 20 days before D: 20,000 from SILVER -> tier_near
  //   risk<i>     SILVER since 29 Dec 2025, spend the 1 July window no longer counts
  //               -> tier_at_risk (6 days before the evaluation)
  //   expiring<i> 1,000 points earned 25 July 2025, last day 25 July 2026 -> points_expiring
  //               (30 days left: the 30-day stage)
  //   newbie<i>   signed up 7 days before D, no order -> first_purchase_reminder
  //   dormant<i>  last order 90 days before D -> winback (with a COMEBACK coupon)
  //   quiet<i>    signed up 2 days before D, no order: nothing due
  void BuildPopulation(const std::vector<std::string>& suffixes) {
    auto at = [&](int y, int m, int d) { now_us_ = Kst(y, m, d, 10, 0); };
    auto order = [&](const std::string& customer, Won won) {
      const std::string id = "o-" + customer;
      MakeCustomer(customer);
      ASSERT_TRUE(Order(id, customer, won).ok());
      ASSERT_TRUE(Confirm(id).ok());
    };
    at(2025, 7, 25);
    for (const std::string& i : suffixes) order("expiring" + i, 100000);
    at(2025, 12, 29);
    for (const std::string& i : suffixes) order("risk" + i, 300000);
    at(2026, 3, 27);
    for (const std::string& i : suffixes) order("dormant" + i, 50000);
    at(2026, 6, 5);
    for (const std::string& i : suffixes) order("near" + i, 280000);
    at(2026, 6, 18);
    for (const std::string& i : suffixes) MakeCustomer("newbie" + i);
    at(2026, 6, 23);
    for (const std::string& i : suffixes) MakeCustomer("quiet" + i);
    for (const std::string& i : suffixes) {
      EXPECT_EQ(Get("risk" + i).tier, "SILVER");
      EXPECT_EQ(Get("near" + i).tier, "BRONZE");
    }
  }

  // What the population's D should produce: "<customer> <type>", sorted.
  static std::vector<std::string> Expected(const std::vector<std::string>& suffixes) {
    std::vector<std::string> out;
    for (const std::string& i : suffixes) {
      out.push_back("near" + i + " " + kMsgTierNear);
      out.push_back("risk" + i + " " + kMsgTierAtRisk);
      out.push_back("expiring" + i + " " + kMsgPointsExpiring);
      out.push_back("newbie" + i + " " + kMsgFirstPurchaseReminder);
      out.push_back("dormant" + i + " " + kMsgWinback);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  // The coupons the daily job issued to the customers that got a message.
  int64_t CouponCount() {
    std::set<std::string> customers;
    for (const Message& m : AllMessages()) customers.insert(m.customer_id);
    int64_t n = 0;
    for (const std::string& id : customers) {
      CouponQuery q;
      q.customer_id = id;
      q.limit = 100;
      auto coupons = session_->ListCoupons(q);
      EXPECT_TRUE(coupons.ok());
      if (!coupons.ok()) return -1;
      for (const Coupon& c : *coupons) n += c.issued_by == "jobs:daily" ? 1 : 0;
    }
    return n;
  }

  std::vector<Message> AllMessages() {
    std::vector<Message> out;
    MessageQuery q;
    q.limit = 500;
    for (;;) {
      auto page = session_->ListMessages(q);
      EXPECT_TRUE(page.ok()) << page.status().ToString();
      if (!page.ok()) return out;
      out.insert(out.end(), page->begin(), page->end());
      if (page->size() < 500) return out;
      q.after_message_id = page->back().message_id;
    }
  }
  // "<customer> <type>" of every message, sorted.
  std::vector<std::string> Written() {
    std::vector<std::string> out;
    for (const Message& m : AllMessages()) out.push_back(m.customer_id + " " + m.type);
    std::sort(out.begin(), out.end());
    return out;
  }

  static StepSummary Step(const DailySummary& d, const std::string& name) {
    for (const StepSummary& st : d.steps) {
      if (st.step == name) return st;
    }
    ADD_FAILURE() << "no step " << name;
    return StepSummary{};
  }
  static bool HasStep(const DailySummary& d, const std::string& name) {
    return std::any_of(d.steps.begin(), d.steps.end(),
                       [&](const StepSummary& st) { return st.step == name; });
  }

  testing::SeededRandom random_source_{11};
};

std::map<std::string, int64_t> ByType(const std::vector<Message>& messages) {
  std::map<std::string, int64_t> n;
  for (const Message& m : messages) ++n[m.type];
  return n;
}

TEST_F(DailyJobMessagesTest, WritesTheNudgesNoticesAndLifecycleMessagesDue) {
  BuildPopulation({""});
  auto s = RunFor(kD);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(Written(), Expected({""})) << s->ToText();

  // The step order and what each wrote.
  std::vector<std::string> names;
  for (const StepSummary& st : s->steps) names.push_back(st.step);
  const std::vector<std::string> tail(names.end() - 3, names.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"nudges", "expiry_notices", "lifecycle"}));
  EXPECT_EQ(Step(*s, "nudges").scanned, 6);
  EXPECT_EQ(Step(*s, "nudges").changed, 2);
  EXPECT_EQ(Step(*s, "expiry_notices").changed, 1);
  EXPECT_EQ(Step(*s, "lifecycle").scanned, 6);
  EXPECT_EQ(Step(*s, "lifecycle").changed, 2);
  for (const char* step : {"nudges", "expiry_notices", "lifecycle"}) {
    EXPECT_EQ(Step(*s, step).failed, 0) << step;
    auto run = session_->FindJobRun(20260625, step, 0, 1);
    ASSERT_TRUE(run.ok());
    ASSERT_TRUE(run->has_value()) << step;
    EXPECT_EQ((*run)->status, "done") << step;
  }
  EXPECT_TRUE(s->errors.empty()) << s->ToText();
  // The summary counts every message written, by type, and the win-back coupons it issued.
  EXPECT_EQ(s->tally.messages, ByType(AllMessages())) << s->ToText();
  EXPECT_EQ(s->tally.coupons_issued, CouponCount()) << s->ToText();
  EXPECT_NE(s->ToJson().find("\"messages\":{\"" + s->tally.messages.begin()->first + "\":"),
            std::string::npos)
      << s->ToJson();

  // The rendered texts carry the figures of the cause.
  const std::map<std::string, std::string> texts = {
      {kMsgTierNear, "SILVER까지 20,000원"},
      {kMsgTierAtRisk, "2026-07-01까지 300,000원"},
      {kMsgPointsExpiring, "1,000P 2026-07-25 소멸 (30일)"},
      {kMsgFirstPurchaseReminder, "가입 7일"}};
  for (const Message& m : AllMessages()) {
    EXPECT_EQ(m.status, MessageStatus::kPending) << m.customer_id << " " << m.status_reason;
    auto text = texts.find(m.type);
    if (text != texts.end()) {
      EXPECT_EQ(m.text, text->second) << m.type;
    }
    if (m.type == kMsgWinback) {
      EXPECT_NE(m.text.find("COMEBACK"), std::string::npos) << m.text;
      CouponQuery q;
      q.customer_id = m.customer_id;
      auto coupons = session_->ListCoupons(q);
      ASSERT_TRUE(coupons.ok());
      ASSERT_EQ(coupons->size(), 1u);
      EXPECT_NE(m.text.find((*coupons)[0].code), std::string::npos) << m.text;
    }
  }
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(DailyJobMessagesTest, ARerunAndLaterDatesInTheCatchUpWindowWriteNothingTwice) {
  BuildPopulation({"", "2"});
  auto first = RunFor(kD);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  const std::vector<std::string> written = Written();
  ASSERT_EQ(written, Expected({"", "2"}));

  // The same date: every step is already done.
  auto rerun = RunFor(kD);
  ASSERT_TRUE(rerun.ok());
  for (const StepSummary& st : rerun->steps) EXPECT_TRUE(st.skipped) << st.step;
  EXPECT_EQ(Written(), written);

  // The next days, still inside every catch-up window (and the same month, evaluation date,
  // expiry stage): the steps run again and find every message written already.
  for (LocalDate d : {LocalDate{2026, 6, 26}, LocalDate{2026, 6, 28}}) {
    auto later = RunFor(d);
    ASSERT_TRUE(later.ok()) << later.status().ToString();
    for (const char* step : {"nudges", "expiry_notices", "lifecycle"}) {
      EXPECT_FALSE(Step(*later, step).skipped) << step;
      EXPECT_EQ(Step(*later, step).changed, 0) << FormatLocalDate(d) << " " << step;
    }
    EXPECT_EQ(Written(), written) << FormatLocalDate(d);
  }
  // A coupon per win-back message, not per run.
  CouponQuery q;
  q.customer_id = "dormant2";
  EXPECT_EQ(session_->ListCoupons(q)->size(), 1u);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(DailyJobMessagesTest, ADryRunReportsTheMessagesAndWritesNothing) {
  BuildPopulation({""});
  DailyJobOptions dry;
  dry.dry_run = true;
  auto d = RunFor(kD, dry);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_TRUE(Written().empty());
  EXPECT_FALSE(session_->FindJobRun(20260625, "nudges", 0, 1).value().has_value());
  EXPECT_FALSE(session_->FindJobRun(20260625, "lifecycle", 0, 1).value().has_value());
  CouponQuery q;
  q.customer_id = "dormant";
  EXPECT_TRUE(session_->ListCoupons(q)->empty());

  auto real = RunFor(kD);
  ASSERT_TRUE(real.ok());
  for (const char* step : {"nudges", "expiry_notices", "lifecycle"}) {
    EXPECT_EQ(Step(*d, step).changed, Step(*real, step).changed) << step;
    EXPECT_EQ(Step(*d, step).scanned, Step(*real, step).scanned) << step;
  }
  EXPECT_EQ(Written(), Expected({""}));
}

TEST_F(DailyJobMessagesTest, TwoShardsTogetherWriteWhatOneRunWrites) {
  const std::vector<std::string> suffixes = {"", "2", "3", "4"};
  BuildPopulation(suffixes);
  std::set<int> shards_used;
  int64_t changed = 0;
  for (int k = 0; k < 2; ++k) {
    DailyJobOptions o;
    o.shard = k;
    o.shards = 2;
    o.batch_size = 3;  // several pages per step
    const size_t before = AllMessages().size();
    auto s = RunFor(kD, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    for (const char* step : {"nudges", "expiry_notices", "lifecycle"}) {
      changed += Step(*s, step).changed;
    }
    // Each shard writes for its own customers only.
    const std::vector<Message> all = AllMessages();
    for (size_t i = before; i < all.size(); ++i) {
      EXPECT_EQ(ShardOf(all[i].customer_id, 2), k) << all[i].customer_id;
      shards_used.insert(k);
    }
  }
  EXPECT_EQ(shards_used.size(), 2u);  // the population falls on both shards
  EXPECT_EQ(Written(), Expected(suffixes));
  EXPECT_EQ(changed, static_cast<int64_t>(Expected(suffixes).size()));

  // The whole population in one run finds nothing left to write.
  auto whole = RunFor(kD);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  for (const char* step : {"nudges", "expiry_notices", "lifecycle"}) {
    EXPECT_EQ(Step(*whole, step).changed, 0) << step;
  }
  EXPECT_EQ(Written(), Expected(suffixes));
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(DailyJobMessagesTest, ACrashedRunResumesAndWritesEachMessageOnce) {
  const std::vector<std::string> suffixes = {"", "2", "3"};
  BuildPopulation(suffixes);
  DailyJobOptions crash;
  crash.batch_size = 2;
  crash.fail_after_batches = 1;  // every step of more than one page dies after its first
  int failures = 0;
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto s = RunFor(kD, crash);
    if (s.ok()) break;
    ASSERT_EQ(s.status().code(), Code::kUnavailable) << s.status().ToString();
    ++failures;
  }
  EXPECT_GE(failures, 3);  // at least the three message steps were interrupted
  auto done = RunFor(kD);
  ASSERT_TRUE(done.ok());
  for (const StepSummary& st : done->steps) EXPECT_TRUE(st.skipped) << st.step;
  EXPECT_EQ(Written(), Expected(suffixes));
  // The totals of the whole date, although several runs wrote them.
  EXPECT_TRUE(done->already_done);
  EXPECT_EQ(done->tally.messages, ByType(AllMessages())) << done->ToText();
  EXPECT_EQ(done->tally.coupons_issued, CouponCount()) << done->ToText();
  std::set<std::string> keys;
  for (const Message& m : AllMessages()) EXPECT_TRUE(keys.insert(m.dedupe_key).second);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(DailyJobMessagesTest, StepsWhoseTriggersAreOffDoNotRun) {
  BuildPopulation({""});
  program_.messaging.triggers.clear();
  auto s = RunFor(kD);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  for (const char* step : {"nudges", "expiry_notices", "lifecycle"}) {
    EXPECT_FALSE(HasStep(*s, step)) << step;
    EXPECT_FALSE(session_->FindJobRun(20260625, step, 0, 1).value().has_value()) << step;
  }
  EXPECT_TRUE(Written().empty());

  // Switched on later the same day (a new programme version): the steps run for that date.
  program_ = MessagesProgram();
  auto again = RunFor(kD);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(Step(*again, "nudges").skipped);
  EXPECT_EQ(Written(), Expected({""}));
}

TEST_F(DailyJobMessagesTest, OnlyTheEnabledTriggersOfAStepWrite) {
  BuildPopulation({""});
  for (auto& [type, t] : program_.messaging.triggers) {
    if (type != kMsgTierAtRisk && type != kMsgWinback) t.enabled = false;
  }
  auto s = RunFor(kD);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_FALSE(HasStep(*s, "expiry_notices"));
  EXPECT_EQ(Written(), (std::vector<std::string>{std::string("dormant ") + kMsgWinback,
                                                 std::string("risk ") + kMsgTierAtRisk}));
}

}  // namespace
}  // namespace loyalty
