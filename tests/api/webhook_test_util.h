// Shared by the webhook tests (webhook_test.cpp, webhook_tls_test.cpp): an in-process receiver
// that verifies the signature the way docs/messages.md tells a shop to (written out here, not
// through VerifyWebhookSignature), over plain http or TLS, and a fixture that runs the API
// server with a webhook pointed at it.
#pragma once

#include <Poco/JSON/Array.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "api/crypto.h"
#include "api/webhook_worker.h"
#include "core/messaging.h"
#include "tests/api/api_test_util.h"
#include "tests/api/messaging_api_util.h"

namespace loyalty::apitest {

inline constexpr Micros kWebhookMinute = 60'000'000;
inline constexpr Micros kWebhookSecond = 1'000'000;
inline const char kWebhookSecret[] = "whsec-test-0123456789abcdef";

// One request the receiver got.
struct Received {
  std::string timestamp, signature, message_id, body;
  std::string type, customer_id;  // from the body
  bool verified = false;          // one listed signature checks out with the receiver's secret
  int answered = 0;               // the status the receiver answered with
};

// The receiver's side of docs/messages.md: split X-Loyalty-Signature on commas, accept when one
// `v1=` entry equals HMAC-SHA256(secret, timestamp + "." + body); else 401.
inline bool ReceiverVerifies(const std::string& secret, const Received& r) {
  if (r.timestamp.empty()) return false;
  const std::string expected = "v1=" + HmacSha256Hex(secret, r.timestamp + "." + r.body);
  bool match = false;
  size_t start = 0;
  while (start <= r.signature.size()) {
    size_t end = r.signature.find(',', start);
    if (end == std::string::npos) end = r.signature.size();
    std::string entry = r.signature.substr(start, end - start);
    while (!entry.empty() && entry.front() == ' ') entry.erase(0, 1);
    if (ConstantTimeEquals(entry, expected)) match = true;
    start = end + 1;
  }
  return match;
}

// Verifies, then answers per the test's policy.
class Receiver {
 public:
  // Called under the receiver's lock with the request and the number of earlier requests.
  using Policy = std::function<int(const Received&, int index)>;

  // tls: serve https with this server context (else plain http).
  void Start(Poco::Net::Context::Ptr tls = nullptr) {
    std::unique_ptr<Poco::Net::ServerSocket> socket;
    const Poco::Net::SocketAddress loopback("127.0.0.1", 0);
    if (tls) {
      socket = std::make_unique<Poco::Net::SecureServerSocket>(loopback, 64, tls);
    } else {
      socket = std::make_unique<Poco::Net::ServerSocket>(loopback);
    }
    auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
    params->setKeepAlive(true);
    params->setMaxThreads(4);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), *socket, params);
    server_->start();
    port_ = socket->address().port();
  }
  ~Receiver() {
    if (server_) server_->stopAll(true);
  }
  int port() const { return port_; }
  void SetPolicy(Policy p) {
    std::lock_guard<std::mutex> lock(mu_);
    policy_ = std::move(p);
  }
  // The secret the receiver verifies with (kWebhookSecret unless set).
  void SetSecret(std::string secret) {
    std::lock_guard<std::mutex> lock(mu_);
    secret_ = std::move(secret);
  }
  std::vector<Received> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  size_t count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_.size();
  }

 private:
  class Handler final : public Poco::Net::HTTPRequestHandler {
   public:
    explicit Handler(Receiver& r) : r_(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& req,
                       Poco::Net::HTTPServerResponse& resp) override {
      r_.Handle(req, resp);
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

  void Handle(Poco::Net::HTTPServerRequest& req, Poco::Net::HTTPServerResponse& resp) {
    Received r;
    Poco::StreamCopier::copyToString(req.stream(), r.body);
    r.timestamp = req.get("X-Loyalty-Timestamp", "");
    r.signature = req.get("X-Loyalty-Signature", "");
    r.message_id = req.get("X-Loyalty-Message-Id", "");
    try {
      Poco::JSON::Parser parser;
      auto obj = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
      r.type = obj->getValue<std::string>("type");
      r.customer_id = obj->getValue<std::string>("customer_id");
    } catch (const std::exception&) {
    }
    int status = 200;
    {
      std::lock_guard<std::mutex> lock(mu_);
      r.verified = ReceiverVerifies(secret_, r);
      if (!r.verified) {
        status = 401;
      } else if (policy_) {
        status = policy_(r, static_cast<int>(requests_.size()));
      }
      r.answered = status;
      requests_.push_back(r);
    }
    resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    resp.setContentType("text/plain");
    resp.setContentLength(2);
    resp.send() << "ok";
  }

  mutable std::mutex mu_;
  Policy policy_;
  std::string secret_ = kWebhookSecret;
  std::vector<Received> requests_;
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

// The API server with the messaging test programme and a webhook; the receiver is started by
// the derived fixture (http or TLS), then StartServer points the webhook at it.
class WebhookTestBase : public ApiTest {
 protected:
  void StartServer(const WebhookOptions& webhook) {
    client_.reset();
    if (server_) server_->Stop();
    server_.reset();
    program_->messaging = TestMessaging();
    Status valid = ValidateMessaging(*program_);
    ASSERT_TRUE(valid.ok()) << valid.ToString();
    ServerOptions opts;
    opts.port = 0;
    opts.webhook = webhook;
    server_ = std::make_unique<ApiServer>(*store_, *program_, clock_, opts);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    client_ = std::make_unique<Client>(server_->port());
  }

  // Fast retries and polls against the receiver at `scheme`://127.0.0.1:<port>.
  WebhookOptions OptionsFor(const std::string& scheme) const {
    WebhookOptions w;
    w.url =
        scheme + "://127.0.0.1:" + std::to_string(receiver_.port()) + "/hooks/loyalty?shop=demo";
    w.secret = kWebhookSecret;
    w.max_attempts = 3;
    w.backoff_seconds = 1;
    w.timeout_ms = 2000;
    w.poll_interval_ms = 10;
    return w;
  }

  void MakeCustomerWith(const std::string& id) {  // with marketing consent
    HttpResult r =
        client().Put("/v1/customers/" + id, Token("checkout"), R"({"marketing_consent":true})");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // The message as the feed shows it.
  Poco::JSON::Object::Ptr MessageById(int64_t id) {
    HttpResult r =
        client().Get("/v1/messages?after=" + std::to_string(id - 1) + "&limit=1", Token("admin"));
    EXPECT_EQ(r.status, 200) << r.body;
    Poco::JSON::Array::Ptr arr = r.Json()->getArray("messages");
    if (arr->size() != 1) return nullptr;
    return arr->getObject(0);
  }
  std::string StatusOf(int64_t id) {
    Poco::JSON::Object::Ptr m = MessageById(id);
    return m.isNull() ? "" : m->getValue<std::string>("status");
  }
  int64_t AttemptsOf(int64_t id) {
    Poco::JSON::Object::Ptr m = MessageById(id);
    return m.isNull() ? -1 : m->getValue<int64_t>("attempts");
  }
  std::vector<int64_t> Ids(const std::string& query) {
    HttpResult r = client().Get("/v1/messages?" + query, Token("admin"));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<int64_t> ids;
    Poco::JSON::Array::Ptr arr = r.Json()->getArray("messages");
    for (size_t i = 0; i < arr->size(); ++i) {
      ids.push_back(arr->getObject(static_cast<unsigned>(i))->getValue<int64_t>("message_id"));
    }
    return ids;
  }
  std::string Metrics() { return client().Get("/metrics", Token("metrics")).body; }
  bool HasMetric(const std::string& line) {
    return Metrics().find(line + "\n") != std::string::npos;
  }
  HttpResult PostCart(const std::string& customer_id, const std::string& cart_id) {
    return client().Post("/v1/carts", Token("checkout"),
                         R"({"customer_id":")" + customer_id + R"(","cart_id":")" + cart_id +
                             R"(","amount_won":30000})");
  }

  Receiver receiver_;
};

}  // namespace loyalty::apitest
