#include "core/business_time.h"

#include <gtest/gtest.h>

namespace loyalty {
namespace {

const std::string kSeoul = "Asia/Seoul";

TEST(BusinessTimeTest, ParsesAndRejectsDates) {
  EXPECT_TRUE(ParseLocalDate("2024-02-29").ok());
  EXPECT_FALSE(ParseLocalDate("2025-02-29").ok());
  EXPECT_FALSE(ParseLocalDate("2025-13-01").ok());
  EXPECT_FALSE(ParseLocalDate("2025-1-01").ok());
  EXPECT_FALSE(ParseLocalDate("20250101").ok());
  EXPECT_FALSE(ParseLocalDate("").ok());
  EXPECT_EQ(FormatLocalDate(*ParseLocalDate("2026-11-05")), "2026-11-05");
}

TEST(BusinessTimeTest, KstMidnightIsFifteenHundredUtcTheDayBefore) {
  Micros start = StartOfDay({2026, 1, 1}, kSeoul);
  EXPECT_EQ(FormatInstant(start), "2025-12-31T15:00:00Z");
  EXPECT_EQ(BusinessDate(start, kSeoul), (LocalDate{2026, 1, 1}));
  EXPECT_EQ(BusinessDate(start - 1, kSeoul), (LocalDate{2025, 12, 31}));
}

TEST(BusinessTimeTest, InstantsRoundTripThroughRfc3339) {
  auto t = ParseInstant("2026-11-25T04:05:06.123Z");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(FormatInstant(*t), "2026-11-25T04:05:06.123Z");
  auto kst = ParseInstant("2026-11-25T13:05:06+09:00");
  ASSERT_TRUE(kst.ok());
  EXPECT_EQ(FormatInstant(*kst), "2026-11-25T04:05:06Z");
  EXPECT_FALSE(ParseInstant("2026-11-25 04:05:06").ok());
  EXPECT_FALSE(ParseInstant("2026-11-25T04:05:06").ok());
}

TEST(BusinessTimeTest, AddMonthsClampsToTheEndOfShortMonths) {
  EXPECT_EQ(AddMonths({2026, 1, 31}, 1), (LocalDate{2026, 2, 28}));
  EXPECT_EQ(AddMonths({2024, 1, 31}, 1), (LocalDate{2024, 2, 29}));
  EXPECT_EQ(AddMonths({2024, 2, 29}, 12), (LocalDate{2025, 2, 28}));
  EXPECT_EQ(AddMonths({2026, 11, 15}, 3), (LocalDate{2027, 2, 15}));
  EXPECT_EQ(AddDays({2026, 12, 31}, 1), (LocalDate{2027, 1, 1}));
  EXPECT_EQ(EndOfMonth({2028, 2, 3}), (LocalDate{2028, 2, 29}));
}

TEST(BusinessTimeTest, UnknownZoneIsReported) {
  EXPECT_TRUE(IsKnownTimeZone(kSeoul));
  EXPECT_FALSE(IsKnownTimeZone("Asia/Nowhere"));
}

}  // namespace
}  // namespace loyalty
