// Domain-event webhooks end to end (api/event_hook_worker.h, api/handlers_webhooks.cpp): the
// Standard Webhooks signature checked by an independent implementation (OpenSSL HMAC and POCO
// base64), the type filter, per-customer order, retries with backoff on the FakeClock, dead
// letters, replay, rotation with both signatures, disable, validation, and two servers on one
// database never sending an event twice.
#include <Poco/Base64Decoder.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <openssl/hmac.h>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "api/crypto.h"
#include "api/event_hook_worker.h"
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

constexpr Micros kSecond = 1'000'000;

// --- the receiver's side, written independently of api/crypto.cpp ---
std::string UnBase64(const std::string& text) {
  std::istringstream in(text);
  Poco::Base64Decoder decoder(in);
  std::string out;
  Poco::StreamCopier::copyToString(decoder, out);
  return out;
}

std::string OpenSslHmacBase64(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (unsigned int i = 0; i < len; i += 3) {
    uint32_t n = mac[i] << 16;
    if (i + 1 < len) n |= mac[i + 1] << 8;
    if (i + 2 < len) n |= mac[i + 2];
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < len ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back(i + 2 < len ? kAlphabet[n & 63] : '=');
  }
  return out;
}

// The signatures of the header (space separated) that verify with `secret`, by position.
std::vector<bool> Verifies(const std::string& secret, const std::string& id, const std::string& ts,
                           const std::string& body, const std::string& header) {
  const std::string key = UnBase64(secret.substr(std::string("whsec_").size()));
  const std::string expected = "v1," + OpenSslHmacBase64(key, id + "." + ts + "." + body);
  std::vector<bool> out;
  std::istringstream in(header);
  std::string sig;
  while (in >> sig) out.push_back(sig == expected);
  return out;
}

struct Hit {
  std::string path, id, timestamp, signature, body;
  int64_t event_id = 0;
  std::string type, customer_id;
};

class Receiver {
 public:
  using Policy = std::function<int(const Hit&)>;
  Receiver() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
    params->setKeepAlive(true);
    params->setMaxThreads(4);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
    port_ = socket.address().port();
  }
  ~Receiver() { server_->stopAll(true); }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void SetPolicy(Policy p) {
    std::lock_guard<std::mutex> lock(mu_);
    policy_ = std::move(p);
  }
  std::vector<Hit> hits() const {
    std::lock_guard<std::mutex> lock(mu_);
    return hits_;
  }
  size_t count() const { return hits().size(); }

 private:
  class Handler final : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(Receiver& r) : r_(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& resp) override {
      Hit h;
      Poco::StreamCopier::copyToString(req.stream(), h.body);
      h.path = req.getURI();
      h.id = req.get("webhook-id", "");
      h.timestamp = req.get("webhook-timestamp", "");
      h.signature = req.get("webhook-signature", "");
      Poco::JSON::Parser parser;
      auto obj = parser.parse(h.body).extract<Poco::JSON::Object::Ptr>();
      h.event_id = obj->getValue<int64_t>("event_id");
      h.type = obj->getValue<std::string>("type");
      h.customer_id = obj->getValue<std::string>("customer_id");
      int status = 200;
      {
        std::lock_guard<std::mutex> lock(r_.mu_);
        if (r_.policy_) status = r_.policy_(h);
        r_.hits_.push_back(h);
      }
      resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
      resp.setContentLength(2);
      resp.send() << "ok";
    }

   private:
    Receiver& r_;
  };
  class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
   public:
    explicit Factory(Receiver& r) : r_(r) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(r_);
    }

   private:
    Receiver& r_;
  };

  mutable std::mutex mu_;
  Policy policy_;
  std::vector<Hit> hits_;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  int port_ = 0;
};

template <typename Pred>
bool WaitFor(Pred pred, int timeout_ms = 10000) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

EventHookOptions FastHooks() {
  EventHookOptions o;
  o.max_attempts = 3;
  o.backoff_seconds = 1;
  o.timeout_ms = 2000;
  o.poll_interval_ms = 10;
  return o;
}

class EventHookTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    client_.reset();
    server_->Stop();
    server_ = StartServer();
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<Client>(server_->port());
  }
  std::unique_ptr<ApiServer> StartServer() {
    ServerOptions opts;
    opts.port = 0;
    opts.event_hooks = FastHooks();
    auto server = std::make_unique<ApiServer>(*store_, *program_, clock_, opts);
    Status st = server->Start();
    EXPECT_TRUE(st.ok()) << st.ToString();
    return st.ok() ? std::move(server) : nullptr;
  }
  HttpResult Subscribe(const std::string& path, const std::string& types) {
    return client().Post("/v1/webhooks/subscriptions", Token("admin"),
                         R"({"url":")" + receiver_.Url(path) + R"(","event_types":)" + types +
                             R"(,"description":"CRM"})");
  }
  Poco::JSON::Object::Ptr Show(int64_t id) {
    HttpResult r = client().Get("/v1/webhooks/subscriptions/" + std::to_string(id), Token("admin"));
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }
  int64_t Delivery(int64_t id, const std::string& member) {
    return Show(id)->getObject("delivery")->getValue<int64_t>(member);
  }
  int64_t LastEventId() {
    HttpResult r = client().Get("/v1/events?limit=500", Token("admin"));
    Poco::JSON::Array::Ptr arr = r.Json()->getArray("events");
    return arr->size() == 0 ? 0 : arr->getObject(arr->size() - 1)->getValue<int64_t>("event_id");
  }
  // Every event up to the last one is done with.
  bool CaughtUp(int64_t id) { return Delivery(id, "cursor_event_id") == LastEventId(); }

  Receiver receiver_;
};

TEST(EventHookSignatureTest, MatchesTheStandardWebhooksSpecVector) {
  EXPECT_EQ(StandardWebhookSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                     "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330",
                                     R"({"test": 2432232314})"),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  EXPECT_EQ(StandardWebhookSignature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", "1", "{}"), "");
  EXPECT_EQ(StandardWebhookSignature("whsec_not*base64", "m", "1", "{}"), "");
}

TEST(EventHookSignatureTest, Base64FollowsRfc4648) {
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(raw), encoded);
    EXPECT_EQ(Base64Decode(encoded), std::optional<std::string>(raw)) << encoded;
  }
  EXPECT_EQ(Base64Decode("Zg="), std::nullopt);       // length
  EXPECT_EQ(Base64Decode("Zh=="), std::nullopt);      // stray bits: not canonical
  EXPECT_EQ(Base64Decode("Z$=="), std::nullopt);      // alphabet
  EXPECT_EQ(Base64Decode("Zg==Zg=="), std::nullopt);  // padding inside
  EXPECT_EQ(Base64Encode(std::string("\xff\xfe\x00", 3)), "//4A");
}

TEST_F(EventHookTest, CreateShowsTheSecretOnceAndNothingElseEverDoes) {
  HttpResult r = Subscribe("/a", R"(["tier.upgraded","tier.downgraded"])");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string secret = r.Str("secret");
  ASSERT_EQ(secret.rfind("whsec_", 0), 0u);
  EXPECT_EQ(UnBase64(secret.substr(6)).size(), 24u);
  const int64_t id = r.Int("subscription_id");
  EXPECT_EQ(r.Str("status"), "active");
  EXPECT_EQ(r.Str("url"), receiver_.Url("/a"));
  EXPECT_EQ(r.Str("description"), "CRM");
  EXPECT_EQ(r.Json()->getArray("event_types")->size(), 2u);
  HttpResult one = client().Get("/v1/webhooks/subscriptions/" + std::to_string(id), Token("admin"));
  ASSERT_EQ(one.status, 200);
  HttpResult list = client().Get("/v1/webhooks/subscriptions", Token("admin"));
  ASSERT_EQ(list.status, 200);
  for (const HttpResult* shown : {&one, &list}) {
    EXPECT_EQ(shown->body.find(secret.substr(6)), std::string::npos) << shown->body;
    EXPECT_EQ(shown->body.find("\"secret\""), std::string::npos);
  }
  EXPECT_EQ(list.Json()->getArray("subscriptions")->size(), 1u);
  EXPECT_EQ(one.Json()->getArray("dead_letters")->size(), 0u);
  HttpResult other = Subscribe("/b", R"(["*"])");
  ASSERT_EQ(other.status, 201);
  EXPECT_NE(other.Str("secret"), secret);
}

TEST_F(EventHookTest, BadUrlEventTypeOrBodyIs400ProblemAndCreatesNothing) {
  const std::string ok_url = receiver_.Url("/a");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"url":"ftp://shop.example/h","event_types":["*"]})", "url"},
      {R"({"url":"http:///nohost","event_types":["*"]})", "url"},
      {R"({"url":"https://u:p@shop.example/h","event_types":["*"]})", "url"},
      {R"({"event_types":["*"]})", "url"},
      {R"({"url":12,"event_types":["*"]})", "url"},
      {R"({"url":")" + ok_url + R"(","event_types":["tier.upgrade"]})", "event_types[0]"},
      {R"({"url":")" + ok_url + R"(","event_types":[]})", "event_types"},
      {R"({"url":")" + ok_url + R"(","event_types":"*"})", "event_types"},
      {R"({"url":")" + ok_url + R"(","event_types":["*","tier.upgraded"]})", "event_types[0]"},
      {R"({"url":")" + ok_url + R"(","event_types":["order.placed","order.placed"]})",
       "event_types[1]"},
      {R"({"url":")" + ok_url + R"(","event_types":[7]})", "event_types[0]"},
      {R"({"url":")" + ok_url + R"(","event_types":["*"],"secret":"mine"})", "secret"},
      {R"({"url":")" + ok_url + R"(","event_types":["*"],"description":")" + std::string(201, 'x') +
           R"("})",
       "description"},
  };
  for (const auto& [body, field] : cases) {
    HttpResult r = client().Post("/v1/webhooks/subscriptions", Token("admin"), body);
    SCOPED_TRACE(body + " -> " + r.body);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.ContentType(), "application/problem+json");
    EXPECT_EQ(r.Str("code"), "validation_failed");
    EXPECT_EQ(r.Str("field"), field);
  }
  HttpResult list = client().Get("/v1/webhooks/subscriptions", Token("admin"));
  EXPECT_EQ(list.Json()->getArray("subscriptions")->size(), 0u);
  EXPECT_EQ(client().Get("/v1/webhooks/subscriptions/abc", Token("admin")).status, 400);
  HttpResult missing = client().Get("/v1/webhooks/subscriptions/42", Token("admin"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Str("code"), "not_found");
  EXPECT_EQ(client().Send("DELETE", "/v1/webhooks/subscriptions/42", Token("admin")).status, 404);
  EXPECT_EQ(client()
                .Post("/v1/webhooks/subscriptions", Token("checkout"),
                      R"({"url":")" + ok_url + R"(","event_types":["*"]})")
                .status,
            403);
}

TEST_F(EventHookTest, DeliversSignedEventsOfTheSubscribedTypesInEventOrder) {
  HttpResult sub = Subscribe("/a", R"(["customer.created","points.adjusted"])");
  ASSERT_EQ(sub.status, 201) << sub.body;
  const std::string secret = sub.Str("secret");
  const int64_t id = sub.Int("subscription_id");
  MakeCustomer("c-1");
  GivePoints("c-1", 500, "adj-1");
  MakeCustomer("c-2");
  ASSERT_TRUE(WaitFor([&] { return CaughtUp(id); })) << Show(id)->getObject("delivery")->size();
  const std::vector<Hit> hits = receiver_.hits();
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].type + "/" + hits[0].customer_id, "customer.created/c-1");
  EXPECT_EQ(hits[1].type + "/" + hits[1].customer_id, "points.adjusted/c-1");
  EXPECT_EQ(hits[2].type + "/" + hits[2].customer_id, "customer.created/c-2");
  for (size_t i = 0; i < hits.size(); ++i) {
    const Hit& h = hits[i];
    SCOPED_TRACE(h.body);
    if (i > 0) {
      EXPECT_GT(h.event_id, hits[i - 1].event_id);
    }
    EXPECT_EQ(h.path, "/a");
    EXPECT_EQ(h.id, std::to_string(h.event_id));
    EXPECT_EQ(h.timestamp, std::to_string(clock_.NowMicros() / kSecond));
    EXPECT_EQ(Verifies(secret, h.id, h.timestamp, h.body, h.signature), std::vector<bool>{true});
    EXPECT_EQ(Verifies(secret, h.id, h.timestamp, h.body + " ", h.signature),
              std::vector<bool>{false});
    // The same bytes as the feed renders.
    HttpResult page =
        client().Get("/v1/events?limit=1&after=" + std::to_string(h.event_id - 1), Token("admin"));
    EXPECT_NE(page.body.find(h.body), std::string::npos) << page.body;
  }
  EXPECT_EQ(Delivery(id, "delivered"), 3);
  EXPECT_EQ(Delivery(id, "dead_lettered"), 0);
}

TEST_F(EventHookTest, AFailingEventHoldsTheLaterOnesAndIsRetriedWithBackoff) {
  int calls = 0;
  receiver_.SetPolicy([&](const Hit&) { return ++calls <= 2 ? 503 : 200; });
  HttpResult sub = Subscribe("/a", R"(["customer.created"])");
  const int64_t id = sub.Int("subscription_id");
  MakeCustomer("c-1");
  MakeCustomer("c-2");
  ASSERT_TRUE(WaitFor([&] { return Delivery(id, "failed_attempts") == 1; }));
  Poco::JSON::Object::Ptr d = Show(id)->getObject("delivery");
  EXPECT_EQ(d->getValue<std::string>("last_error"), "HTTP 503");
  EXPECT_EQ(d->getValue<std::string>("next_attempt_at"),
            FormatInstant(clock_.NowMicros() + 1 * kSecond));
  EXPECT_EQ(receiver_.count(), 1u);  // c-2's event waits behind c-1's
  clock_.Advance(kSecond);
  ASSERT_TRUE(WaitFor([&] { return Delivery(id, "failed_attempts") == 2; }));
  EXPECT_EQ(Show(id)->getObject("delivery")->getValue<std::string>("next_attempt_at"),
            FormatInstant(clock_.NowMicros() + 2 * kSecond));  // doubled
  clock_.Advance(kSecond);                                     // not yet
  EXPECT_EQ(receiver_.count(), 2u);
  clock_.Advance(kSecond);
  ASSERT_TRUE(WaitFor([&] { return CaughtUp(id); }));
  const std::vector<Hit> hits = receiver_.hits();
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(hits[0].id, hits[1].id);  // stable across retries
  EXPECT_EQ(hits[1].id, hits[2].id);
  EXPECT_EQ(hits[2].customer_id, "c-1");
  EXPECT_EQ(hits[3].customer_id, "c-2");
  EXPECT_NE(hits[0].timestamp, hits[2].timestamp);  // signed at each attempt
  EXPECT_EQ(Delivery(id, "delivered"), 2);
  EXPECT_EQ(Delivery(id, "failed_attempts"), 0);
}

TEST_F(EventHookTest, AfterMaxAttemptsTheEventIsDeadLetteredAndTheNextOneGoes) {
  receiver_.SetPolicy([](const Hit& h) { return h.customer_id == "c-bad" ? 500 : 200; });
  const int64_t id = Subscribe("/a", R"(["customer.created"])").Int("subscription_id");
  MakeCustomer("c-bad");
  MakeCustomer("c-good");
  for (int attempt = 1; attempt < 3; ++attempt) {
    ASSERT_TRUE(WaitFor([&] { return Delivery(id, "failed_attempts") == attempt; }));
    clock_.Advance(4 * kSecond);
  }
  ASSERT_TRUE(WaitFor([&] { return CaughtUp(id); }));
  Poco::JSON::Object::Ptr shown = Show(id);
  Poco::JSON::Object::Ptr d = shown->getObject("delivery");
  EXPECT_EQ(d->getValue<int64_t>("dead_lettered"), 1);
  EXPECT_EQ(d->getValue<int64_t>("delivered"), 1);
  Poco::JSON::Array::Ptr dead = shown->getArray("dead_letters");
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->getObject(0)->getValue<std::string>("customer_id"), "c-bad");
  EXPECT_EQ(dead->getObject(0)->getValue<int64_t>("attempts"), 3);
  EXPECT_EQ(dead->getObject(0)->getValue<std::string>("last_error"), "HTTP 500");
  const std::vector<Hit> hits = receiver_.hits();
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(hits[3].customer_id, "c-good");
}

TEST_F(EventHookTest, ReplaySendsTheEventsAfterTheCursorAgain) {
  const int64_t id = Subscribe("/a", R"(["customer.created"])").Int("subscription_id");
  MakeCustomer("c-1");
  MakeCustomer("c-2");
  ASSERT_TRUE(WaitFor([&] { return receiver_.count() == 2; }));
  const std::vector<Hit> first = receiver_.hits();
  const std::string path = "/v1/webhooks/subscriptions/" + std::to_string(id) + "/replay";
  HttpResult beyond = client().Post(path, Token("admin"), R"({"after_event_id":999999})");
  EXPECT_EQ(beyond.status, 400) << beyond.body;
  EXPECT_EQ(beyond.Str("field"), "after_event_id");
  EXPECT_EQ(client().Post(path, Token("admin"), "{}").status, 400);
  EXPECT_EQ(
      client()
          .Post("/v1/webhooks/subscriptions/77/replay", Token("admin"), R"({"after_event_id":0})")
          .status,
      404);
  HttpResult replay = client().Post(
      path, Token("admin"), R"({"after_event_id":)" + std::to_string(first[0].event_id) + "}");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(replay.Json()->getObject("delivery")->getValue<int64_t>("cursor_event_id"),
            first[0].event_id);
  ASSERT_TRUE(WaitFor([&] { return receiver_.count() == 3 && CaughtUp(id); }));
  EXPECT_EQ(receiver_.hits()[2].id, first[1].id);  // only the event after the cursor
  EXPECT_EQ(receiver_.hits()[2].body, first[1].body);
}

TEST_F(EventHookTest, DuringARotationBothSecretsSignThenOnlyTheNewOne) {
  HttpResult sub = Subscribe("/a", R"(["customer.created"])");
  const std::string old_secret = sub.Str("secret");
  const int64_t id = sub.Int("subscription_id");
  const std::string path = "/v1/webhooks/subscriptions/" + std::to_string(id) + "/rotate";
  HttpResult rotated = client().Post(path, Token("admin"), "{}");
  ASSERT_EQ(rotated.status, 200) << rotated.body;
  const std::string new_secret = rotated.Str("secret");
  EXPECT_NE(new_secret, old_secret);
  EXPECT_EQ(rotated.Str("previous_secret_expires_at"),
            FormatInstant(clock_.NowMicros() + kEventHookSecretGraceUs));
  MakeCustomer("c-1");
  ASSERT_TRUE(WaitFor([&] { return receiver_.count() == 1; }));
  Hit h = receiver_.hits()[0];
  EXPECT_EQ(Verifies(new_secret, h.id, h.timestamp, h.body, h.signature),
            (std::vector<bool>{true, false}));
  EXPECT_EQ(Verifies(old_secret, h.id, h.timestamp, h.body, h.signature),
            (std::vector<bool>{false, true}));
  clock_.Advance(kEventHookSecretGraceUs);
  MakeCustomer("c-2");
  ASSERT_TRUE(WaitFor([&] { return receiver_.count() == 2; }));
  h = receiver_.hits()[1];
  EXPECT_EQ(Verifies(new_secret, h.id, h.timestamp, h.body, h.signature), std::vector<bool>{true});
  EXPECT_EQ(Show(id)->get("previous_secret_expires_at").isEmpty(), true);
  // A disabled subscription is not rotated.
  ASSERT_EQ(client()
                .Send("DELETE", "/v1/webhooks/subscriptions/" + std::to_string(id), Token("admin"))
                .status,
            200);
  HttpResult again = client().Post(path, Token("admin"), "{}");
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Str("code"), "invalid_state");
}

TEST_F(EventHookTest, DeleteDisablesTheSubscriptionAndKeepsIt) {
  const int64_t a = Subscribe("/a", R"(["customer.created"])").Int("subscription_id");
  const std::string url = "/v1/webhooks/subscriptions/" + std::to_string(a);
  HttpResult del = client().Send("DELETE", url, Token("admin"));
  ASSERT_EQ(del.status, 200) << del.body;
  EXPECT_EQ(del.Str("status"), "disabled");
  EXPECT_EQ(client().Send("DELETE", url, Token("admin")).status, 200);  // again: the same
  const int64_t b = Subscribe("/b", R"(["customer.created"])").Int("subscription_id");
  MakeCustomer("c-1");
  ASSERT_TRUE(WaitFor([&] { return CaughtUp(b); }));
  for (const Hit& h : receiver_.hits()) EXPECT_EQ(h.path, "/b");  // a comes first in a round
  EXPECT_EQ(Show(a)->getValue<std::string>("status"), "disabled");
  EXPECT_EQ(client()
                .Get("/v1/webhooks/subscriptions", Token("admin"))
                .Json()
                ->getArray("subscriptions")
                ->size(),
            2u);
}

TEST_F(EventHookTest, TwoServersOnOneDatabaseNeverSendAnEventTwice) {
  std::unique_ptr<ApiServer> second = StartServer();
  ASSERT_NE(second, nullptr);
  // A slow receiver keeps each delivery in flight long enough for the other node to try.
  receiver_.SetPolicy([](const Hit&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return 200;
  });
  const int64_t id = Subscribe("/a", R"(["*"])").Int("subscription_id");
  for (int i = 0; i < 15; ++i) MakeCustomer("c-" + std::to_string(i));
  ASSERT_TRUE(WaitFor([&] { return CaughtUp(id); }, 30000));
  std::map<std::string, int> seen;
  for (const Hit& h : receiver_.hits()) ++seen[h.id];
  EXPECT_GE(seen.size(), 15u);
  for (const auto& [event, times] : seen) EXPECT_EQ(times, 1) << "event " << event;
  second->Stop();
}

}  // namespace
}  // namespace loyalty::apitest
