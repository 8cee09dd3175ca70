// `loyalty jobs daily` cannot silently skip or double (issue 12), run as an operator would:
// catch-up after a gap, a --date after a gap refused unless --skip-missed (recorded), the --json
// summary, `jobs status` with its gaps and runs, and the programme version named everywhere.
// Dates are relative to today in Seoul, as the commands compute them.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/business_time.h"
#include "core/clock.h"
#include "tests/app/cli_run.h"

namespace loyalty::clitest {
namespace {

using Args = std::vector<std::string>;

std::string DaysAgo(int n) {
  const LocalDate today = BusinessDate(SystemClock().NowMicros(), "Asia/Seoul");
  return FormatLocalDate(AddDays(today, -n));
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class JobsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Loyalty({"migrate", "--db", "j.db"}).exit_code, 0);
    CliRun applied = OnDb({"program", "apply", "demo", "--author", "ops"});
    ASSERT_EQ(applied.exit_code, 0) << applied.all();
  }
  CliRun Loyalty(const Args& args) { return RunLoyalty(args, dir_.path()); }
  CliRun OnDb(Args args) {
    args.push_back("--db");
    args.push_back("j.db");
    return Loyalty(args);
  }
  TempDir dir_;
};

TEST_F(JobsCliTest, ATwoDayGapIsRefusedForADateAndCaughtUpInOrderWithoutOne) {
  CliRun first = OnDb({"jobs", "daily", "--date", DaysAgo(4)});
  ASSERT_EQ(first.exit_code, 0) << first.all();
  EXPECT_NE(first.out.find("daily job for " + DaysAgo(4)), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("' v1 (sha256 "), std::string::npos) << first.out;

  // Two dates missed: a run for the day after them is refused, naming both; nothing recorded.
  CliRun refused = OnDb({"jobs", "daily", "--date", DaysAgo(1)});
  EXPECT_EQ(refused.exit_code, 1) << refused.all();
  EXPECT_NE(refused.err.find(DaysAgo(3) + ", " + DaysAgo(2) + " missed"), std::string::npos)
      << refused.err;
  CliRun status = OnDb({"jobs", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.all();
  EXPECT_NE(status.out.find("last " + DaysAgo(4) + " done"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(DaysAgo(3) + ", " + DaysAgo(2) + ", " + DaysAgo(1)), std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("in progress: none"), std::string::npos) << status.out;

  // Without --date: every missed date up to yesterday, in order.
  CliRun caught = OnDb({"jobs", "daily", "--json"});
  ASSERT_EQ(caught.exit_code, 0) << caught.all();
  EXPECT_NE(caught.out.find("\"dates_run\":[\"" + DaysAgo(3) + "\",\"" + DaysAgo(2) + "\",\"" +
                            DaysAgo(1) + "\"]"),
            std::string::npos)
      << caught.out;
  EXPECT_EQ(Count(caught.out, "\"program_version\":1"), 3u) << caught.out;
  EXPECT_NE(caught.out.find("\"step\":\"tiers\""), std::string::npos) << caught.out;
  EXPECT_NE(caught.out.find("\"dates_skipped\":[]"), std::string::npos) << caught.out;

  CliRun done = OnDb({"jobs", "status", "--json"});
  ASSERT_EQ(done.exit_code, 0) << done.all();
  EXPECT_NE(done.out.find("\"gaps\":[]"), std::string::npos) << done.out;
  EXPECT_EQ(Count(done.out, "\"status\":\"done\""), 4u + Count(done.out, "\"step\":")) << done.out;
  EXPECT_NE(done.out.find("\"in_progress\":[]"), std::string::npos) << done.out;

  // Nothing left: a second catch-up does nothing and a date already done is not run again.
  CliRun again = OnDb({"jobs", "daily"});
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_NE(again.out.find("nothing to do"), std::string::npos) << again.out;
  CliRun redo = OnDb({"jobs", "daily", "--date", DaysAgo(2)});
  ASSERT_EQ(redo.exit_code, 0) << redo.all();
  EXPECT_NE(redo.out.find("already done"), std::string::npos) << redo.out;
}

TEST_F(JobsCliTest, SkipMissedRecordsTheSkippedDatesAndWhoSkippedThem) {
  ASSERT_EQ(OnDb({"jobs", "daily", "--date", DaysAgo(5)}).exit_code, 0);
  CliRun skipped = OnDb({"jobs", "daily", "--date", DaysAgo(2), "--skip-missed"});
  ASSERT_EQ(skipped.exit_code, 0) << skipped.all();
  EXPECT_NE(skipped.out.find("skipped (recorded): " + DaysAgo(4) + ", " + DaysAgo(3)),
            std::string::npos)
      << skipped.out;
  CliRun status = OnDb({"jobs", "status"});
  ASSERT_EQ(status.exit_code, 0) << status.all();
  EXPECT_NE(status.out.find(DaysAgo(4) + "  skipped"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("--skip-missed"), std::string::npos) << status.out;
  // Skipped dates are not gaps: only yesterday is left, and the catch-up runs it alone.
  EXPECT_NE(status.out.find(": " + DaysAgo(1) + "\n"), std::string::npos) << status.out;
  CliRun caught = OnDb({"jobs", "daily", "--json"});
  ASSERT_EQ(caught.exit_code, 0) << caught.all();
  EXPECT_NE(caught.out.find("\"dates_run\":[\"" + DaysAgo(1) + "\"]"), std::string::npos)
      << caught.out;
}

TEST_F(JobsCliTest, TheFirstRunEverIsYesterdayAndADryRunRecordsNothing) {
  CliRun dry = OnDb({"jobs", "daily", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.all();
  EXPECT_NE(dry.out.find("DRY RUN"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("daily job for " + DaysAgo(1)), std::string::npos) << dry.out;
  CliRun none = OnDb({"jobs", "status"});
  EXPECT_NE(none.out.find("no completed runs yet"), std::string::npos) << none.out;
  CliRun real = OnDb({"jobs", "daily"});
  ASSERT_EQ(real.exit_code, 0) << real.all();
  EXPECT_NE(real.out.find("daily job for " + DaysAgo(1)), std::string::npos) << real.out;
  CliRun status = OnDb({"jobs", "status"});
  EXPECT_NE(status.out.find("last " + DaysAgo(1) + " done; gaps since " + DaysAgo(1) + ": none"),
            std::string::npos)
      << status.out;
}

}  // namespace
}  // namespace loyalty::clitest
