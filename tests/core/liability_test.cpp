// The liability report's pure parts (core/liability.h): months in the programme's zone, the
// figures of one month from per-kind sums with the roll-forward checked, the breakage rates,
// request validation and the JSON / CSV renderings. The report over a real ledger:
// tests/core/ledger_liability_test.cpp.
#include "core/liability.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/business_time.h"
#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::TestProgram;

EntryKindSum Sum(EntryKind kind, int64_t entries, Points pending_in, Points pending_out,
                 Points available_in, Points available_out) {
  return EntryKindSum{kind, entries, pending_in, pending_out, available_in, available_out};
}

KindTotals Totals(const std::vector<EntryKindSum>& rows) {
  Result<KindTotals> t = KindTotals::From(rows);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : KindTotals();
}

// A month with a bit of everything: 1,000 pending and 5,000 available before it.
const std::vector<EntryKindSum> kBefore = {
    Sum(EntryKind::kEarn, 10, 9000, 0, 0, 0),    Sum(EntryKind::kActivate, 8, 0, -7000, 7000, 0),
    Sum(EntryKind::kReverse, 1, 0, -1000, 0, 0), Sum(EntryKind::kRedeem, 3, 0, 0, 0, -1500),
    Sum(EntryKind::kExpire, 1, 0, 0, 0, -500),
};
const std::vector<EntryKindSum> kDuring = {
    Sum(EntryKind::kEarn, 4, 2000, 0, 0, 0),     Sum(EntryKind::kActivate, 3, 0, -1500, 1500, 0),
    Sum(EntryKind::kRedeem, 2, 0, 0, 0, -800),   Sum(EntryKind::kExpire, 2, 0, 0, 0, -300),
    Sum(EntryKind::kAdjust, 3, 0, 0, 400, -150), Sum(EntryKind::kReverse, 2, 0, -200, 0, -100),
    Sum(EntryKind::kRestore, 1, 0, 0, 250, 0),
};

Result<LiabilityMonth> November(Won point_value_won = 1) {
  const LocalMonth m{2026, 11};
  return LiabilityMonthFromSums(m, StartOfMonth(m, "Asia/Seoul"),
                                StartOfMonth(LocalMonth{2026, 12}, "Asia/Seoul"), Totals(kBefore),
                                Totals(kDuring), point_value_won);
}

TEST(LiabilityTest, MonthsAreCutAtMidnightInTheProgrammesZone) {
  EXPECT_EQ(FormatInstant(StartOfMonth(LocalMonth{2026, 11}, "Asia/Seoul")),
            "2026-10-31T15:00:00Z");
  EXPECT_EQ(StartOfMonth(LocalMonth{2026, 1}, "Asia/Seoul"), Kst(2026, 1, 1));
  EXPECT_EQ(AddMonths(LocalMonth{2026, 11}, 2), (LocalMonth{2027, 1}));
  EXPECT_EQ(AddMonths(LocalMonth{2026, 1}, -1), (LocalMonth{2025, 12}));
  EXPECT_EQ(FormatLocalMonth(LocalMonth{2026, 3}), "2026-03");
}

TEST(LiabilityTest, OnlyYearDashMonthParses) {
  ASSERT_TRUE(ParseLocalMonth("2026-11", "month").ok());
  EXPECT_EQ(*ParseLocalMonth("2026-11", "month"), (LocalMonth{2026, 11}));
  EXPECT_EQ(*ParseLocalMonth("1970-01", "month"), (LocalMonth{1970, 1}));
  for (const char* bad : {"", "2026-13", "2026-00", "2026-1", "2026/11", "26-11", "2026-11-01",
                          " 2026-11", "1969-12", "2026-+1", "２０２６-11"}) {
    Status s = ParseLocalMonth(bad, "month").status();
    EXPECT_EQ(s.code(), Code::kValidationFailed) << bad;
    EXPECT_EQ(s.field(), "month") << bad;
  }
}

TEST(LiabilityTest, FiguresClassifyEveryKindAndRollForward) {
  ASSERT_TRUE(November().ok()) << November().status().ToString();
  const LiabilityMonth m = *November();
  EXPECT_EQ(m.entries, 17);
  EXPECT_EQ(m.opening_pending_points, 1000);
  EXPECT_EQ(m.opening_available_points, 5000);
  EXPECT_EQ(m.earned_points, 2000);
  EXPECT_EQ(m.activated_points, 1500);
  EXPECT_EQ(m.clawed_back_pending_points, 200);
  EXPECT_EQ(m.redeemed_points, 800);
  EXPECT_EQ(m.expired_points, 300);
  EXPECT_EQ(m.clawed_back_available_points, 100);
  EXPECT_EQ(m.restored_points, 250);
  EXPECT_EQ(m.adjusted_in_points, 400);
  EXPECT_EQ(m.adjusted_out_points, 150);
  // pending: 1000 + 2000 - 1500 - 200; available: 5000 + 1500 - 800 - 300 - 100 + 250 + 400 - 150
  EXPECT_EQ(m.closing_pending_points, 1300);
  EXPECT_EQ(m.closing_available_points, 5800);
  EXPECT_EQ(m.closing_points(), 7100);
}

TEST(LiabilityTest, BreakageIsTheShareOfResolvedPointsThatExpired) {
  const LiabilityMonth m = *November();
  // Month: 300 / (300 + 800 - 250) = 0.3529... -> 3529 bp.
  EXPECT_EQ(m.breakage_rate_bp, 3529);
  // Since the start: expired 800; used 1500 + 800 - 250 = 2050; 800 / 2850 -> 2807 bp.
  EXPECT_EQ(m.cumulative_expired_points, 800);
  EXPECT_EQ(m.cumulative_used_points, 2050);
  EXPECT_EQ(m.cumulative_breakage_rate_bp, 2807);
  // Nothing used nor expired: no rate at all (not 0%).
  const LocalMonth jan{2026, 1};
  auto quiet = LiabilityMonthFromSums(jan, Kst(2026, 1, 1), Kst(2026, 2, 1), Totals({}),
                                      Totals({Sum(EntryKind::kEarn, 1, 10, 0, 0, 0)}), 1);
  ASSERT_TRUE(quiet.ok());
  EXPECT_FALSE(quiet->breakage_rate_bp.has_value());
  EXPECT_FALSE(quiet->cumulative_breakage_rate_bp.has_value());
  // Everything that left the balance expired: 10000 bp.
  auto all = LiabilityMonthFromSums(jan, Kst(2026, 1, 1), Kst(2026, 2, 1),
                                    Totals({Sum(EntryKind::kAdjust, 1, 0, 0, 70, 0)}),
                                    Totals({Sum(EntryKind::kExpire, 1, 0, 0, 0, -70)}), 1);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->breakage_rate_bp, 10000);
  EXPECT_EQ(all->cumulative_breakage_rate_bp, 10000);
}

TEST(LiabilityTest, AKindMovingABalanceWithoutALineIsRefusedNotDropped) {
  const LocalMonth m{2026, 11};
  // An earn entry that moved available points: no line of the report explains it.
  auto odd = LiabilityMonthFromSums(m, Kst(2026, 11, 1), Kst(2026, 12, 1), Totals({}),
                                    Totals({Sum(EntryKind::kEarn, 1, 100, 0, 5, 0)}), 1);
  EXPECT_EQ(odd.status().code(), Code::kInternal);
  EXPECT_NE(odd.status().message().find("available"), std::string::npos) << odd.status().message();
  // An activation that took 100 pending points but credited 90.
  auto lossy = LiabilityMonthFromSums(m, Kst(2026, 11, 1), Kst(2026, 12, 1), Totals({}),
                                      Totals({Sum(EntryKind::kActivate, 1, 0, -100, 90, 0)}), 1);
  EXPECT_EQ(lossy.status().code(), Code::kInternal);
  // A pending debit by a redemption.
  auto pending = LiabilityMonthFromSums(m, Kst(2026, 11, 1), Kst(2026, 12, 1), Totals({}),
                                        Totals({Sum(EntryKind::kRedeem, 1, 0, -3, 0, 0)}), 1);
  EXPECT_EQ(pending.status().code(), Code::kInternal);
  EXPECT_NE(pending.status().message().find("pending"), std::string::npos);
  // A kind this binary does not know.
  EXPECT_EQ(KindTotals::From({Sum(static_cast<EntryKind>(8), 1, 0, 0, 1, 0)}).status().code(),
            Code::kInternal);
}

TEST(LiabilityTest, KindTotalsAddUpRowsAndRanges) {
  KindTotals t =
      Totals({Sum(EntryKind::kAdjust, 1, 0, 0, 10, 0), Sum(EntryKind::kAdjust, 2, 0, 0, 5, -3)});
  EXPECT_EQ(t.Of(EntryKind::kAdjust).entries, 3);
  EXPECT_EQ(t.Of(EntryKind::kAdjust).available_in_points, 15);
  t.Add(Totals({Sum(EntryKind::kEarn, 1, 7, 0, 0, 0)}));
  EXPECT_EQ(t.Entries(), 4);
  EXPECT_EQ(t.NetPending(), 7);
  EXPECT_EQ(t.NetAvailable(), 12);
}

TEST(LiabilityTest, WonFiguresArePointsTimesThePointValue) {
  auto m = November(5);
  ASSERT_TRUE(m.ok());
  LiabilityReport report;
  report.time_zone = "Asia/Seoul";
  report.months = {*m};
  const std::string json = LiabilityReportJson(report);
  EXPECT_NE(json.find("\"point_value_won\":5"), std::string::npos) << json;
  EXPECT_NE(json.find("\"closing_available_points\":5800,\"closing_available_won\":29000"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"expired_points\":300,\"expired_won\":1500"), std::string::npos) << json;
  // Figures whose value in won a JSON number could not carry are refused.
  const LocalMonth nov{2026, 11};
  auto huge = LiabilityMonthFromSums(
      nov, Kst(2026, 11, 1), Kst(2026, 12, 1), Totals({}),
      Totals({Sum(EntryKind::kAdjust, 1, 0, 0, kMaxJsonSafeInteger / 100, 0)}), kMaxPointValueWon);
  EXPECT_EQ(huge.status().code(), Code::kInternal);
}

TEST(LiabilityTest, JsonAndCsvCarryTheSameColumnsInTheSameOrder) {
  LiabilityReport report;
  report.time_zone = "Asia/Seoul";
  report.generated_at_us = Kst(2026, 12, 4, 9);
  report.months = {*November()};
  const LocalMonth dec{2026, 12};
  auto quiet =
      LiabilityMonthFromSums(dec, Kst(2026, 12, 1), Kst(2027, 1, 1), Totals({}), Totals({}), 1);
  ASSERT_TRUE(quiet.ok());
  report.months.push_back(*quiet);

  const std::vector<std::string> columns = LiabilityColumns();
  ASSERT_GE(columns.size(), 30u);
  EXPECT_EQ(columns.front(), "month");
  const std::string csv = LiabilityReportCsv(report);
  std::vector<std::string> lines;
  for (size_t at = 0; at < csv.size();) {
    const size_t end = csv.find("\r\n", at);
    ASSERT_NE(end, std::string::npos) << "every line ends in CRLF";
    lines.push_back(csv.substr(at, end - at));
    at = end + 2;
  }
  ASSERT_EQ(lines.size(), 3u);  // the header and one row per month
  std::string header;
  for (size_t i = 0; i < columns.size(); ++i) header += (i > 0 ? "," : "") + columns[i];
  EXPECT_EQ(lines[0], header);
  for (const std::string& row : {lines[1], lines[2]}) {
    EXPECT_EQ(std::count(row.begin(), row.end(), ','), static_cast<long>(columns.size() - 1));
  }
  EXPECT_EQ(lines[1].rfind("2026-11,2026-10-31T15:00:00Z,2026-11-30T15:00:00Z,false,1,17,", 0), 0u)
      << lines[1];
  // December resolved nothing, nor did anything before it: both rates are empty.
  EXPECT_EQ(lines[2].substr(lines[2].size() - 5), ",0,0,") << lines[2];

  const std::string json = LiabilityReportJson(report);
  EXPECT_EQ(json.rfind("{\"time_zone\":\"Asia/Seoul\",\"generated_at\":\"2026-12-04T00:00:00Z\","
                       "\"months\":[{\"month\":\"2026-11\",",
                       0),
            0u)
      << json;
  EXPECT_NE(json.find("\"breakage_rate_bp\":null"), std::string::npos) << json;
  size_t at = 0;
  for (const std::string& c : columns) {
    const size_t found = json.find("\"" + c + "\":", at);
    ASSERT_NE(found, std::string::npos) << c;
    at = found;
  }
}

TEST(LiabilityTest, AMonthThatHasNotBegunIsRefused) {
  const Program p = TestProgram();
  LiabilityRequest r;
  r.now_us = Kst(2026, 12, 4, 10);
  r.first = LocalMonth{2026, 12};  // the current month: allowed, incomplete
  EXPECT_TRUE(ValidateLiabilityRequest(r, p).ok());
  r.first = LocalMonth{2027, 1};
  Status future = ValidateLiabilityRequest(r, p);
  EXPECT_EQ(future.code(), Code::kValidationFailed);
  EXPECT_EQ(future.field(), "month");
  EXPECT_NE(future.message().find("2027-01 has not begun yet"), std::string::npos);
  EXPECT_NE(future.message().find("Asia/Seoul is 2026-12"), std::string::npos);
  // 2026-12-01 00:30 KST is still 30 November in UTC: December has begun in the zone.
  r.now_us = Kst(2026, 12, 1, 0, 30);
  r.first = LocalMonth{2026, 12};
  EXPECT_TRUE(ValidateLiabilityRequest(r, p).ok());
  r.now_us = Kst(2026, 12, 1) - 1;
  EXPECT_EQ(ValidateLiabilityRequest(r, p).field(), "month");

  r.now_us = Kst(2026, 12, 4, 10);
  r.first = LocalMonth{2026, 10};
  r.months = 3;
  EXPECT_TRUE(ValidateLiabilityRequest(r, p).ok());
  r.months = 4;
  Status beyond = ValidateLiabilityRequest(r, p);
  EXPECT_EQ(beyond.field(), "months");
  EXPECT_NE(beyond.message().find("reach 2027-01"), std::string::npos) << beyond.message();
  for (int bad : {0, -1, kMaxReportMonths + 1}) {
    r.first = LocalMonth{2000, 1};
    r.months = bad;
    EXPECT_EQ(ValidateLiabilityRequest(r, p).field(), "months") << bad;
  }
  r.months = kMaxReportMonths;
  EXPECT_TRUE(ValidateLiabilityRequest(r, p).ok());
}

}  // namespace
}  // namespace loyalty
