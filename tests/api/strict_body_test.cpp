// Request bodies go through the strict JSON reader: a duplicate member is a 400 naming the
// member (a request that says two things about one field is not guessed at), nothing is written,
// invalid UTF-8 is a 400 naming the member, and malformed JSON is still a 400 on "body", now
// saying where.
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

class StrictBodyTest : public ApiTest {
 protected:
  void ExpectInvalid(const HttpResult& r, const std::string& field, const std::string& where) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.ContentType(), "application/problem+json");
    if (r.status != 400) return;
    EXPECT_EQ(r.Str("code"), "validation_failed");
    EXPECT_EQ(r.Str("field"), field) << r.body;
    EXPECT_NE(r.Str("detail").find(where), std::string::npos) << r.body;
  }
};

TEST_F(StrictBodyTest, ADuplicateMemberInAnOrderIsRefusedAndBooksNothing) {
  MakeCustomer("v");
  const std::string checkout = Token("checkout");
  ExpectInvalid(
      client().Post("/v1/orders", checkout,
                    R"({"order_id":"o","customer_id":"v","amount_won":-5,"amount_won":10000})"),
      "amount_won", "line 1, column 51");
  // With an Idempotency-Key too: refused before anything is recorded under the key.
  ExpectInvalid(
      client().Post("/v1/orders", checkout,
                    R"({"order_id":"o","order_id":"o2","customer_id":"v","amount_won":10000})",
                    "dup-key-1"),
      "order_id", "line 1, column 17");
  EXPECT_FALSE(OrderExists("o"));
  EXPECT_FALSE(OrderExists("o2"));
  HttpResult ledger = client().Get("/v1/customers/v/ledger", checkout);
  ASSERT_EQ(ledger.status, 200) << ledger.body;
  EXPECT_EQ(ledger.Json()->getArray("entries")->size(), 0u);

  // The same order written once is booked: the duplicate was the only thing wrong.
  HttpResult booked =
      client().Post("/v1/orders", checkout,
                    R"({"order_id":"o","customer_id":"v","amount_won":10000})", "dup-key-1");
  EXPECT_EQ(booked.status, 201) << booked.body;
  EXPECT_TRUE(OrderExists("o"));
}

TEST_F(StrictBodyTest, ADuplicateMemberInACustomerUpsertCreatesNoCustomer) {
  ExpectInvalid(
      client().Put("/v1/customers/c-dup", Token("checkout"),
                   "{\n  \"marketing_consent\": true,\n  \"marketing_consent\": false\n}"),
      "marketing_consent", "line 3, column 3");
  EXPECT_FALSE(CustomerExists("c-dup"));
}

TEST_F(StrictBodyTest, MalformedBodiesAreStillTheBodyAndSayWhere) {
  MakeCustomer("w");
  const std::string checkout = Token("checkout");
  ExpectInvalid(client().Post("/v1/orders", checkout,
                              R"({"order_id":"o-w","customer_id":"w","amount_won":1000,})"),
                "body", "line 1, column 55");
  // Invalid UTF-8 spoils one string: named as such, in the member that holds it.
  ExpectInvalid(client().Post("/v1/orders", checkout,
                              "{\"order_id\":\"o-w\",\"customer_id\":\"w\",\"amount_won\":1000,"
                              "\"note\":\"\xC0\xAF\"}"),
                "note", "invalid UTF-8");
  ExpectInvalid(client().Post("/v1/orders", checkout,
                              R"({"order_id":"o-w","customer_id":"w","amount_won":1000} {})"),
                "body", "line 1, column 56");
  EXPECT_FALSE(OrderExists("o-w"));
}

}  // namespace
}  // namespace loyalty::apitest
