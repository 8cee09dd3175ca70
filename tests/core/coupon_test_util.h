// Shared by the coupon tests: a seeded random source, a programme with coupon templates and
// status assertions.
#pragma once

#include <gtest/gtest.h>

#include <random>

#include "core/coupons.h"
#include "core/program.h"
#include "tests/core/test_util.h"

#define COUPON_EXPECT_OK(expr)                                        \
  do {                                                                \
    const ::loyalty::Status _st = ::loyalty::testing::StatusOf(expr); \
    EXPECT_TRUE(_st.ok()) << #expr << ": " << _st.ToString();         \
  } while (0)
#define COUPON_EXPECT_CODE(expr, expected)                                    \
  do {                                                                        \
    const ::loyalty::Status _st = ::loyalty::testing::StatusOf(expr);         \
    EXPECT_EQ(::loyalty::CodeName(_st.code()), ::loyalty::CodeName(expected)) \
        << #expr << ": " << _st.ToString();                                   \
  } while (0)
#define COUPON_ASSERT_OK_AND_ASSIGN(lhs, expr) \
  COUPON_ASSERT_IMPL(LOYALTY_CONCAT(_cres_, __LINE__), lhs, expr)
#define COUPON_ASSERT_IMPL(tmp, lhs, expr)                           \
  auto tmp = (expr);                                                 \
  ASSERT_TRUE(tmp.ok()) << #expr << ": " << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

namespace loyalty::testing {

inline Status StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

// Deterministic bytes for tests (not cryptographic; production uses getrandom).
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(uint64_t seed) : rng_(seed) {}
  Status Fill(uint8_t* out, size_t size) override {
    for (size_t i = 0; i < size; ++i) out[i] = static_cast<uint8_t>(rng_());
    return Status::Ok();
  }

 private:
  std::mt19937_64 rng_;
};

inline CouponTemplate FixedTemplate(const char* code, Won won, Won min_order_won) {
  CouponTemplate t;
  t.code = code;
  t.name = code;
  t.kind = CouponKind::kFixedWon;
  t.discount_won = won;
  t.min_order_won = min_order_won;
  t.valid_days = 30;
  return t;
}

inline CouponTemplate PercentTemplate(const char* code, int32_t bp, Won cap_won,
                                      Won min_order_won) {
  CouponTemplate t;
  t.code = code;
  t.name = code;
  t.kind = CouponKind::kPercent;
  t.percent_bp = bp;
  t.cap_won = cap_won;
  t.min_order_won = min_order_won;
  t.valid_days = 30;
  return t;
}

// TestProgram with WELCOME (₩3,000 from ₩20,000, once per customer), SILVER_UP (10% up to
// ₩10,000, promotion coupon of SILVER), BDAY (₩5,000, stackable, birthday coupon of BRONZE)
// and EXTRA (₩1,000, stackable).
inline Program CouponProgram() {
  Program p = TestProgram();
  CouponTemplate welcome = FixedTemplate("WELCOME", 3000, 20000);
  welcome.per_customer_limit = 1;
  welcome.code_prefix = "WELCOME";
  CouponTemplate silver = PercentTemplate("SILVER_UP", 1000, 10000, 0);
  CouponTemplate bday = FixedTemplate("BDAY", 5000, 0);
  bday.stackable = true;
  CouponTemplate extra = FixedTemplate("EXTRA", 1000, 0);
  extra.stackable = true;
  p.coupons.templates = {welcome, silver, bday, extra};
  p.tiers[0].birthday_coupon = "BDAY";
  p.tiers[1].promotion_coupon = "SILVER_UP";
  return p;
}

}  // namespace loyalty::testing
