// Many keep-alive clients at once: with the default thread pool every connection is served
// (POCO holds a thread per keep-alive connection), writes are group-committed, and a burst on
// one customer is queued rather than rejected.
#include <atomic>
#include <barrier>
#include <memory>
#include <thread>

#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

constexpr int kClients = 64;
constexpr int kOrdersPerClient = 5;

TEST_F(ApiTest, SixtyFourKeepAliveClientsAreAllServed) {
  const std::string token = Token("checkout");
  const int port = server_->port();
  std::atomic<int> failures{0};
  std::atomic<int> served{0};
  std::barrier all_connected(kClients);
  std::barrier all_done(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      const std::string id = "c-k" + std::to_string(i);
      std::unique_ptr<Client> c;
      try {
        c = std::make_unique<Client>(port);
        if (c->Put("/v1/customers/" + id, token, "{}").status != 201) ++failures;
        ++served;
      } catch (const std::exception& e) {
        ADD_FAILURE() << "client " << i << ": " << e.what();
        ++failures;
      }
      // Every connection is now open and idle in keep-alive, holding a server thread each;
      // all of them must still be answered, and none is closed until all are done.
      all_connected.arrive_and_wait();
      try {
        for (int k = 0; c && k < kOrdersPerClient; ++k) {
          const std::string body = R"({"order_id":"o-k)" + std::to_string(i) + "-" +
                                   std::to_string(k) + R"(","customer_id":")" + id +
                                   R"(","amount_won":10000})";
          if (c->Post("/v1/orders", token, body).status != 201) ++failures;
          ++served;
        }
        if (c) {
          HttpResult r = c->Get("/v1/customers/" + id, token);
          if (r.status != 200 || r.Int("pending_points") != 100 * kOrdersPerClient) ++failures;
          ++served;
        }
      } catch (const std::exception& e) {  // e.g. a 20 s client timeout: a starved connection
        ADD_FAILURE() << "client " << i << ": " << e.what();
        ++failures;
      }
      all_done.arrive_and_wait();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(served.load(), kClients * (kOrdersPerClient + 2));
  const std::string metrics = client().Get("/metrics", Token("metrics")).body;
  EXPECT_NE(metrics.find(
                R"(loyalty_http_requests_total{route="/v1/orders",method="POST",status="201"} )" +
                std::to_string(kClients * kOrdersPerClient)),
            std::string::npos)
      << metrics;
}

TEST_F(ApiTest, BurstOnOneCustomerIsQueuedNotRejected) {
  MakeCustomer("c-hot");
  const std::string token = Token("checkout");
  const int port = server_->port();
  std::atomic<int> created{0};
  std::barrier start(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      Client c(port);
      start.arrive_and_wait();
      const std::string body = R"({"order_id":"o-hot)" + std::to_string(i) +
                               R"(","customer_id":"c-hot","amount_won":20000})";
      if (c.Post("/v1/orders", token, body).status == 201) ++created;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), kClients);
  HttpResult r = client().Get("/v1/customers/c-hot", token);
  EXPECT_EQ(r.Int("pending_points"), 200 * kClients);
  HttpResult ledger = client().Get("/v1/customers/c-hot/ledger?limit=500", token);
  EXPECT_EQ(ledger.Json()->getArray("entries")->size(), static_cast<size_t>(kClients));
}

}  // namespace
}  // namespace loyalty::apitest
