#include "core/program.h"

#include <gtest/gtest.h>

#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::TestProgram;

TEST(ProgramTest, TestProgrammeIsValid) { EXPECT_TRUE(ValidateProgram(TestProgram()).ok()); }

TEST(ProgramTest, APointIsWorthOneToTenThousandWon) {
  Program p = TestProgram();
  EXPECT_EQ(p.point_value_won, 1);  // the default
  p.point_value_won = kMaxPointValueWon;
  EXPECT_TRUE(ValidateProgram(p).ok());
}

struct Case {
  const char* field;
  std::function<void(Program&)> mutate;
};

TEST(ProgramTest, EachContradictionNamesItsField) {
  const std::vector<Case> cases = {
      {"currency", [](Program& p) { p.currency = "USD"; }},
      {"time_zone", [](Program& p) { p.time_zone = "Mars/Olympus"; }},
      {"tiers", [](Program& p) { p.tiers.clear(); }},
      {"tiers[0].threshold_won", [](Program& p) { p.tiers[0].threshold_won = 10; }},
      {"tiers[2].threshold_won", [](Program& p) { p.tiers[2].threshold_won = 300000; }},
      {"tiers[1].code", [](Program& p) { p.tiers[1].code = "BRONZE"; }},
      {"tiers[3].code", [](Program& p) { p.tiers[3].code = "vip"; }},
      {"tiers[1].earn_rate_bp", [](Program& p) { p.tiers[1].earn_rate_bp = 10001; }},
      {"earning.truncation_unit_points", [](Program& p) { p.truncation_unit_points = 5; }},
      {"pending.days",
       [](Program& p) {
         p.pending_mode = PendingMode::kDays;
         p.pending_days = 0;
       }},
      {"expiry.months", [](Program& p) { p.expiry_months = 0; }},
      {"redemption.min_points", [](Program& p) { p.min_redeem_points = 0; }},
      {"redemption.max_share_bp", [](Program& p) { p.max_redeem_share_bp = 20000; }},
      {"version", [](Program& p) { p.version = 0; }},
      {"point_value_won", [](Program& p) { p.point_value_won = 0; }},
      {"point_value_won", [](Program& p) { p.point_value_won = -1; }},
      {"point_value_won", [](Program& p) { p.point_value_won = kMaxPointValueWon + 1; }},
  };
  for (const Case& c : cases) {
    Program p = TestProgram();
    c.mutate(p);
    Status s = ValidateProgram(p);
    EXPECT_EQ(s.code(), Code::kValidationFailed) << c.field;
    EXPECT_EQ(s.field(), c.field) << s.ToString();
  }
}

}  // namespace
}  // namespace loyalty
