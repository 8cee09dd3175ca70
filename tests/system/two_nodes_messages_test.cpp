// Two nodes, one outbox: customers signed up (with marketing consent) through two `loyalty serve`
// processes on the same MySQL database each get the demo programme's consent notice and welcome
// message (advertising: it carries a coupon); six messaging-layer workers pull
// and acknowledge through both nodes at once. Every message is handed out exactly once (the
// lease is a conditional UPDATE, so two nodes never both win it) and all end up delivered.
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "tests/system/system_test_util.h"

namespace loyalty::systest {
namespace {

using apitest::Client;
using apitest::HttpResult;

constexpr int kCustomers = 60;
constexpr int kMessages = 2 * kCustomers;  // consent_changed (the grant) and welcome each
constexpr int kWorkers = 6;

TEST_F(MysqlSystemTest, TwoNodesHandOutEachMessageOnceToConcurrentPullers) {
  Node a(url_, dir_.File(""), "node-a");
  Node b(url_, dir_.File(""), "node-b");
  ASSERT_NE(a.port(), 0) << a.log();
  ASSERT_NE(b.port(), 0) << b.log();
  {
    Client ca(a.port()), cb(b.port());
    for (int c = 0; c < kCustomers; ++c) {
      Client& client = c % 2 == 0 ? ca : cb;
      // The demo's welcome carries a coupon, so it is advertising: consent (night consent too,
      // whatever the hour the test runs) lets it go out; the grant has its consent_changed notice.
      HttpResult r = client.Put("/v1/customers/m" + std::to_string(c), tokens_["checkout"],
                                R"({"marketing_consent": true, "night_consent": true})");
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }

  std::mutex mu;
  std::map<int64_t, int> handed_out;  // message_id -> times received
  std::set<std::string> customers;
  std::vector<std::string> problems;
  std::atomic<int> delivered{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      Client clients[2] = {Client(a.port()), Client(b.port())};
      int empty_in_a_row = 0;
      for (int round = 0; round < 200 && empty_in_a_row < 5 && delivered.load() < kMessages;
           ++round) {
        Client& c = clients[(w + round) % 2];
        HttpResult pulled =
            c.Post("/v1/messages/pull", tokens_["messaging"], R"({"limit":4,"lease_seconds":300})");
        if (pulled.status != 200) {
          std::lock_guard<std::mutex> lock(mu);
          problems.push_back("pull " + std::to_string(pulled.status) + " " + pulled.body);
          continue;
        }
        auto messages = pulled.Json()->getArray("messages");
        if (messages->size() == 0) {
          ++empty_in_a_row;
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          continue;
        }
        empty_in_a_row = 0;
        std::string ids;
        {
          std::lock_guard<std::mutex> lock(mu);
          for (size_t i = 0; i < messages->size(); ++i) {
            auto m = messages->getObject(static_cast<unsigned>(i));
            const int64_t id = m->getValue<int64_t>("message_id");
            ++handed_out[id];
            customers.insert(m->getValue<std::string>("customer_id"));
            const std::string type = m->getValue<std::string>("type");
            if (type != "welcome" && type != "consent_changed") {
              problems.push_back("unexpected type " + m->getValue<std::string>("type"));
            }
            ids += (ids.empty() ? "" : ",") + std::to_string(id);
          }
        }
        HttpResult acked = clients[(w + round + 1) % 2].Post(
            "/v1/messages/ack", tokens_["messaging"], R"({"message_ids":[)" + ids + "]}");
        if (acked.status != 200) {
          std::lock_guard<std::mutex> lock(mu);
          problems.push_back("ack " + std::to_string(acked.status) + " " + acked.body);
          continue;
        }
        auto results = acked.Json()->getArray("results");
        for (size_t i = 0; i < results->size(); ++i) {
          auto r = results->getObject(static_cast<unsigned>(i));
          if (r->has("status") && r->getValue<std::string>("status") == "delivered") {
            ++delivered;
          } else {
            std::lock_guard<std::mutex> lock(mu);
            problems.push_back("ack result " + std::to_string(r->getValue<int64_t>("message_id")));
          }
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  a.Stop();
  b.Stop();
  for (const std::string& p : problems) ADD_FAILURE() << p;
  EXPECT_EQ(delivered.load(), kMessages);
  EXPECT_EQ(handed_out.size(), static_cast<size_t>(kMessages));
  for (const auto& [id, times] : handed_out) EXPECT_EQ(times, 1) << "message " << id;
  EXPECT_EQ(customers.size(), static_cast<size_t>(kCustomers));

  // The outbox agrees: every message delivered, nothing pending.
  auto session = store_->OpenSession();
  ASSERT_TRUE(session.ok());
  Session& s = **session;
  ASSERT_TRUE(s.BeginRead().ok());
  MessageQuery q;
  q.status = MessageStatus::kPending;
  auto pending = s.ListMessages(q);
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  q.status = MessageStatus::kDelivered;
  q.limit = kMaxPageSize;
  auto done = s.ListMessages(q);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->size(), static_cast<size_t>(kMessages));
  s.EndRead();
}

}  // namespace
}  // namespace loyalty::systest
