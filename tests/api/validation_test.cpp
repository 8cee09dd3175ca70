// Bad input: each case is a 400 problem naming the field, and nothing is written.
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

struct BadOrder {
  const char* name;
  std::string body;
  std::string field;
};

class ValidationTest : public ApiTest {
 protected:
  void ExpectInvalid(const HttpResult& r, const std::string& field) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.ContentType(), "application/problem+json");
    if (r.status != 400) return;
    EXPECT_EQ(r.Str("code"), "validation_failed");
    EXPECT_EQ(r.Str("field"), field) << r.body;
    EXPECT_EQ(r.Str("type"), "https://loyalty.dev/problems/validation_failed");
    EXPECT_EQ(r.Int("status"), 400);
  }
};

TEST_F(ValidationTest, BadOrderBodiesAreRejectedAndNothingIsWritten) {
  MakeCustomer("c-v");
  const std::string id65(65, 'o');
  const std::vector<BadOrder> cases = {
      {"malformed", R"({"order_id":"o-bad","customer_id":"c-v",)", "body"},
      {"not an object", R"(["o-bad"])", "body"},
      {"trailing garbage", R"({"order_id":"o-bad","customer_id":"c-v","amount_won":1} x)", "body"},
      {"unknown field",
       R"({"order_id":"o-bad","customer_id":"c-v","amount_won":1000,"coupon":"X"})", "coupon"},
      {"wrong type", R"({"order_id":"o-bad","customer_id":"c-v","amount_won":"1000"})",
       "amount_won"},
      {"bool for integer", R"({"order_id":"o-bad","customer_id":"c-v","amount_won":true})",
       "amount_won"},
      {"null for integer", R"({"order_id":"o-bad","customer_id":"c-v","amount_won":null})",
       "amount_won"},
      {"fraction", R"({"order_id":"o-bad","customer_id":"c-v","amount_won":1000.5})", "amount_won"},
      {"integral fraction", R"({"order_id":"o-bad","customer_id":"c-v","amount_won":1000.0})",
       "amount_won"},
      {"exponent", R"({"order_id":"o-bad","customer_id":"c-v","amount_won":1e3})", "amount_won"},
      {"past 2^53", R"({"order_id":"o-bad","customer_id":"c-v","amount_won":9007199254740992})",
       "amount_won"},
      {"past 2^64",
       R"({"order_id":"o-bad","customer_id":"c-v","amount_won":99999999999999999999999})", "body"},
      {"over the order maximum",
       R"({"order_id":"o-bad","customer_id":"c-v","amount_won":10000000001})", "amount_won"},
      {"negative amount", R"({"order_id":"o-bad","customer_id":"c-v","amount_won":-1000})",
       "amount_won"},
      {"zero amount", R"({"order_id":"o-bad","customer_id":"c-v","amount_won":0})", "amount_won"},
      {"negative shipping",
       R"({"order_id":"o-bad","customer_id":"c-v","amount_won":1000,"shipping_won":-1})",
       "shipping_won"},
      {"negative redemption",
       R"({"order_id":"o-bad","customer_id":"c-v","amount_won":1000,"points_to_redeem":-5})",
       "points_to_redeem"},
      {"missing amount", R"({"order_id":"o-bad","customer_id":"c-v"})", "amount_won"},
      {"missing order id", R"({"customer_id":"c-v","amount_won":1000})", "order_id"},
      {"empty id", R"({"order_id":"","customer_id":"c-v","amount_won":1000})", "order_id"},
      {"overlong id", R"({"order_id":")" + id65 + R"(","customer_id":"c-v","amount_won":1000})",
       "order_id"},
      {"id with a space", R"({"order_id":"o bad","customer_id":"c-v","amount_won":1000})",
       "order_id"},
      {"id with hangul", R"({"order_id":"주문-1","customer_id":"c-v","amount_won":1000})",
       "order_id"},
  };
  for (const BadOrder& c : cases) {
    SCOPED_TRACE(c.name);
    ExpectInvalid(client().Post("/v1/orders", Token("checkout"), c.body), c.field);
  }
  EXPECT_FALSE(OrderExists("o-bad"));
  EXPECT_FALSE(OrderExists(id65));
  // The customer is untouched: still no entries.
  HttpResult ledger = client().Get("/v1/customers/c-v/ledger", Token("checkout"));
  EXPECT_EQ(ledger.Json()->getArray("entries")->size(), 0u);
}

TEST_F(ValidationTest, BadCustomerUpsertsCreateNoCustomer) {
  const std::string checkout = Token("checkout");
  ExpectInvalid(client().Put("/v1/customers/c-new", checkout, R"({"marketing_consent":"yes"})"),
                "marketing_consent");
  ExpectInvalid(client().Put("/v1/customers/c-new", checkout, R"({"birth_date":"1990-02-30"})"),
                "birth_date");
  ExpectInvalid(client().Put("/v1/customers/c-new", checkout, R"({"birth_date":19900101})"),
                "birth_date");
  ExpectInvalid(client().Put("/v1/customers/c-new", checkout, R"({"tier":"VIP"})"), "tier");
  ExpectInvalid(client().Put("/v1/customers/c-new", checkout, R"({"night_consent":1})"),
                "night_consent");
  EXPECT_FALSE(CustomerExists("c-new"));
  const std::string long_id(65, 'c');
  ExpectInvalid(client().Put("/v1/customers/" + long_id, checkout, "{}"), "customer_id");
  EXPECT_FALSE(CustomerExists(long_id));
  ExpectInvalid(client().Put("/v1/customers/c%20x", checkout, "{}"), "customer_id");
}

TEST_F(ValidationTest, BadAdjustmentsRefundsAndQuotesAreRejected) {
  MakeCustomer("c-a");
  const std::string sup = Token("cs_supervisor");
  const std::string path = "/v1/customers/c-a/adjustments";
  ExpectInvalid(client().Post(path, sup, R"({"adjustment_id":"a1","points":0,"reason_code":"x"})"),
                "points");
  ExpectInvalid(
      client().Post(path, sup, R"({"adjustment_id":"a1","points":100000001,"reason_code":"x"})"),
      "points");
  ExpectInvalid(
      client().Post(path, sup, R"({"adjustment_id":"a1","points":5,"reason_code":"Bad"})"),
      "reason_code");
  ExpectInvalid(client().Post(path, sup, R"({"adjustment_id":"a1","points":5})"), "reason_code");
  ExpectInvalid(client().Post(path, sup,
                              R"({"adjustment_id":"a1","points":5,"reason_code":"x",)"
                              R"("note":")" +
                                  std::string(501, 'n') + R"("})"),
                "note");
  ExpectInvalid(client().Post(path, sup, R"({"points":5,"reason_code":"x"})"), "adjustment_id");
  HttpResult customer = client().Get("/v1/customers/c-a", sup);
  EXPECT_EQ(customer.Int("available_points"), 0);

  const std::string checkout = Token("checkout");
  ASSERT_EQ(client()
                .Post("/v1/orders", checkout,
                      R"({"order_id":"o-a","customer_id":"c-a","amount_won":10000})")
                .status,
            201);
  ExpectInvalid(
      client().Post("/v1/orders/o-a/refunds", checkout, R"({"refund_id":"r1","amount_won":0})"),
      "amount_won");
  ExpectInvalid(client().Post("/v1/orders/o-a/refunds", checkout, R"({"amount_won":10})"),
                "refund_id");
  ExpectInvalid(client().Post("/v1/orders/o-a/confirm", checkout, R"({"force":true})"), "force");
  ExpectInvalid(client().Post("/v1/orders/o-a/cancel", checkout, R"({"refund_id":7})"),
                "refund_id");
  HttpResult order = client().Get("/v1/orders/o-a", checkout);
  EXPECT_EQ(order.Str("status"), "placed");
  EXPECT_EQ(order.Json()->getArray("refunds")->size(), 0u);

  ExpectInvalid(client().Post("/v1/quotes", checkout, R"({"customer_id":"c-a","amount_won":-1})"),
                "amount_won");
  ExpectInvalid(client().Post("/v1/quotes", checkout, R"({"amount_won":100})"), "customer_id");
}

TEST_F(ValidationTest, BadQueryParametersAndHeaders) {
  MakeCustomer("c-q");
  const std::string checkout = Token("checkout");
  ExpectInvalid(client().Get("/v1/customers/c-q/ledger?limit=0", checkout), "limit");
  ExpectInvalid(client().Get("/v1/customers/c-q/ledger?limit=501", checkout), "limit");
  ExpectInvalid(client().Get("/v1/customers/c-q/ledger?limit=ten", checkout), "limit");
  ExpectInvalid(client().Get("/v1/customers/c-q/ledger?cursor=-1", checkout), "cursor");
  ExpectInvalid(client().Get("/v1/events?after=1.5", Token("jobs")), "after");
  EXPECT_EQ(client().Get("/v1/customers/c-q/ledger?limit=500", checkout).status, 200);

  const std::string order = R"({"order_id":"o-h","customer_id":"c-q","amount_won":1000})";
  ExpectInvalid(client().Post("/v1/orders", checkout, order, std::string(256, 'k')),
                "Idempotency-Key");
  ExpectInvalid(client().Post("/v1/orders", checkout, order, "tab\there"), "Idempotency-Key");
  EXPECT_FALSE(OrderExists("o-h"));
  EXPECT_EQ(client().Post("/v1/orders", checkout, order, std::string(255, 'k')).status, 201);
}

}  // namespace
}  // namespace loyalty::apitest
