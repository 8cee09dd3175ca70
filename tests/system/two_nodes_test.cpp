// Two nodes, one database: two `loyalty serve` processes on the same MySQL database take
// concurrent orders with redemptions, confirmations, refunds and cancellations for the SAME few
// customers from many client threads, alternating between the nodes. Afterwards: every 2xx
// order is in the database once with its redemption in the ledger exactly once, nobody redeemed
// more than was ever credited, no request failed for a technical reason, `loyalty check` is clean.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>

#include "tests/system/system_test_util.h"

namespace loyalty::systest {
namespace {

using apitest::Client;
using apitest::HttpResult;

constexpr int kCustomers = 3;
constexpr int64_t kGrantPoints = 30'000;
constexpr int kThreads = 16;
constexpr int kOpsPerThread = 40;

struct Outcome {
  std::string order_id;
  std::string customer_id;
  int64_t redeemed = 0;
};

TEST_F(MysqlSystemTest, TwoNodesOnOneDatabaseNeverLoseAnUpdateNorRedeemTwice) {
  Node a(url_, dir_.File(""), "node-a");
  Node b(url_, dir_.File(""), "node-b");
  ASSERT_NE(a.port(), 0) << a.log();
  ASSERT_NE(b.port(), 0) << b.log();
  const std::string checkout = tokens_["checkout"];
  {
    Client ca(a.port()), cb(b.port());
    for (int c = 0; c < kCustomers; ++c) {
      const std::string id = "c" + std::to_string(c);
      ASSERT_EQ(ca.Put("/v1/customers/" + id, checkout, "{}").status, 201);
      HttpResult granted =
          cb.Post("/v1/customers/" + id + "/adjustments", tokens_["cs_supervisor"],
                  R"({"adjustment_id":"grant-)" + id + R"(","points":)" +
                      std::to_string(kGrantPoints) + R"(,"reason_code":"goodwill"})");
      ASSERT_EQ(granted.status, 201) << granted.body;
    }
  }

  // The same new customers created through both nodes at once: one 201 each, the others 200
  // (never a 409 because two nodes raced on the insert).
  {
    std::mutex statuses_mu;
    std::map<std::string, std::vector<int>> by_customer;
    std::vector<std::thread> creators;
    for (int t = 0; t < 8; ++t) {
      creators.emplace_back([&, t] {
        Client c(t % 2 == 0 ? a.port() : b.port());
        for (int k = 0; k < 3; ++k) {
          const std::string id = "new-" + std::to_string(k);
          const int status = c.Put("/v1/customers/" + id, checkout, "{}").status;
          std::lock_guard<std::mutex> lock(statuses_mu);
          by_customer[id].push_back(status);
        }
      });
    }
    for (auto& th : creators) th.join();
    for (const auto& [id, got] : by_customer) {
      EXPECT_EQ(std::count(got.begin(), got.end(), 201), 1) << id;
      EXPECT_EQ(std::count(got.begin(), got.end(), 200), 7) << id;
    }
  }

  std::mutex mu;
  std::vector<Outcome> created;
  std::map<int, int> statuses;          // HTTP status -> count, over every request of the load
  std::map<std::string, int> refusals;  // problem codes of the 4xx answers -> count
  std::vector<std::string> technical;   // 5xx and exceptions
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 rng(20261125 + t);
      auto pick = [&](int64_t lo, int64_t hi) {
        return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
      };
      Client clients[2] = {Client(a.port()), Client(b.port())};
      std::vector<std::string> mine;
      for (int op = 0; op < kOpsPerThread; ++op) {
        Client& c = clients[(t + op) % 2];
        const int64_t kind = pick(0, 9);
        HttpResult r;
        Outcome o;
        try {
          if (kind < 5 || mine.empty()) {
            o.order_id = "o-" + std::to_string(t) + "-" + std::to_string(op);
            o.customer_id = "c" + std::to_string(pick(0, kCustomers - 1));
            const int64_t amount = pick(1'000, 40'000);
            o.redeemed = pick(0, 2) == 0 ? 0 : pick(1, amount / 2);
            r = c.Post("/v1/orders", checkout,
                       OrderBody(o.order_id, o.customer_id, amount, o.redeemed));
          } else if (kind < 7) {
            r = c.Post("/v1/orders/" + mine[pick(0, mine.size() - 1)] + "/confirm", checkout, "");
          } else if (kind < 9) {
            r = c.Post("/v1/orders/" + mine[pick(0, mine.size() - 1)] + "/refunds", checkout,
                       R"({"refund_id":"r-)" + std::to_string(t) + "-" + std::to_string(op) +
                           R"(","amount_won":)" + std::to_string(pick(1, 3'000)) + "}");
          } else {
            r = c.Post("/v1/orders/" + mine[pick(0, mine.size() - 1)] + "/cancel", checkout, "");
          }
        } catch (const std::exception& e) {
          std::lock_guard<std::mutex> lock(mu);
          technical.push_back(std::string("exception: ") + e.what());
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        ++statuses[r.status];
        if (r.status >= 500) technical.push_back(std::to_string(r.status) + " " + r.body);
        if (r.status >= 400 && r.status < 500) ++refusals[r.Str("code")];
        if (!o.order_id.empty() && r.status == 201) {
          created.push_back(o);
          mine.push_back(o.order_id);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  a.Stop();
  b.Stop();
  std::string summary;
  for (const auto& [status, count] : statuses) {
    summary += " " + std::to_string(status) + "x" + std::to_string(count);
  }
  summary += ";";
  for (const auto& [code, count] : refusals) summary += " " + code + "x" + std::to_string(count);
  std::printf("[ info     ] %zu orders created through two nodes; statuses:%s\n", created.size(),
              summary.c_str());
  for (const std::string& t : technical) ADD_FAILURE() << t;
  EXPECT_GT(created.size(), 100u);

  auto session = store_->OpenSession();
  ASSERT_TRUE(session.ok());
  Session& s = **session;
  ASSERT_TRUE(s.BeginRead().ok());
  std::map<std::string, int64_t> redeemed_by_customer;
  for (const Outcome& o : created) {
    auto order = s.FindOrder(o.order_id);
    ASSERT_TRUE(order.ok() && order->has_value()) << o.order_id;
    EXPECT_EQ((*order)->points_redeemed, o.redeemed) << o.order_id;
    EntryQuery q;
    q.order_id = o.order_id;
    auto entries = s.ListEntries(q);
    ASSERT_TRUE(entries.ok());
    int redeem_entries = 0;
    int64_t redeemed = 0;
    for (const Entry& e : *entries) {
      if (e.kind != EntryKind::kRedeem) continue;
      ++redeem_entries;
      redeemed -= e.available_delta;
    }
    EXPECT_EQ(redeem_entries, o.redeemed > 0 ? 1 : 0) << o.order_id;
    EXPECT_EQ(redeemed, o.redeemed) << o.order_id;
    redeemed_by_customer[o.customer_id] += o.redeemed;
  }
  // Nobody spent more than was ever credited to them (grant, activations, restores).
  for (int c = 0; c < kCustomers; ++c) {
    const std::string id = "c" + std::to_string(c);
    int64_t credited = 0;
    EntryQuery q;
    q.customer_id = id;
    q.limit = kMaxPageSize;
    for (;;) {
      auto page = s.ListEntries(q);
      ASSERT_TRUE(page.ok());
      for (const Entry& e : *page) {
        if (e.available_delta > 0) credited += e.available_delta;
      }
      if (static_cast<int>(page->size()) < q.limit) break;
      q.before_entry_id = page->back().entry_id;
    }
    EXPECT_LE(redeemed_by_customer[id], credited) << id;
    EXPECT_GT(redeemed_by_customer[id], 0) << id;
  }
  s.EndRead();

  std::string report;
  EXPECT_EQ(Check(&report), 0) << report;
  EXPECT_NE(report.find("clean"), std::string::npos) << report;
}

}  // namespace
}  // namespace loyalty::systest
