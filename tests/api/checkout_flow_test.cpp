// End to end: a customer, a quote, an order paid partly with points, confirmation, a partial
// refund, then balances, ledger and events as the API reports them.
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

int64_t SumAvailableDeltas(const Poco::JSON::Array::Ptr& entries) {
  int64_t sum = 0;
  for (size_t i = 0; i < entries->size(); ++i) {
    sum += entries->getObject(static_cast<unsigned>(i))->getValue<int64_t>("available_delta");
  }
  return sum;
}

TEST_F(ApiTest, CheckoutFlowFromCustomerToPartialRefund) {
  const std::string checkout = Token("checkout");

  HttpResult created = client().Put("/v1/customers/c-flow", checkout,
                                    R"({"birth_date":"1990-05-01","marketing_consent":true})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.ContentType(), "application/json");
  EXPECT_EQ(created.Str("customer_id"), "c-flow");
  EXPECT_EQ(created.Str("birth_date"), "1990-05-01");
  EXPECT_EQ(created.Str("tier"), "BRONZE");
  EXPECT_EQ(created.Str("created_at"), "2026-03-02T01:00:00Z");
  HttpResult updated = client().Put("/v1/customers/c-flow", checkout, R"({"night_consent":true})");
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_TRUE(updated.Json()->getValue<bool>("night_consent"));
  EXPECT_TRUE(updated.Json()->getValue<bool>("marketing_consent"));

  // A first order earns 1% (BRONZE), pending until confirmation.
  HttpResult o1 = client().Post("/v1/orders", checkout,
                                R"({"order_id":"o-1","customer_id":"c-flow","amount_won":50000,)"
                                R"("shipping_won":3000})");
  ASSERT_EQ(o1.status, 201) << o1.body;
  EXPECT_EQ(o1.Str("status"), "placed");
  EXPECT_EQ(o1.Int("earn_points"), 500);
  EXPECT_EQ(o1.Int("shipping_won"), 3000);
  HttpResult c1 = client().Post("/v1/orders/o-1/confirm", checkout, "");
  ASSERT_EQ(c1.status, 200) << c1.body;
  EXPECT_EQ(c1.Str("status"), "confirmed");
  EXPECT_TRUE(c1.Json()->getValue<bool>("earn_activated"));

  GivePoints("c-flow", 3000, "adj-welcome");

  HttpResult quote =
      client().Post("/v1/quotes", checkout,
                    R"({"customer_id":"c-flow","amount_won":30000,"points_to_redeem":2000})");
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(quote.Int("available_points"), 3500);
  EXPECT_EQ(quote.Int("paid_won"), 28000);
  EXPECT_EQ(quote.Int("earn_points"), 280);
  EXPECT_TRUE(quote.Json()->getValue<bool>("redeemable"));
  EXPECT_TRUE(quote.Json()->isNull("redeem_error"));

  HttpResult too_much =
      client().Post("/v1/quotes", checkout,
                    R"({"customer_id":"c-flow","amount_won":30000,"points_to_redeem":9000})");
  ASSERT_EQ(too_much.status, 200) << too_much.body;
  EXPECT_FALSE(too_much.Json()->getValue<bool>("redeemable"));
  EXPECT_EQ(too_much.Json()->getObject("redeem_error")->getValue<std::string>("code"),
            "insufficient_points");

  HttpResult o2 = client().Post("/v1/orders", checkout,
                                R"({"order_id":"o-2","customer_id":"c-flow","amount_won":30000,)"
                                R"("points_to_redeem":2000})");
  ASSERT_EQ(o2.status, 201) << o2.body;
  EXPECT_EQ(o2.Int("points_redeemed"), 2000);
  EXPECT_EQ(o2.Int("paid_won"), 28000);
  EXPECT_EQ(o2.Int("earn_points"), 280);
  ASSERT_EQ(client().Post("/v1/orders/o-2/confirm", checkout, "{}").status, 200);

  HttpResult refund = client().Post("/v1/orders/o-2/refunds", checkout,
                                    R"({"refund_id":"r-1","amount_won":10000})");
  ASSERT_EQ(refund.status, 201) << refund.body;
  auto refund_obj = refund.Json()->getObject("refund");
  EXPECT_EQ(refund_obj->getValue<int64_t>("amount_won"), 10000);
  EXPECT_EQ(refund_obj->getValue<int64_t>("restored_points"), 666);  // floor(2000 * 1/3)
  EXPECT_EQ(refund_obj->getValue<int64_t>("clawed_points"), 93);     // floor(280 * 1/3)
  EXPECT_EQ(refund.Json()->getObject("order")->getValue<int64_t>("refunded_won"), 10000);

  HttpResult order = client().Get("/v1/orders/o-2", checkout);
  ASSERT_EQ(order.status, 200) << order.body;
  ASSERT_EQ(order.Json()->getArray("refunds")->size(), 1u);
  EXPECT_EQ(order.Json()->getArray("refunds")->getObject(0)->getValue<std::string>("refund_id"),
            "r-1");

  HttpResult customer = client().Get("/v1/customers/c-flow", checkout);
  ASSERT_EQ(customer.status, 200) << customer.body;
  const int64_t available = customer.Int("available_points");
  EXPECT_EQ(available, 500 + 3000 - 2000 + 666 + 280 - 93);
  EXPECT_EQ(customer.Int("pending_points"), 0);
  EXPECT_GE(customer.Json()->getArray("next_expiring")->size(), 1u);

  HttpResult ledger = client().Get("/v1/customers/c-flow/ledger", checkout);
  ASSERT_EQ(ledger.status, 200) << ledger.body;
  auto entries = ledger.Json()->getArray("entries");
  EXPECT_EQ(SumAvailableDeltas(entries), available);
  EXPECT_TRUE(ledger.Json()->isNull("next_cursor"));
  // Newest first: the refund's restore/reverse entries lead, the first earn is last.
  EXPECT_EQ(
      entries->getObject(static_cast<unsigned>(entries->size() - 1))->getValue<std::string>("kind"),
      "earn");

  HttpResult events = client().Get("/v1/customers/c-flow/events", Token("messaging"));
  ASSERT_EQ(events.status, 200) << events.body;
  auto list = events.Json()->getArray("events");
  ASSERT_GE(list->size(), 5u);
  EXPECT_EQ(list->getObject(0)->getValue<std::string>("type"), "customer.created");
  EXPECT_EQ(list->getObject(0)->getValue<int64_t>("seq"), 1);
  // Payloads are embedded JSON objects, not strings.
  EXPECT_FALSE(list->getObject(0)->getObject("payload").isNull());
  std::string types;
  for (size_t i = 0; i < list->size(); ++i) {
    types += list->getObject(static_cast<unsigned>(i))->getValue<std::string>("type") + " ";
  }
  EXPECT_NE(types.find("order.placed"), std::string::npos) << types;
  EXPECT_NE(types.find("order.refunded"), std::string::npos) << types;

  HttpResult feed = client().Get("/v1/events?limit=500", Token("jobs"));
  ASSERT_EQ(feed.status, 200) << feed.body;
  EXPECT_EQ(feed.Json()->getArray("events")->size(), list->size());
}

TEST_F(ApiTest, CancelRefundsTheRestAndIsIdempotent) {
  MakeCustomer("c-cancel");
  const std::string checkout = Token("checkout");
  ASSERT_EQ(client()
                .Post("/v1/orders", checkout,
                      R"({"order_id":"o-c","customer_id":"c-cancel","amount_won":20000})")
                .status,
            201);
  ASSERT_EQ(
      client()
          .Post("/v1/orders/o-c/refunds", checkout, R"({"refund_id":"r-a","amount_won":5000})")
          .status,
      201);
  HttpResult cancel = client().Post("/v1/orders/o-c/cancel", checkout, "");
  ASSERT_EQ(cancel.status, 201) << cancel.body;
  EXPECT_EQ(cancel.Json()->getObject("refund")->getValue<int64_t>("amount_won"), 15000);
  EXPECT_TRUE(cancel.Json()->getObject("refund")->getValue<bool>("cancel"));
  EXPECT_EQ(cancel.Json()->getObject("order")->getValue<std::string>("status"), "cancelled");

  HttpResult again = client().Post("/v1/orders/o-c/cancel", checkout, "");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, cancel.body);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");

  HttpResult other = client().Post("/v1/orders/o-c/cancel", checkout, R"({"refund_id":"r-z"})");
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(other.Str("code"), "invalid_state");

  HttpResult confirm = client().Post("/v1/orders/o-c/confirm", checkout, "");
  EXPECT_EQ(confirm.status, 409);
  EXPECT_EQ(confirm.Str("code"), "invalid_state");
}

TEST_F(ApiTest, UnknownCustomerAndOrderAreNotFound) {
  HttpResult c = client().Get("/v1/customers/nobody", Token("checkout"));
  EXPECT_EQ(c.status, 404);
  EXPECT_EQ(c.Str("code"), "not_found");
  EXPECT_EQ(client().Get("/v1/customers/nobody/ledger", Token("checkout")).status, 404);
  EXPECT_EQ(client().Get("/v1/customers/nobody/events", Token("messaging")).status, 404);
  EXPECT_EQ(client().Get("/v1/orders/nothing", Token("checkout")).status, 404);
  EXPECT_EQ(client().Post("/v1/orders/nothing/confirm", Token("checkout"), "").status, 404);
}

TEST_F(ApiTest, BusinessRefusalsAreUnprocessable) {
  MakeCustomer("c-poor");
  HttpResult r = client().Post(
      "/v1/orders", Token("checkout"),
      R"({"order_id":"o-poor","customer_id":"c-poor","amount_won":10000,"points_to_redeem":500})");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.ContentType(), "application/problem+json");
  EXPECT_FALSE(OrderExists("o-poor"));
}

}  // namespace
}  // namespace loyalty::apitest
