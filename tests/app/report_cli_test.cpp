// `loyalty report liability` run as an operator would: last month's figures as JSON and CSV from
// a database whose ledger this test wrote, the current month reported as incomplete, and every
// bad command line refused with exit 2 before anything is read. Months are relative to today in
// Seoul, as the command computes them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/program_codec.h"
#include "core/business_time.h"
#include "core/clock.h"
#include "core/ledger.h"
#include "core/liability.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/app/cli_run.h"

namespace loyalty::clitest {
namespace {

using Args = std::vector<std::string>;

LocalMonth ThisMonth() {
  const LocalDate today = BusinessDate(SystemClock().NowMicros(), "Asia/Seoul");
  return LocalMonth{today.year, today.month};
}

std::string MonthText(int from_this) { return FormatLocalMonth(AddMonths(ThisMonth(), from_this)); }

class ReportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Loyalty({"migrate", "--db", "r.db"}).exit_code, 0);
    CliRun applied = OnDb({"program", "apply", "demo", "--author", "ops"});
    ASSERT_EQ(applied.exit_code, 0) << applied.all();
  }
  CliRun Loyalty(const Args& args) { return RunLoyalty(args, dir_.path()); }
  CliRun OnDb(Args args) {
    args.push_back("--db");
    args.push_back("r.db");
    return Loyalty(args);
  }

  // On the 10th of last month: 4,000 points given, an order of ₩150,000 paying 1,000 of them
  // (earns 1,490 pending at 1%, in tens); on the 2nd of this month (or now, if earlier): 300
  // points taken back.
  void WriteLedger() {
    auto store = SqliteStore::Open(dir_.File("r.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto session = (*store)->OpenSession();
    ASSERT_TRUE(session.ok());
    Session& s = **session;
    auto demo = ParseProgramJson(DemoProgramJson());
    ASSERT_TRUE(demo.ok());
    Program p = *demo;
    p.messaging.triggers.clear();  // no welcome coupon: nothing here needs a random source
    const LocalMonth last = AddMonths(ThisMonth(), -1);
    const Micros in_last = StartOfDay(LocalDate{last.year, last.month, 10}, "Asia/Seoul");
    const Micros now_us = SystemClock().NowMicros();
    const LocalMonth now_month = ThisMonth();
    const Micros in_this = std::min<Micros>(
        now_us, StartOfDay(LocalDate{now_month.year, now_month.month, 2}, "Asia/Seoul"));
    auto run = [&](Micros at_us, auto command) {
      ASSERT_TRUE(s.Begin().ok());
      Ctx ctx{p, at_us, Actor{"ops", "admin"}};
      auto r = command(ctx);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_TRUE(s.Commit().ok());
    };
    run(in_last, [&](const Ctx& ctx) {
      CustomerInput in;
      in.customer_id = "c-1";
      return UpsertCustomer(s, in, ctx);
    });
    run(in_last, [&](const Ctx& ctx) {
      AdjustRequest a;
      a.adjustment_id = "a-1";
      a.customer_id = "c-1";
      a.points = 4000;
      a.reason_code = "goodwill";
      a.request_hash = "a-1";
      return AdjustPoints(s, a, ctx);
    });
    run(in_last + 1000, [&](const Ctx& ctx) {
      OrderRequest o;
      o.order_id = "o-1";
      o.customer_id = "c-1";
      o.amount_won = 150000;
      o.points_to_redeem = 1000;
      o.request_hash = "o-1";
      return CreateOrder(s, o, ctx);
    });
    run(in_this, [&](const Ctx& ctx) {
      AdjustRequest a;
      a.adjustment_id = "a-2";
      a.customer_id = "c-1";
      a.points = -300;
      a.reason_code = "correction";
      a.request_hash = "a-2";
      return AdjustPoints(s, a, ctx);
    });
  }

  TempDir dir_;
};

TEST_F(ReportCliTest, LastMonthAndThisOneAsJson) {
  WriteLedger();
  CliRun r = OnDb({"report", "liability", "--month", MonthText(-1), "--months", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out.rfind("{\"time_zone\":\"Asia/Seoul\",", 0), 0u) << r.out;
  const size_t second = r.out.find("{\"month\":\"" + MonthText(0) + "\"");
  ASSERT_NE(second, std::string::npos) << r.out;
  const std::string last = r.out.substr(0, second), now = r.out.substr(second);
  for (const char* figure :
       {"\"complete\":true", "\"point_value_won\":1", "\"opening_points\":0",
        "\"adjusted_in_points\":4000", "\"redeemed_points\":1000", "\"earned_points\":1490",
        "\"closing_pending_points\":1490", "\"closing_available_points\":3000",
        "\"closing_points\":4490,\"closing_won\":4490", "\"breakage_rate_bp\":0"}) {
    EXPECT_NE(last.find(figure), std::string::npos) << figure << " in " << last;
  }
  for (const char* figure :
       {"\"complete\":false", "\"opening_available_points\":3000", "\"adjusted_out_points\":300",
        "\"closing_available_points\":2700", "\"breakage_rate_bp\":null"}) {
    EXPECT_NE(now.find(figure), std::string::npos) << figure << " in " << now;
  }
  EXPECT_EQ(r.out.back(), '\n');
}

TEST_F(ReportCliTest, CsvIsAHeaderRowAndOneRowPerMonth) {
  WriteLedger();
  CliRun r =
      OnDb({"report", "liability", "--month", MonthText(-2), "--months", "3", "--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  std::string header;
  for (const std::string& c : LiabilityColumns()) header += (header.empty() ? "" : ",") + c;
  EXPECT_EQ(r.out.rfind(header + "\r\n", 0), 0u) << r.out;
  size_t lines = 0;
  for (size_t at = r.out.find("\r\n"); at != std::string::npos; at = r.out.find("\r\n", at + 2)) {
    ++lines;
  }
  EXPECT_EQ(lines, 4u) << r.out;
  EXPECT_NE(r.out.find("\r\n" + MonthText(-2) + ","), std::string::npos);
  EXPECT_NE(r.out.find("\r\n" + MonthText(-1) + ","), std::string::npos);
  EXPECT_NE(r.out.find("\r\n" + MonthText(0) + ","), std::string::npos);
}

TEST_F(ReportCliTest, ABadCommandLineIsRefusedWithExitTwo) {
  struct Case {
    Args args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"report", "liability"}, "--month is required"},
      {{"report", "liability", "--month", "2026-13"}, "must be a month as YYYY-MM"},
      {{"report", "liability", "--month", "11/2026"}, "must be a month as YYYY-MM"},
      {{"report", "liability", "--month", MonthText(1)}, MonthText(1) + " has not begun yet"},
      {{"report", "liability", "--month", MonthText(-1), "--months", "3"},
       "reach " + MonthText(1) + ", which has not begun yet"},
      {{"report", "liability", "--month", MonthText(-1), "--months", "0"}, "--months"},
      {{"report", "liability", "--month", MonthText(-1), "--format", "xml"}, "--format"},
  };
  for (const Case& c : cases) {
    CliRun r = OnDb(c.args);
    SCOPED_TRACE(r.all());
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.says;
    EXPECT_TRUE(r.out.empty());
  }
  CliRun bare = Loyalty({"report"});
  EXPECT_EQ(bare.exit_code, 2) << bare.all();
  EXPECT_NE(bare.err.find("needs a command: liability"), std::string::npos) << bare.err;
  // No database there: refused, and none is created.
  TempDir empty;
  CliRun none =
      RunLoyalty({"report", "liability", "--month", MonthText(0), "--db", "none.db"}, empty.path());
  EXPECT_EQ(none.exit_code, 2) << none.all();
  EXPECT_TRUE(Listing(empty.path()).empty());
}

TEST_F(ReportCliTest, ADatabaseWithoutAProgrammeIsAnError) {
  ASSERT_EQ(Loyalty({"migrate", "--db", "bare.db"}).exit_code, 0);
  CliRun r = Loyalty({"report", "liability", "--month", MonthText(0), "--db", "bare.db"});
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_NE(r.err.find("no programme in the database"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace loyalty::clitest
