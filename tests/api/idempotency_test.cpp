// Idempotency-Key replays and conflicts, natural keys (order_id, refund_id, adjustment_id),
// expiry after 48 h, and that failures are never stored.
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

class IdempotencyTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    MakeCustomer("c-i");
  }
  static std::string Order(const std::string& id, int64_t amount) {
    return R"({"order_id":")" + id + R"(","customer_id":"c-i","amount_won":)" +
           std::to_string(amount) + "}";
  }
  static void ExpectReplayOf(const HttpResult& replay, const HttpResult& original) {
    EXPECT_EQ(replay.status, original.status);
    EXPECT_EQ(replay.body, original.body);
    EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");
    EXPECT_FALSE(original.HasHeader("Idempotent-Replayed"));
  }
  static void ExpectConflict(const HttpResult& r, const std::string& field) {
    EXPECT_EQ(r.status, 409) << r.body;
    EXPECT_EQ(r.Str("code"), "idempotency_conflict");
    EXPECT_EQ(r.Str("field"), field);
  }
};

TEST_F(IdempotencyTest, SameKeySameBodyReplaysTheStoredResponse) {
  const std::string t = Token("checkout");
  HttpResult first = client().Post("/v1/orders", t, Order("o-1", 10000), "key-1");
  ASSERT_EQ(first.status, 201) << first.body;
  clock_.Advance(3'600'000'000);  // an hour later: the replay must still be byte-identical
  HttpResult again = client().Post("/v1/orders", t, Order("o-1", 10000), "key-1");
  ExpectReplayOf(again, first);
  // Member order in the body does not matter: the hash is over canonical JSON.
  HttpResult reordered = client().Post(
      "/v1/orders", t, R"({"amount_won":10000,"customer_id":"c-i","order_id":"o-1"})", "key-1");
  ExpectReplayOf(reordered, first);
}

TEST_F(IdempotencyTest, SameKeyDifferentBodyIsAConflict) {
  const std::string t = Token("checkout");
  ASSERT_EQ(client().Post("/v1/orders", t, Order("o-1", 10000), "key-1").status, 201);
  ExpectConflict(client().Post("/v1/orders", t, Order("o-2", 10000), "key-1"), "Idempotency-Key");
  EXPECT_FALSE(OrderExists("o-2"));
  // Same key on another route is a different request too.
  ExpectConflict(client().Post("/v1/orders/o-1/confirm", t, "", "key-1"), "Idempotency-Key");
}

TEST_F(IdempotencyTest, KeysAreScopedToTheApiKey) {
  ASSERT_EQ(client().Post("/v1/orders", Token("checkout"), Order("o-1", 10000), "shared").status,
            201);
  HttpResult other = client().Post("/v1/orders", Token("admin"), Order("o-2", 20000), "shared");
  EXPECT_EQ(other.status, 201) << other.body;
  EXPECT_FALSE(other.HasHeader("Idempotent-Replayed"));
}

TEST_F(IdempotencyTest, KeysExpireAfter48Hours) {
  const std::string t = Token("checkout");
  ASSERT_EQ(client().Post("/v1/orders", t, Order("o-1", 10000), "key-1").status, 201);
  clock_.Advance(int64_t{47} * 3'600'000'000);
  ExpectConflict(client().Post("/v1/orders", t, Order("o-2", 10000), "key-1"), "Idempotency-Key");
  clock_.Advance(int64_t{2} * 3'600'000'000);
  HttpResult reused = client().Post("/v1/orders", t, Order("o-2", 10000), "key-1");
  EXPECT_EQ(reused.status, 201) << reused.body;
  EXPECT_TRUE(OrderExists("o-2"));
}

TEST_F(IdempotencyTest, FailuresAreNotStored) {
  const std::string t = Token("checkout");
  const std::string redeem =
      R"({"order_id":"o-r","customer_id":"c-i","amount_won":10000,"points_to_redeem":5000})";
  EXPECT_EQ(client().Post("/v1/orders", t, redeem, "key-f").status, 422);
  // The failed attempt left nothing behind: the same key and order id work with a new body.
  HttpResult ok = client().Post("/v1/orders", t, Order("o-r", 10000), "key-f");
  EXPECT_EQ(ok.status, 201) << ok.body;
}

TEST_F(IdempotencyTest, OrderIdIsANaturalKey) {
  const std::string t = Token("checkout");
  HttpResult first = client().Post("/v1/orders", t, Order("o-n", 10000));
  ASSERT_EQ(first.status, 201);
  HttpResult again = client().Post("/v1/orders", t, Order("o-n", 10000));
  ExpectReplayOf(again, first);
  // Also with a fresh Idempotency-Key: the natural key still answers.
  ExpectReplayOf(client().Post("/v1/orders", t, Order("o-n", 10000), "fresh"), first);
  ExpectConflict(client().Post("/v1/orders", t, Order("o-n", 20000)), "order_id");
  HttpResult order = client().Get("/v1/orders/o-n", t);
  EXPECT_EQ(order.Int("amount_won"), 10000);
}

TEST_F(IdempotencyTest, RefundIdIsANaturalKey) {
  const std::string t = Token("checkout");
  ASSERT_EQ(client().Post("/v1/orders", t, Order("o-f", 10000)).status, 201);
  const std::string refund = R"({"refund_id":"r-1","amount_won":2000})";
  HttpResult first = client().Post("/v1/orders/o-f/refunds", t, refund);
  ASSERT_EQ(first.status, 201) << first.body;
  ExpectReplayOf(client().Post("/v1/orders/o-f/refunds", t, refund), first);
  ExpectConflict(
      client().Post("/v1/orders/o-f/refunds", t, R"({"refund_id":"r-1","amount_won":3000})"),
      "refund_id");
  HttpResult order = client().Get("/v1/orders/o-f", t);
  EXPECT_EQ(order.Int("refunded_won"), 2000);
  EXPECT_EQ(order.Json()->getArray("refunds")->size(), 1u);
}

TEST_F(IdempotencyTest, AdjustmentIdIsANaturalKey) {
  const std::string t = Token("cs_supervisor");
  const std::string body = R"({"adjustment_id":"a-1","points":700,"reason_code":"goodwill"})";
  HttpResult first = client().Post("/v1/customers/c-i/adjustments", t, body);
  ASSERT_EQ(first.status, 201) << first.body;
  ExpectReplayOf(client().Post("/v1/customers/c-i/adjustments", t, body), first);
  ExpectConflict(client().Post("/v1/customers/c-i/adjustments", t,
                               R"({"adjustment_id":"a-1","points":900,"reason_code":"goodwill"})"),
                 "adjustment_id");
  EXPECT_EQ(client().Get("/v1/customers/c-i", t).Int("available_points"), 700);
}

TEST_F(IdempotencyTest, CustomerUpsertReplaysWithItsOriginalStatus) {
  const std::string t = Token("checkout");
  HttpResult first = client().Put("/v1/customers/c-u", t, R"({"marketing_consent":true})", "put-1");
  ASSERT_EQ(first.status, 201);
  ExpectReplayOf(client().Put("/v1/customers/c-u", t, R"({"marketing_consent":true})", "put-1"),
                 first);
  EXPECT_EQ(client().Put("/v1/customers/c-u", t, R"({"marketing_consent":true})").status, 200);
}

}  // namespace
}  // namespace loyalty::apitest
