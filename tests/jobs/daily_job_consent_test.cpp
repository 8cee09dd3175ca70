// The daily job's consent_reconfirm step over a real store (SQLite here, MySQL in
// mysql_ledger_tests): the notice exactly two years after the last confirmation in KST (not the
// day before), once per confirmation (a rerun or a later date writes nothing twice), reset by a
// new confirmation, not for a withdrawn consent, sharded, and off when the trigger is off.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/consent.h"
#include "core/messaging.h"
#include "jobs/daily_job.h"
#include "tests/core/messaging_test_util.h"
#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::LedgerFixture;

Program ReconfirmProgram() {
  Program p = testing::TestProgram();
  MessagingSettings& m = p.messaging;
  m.templates = {testing::Tmpl("RECONFIRM", kMsgConsentReconfirm,
                               "#{consented_on}에 #{consent_items}에 동의하셨습니다. "
                               "수신거부: 080-000-0000")};
  m.triggers = {{kMsgConsentReconfirm, testing::On("RECONFIRM")}};
  return p;
}

class DailyJobConsentTest : public LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    program_ = ReconfirmProgram();
    ASSERT_TRUE(ValidateProgram(program_).ok()) << ValidateProgram(program_).ToString();
  }

  // Runs D at 01:00 the next morning (KST).
  Result<DailySummary> RunFor(LocalDate d, DailyJobOptions o = {}) {
    const LocalDate next = AddDays(d, 1);
    now_us_ = Kst(next.year, next.month, next.day, 1, 0);
    FakeClock clock(now_us_);
    DailyJob job(*store_, program_, clock);
    o.date = d;
    return job.Run(o);
  }

  void Consent(const std::string& id, bool marketing, bool night, Micros at, bool reconfirm = false,
               bool create = true) {
    now_us_ = at;
    if (create) MakeCustomer(id);
    ConsentRequest r;
    r.customer_id = id;
    if (!reconfirm) {
      r.marketing_consent = marketing;
      r.night_consent = night;
    }
    r.reconfirm = reconfirm;
    r.channel = "web";
    auto w = Tx([&](Session& s) { return ChangeConsent(s, r, Now()); });
    ASSERT_TRUE(w.ok()) << w.status().ToString();
  }

  std::vector<Message> Notices() {
    MessageQuery q;
    q.type = kMsgConsentReconfirm;
    q.limit = 500;
    auto r = session_->ListMessages(q);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::vector<Message>{};
  }
  std::set<std::string> NoticeCustomers() {
    std::set<std::string> out;
    for (const Message& m : Notices()) out.insert(m.customer_id);
    return out;
  }
  static DailySummary Ok(Result<DailySummary> r) {
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok() && !r->errors.empty()) ADD_FAILURE() << r->ToText();
    return r.ok() ? *r : DailySummary{};
  }
  static int64_t Changed(const DailySummary& s, const std::string& step) {
    for (const StepSummary& st : s.steps) {
      if (st.step == step) return st.changed;
    }
    return -1;  // the step did not run
  }
};

TEST_F(DailyJobConsentTest, ExactlyTwoYearsInKstOncePerConfirmation) {
  // 23:30 KST on 10 March 2024 is 14:30 UTC the same day; 00:30 KST on 11 March 2024 is still
  // 10 March in UTC: the calendar is KST's.
  Consent("late", true, true, Kst(2024, 3, 10, 23, 30));
  Consent("early", true, false, Kst(2024, 3, 11, 0, 30));
  Consent("withdrawn", true, false, Kst(2024, 3, 1, 12, 0));
  Consent("withdrawn", false, false, Kst(2024, 6, 1, 12, 0), false, /*create=*/false);

  DailySummary before = Ok(RunFor({2026, 3, 9}));
  EXPECT_EQ(Changed(before, "consent_reconfirm"), 0);
  EXPECT_TRUE(Notices().empty());

  DailySummary day = Ok(RunFor({2026, 3, 10}));
  EXPECT_EQ(Changed(day, "consent_reconfirm"), 1);
  std::vector<Message> notices = Notices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].customer_id, "late");
  EXPECT_EQ(notices[0].category, MessageCategory::kInformational);
  EXPECT_EQ(notices[0].text,
            "2024-03-10에 광고성 정보 수신 (야간 포함)에 동의하셨습니다. 수신거부: 080-000-0000");
  EXPECT_EQ(notices[0].dedupe_key,
            "consent_reconfirm:late:" + std::to_string(Get("late").consent_confirmed_at_us));

  DailySummary next = Ok(RunFor({2026, 3, 11}));
  EXPECT_EQ(Changed(next, "consent_reconfirm"), 1);  // "early" only: not "late" twice
  EXPECT_EQ(NoticeCustomers(), (std::set<std::string>{"early", "late"}));
  EXPECT_EQ(Notices().size(), 2u);

  // The same date again is skipped (job_runs); a later date finds nothing new.
  DailySummary rerun = Ok(RunFor({2026, 3, 11}));
  EXPECT_EQ(Notices().size(), 2u);
  DailySummary later = Ok(RunFor({2026, 3, 20}));
  EXPECT_EQ(Changed(later, "consent_reconfirm"), 0);
  EXPECT_EQ(Notices().size(), 2u);
}

TEST_F(DailyJobConsentTest, ANewConfirmationResetsTheTwoYears) {
  Consent("c-1", true, false, Kst(2024, 3, 10, 12, 0));
  DailySummary first = Ok(RunFor({2026, 3, 10}));
  EXPECT_EQ(Notices().size(), 1u);
  // The customer answers the notice: confirmed again on 12 March 2026.
  Consent("c-1", true, false, Kst(2026, 3, 12, 9, 0), /*reconfirm=*/true, /*create=*/false);
  DailySummary mid = Ok(RunFor({2027, 3, 12}));
  EXPECT_EQ(Notices().size(), 1u);
  DailySummary before = Ok(RunFor({2028, 3, 11}));
  EXPECT_EQ(Notices().size(), 1u);
  DailySummary due = Ok(RunFor({2028, 3, 12}));
  std::vector<Message> notices = Notices();
  ASSERT_EQ(notices.size(), 2u);
  EXPECT_EQ(notices[1].text.substr(0, 10), "2026-03-12");
}

TEST_F(DailyJobConsentTest, LeapDayConfirmationIsDueOnTheTwentyEighth) {
  Consent("leap", true, false, Kst(2024, 2, 29, 12, 0));
  DailySummary before = Ok(RunFor({2026, 2, 27}));
  EXPECT_TRUE(Notices().empty());
  DailySummary due = Ok(RunFor({2026, 2, 28}));
  ASSERT_EQ(Notices().size(), 1u);
  EXPECT_EQ(Notices()[0].text.substr(0, 10), "2024-02-29");
}

TEST_F(DailyJobConsentTest, ShardsTogetherWriteWhatOneRunWrites) {
  std::set<std::string> all;
  for (int i = 0; i < 12; ++i) {
    const std::string id = "c" + std::to_string(i);
    Consent(id, true, false, Kst(2024, 3, 10, 10, i));
    all.insert(id);
  }
  for (int shard = 0; shard < 3; ++shard) {
    DailyJobOptions o;
    o.shard = shard;
    o.shards = 3;
    o.batch_size = 2;
    DailySummary s = Ok(RunFor({2026, 3, 10}, o));
  }
  EXPECT_EQ(NoticeCustomers(), all);
  EXPECT_EQ(Notices().size(), all.size());
}

TEST_F(DailyJobConsentTest, TheStepDoesNotRunWhenTheTriggerIsOff) {
  program_.messaging.triggers.front().second.enabled = false;
  Consent("c-1", true, false, Kst(2024, 3, 10, 12, 0));
  DailySummary s = Ok(RunFor({2026, 3, 10}));
  EXPECT_EQ(Changed(s, "consent_reconfirm"), -1);
  EXPECT_TRUE(Notices().empty());
}

}  // namespace
}  // namespace loyalty
