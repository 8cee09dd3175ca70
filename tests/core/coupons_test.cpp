// Coupon rules without a database: codes and their check character, validity in KST, the
// discount arithmetic.
#include "core/coupons.h"

#include <gtest/gtest.h>

#include <unordered_set>

#include "core/business_time.h"
#include "tests/core/coupon_test_util.h"

namespace loyalty::testing {
namespace {

CouponTemplate Percent(int32_t bp, Won cap_won, Won unit_won = 1) {
  CouponTemplate t;
  t.code = "PCT";
  t.name = "pct";
  t.kind = CouponKind::kPercent;
  t.percent_bp = bp;
  t.cap_won = cap_won;
  t.truncation_unit_won = unit_won;
  t.valid_days = 30;
  return t;
}

CouponTemplate Fixed(Won won, Won min_order_won = 0) {
  CouponTemplate t;
  t.code = "FIX";
  t.name = "fix";
  t.kind = CouponKind::kFixedWon;
  t.discount_won = won;
  t.min_order_won = min_order_won;
  t.valid_days = 30;
  return t;
}

TEST(CouponCodeTest, GeneratedCodesUseTheSafeAlphabetAndPassTheirCheck) {
  SeededRandom random(1);
  for (int i = 0; i < 1000; ++i) {
    COUPON_ASSERT_OK_AND_ASSIGN(std::string code, GenerateCouponCode(random, ""));
    ASSERT_EQ(code.size(), kCouponRandomChars + 1);
    for (char c : code) EXPECT_EQ(std::string("0O1IL").find(c), std::string::npos) << code;
    COUPON_EXPECT_OK(ValidateCouponCode(code));
  }
}

TEST(CouponCodeTest, APrefixIsPrintedBeforeTheBody) {
  SeededRandom random(2);
  COUPON_ASSERT_OK_AND_ASSIGN(std::string code, GenerateCouponCode(random, "WELCOME"));
  EXPECT_EQ(code.rfind("WELCOME-", 0), 0u);
  COUPON_EXPECT_OK(ValidateCouponCode(code));
}

TEST(CouponCodeTest, TypedCodesAreNormalized) {
  SeededRandom random(3);
  COUPON_ASSERT_OK_AND_ASSIGN(std::string code, GenerateCouponCode(random, "WELCOME"));
  std::string body = code.substr(8);
  std::string typed =
      "welcome " + body.substr(0, 4) + "-" + body.substr(4, 4) + "-" + body.substr(8);
  for (char& c : typed) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(NormalizeCouponCode(typed), code);
}

TEST(CouponCodeTest, EverySingleCharacterTypoIsRejectedBeforeAnyLookup) {
  SeededRandom random(4);
  for (int n = 0; n < 50; ++n) {
    COUPON_ASSERT_OK_AND_ASSIGN(std::string code, GenerateCouponCode(random, ""));
    for (size_t i = 0; i < code.size(); ++i) {
      for (char c : kCouponAlphabet) {
        if (c == code[i]) continue;
        std::string typo = code;
        typo[i] = c;
        Status st = ValidateCouponCode(typo);
        EXPECT_EQ(st.code(), Code::kCouponCodeInvalid) << code << " -> " << typo;
      }
    }
  }
}

TEST(CouponCodeTest, EveryAdjacentTranspositionIsRejected) {
  SeededRandom random(5);
  for (int n = 0; n < 200; ++n) {
    COUPON_ASSERT_OK_AND_ASSIGN(std::string code, GenerateCouponCode(random, ""));
    for (size_t i = 0; i + 1 < code.size(); ++i) {
      if (code[i] == code[i + 1]) continue;
      std::string swapped = code;
      std::swap(swapped[i], swapped[i + 1]);
      EXPECT_EQ(ValidateCouponCode(swapped).code(), Code::kCouponCodeInvalid)
          << code << " -> " << swapped;
    }
  }
}

TEST(CouponCodeTest, MalformedCodesAreInvalid) {
  EXPECT_EQ(ValidateCouponCode("").code(), Code::kCouponCodeInvalid);
  EXPECT_EQ(ValidateCouponCode("ABC").code(), Code::kCouponCodeInvalid);
  EXPECT_EQ(ValidateCouponCode("0OOOOOOOOOOOO").code(), Code::kCouponCodeInvalid);  // 0 and O
  EXPECT_EQ(ValidateCouponCode("WEL COME-22222222222222").code(), Code::kCouponCodeInvalid);
}

TEST(CouponCodeTest, HundredThousandGeneratedCodesAreUnique) {
  SeededRandom random(6);
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 100000; ++i) {
    COUPON_ASSERT_OK_AND_ASSIGN(std::string code, GenerateCouponCode(random, ""));
    ASSERT_TRUE(seen.insert(code).second) << code;
  }
}

TEST(CouponCodeTest, BufferedRandomHandsOutTheSourcesBytesInOrder) {
  SeededRandom direct(9);
  SeededRandom underlying(9);
  BufferedRandom buffered(underlying);
  std::vector<uint8_t> a(10000), b(10000);
  COUPON_EXPECT_OK(direct.Fill(a.data(), a.size()));
  for (size_t at = 0; at < b.size(); at += 7) {
    COUPON_EXPECT_OK(buffered.Fill(b.data() + at, std::min<size_t>(7, b.size() - at)));
  }
  EXPECT_EQ(a, b);
}

TEST(CouponDiscountTest, PercentIsTruncatedToTheWon) {
  // 10% of 12,345 = 1,234.5 -> 1,234.
  EXPECT_EQ(CouponDiscount(Percent(1000, 0), 12345), 1234);
}

TEST(CouponDiscountTest, PercentIsTruncatedToTenWonWhenConfigured) {
  EXPECT_EQ(CouponDiscount(Percent(1000, 0, 10), 12345), 1230);
}

TEST(CouponDiscountTest, PercentIsCappedInWon) {
  // 10% up to ₩10,000: ₩150,000 gives 15,000 -> 10,000; ₩99,999 gives 9,999.
  EXPECT_EQ(CouponDiscount(Percent(1000, 10000), 150000), 10000);
  EXPECT_EQ(CouponDiscount(Percent(1000, 10000), 99999), 9999);
  EXPECT_EQ(CouponDiscount(Percent(1000, 10000), 100000), 10000);
}

TEST(CouponDiscountTest, FixedNeverExceedsTheAmount) {
  EXPECT_EQ(CouponDiscount(Fixed(3000), 20000), 3000);
  EXPECT_EQ(CouponDiscount(Fixed(3000), 2500), 2500);
  EXPECT_EQ(CouponDiscount(Fixed(3000), 0), 0);
}

TEST(CouponUsableTest, MinimumOrderExactlyMetIsEnough) {
  Coupon c;
  c.customer_id = "c1";
  c.valid_from_us = Kst(2026, 3, 1);
  c.valid_until_us = Kst(2026, 4, 1);
  const Micros now = Kst(2026, 3, 10);
  COUPON_EXPECT_OK(CheckCouponUsable(c, Fixed(3000, 20000), "c1", 20000, now));
  EXPECT_EQ(CheckCouponUsable(c, Fixed(3000, 20000), "c1", 19999, now).code(),
            Code::kCouponMinOrderNotMet);
}

TEST(CouponUsableTest, ValidityBoundariesAreMidnightKst) {
  CouponTemplate t = Fixed(1000);
  t.valid_days = 0;
  t.valid_from = "2026-03-01";
  t.valid_until = "2026-03-31";
  ValidityWindow w = CouponValidity(t, Kst(2026, 2, 10), "Asia/Seoul");
  EXPECT_EQ(w.from_us, Kst(2026, 3, 1));   // 2026-02-28T15:00:00Z
  EXPECT_EQ(w.until_us, Kst(2026, 4, 1));  // the whole of 31 March KST
  Coupon c;
  c.valid_from_us = w.from_us;
  c.valid_until_us = w.until_us;
  const Micros us = 1;
  EXPECT_EQ(CheckCouponUsable(c, t, "c1", 5000, w.from_us - us).code(), Code::kCouponNotYetValid);
  COUPON_EXPECT_OK(CheckCouponUsable(c, t, "c1", 5000, w.from_us));
  COUPON_EXPECT_OK(CheckCouponUsable(c, t, "c1", 5000, Kst(2026, 3, 31, 23, 59)));
  EXPECT_EQ(CheckCouponUsable(c, t, "c1", 5000, w.until_us).code(), Code::kCouponExpired);
}

TEST(CouponUsableTest, DaysFromIssueRunToTheEndOfTheLastKstDay) {
  CouponTemplate t = Fixed(1000);
  t.valid_days = 7;
  // Issued 10 March 23:30 KST (14:30 UTC): valid through 16 March KST.
  ValidityWindow w = CouponValidity(t, Kst(2026, 3, 10, 23, 30), "Asia/Seoul");
  EXPECT_EQ(w.from_us, Kst(2026, 3, 10, 23, 30));
  EXPECT_EQ(w.until_us, Kst(2026, 3, 17));
}

TEST(CouponUsableTest, AnotherCustomersCouponIsNotOwned) {
  Coupon c;
  c.customer_id = "c1";
  c.valid_until_us = Kst(2027, 1, 1);
  EXPECT_EQ(CheckCouponUsable(c, Fixed(1000), "c2", 5000, Kst(2026, 3, 1)).code(),
            Code::kCouponNotOwned);
  c.customer_id.clear();  // an unassigned campaign code: anyone
  COUPON_EXPECT_OK(CheckCouponUsable(c, Fixed(1000), "c2", 5000, Kst(2026, 3, 1)));
}

}  // namespace
}  // namespace loyalty::testing
