// Tiers over HTTP: progress in won on the customer resource, and the explained tier history.
#include <gtest/gtest.h>

#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

class TiersApiTest : public ApiTest {};

TEST_F(TiersApiTest, ConfirmationUpgradesAndTheHistoryExplainsIt) {
  MakeCustomer("t1");
  ASSERT_EQ(client()
                .Post("/v1/orders", Token("checkout"),
                      R"({"order_id":"to1","customer_id":"t1","amount_won":300000})")
                .status,
            201);
  HttpResult before = client().Get("/v1/customers/t1", Token("messaging"));
  ASSERT_EQ(before.status, 200);
  auto progress = before.Json()->getObject("tier_progress");
  EXPECT_EQ(progress->getValue<std::string>("tier"), "BRONZE");
  EXPECT_EQ(progress->getValue<int64_t>("qualifying_won"), 0);  // counts at confirmation
  EXPECT_EQ(progress->getObject("next")->getValue<int64_t>("gap_won"), 300000);
  EXPECT_TRUE(progress->isNull("keep"));

  ASSERT_EQ(client().Post("/v1/orders/to1/confirm", Token("checkout"), "{}").status, 200);
  HttpResult after = client().Get("/v1/customers/t1", Token("checkout"));
  EXPECT_EQ(after.Str("tier"), "SILVER");
  progress = after.Json()->getObject("tier_progress");
  EXPECT_EQ(progress->getValue<int64_t>("qualifying_won"), 300000);
  EXPECT_EQ(progress->getObject("next")->getValue<std::string>("tier"), "GOLD");
  EXPECT_EQ(progress->getObject("next")->getValue<int64_t>("gap_won"), 700000);
  auto keep = progress->getObject("keep");
  EXPECT_EQ(keep->getValue<std::string>("retained_until"), "2026-06-02");  // demo: 3 months

  HttpResult history = client().Get("/v1/customers/t1/tier-changes", Token("cs_agent"));
  ASSERT_EQ(history.status, 200);
  auto changes = history.Json()->getArray("tier_changes");
  ASSERT_EQ(changes->size(), 1u);
  auto c = changes->getObject(0);
  EXPECT_EQ(c->getValue<std::string>("from_tier"), "BRONZE");
  EXPECT_EQ(c->getValue<std::string>("to_tier"), "SILVER");
  EXPECT_EQ(c->getValue<std::string>("reason"), "threshold_reached");
  EXPECT_EQ(c->getValue<int64_t>("qualifying_won"), 300000);
  EXPECT_EQ(c->getValue<int64_t>("threshold_won"), 300000);
  EXPECT_EQ(c->getObject("window")->getValue<std::string>("start"), "2025-03-03");
  EXPECT_EQ(c->getObject("window")->getValue<std::string>("end"), "2026-03-02");
  EXPECT_EQ(c->getValue<int64_t>("rule_version"), 1);
}

TEST_F(TiersApiTest, TierHistoryOfAnUnknownCustomerIs404) {
  HttpResult r = client().Get("/v1/customers/nobody/tier-changes", Token("admin"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Str("code"), "not_found");
}

}  // namespace
}  // namespace loyalty::apitest
