// Coupons through the REST API: issuance by hand (idempotent, audited), the quote's reasons,
// redemption with the order, cancel, bulk batches (in the request and in the background) and
// many HTTP clients racing for one code.
#include <Poco/JSON/Array.h>

#include <atomic>
#include <barrier>
#include <thread>

#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

class CouponsApiTest : public ApiTest {
 protected:
  std::string IssueWelcome(const std::string& customer_id, const std::string& issuance_id) {
    HttpResult r = client().Post("/v1/customers/" + customer_id + "/coupons", Token("cs_agent"),
                                 R"({"issuance_id":")" + issuance_id +
                                     R"(","template":"WELCOME","reason":"apology for a delay"})");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? r.Str("code") : "";
  }
};

TEST_F(CouponsApiTest, CsIssuesACouponWithAReasonOnceAndItIsAudited) {
  MakeCustomer("c1");
  const std::string code = IssueWelcome("c1", "iss-1");
  EXPECT_EQ(code.rfind("WELCOME-", 0), 0u);
  HttpResult again = client().Post("/v1/customers/c1/coupons", Token("cs_agent"),
                                   R"({"issuance_id":"iss-1","template":"WELCOME",)"
                                   R"("reason":"apology for a delay"})");
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.Str("code"), code);
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  HttpResult list = client().Get("/v1/customers/c1/coupons?status=active", Token("checkout"));
  ASSERT_EQ(list.status, 200) << list.body;
  auto coupons = list.Json()->getArray("coupons");
  // The demo programme's welcome coupon (issued at sign-up) and the one CS issued, once.
  ASSERT_EQ(coupons->size(), 2u);
  int by_cs = 0;
  for (size_t i = 0; i < coupons->size(); ++i) {
    auto c = coupons->getObject(static_cast<unsigned>(i));
    if (c->getValue<std::string>("code") != code) {
      EXPECT_EQ(c->getValue<std::string>("reason"), "welcome");
      continue;
    }
    ++by_cs;
    EXPECT_EQ(c->getValue<std::string>("issued_by"), "cs_agent:test-cs_agent");
    EXPECT_EQ(c->getValue<std::string>("reason"), "apology for a delay");
  }
  EXPECT_EQ(by_cs, 1);
}

TEST_F(CouponsApiTest, AnUnknownTemplateIsAValidationError) {
  MakeCustomer("c1");
  HttpResult r = client().Post("/v1/customers/c1/coupons", Token("cs_agent"),
                               R"({"issuance_id":"i","template":"NOPE","reason":"x"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Str("field"), "template");
}

TEST_F(CouponsApiTest, TheQuoteSaysWhyACouponDoesNotApply) {
  MakeCustomer("c1");
  const std::string code = IssueWelcome("c1", "iss-1");
  HttpResult ok =
      client().Post("/v1/quotes", Token("checkout"),
                    R"({"customer_id":"c1","amount_won":20000,"coupon_code":")" + code + R"("})");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Int("coupon_discount_won"), 3000);
  EXPECT_EQ(ok.Int("paid_won"), 17000);
  HttpResult small =
      client().Post("/v1/quotes", Token("checkout"),
                    R"({"customer_id":"c1","amount_won":19999,"coupon_code":")" + code + R"("})");
  ASSERT_EQ(small.status, 200);
  EXPECT_FALSE(small.Json()->getValue<bool>("coupon_applicable"));
  EXPECT_EQ(small.Json()->getObject("coupon_error")->getValue<std::string>("code"),
            "coupon_min_order_not_met");
  std::string typo = code;
  typo.back() = typo.back() == '2' ? '3' : '2';
  HttpResult bad =
      client().Post("/v1/quotes", Token("checkout"),
                    R"({"customer_id":"c1","amount_won":20000,"coupon_code":")" + typo + R"("})");
  EXPECT_EQ(bad.Json()->getObject("coupon_error")->getValue<std::string>("code"),
            "coupon_code_invalid");
}

TEST_F(CouponsApiTest, AnOrderRedeemsTheCouponAndACancelGivesItBack) {
  MakeCustomer("c1");
  const std::string code = IssueWelcome("c1", "iss-1");
  const std::string body =
      R"({"order_id":"o1","customer_id":"c1","amount_won":50000,"coupon_code":[")" + code +
      R"("]})";
  HttpResult order = client().Post("/v1/orders", Token("checkout"), body);
  ASSERT_EQ(order.status, 201) << order.body;
  EXPECT_EQ(order.Int("coupon_discount_won"), 3000);
  EXPECT_EQ(order.Int("paid_won"), 47000);
  HttpResult reuse = client().Post(
      "/v1/orders", Token("checkout"),
      R"({"order_id":"o2","customer_id":"c1","amount_won":50000,"coupon_code":")" + code + R"("})");
  EXPECT_EQ(reuse.status, 409);
  EXPECT_EQ(reuse.Str("code"), "coupon_already_redeemed");
  ASSERT_EQ(client().Post("/v1/orders/o1/cancel", Token("checkout"), "{}").status, 201);
  HttpResult list = client().Get("/v1/customers/c1/coupons?status=active", Token("checkout"));
  auto active = list.Json()->getArray("coupons");
  bool restored = false;
  for (size_t i = 0; i < active->size(); ++i) {
    restored |= active->getObject(static_cast<unsigned>(i))->getValue<std::string>("code") == code;
  }
  EXPECT_TRUE(restored) << list.body;
  EXPECT_EQ(active->size(), 2u);  // with the welcome coupon of the demo programme
}

TEST_F(CouponsApiTest, ManyClientsRaceForOneCampaignCodeAndExactlyOneWins) {
  HttpResult batch = client().Post("/v1/coupon-batches", Token("admin"),
                                   R"({"batch_id":"camp-1","template":"BIRTHDAY_GOLD",)"
                                   R"("reason":"campaign","count":1})");
  ASSERT_EQ(batch.status, 201) << batch.body;
  const std::string code = batch.Json()->getArray("codes")->getElement<std::string>(0);
  constexpr int kClients = 24;
  for (int i = 0; i < kClients; ++i) MakeCustomer("r" + std::to_string(i));
  std::atomic<int> created{0}, redeemed{0}, other{0};
  std::barrier start(kClients);
  std::vector<std::thread> threads;
  const int port = server_->port();
  const std::string token = Token("checkout");
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      Client c(port);
      const std::string body = R"({"order_id":"race-)" + std::to_string(i) +
                               R"(","customer_id":"r)" + std::to_string(i) +
                               R"(","amount_won":40000,"coupon_code":")" + code + R"("})";
      start.arrive_and_wait();
      HttpResult r = c.Post("/v1/orders", token, body);
      if (r.status == 201) {
        ++created;
      } else if (r.status == 409 && r.Str("code") == "coupon_already_redeemed") {
        ++redeemed;
      } else {
        ++other;
        ADD_FAILURE() << r.status << " " << r.body;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(redeemed.load(), kClients - 1);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(CouponsApiTest, ABatchToCustomersIssuesOneEach) {
  MakeCustomer("b1");
  MakeCustomer("b2");
  HttpResult r = client().Post("/v1/coupon-batches", Token("cs_supervisor"),
                               R"({"batch_id":"bb","template":"WELCOME","reason":"x",)"
                               R"("customer_ids":["b1","b2"]})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Json()->getObject("batch")->getValue<std::string>("status"), "done");
  EXPECT_EQ(r.Json()->getArray("codes")->size(), 2u);
  HttpResult unknown = client().Post("/v1/coupon-batches", Token("cs_supervisor"),
                                     R"({"batch_id":"bx","template":"WELCOME","reason":"x",)"
                                     R"("customer_ids":["nobody"]})");
  EXPECT_EQ(unknown.status, 404);
}

TEST_F(CouponsApiTest, ALargeBatchIsIssuedInTheBackgroundWithProgress) {
  HttpResult r = client().Post("/v1/coupon-batches", Token("admin"),
                               R"({"batch_id":"big","template":"WELCOME","reason":"x",)"
                               R"("count":2500})");
  ASSERT_EQ(r.status, 202) << r.body;
  // Polls the progress (no sleep: each GET is a round trip while the worker commits chunks).
  std::string status;
  for (int i = 0; i < 100000 && status != "done"; ++i) {
    HttpResult g = client().Get("/v1/coupon-batches/big", Token("admin"));
    ASSERT_EQ(g.status, 200);
    status = g.Str("status");
    EXPECT_LE(g.Int("issued"), 2500);
    std::this_thread::yield();
  }
  ASSERT_EQ(status, "done");
  HttpResult page = client().Get("/v1/coupon-batches/big/coupons?limit=500", Token("admin"));
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Json()->getArray("coupons")->size(), 500u);
}

}  // namespace
}  // namespace loyalty::apitest
