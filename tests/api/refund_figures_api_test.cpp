// What a refund answers (docs/ledger.md, "Refunds"): the clawback asked back, the part actually
// removed and the shortfall apart, and restored points split into usable and expired at once;
// and the smallest redemption refused with 422 like every other redemption rule.
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

constexpr Micros kDay = 86'400'000'000;

class RefundFiguresApiTest : public ApiTest {
 protected:
  HttpResult PostOrder(const std::string& id, const std::string& customer, int64_t amount_won,
                       int64_t points = 0) {
    return client().Post("/v1/orders", Token("checkout"),
                         R"({"order_id":")" + id + R"(","customer_id":")" + customer +
                             R"(","amount_won":)" + std::to_string(amount_won) +
                             R"(,"points_to_redeem":)" + std::to_string(points) + "}");
  }
  HttpResult Refund(const std::string& order, const std::string& refund_id, int64_t amount_won) {
    return client().Post(
        "/v1/orders/" + order + "/refunds", Token("checkout"),
        R"({"refund_id":")" + refund_id + R"(","amount_won":)" + std::to_string(amount_won) + "}");
  }
  int64_t Available(const std::string& customer) {
    HttpResult r = client().Get("/v1/customers/" + customer, Token("checkout"));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Int("available_points") : -1;
  }
  static int64_t Field(const Poco::JSON::Object::Ptr& o, const std::string& name) {
    EXPECT_TRUE(o->has(name)) << name;
    return o->has(name) ? o->getValue<int64_t>(name) : -1;
  }
};

TEST_F(RefundFiguresApiTest, ATakeAvailableShortfallIsNotReportedAsClawed) {
  MakeCustomer("c-r");
  GivePoints("c-r", 5000, "adj-r");
  ASSERT_EQ(PostOrder("o-1", "c-r", 96000).status, 201);  // earns 960 (1%, in tens)
  ASSERT_EQ(client().Post("/v1/orders/o-1/confirm", Token("checkout"), "{}").status, 200);
  ASSERT_EQ(PostOrder("o-2", "c-r", 6000, 5700).status, 201);  // 260 points left
  ASSERT_EQ(Available("c-r"), 260);

  HttpResult r = Refund("o-1", "r-1", 48000);  // half: 480 asked back
  ASSERT_EQ(r.status, 201) << r.body;
  Poco::JSON::Object::Ptr refund = r.Json()->getObject("refund");
  EXPECT_EQ(Field(refund, "clawback_requested_points"), 480);
  EXPECT_EQ(Field(refund, "clawed_points"), 260);  // what the balance held
  EXPECT_EQ(Field(refund, "shortfall_points"), 220);
  EXPECT_EQ(Field(refund, "deduction_won"), 0);
  EXPECT_EQ(Available("c-r"), 0);  // exactly clawed_points left the balance

  HttpResult order = client().Get("/v1/orders/o-1", Token("checkout"));
  ASSERT_EQ(order.status, 200) << order.body;
  Poco::JSON::Object::Ptr o = order.Json();
  EXPECT_EQ(Field(o, "clawback_requested_points"), 480);
  EXPECT_EQ(Field(o, "earn_clawed_points"), 260);
  EXPECT_EQ(Field(o, "shortfall_points"), 220);
  Poco::JSON::Object::Ptr listed = o->getArray("refunds")->getObject(0);
  EXPECT_EQ(Field(listed, "clawed_points"), 260);
  EXPECT_EQ(Field(listed, "clawback_requested_points"), 480);
}

TEST_F(RefundFiguresApiTest, PointsRestoredIntoAnExpiredLotAreReportedAsExpired) {
  MakeCustomer("c-x");
  GivePoints("c-x", 2000, "adj-x");
  ASSERT_EQ(PostOrder("o-x", "c-x", 5000, 1000).status, 201);
  clock_.Advance(400 * kDay);  // the granted lot expired (12 months, end of month)
  ASSERT_EQ(Available("c-x"), 0);

  HttpResult r = Refund("o-x", "r-x", 5000);
  ASSERT_EQ(r.status, 201) << r.body;
  Poco::JSON::Object::Ptr refund = r.Json()->getObject("refund");
  EXPECT_EQ(Field(refund, "restored_points"), 0);  // nothing usable came back
  EXPECT_EQ(Field(refund, "restored_expired_points"), 1000);
  Poco::JSON::Object::Ptr order = r.Json()->getObject("order");
  EXPECT_EQ(Field(order, "restored_points"), 0);
  EXPECT_EQ(Field(order, "restored_expired_points"), 1000);
  EXPECT_EQ(Available("c-x"), 0);
}

TEST_F(RefundFiguresApiTest, BelowTheSmallestRedemptionIs422LikeEveryRedemptionRule) {
  MakeCustomer("c-m");
  GivePoints("c-m", 5000, "adj-m");
  // The demo programme's smallest redemption is 100 points.
  HttpResult order = PostOrder("o-m", "c-m", 10000, 50);
  EXPECT_EQ(order.status, 422) << order.body;
  EXPECT_EQ(order.ContentType(), "application/problem+json");
  EXPECT_EQ(order.Str("code"), "below_minimum_redemption") << order.body;
  EXPECT_EQ(order.Str("field"), "points_to_redeem");
  EXPECT_FALSE(OrderExists("o-m"));
  // The same status as the other redemption rules.
  EXPECT_EQ(PostOrder("o-m2", "c-m", 10000, 10001).status, 422);  // redeem_limit_exceeded
  EXPECT_EQ(PostOrder("o-m3", "c-m", 100000, 6000).status, 422);  // insufficient_points

  HttpResult quote = client().Post("/v1/quotes", Token("checkout"),
                                   R"({"customer_id":"c-m","amount_won":10000,)"
                                   R"("points_to_redeem":50})");
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_FALSE(quote.Json()->getValue<bool>("redeemable"));
  EXPECT_EQ(quote.Json()->getObject("redeem_error")->getValue<std::string>("code"),
            "below_minimum_redemption");
  ASSERT_EQ(PostOrder("o-ok", "c-m", 10000, 100).status, 201);
}

}  // namespace
}  // namespace loyalty::apitest
