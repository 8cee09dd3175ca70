// Every route x every role: allowed roles get past authorization, the others get 403, and no
// key, an unknown key, a malformed header or a revoked key get 401. The expected matrix is
// written out here independently of api/routes.cpp.
#include <map>
#include <set>

#include "api/routes.h"
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

const std::set<std::string> kEveryRole = {"checkout",  "cs_agent", "cs_supervisor", "admin",
                                          "messaging", "jobs",     "metrics"};
// Every role but metrics, whose key scrapes /metrics and reads nothing else.
const std::set<std::string> kAll = {"checkout", "cs_agent",  "cs_supervisor",
                                    "admin",    "messaging", "jobs"};

const std::map<std::string, std::set<std::string>>& ExpectedMatrix() {
  static const std::map<std::string, std::set<std::string>> kMatrix = {
      {"GET /metrics", {"metrics", "admin"}},
      {"GET /v1/program", kAll},
      {"GET /v1/customers", {"cs_agent", "cs_supervisor", "admin"}},
      {"PUT /v1/customers/{customer_id}", {"checkout", "cs_agent", "cs_supervisor", "admin"}},
      {"GET /v1/customers/{customer_id}", kAll},
      {"GET /v1/customers/{customer_id}/ledger",
       {"checkout", "cs_agent", "cs_supervisor", "admin"}},
      {"GET /v1/customers/{customer_id}/tier-changes", kAll},
      {"GET /v1/customers/{customer_id}/events",
       {"cs_agent", "cs_supervisor", "admin", "messaging"}},
      {"GET /v1/customers/{customer_id}/messages",
       {"cs_agent", "cs_supervisor", "admin", "messaging"}},
      {"POST /v1/customers/{customer_id}/consent",
       {"messaging", "cs_agent", "cs_supervisor", "admin"}},
      {"POST /v1/customers/{customer_id}/adjustments", {"cs_agent", "cs_supervisor", "admin"}},
      {"POST /v1/customers/{customer_id}/coupons", {"cs_agent", "cs_supervisor", "admin"}},
      {"GET /v1/customers/{customer_id}/coupons", kAll},
      {"POST /v1/coupon-batches", {"cs_supervisor", "admin"}},
      {"GET /v1/coupon-batches/{batch_id}", {"cs_supervisor", "admin"}},
      {"GET /v1/coupon-batches/{batch_id}/coupons", {"cs_supervisor", "admin"}},
      {"GET /v1/events", {"admin", "messaging", "jobs"}},
      {"POST /v1/messages/pull", {"messaging", "admin"}},
      {"POST /v1/messages/ack", {"messaging", "admin"}},
      {"GET /v1/messages", {"messaging", "admin"}},
      {"POST /v1/messages/replay", {"admin"}},
      {"POST /v1/webhooks/subscriptions", {"admin"}},
      {"GET /v1/webhooks/subscriptions", {"admin"}},
      {"GET /v1/webhooks/subscriptions/{subscription_id}", {"admin"}},
      {"DELETE /v1/webhooks/subscriptions/{subscription_id}", {"admin"}},
      {"POST /v1/webhooks/subscriptions/{subscription_id}/rotate", {"admin"}},
      {"POST /v1/webhooks/subscriptions/{subscription_id}/replay", {"admin"}},
      {"GET /v1/reports/liability", {"admin"}},
      {"POST /v1/carts", {"checkout", "admin"}},
      {"POST /v1/quotes", {"checkout", "admin"}},
      {"POST /v1/orders", {"checkout", "admin"}},
      {"GET /v1/orders/{order_id}", {"checkout", "cs_agent", "cs_supervisor", "admin"}},
      {"POST /v1/orders/{order_id}/confirm", {"checkout", "admin"}},
      {"POST /v1/orders/{order_id}/refunds", {"checkout", "admin"}},
      {"POST /v1/orders/{order_id}/cancel", {"checkout", "admin"}},
  };
  return kMatrix;
}

std::string Concrete(std::string path) {
  for (const auto& [param, value] :
       std::map<std::string, std::string>{{"{customer_id}", "c-matrix"},
                                          {"{order_id}", "o-matrix"},
                                          {"{batch_id}", "b-matrix"},
                                          {"{subscription_id}", "1"}}) {
    const size_t at = path.find(param);
    if (at != std::string::npos) path.replace(at, param.size(), value);
  }
  return path;
}

std::string BodyFor(const std::string& method, const std::string& path) {
  if (method == "PUT") return R"({"marketing_consent":true})";
  if (method != "POST") return "";
  if (path == "/v1/quotes") return R"({"customer_id":"c-matrix","amount_won":10000})";
  if (path == "/v1/orders") {
    return R"({"order_id":"o-matrix-2","customer_id":"c-matrix","amount_won":10000})";
  }
  if (path.find("/refunds") != std::string::npos) {
    return R"({"refund_id":"r-matrix","amount_won":1000})";
  }
  if (path.find("/consent") != std::string::npos) {
    return R"({"marketing_consent":true,"channel":"cs"})";
  }
  if (path.find("/adjustments") != std::string::npos) {
    return R"({"adjustment_id":"a-matrix","points":100,"reason_code":"goodwill"})";
  }
  if (path.find("/coupons") != std::string::npos) {
    return R"({"issuance_id":"i-matrix","template":"WELCOME","reason":"goodwill"})";
  }
  if (path == "/v1/messages/ack") return R"({"message_ids":[1]})";
  if (path == "/v1/messages/replay") return R"({"after_message_id":0})";
  if (path == "/v1/webhooks/subscriptions") {
    return R"({"url":"http://127.0.0.1:9/hook","event_types":["*"]})";
  }
  if (path.find("/replay") != std::string::npos) return R"({"after_event_id":0})";
  if (path == "/v1/carts") {
    return R"({"customer_id":"c-matrix","cart_id":"cart-matrix","amount_won":10000})";
  }
  if (path == "/v1/coupon-batches") {
    return R"({"batch_id":"b-matrix","template":"WELCOME","reason":"campaign","count":2})";
  }
  return "{}";
}

class RoleMatrixTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    MakeCustomer("c-matrix");
    ASSERT_EQ(client()
                  .Post("/v1/orders", Token("admin"),
                        R"({"order_id":"o-matrix","customer_id":"c-matrix","amount_won":50000})")
                  .status,
              201);
  }
  HttpResult Call(const RouteInfo& route, const std::string& token, const Headers& extra = {}) {
    Headers h = extra;
    return client().Send(route.method, Concrete(route.path), token,
                         BodyFor(route.method, route.path), h);
  }
};

TEST_F(RoleMatrixTest, TheExpectedMatrixCoversEveryAuthenticatedRoute) {
  std::set<std::string> in_table;
  for (const RouteInfo& r : Routes()) {
    if (r.requires_auth) in_table.insert(r.method + " " + r.path);
  }
  std::set<std::string> expected;
  for (const auto& [route, roles] : ExpectedMatrix()) expected.insert(route);
  EXPECT_EQ(in_table, expected);
}

TEST_F(RoleMatrixTest, EveryRouteTimesEveryRole) {
  for (const RouteInfo& route : Routes()) {
    if (!route.requires_auth) continue;
    const auto& allowed = ExpectedMatrix().at(route.method + " " + route.path);
    for (const std::string& role : kEveryRole) {
      HttpResult r = Call(route, Token(role));
      SCOPED_TRACE(route.method + " " + route.path + " as " + role + ": " + r.body);
      if (allowed.count(role) > 0) {
        EXPECT_NE(r.status, 401);
        EXPECT_NE(r.status, 403);
        EXPECT_LT(r.status, 500);
      } else {
        EXPECT_EQ(r.status, 403);
        EXPECT_EQ(r.Str("code"), "forbidden");
        EXPECT_EQ(r.ContentType(), "application/problem+json");
      }
    }
  }
}

TEST_F(RoleMatrixTest, EveryRouteRejectsMissingUnknownMalformedAndRevokedKeys) {
  auto revoked = CreateApiKey(ApiRecordsOf(*session_), "test-revoked", "admin", clock_.NowMicros());
  ASSERT_TRUE(revoked.ok());
  ASSERT_TRUE(ApiRecordsOf(*session_).RevokeApiKey("test-revoked", clock_.NowMicros()).ok());
  const std::string unknown = "lk_" + std::string(40, 'a');
  for (const RouteInfo& route : Routes()) {
    if (!route.requires_auth) continue;
    SCOPED_TRACE(route.method + " " + route.path);
    HttpResult none = Call(route, "");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.Str("code"), "unauthorized");
    EXPECT_EQ(none.Header("WWW-Authenticate"), "Bearer");
    EXPECT_EQ(Call(route, unknown).status, 401);
    EXPECT_EQ(Call(route, "not-a-token").status, 401);
    EXPECT_EQ(Call(route, *revoked).status, 401);
    HttpResult basic = Call(route, "", {{"Authorization", "Basic dXNlcjpwYXNz"}});
    EXPECT_EQ(basic.status, 401);
  }
  // Authentication comes before any validation: a bad id tells an anonymous caller nothing.
  EXPECT_EQ(client().Get("/v1/customers/bad%20id", "").status, 401);
}

TEST_F(RoleMatrixTest, TheMatrixKnowsEveryRole) {
  const std::set<std::string> known(KnownRoles().begin(), KnownRoles().end());
  EXPECT_EQ(known, kEveryRole);
}

TEST_F(RoleMatrixTest, ProbesNeedNoKey) {
  std::set<std::string> open;
  for (const RouteInfo& route : Routes()) {
    if (route.requires_auth) continue;
    open.insert(route.method + " " + route.path);
    EXPECT_EQ(client().Get(route.path, "").status, 200) << route.path;
  }
  // /metrics tells traffic and error rates: not a probe.
  EXPECT_EQ(open, (std::set<std::string>{"GET /healthz", "GET /readyz"}));
}

TEST_F(RoleMatrixTest, CsAgentAdjustmentsAreCappedAtTenThousandPoints) {
  const std::string path = "/v1/customers/c-matrix/adjustments";
  HttpResult big =
      client().Post(path, Token("cs_agent"),
                    R"({"adjustment_id":"a-big","points":10001,"reason_code":"goodwill"})");
  EXPECT_EQ(big.status, 403) << big.body;
  EXPECT_EQ(big.Str("detail"), "adjustments over 10,000 points need cs_supervisor");
  HttpResult big_debit =
      client().Post(path, Token("cs_agent"),
                    R"({"adjustment_id":"a-big","points":-10001,"reason_code":"fraud"})");
  EXPECT_EQ(big_debit.status, 403) << big_debit.body;
  HttpResult limit =
      client().Post(path, Token("cs_agent"),
                    R"({"adjustment_id":"a-10k","points":10000,"reason_code":"goodwill"})");
  EXPECT_EQ(limit.status, 201) << limit.body;
  EXPECT_EQ(limit.Json()->getObject("adjustment")->getValue<std::string>("actor_role"), "cs_agent");
  EXPECT_EQ(limit.Json()->getObject("adjustment")->getValue<std::string>("actor_name"),
            "test-cs_agent");
  HttpResult sup =
      client().Post(path, Token("cs_supervisor"),
                    R"({"adjustment_id":"a-big","points":50000,"reason_code":"goodwill"})");
  EXPECT_EQ(sup.status, 201) << sup.body;
  EXPECT_EQ(sup.Json()->getObject("customer")->getValue<int64_t>("available_points"), 60000);
}

}  // namespace
}  // namespace loyalty::apitest
