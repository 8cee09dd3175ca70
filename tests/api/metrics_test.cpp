// GET /metrics: behind a key (role metrics or admin); Prometheus text with route-template labels,
// a method label bounded to the known methods, and the executor's batch histogram.
#include <set>
#include <string>

#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

bool Contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST_F(ApiTest, MetricsCountRequestsByRouteTemplateAndShowCommitBatches) {
  MakeCustomer("c-m");
  ASSERT_EQ(client()
                .Post("/v1/orders", Token("checkout"),
                      R"({"order_id":"o-m1","customer_id":"c-m","amount_won":1000})")
                .status,
            201);
  ASSERT_EQ(client().Get("/v1/orders/o-m1", Token("checkout")).status, 200);
  ASSERT_EQ(client().Get("/v1/orders/o-none", Token("checkout")).status, 404);
  ASSERT_EQ(client().Get("/nowhere", "").status, 404);
  const std::string big = R"({"pad":")" + std::string(70 * 1024, 'x') + "\"}";
  ASSERT_EQ(client().Post("/v1/quotes", Token("checkout"), big).status, 413);

  HttpResult r = client().Get("/metrics", Token("metrics"));
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.ContentType().rfind("text/plain", 0), 0u) << r.ContentType();
  const std::string& m = r.body;
  EXPECT_TRUE(Contains(m, "# TYPE loyalty_http_requests_total counter")) << m;
  EXPECT_TRUE(Contains(
      m, R"(loyalty_http_requests_total{route="/v1/orders",method="POST",status="201"} 1)"))
      << m;
  EXPECT_TRUE(Contains(
      m,
      R"(loyalty_http_requests_total{route="/v1/customers/{customer_id}",method="PUT",status="201"} 1)"))
      << m;
  EXPECT_TRUE(Contains(
      m,
      R"(loyalty_http_requests_total{route="/v1/orders/{order_id}",method="GET",status="200"} 1)"));
  EXPECT_TRUE(Contains(
      m,
      R"(loyalty_http_requests_total{route="/v1/orders/{order_id}",method="GET",status="404"} 1)"));
  EXPECT_TRUE(
      Contains(m, R"(loyalty_http_requests_total{route="unmatched",method="GET",status="404"} 1)"));
  EXPECT_TRUE(Contains(
      m, R"(loyalty_http_requests_total{route="/v1/quotes",method="POST",status="413"} 1)"));
  EXPECT_FALSE(Contains(m, "o-m1")) << "raw ids must never become labels";
  EXPECT_TRUE(Contains(m, "# TYPE loyalty_http_request_duration_seconds histogram"));
  EXPECT_TRUE(Contains(
      m,
      R"(loyalty_http_request_duration_seconds_bucket{route="/v1/orders",method="POST",le="0.0005"})"));
  EXPECT_TRUE(Contains(
      m,
      R"(loyalty_http_request_duration_seconds_bucket{route="/v1/orders",method="POST",le="5"})"));
  EXPECT_TRUE(Contains(
      m, R"(loyalty_http_request_duration_seconds_count{route="/v1/orders",method="POST"} 1)"));
  EXPECT_TRUE(Contains(m, "# TYPE loyalty_commit_batch_size histogram"));
  EXPECT_TRUE(Contains(m, R"(loyalty_commit_batch_size_bucket{le="1"})"));
  EXPECT_TRUE(Contains(m, R"(loyalty_commit_batch_size_bucket{le="256"})"));
  EXPECT_TRUE(Contains(m, R"(loyalty_commit_batch_size_bucket{le="+Inf"} 2)")) << m;
  EXPECT_TRUE(Contains(m, "loyalty_commits_total 2"));
  EXPECT_TRUE(Contains(m, "loyalty_commands_total 2"));
  EXPECT_TRUE(Contains(m, "loyalty_commit_retries_total 0"));
}

TEST_F(ApiTest, MetricsNeedAKeyOfTheMetricsOrAdminRole) {
  HttpResult anonymous = client().Get("/metrics", "");
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_EQ(anonymous.ContentType(), "application/problem+json");
  EXPECT_EQ(anonymous.Str("code"), "unauthorized");
  EXPECT_EQ(anonymous.Header("WWW-Authenticate"), "Bearer");
  EXPECT_FALSE(Contains(anonymous.body, "loyalty_http_requests_total"));
  HttpResult checkout = client().Get("/metrics", Token("checkout"));
  EXPECT_EQ(checkout.status, 403) << checkout.body;
  EXPECT_FALSE(Contains(checkout.body, "loyalty_http_requests_total"));
  EXPECT_EQ(client().Get("/metrics", Token("admin")).status, 200);
  HttpResult scraper = client().Get("/metrics", Token("metrics"));
  ASSERT_EQ(scraper.status, 200) << scraper.body;
  // The refusals are counted like any other answer.
  EXPECT_TRUE(Contains(
      scraper.body, R"(loyalty_http_requests_total{route="/metrics",method="GET",status="401"} 1)"))
      << scraper.body;
  // A metrics key reads nothing else.
  EXPECT_EQ(client().Get("/v1/customers/c-1", Token("metrics")).status, 403);
}

TEST_F(ApiTest, UnknownMethodsAreCountedAsOtherAndAddNoSeries) {
  // The label sets of the request counter, leaving out the scrapes' own /metrics series.
  const auto series = [](const std::string& text) {
    std::set<std::string> out;
    const std::string prefix = "loyalty_http_requests_total{";
    for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
      const std::string labels = text.substr(at, text.find('}', at) - at);
      if (!Contains(labels, R"(route="/metrics")")) out.insert(labels);
    }
    return out;
  };
  ASSERT_EQ(client().Get("/healthz", "").status, 200);
  EXPECT_GE(client().Send("XMETH", "/healthz", "").status, 400);
  const std::string before = client().Get("/metrics", Token("metrics")).body;
  for (const char* method : {"XMETH2", "get", "PROPFIND", "BREW", "XMETH"}) {
    HttpResult r = client().Send(method, "/healthz", "");
    EXPECT_GE(r.status, 400) << method << ": " << r.body;
  }
  const std::string after = client().Get("/metrics", Token("metrics")).body;
  for (const char* name : {"XMETH", "get", "PROPFIND", "BREW"}) {
    EXPECT_FALSE(Contains(after, std::string("method=\"") + name)) << after;
  }
  EXPECT_TRUE(Contains(before, R"(method="other")")) << before;
  EXPECT_TRUE(Contains(after, R"(method="GET",status="200"} 1)")) << after;
  EXPECT_EQ(series(after), series(before)) << "five more strange methods, no new series";
}

}  // namespace
}  // namespace loyalty::apitest
