// GET /metrics: Prometheus text with route-template labels and the executor's batch histogram.
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

  HttpResult r = client().Get("/metrics", "");
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

}  // namespace
}  // namespace loyalty::apitest
