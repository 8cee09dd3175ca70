// The webhook worker (api/webhook_worker.h) against an in-process receiver: the signature and
// its verification recipe, retries with backoff (driven by the FakeClock), the dead-letter state
// after max attempts, per-customer order of arrival, replay, metrics and the serve flags.
#include <Poco/JSON/Array.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/crypto.h"
#include "api/webhook_worker.h"
#include "core/messaging.h"
#include "tests/api/api_test_util.h"
#include "tests/api/messaging_api_util.h"

namespace loyalty::apitest {
namespace {

constexpr Micros kMinute = 60'000'000;
constexpr Micros kSecond = 1'000'000;
const char kSecret[] = "whsec-test-0123456789abcdef";

// One request the receiver got.
struct Received {
  std::string timestamp, signature, message_id, body;
  std::string type, customer_id;  // from the body
  bool verified = false;          // the signature checks out with kSecret
  int answered = 0;               // the status the receiver answered with
};

// The receiver's side of docs/messages.md: verify, then answer per the test's policy.
class Receiver {
 public:
  // Called under the receiver's lock with the request and the number of earlier requests.
  using Policy = std::function<int(const Received&, int index)>;

  void Start() {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0));
    auto params = Poco::AutoPtr<Poco::Net::HTTPServerParams>(new Poco::Net::HTTPServerParams);
    params->setKeepAlive(true);
    params->setMaxThreads(4);
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket, params);
    server_->start();
    port_ = socket.address().port();
  }
  ~Receiver() {
    if (server_) server_->stopAll(true);
  }
  int port() const { return port_; }
  void SetPolicy(Policy p) {
    std::lock_guard<std::mutex> lock(mu_);
    policy_ = std::move(p);
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
    // The recipe of docs/messages.md, written out: HMAC-SHA256 over "<timestamp>.<body>".
    r.verified =
        !r.timestamp.empty() &&
        ConstantTimeEquals(r.signature, "v1=" + HmacSha256Hex(kSecret, r.timestamp + "." + r.body));
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

class WebhookTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    receiver_.Start();
    client_.reset();
    server_->Stop();
    server_.reset();
    program_->messaging = TestMessaging();
    Status valid = ValidateMessaging(*program_);
    ASSERT_TRUE(valid.ok()) << valid.ToString();
    ServerOptions opts;
    opts.port = 0;
    opts.webhook = Options();
    server_ = std::make_unique<ApiServer>(*store_, *program_, clock_, opts);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    client_ = std::make_unique<Client>(server_->port());
  }

  WebhookOptions Options() const {
    WebhookOptions w;
    w.url = "http://127.0.0.1:" + std::to_string(receiver_.port()) + "/hooks/loyalty?shop=demo";
    w.secret = kSecret;
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
  std::string Metrics() { return client().Get("/metrics", "").body; }
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

TEST(WebhookSignatureTest, HmacSha256MatchesRfc4231) {
  EXPECT_EQ(HmacSha256Hex(std::string(20, '\x0b'), "Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(HmacSha256Hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(WebhookSignatureTest, VerificationRejectsWrongSecretTamperedBodyAndTimestamp) {
  const std::string body = R"({"message_id":7,"text":"안녕하세요"})";
  const std::string sig = WebhookSignature(kSecret, "1772413200", body);
  EXPECT_EQ(sig.rfind("v1=", 0), 0u);
  EXPECT_EQ(sig.size(), 3u + 64u);
  EXPECT_EQ(sig, "v1=" + HmacSha256Hex(kSecret, "1772413200." + body));
  EXPECT_TRUE(VerifyWebhookSignature(kSecret, "1772413200", body, sig));
  EXPECT_FALSE(VerifyWebhookSignature("another-secret-0123456789", "1772413200", body, sig));
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, "1772413200", body + " ", sig));
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, "1772413201", body, sig));
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, "1772413200", body, ""));
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, "1772413200", body, sig.substr(3)));
  // During a secret rotation a header may list several signatures.
  EXPECT_TRUE(VerifyWebhookSignature(kSecret, "1772413200", body, "v1=00, " + sig));
}

TEST(WebhookOptionsTest, RefusesBadOptions) {
  WebhookOptions o;
  o.url = "http://127.0.0.1:9/hook";
  o.secret = kSecret;
  EXPECT_TRUE(ValidateWebhookOptions(o).ok());
  WebhookOptions https = o;
  https.url = "https://shop.example/hook";
  EXPECT_EQ(ValidateWebhookOptions(https).field(), "webhook_url");
  WebhookOptions ftp = o;
  ftp.url = "ftp://shop.example/hook";
  EXPECT_EQ(ValidateWebhookOptions(ftp).field(), "webhook_url");
  WebhookOptions no_secret = o;
  no_secret.secret = "short";
  EXPECT_EQ(ValidateWebhookOptions(no_secret).field(), "webhook_secret");
  WebhookOptions attempts = o;
  attempts.max_attempts = 0;
  EXPECT_EQ(ValidateWebhookOptions(attempts).field(), "webhook_max_attempts");
  WebhookOptions backoff = o;
  backoff.backoff_seconds = 0;
  EXPECT_EQ(ValidateWebhookOptions(backoff).field(), "webhook_backoff_seconds");
}

TEST_F(WebhookTest, TheServerRefusesToStartWithBadWebhookOptions) {
  ServerOptions opts;
  opts.port = 0;
  opts.webhook = Options();
  opts.webhook.secret = "";
  ApiServer other(*store_, *program_, clock_, opts);
  Status st = other.Start();
  EXPECT_EQ(st.code(), Code::kValidationFailed) << st.ToString();
  EXPECT_EQ(st.field(), "webhook_secret");
}

TEST_F(WebhookTest, DeliversSignedMessagesOnePerRequest) {
  MakeCustomer("c-1");
  ASSERT_TRUE(WaitFor([&] { return receiver_.count() >= 1; }));
  const Received r = receiver_.requests()[0];
  EXPECT_TRUE(r.verified) << r.signature;
  EXPECT_EQ(r.timestamp, std::to_string(clock_.NowMicros() / kSecond));
  // Verification fails with the wrong secret or a body changed on the way.
  EXPECT_TRUE(VerifyWebhookSignature(kSecret, r.timestamp, r.body, r.signature));
  EXPECT_FALSE(
      VerifyWebhookSignature("not-the-secret-0123456789", r.timestamp, r.body, r.signature));
  std::string tampered = r.body;
  tampered.replace(tampered.find("c-1"), 3, "c-2");
  EXPECT_FALSE(VerifyWebhookSignature(kSecret, r.timestamp, tampered, r.signature));

  Poco::JSON::Parser parser;
  auto body = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
  const int64_t id = body->getValue<int64_t>("message_id");
  EXPECT_EQ(r.message_id, std::to_string(id));
  EXPECT_EQ(body->getValue<std::string>("type"), "welcome");
  EXPECT_EQ(body->getValue<std::string>("customer_id"), "c-1");
  EXPECT_EQ(body->getValue<std::string>("text"), "c-1님, 가입을 환영합니다!");
  EXPECT_EQ(body->getObject("variables")->getValue<std::string>("customer_id"), "c-1");

  ASSERT_TRUE(WaitFor([&] { return StatusOf(id) == "delivered"; }));
  EXPECT_TRUE(HasMetric("loyalty_webhook_delivered_total 1")) << Metrics();
  EXPECT_TRUE(HasMetric("loyalty_webhook_failed_total 0"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(receiver_.count(), 1u) << "delivered once";
  // The pull API has nothing left to hand out.
  HttpResult pull = client().Post("/v1/messages/pull", Token("messaging"), "{}");
  EXPECT_EQ(pull.Int("count"), 0) << pull.body;
}

TEST_F(WebhookTest, RetriesWithBackoffUntilAccepted) {
  receiver_.SetPolicy([](const Received&, int index) { return index < 2 ? 503 : 200; });
  MakeCustomer("c-1");
  ASSERT_TRUE(WaitFor([&] { return receiver_.count() >= 1; }));
  const int64_t id = std::stoll(receiver_.requests()[0].message_id);
  ASSERT_TRUE(WaitFor([&] { return AttemptsOf(id) == 1; }));
  Poco::JSON::Object::Ptr m = MessageById(id);
  ASSERT_FALSE(m.isNull());
  EXPECT_EQ(m->getValue<std::string>("status"), "pending");
  EXPECT_EQ(m->getValue<std::string>("last_error"), "HTTP 503");
  EXPECT_GT(m->getValue<std::string>("not_before"), FormatInstant(clock_.NowMicros()))
      << "backed off";
  // The clock stands still: no retry before the backoff has passed.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(receiver_.count(), 1u);

  clock_.Advance(10 * kSecond);
  ASSERT_TRUE(WaitFor([&] { return AttemptsOf(id) == 2; }));
  EXPECT_EQ(receiver_.count(), 2u);
  clock_.Advance(10 * kSecond);
  ASSERT_TRUE(WaitFor([&] { return StatusOf(id) == "delivered"; }));
  EXPECT_EQ(receiver_.count(), 3u);
  EXPECT_EQ(AttemptsOf(id), 2);
  EXPECT_TRUE(HasMetric("loyalty_webhook_failed_total 2")) << Metrics();
  EXPECT_TRUE(HasMetric("loyalty_webhook_delivered_total 1"));
  EXPECT_TRUE(HasMetric("loyalty_webhook_dead_lettered_total 0"));
}

TEST_F(WebhookTest, DeadLetterAfterMaxAttemptsReleasesTheCustomersNextMessage) {
  receiver_.SetPolicy([](const Received& r, int) { return r.type == "welcome" ? 500 : 200; });
  MakeCustomerWith("c-1");
  ASSERT_EQ(PostCart("c-1", "cart-1").status, 202);
  ASSERT_TRUE(WaitFor([&] { return receiver_.count() >= 1; }));
  const int64_t welcome = std::stoll(receiver_.requests()[0].message_id);
  ASSERT_TRUE(WaitFor([&] { return AttemptsOf(welcome) == 1; }));

  clock_.Advance(31 * kMinute);  // the cart reminder is due; the welcome's backoff is over
  ASSERT_TRUE(WaitFor([&] { return AttemptsOf(welcome) == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (const Received& r : receiver_.requests()) {
    EXPECT_EQ(r.type, "welcome") << "the cart reminder waits behind the failing welcome";
  }
  clock_.Advance(kMinute);
  ASSERT_TRUE(WaitFor([&] { return StatusOf(welcome) == "dead_letter"; }));
  EXPECT_EQ(AttemptsOf(welcome), 3);
  ASSERT_TRUE(WaitFor([&] { return Ids("status=delivered").size() == 1; }));

  std::vector<Received> got = receiver_.requests();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[3].type, "cart_reminder");
  EXPECT_EQ(got[3].answered, 200);
  EXPECT_TRUE(HasMetric("loyalty_webhook_failed_total 3")) << Metrics();
  EXPECT_TRUE(HasMetric("loyalty_webhook_dead_lettered_total 1"));
  EXPECT_TRUE(HasMetric("loyalty_webhook_delivered_total 1"));

  // The receiver is fixed; replay from the start sends both again, in order.
  receiver_.SetPolicy(nullptr);
  HttpResult replay =
      client().Post("/v1/messages/replay", Token("admin"), R"({"after_message_id":0})");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(replay.Int("requeued"), 2);
  ASSERT_TRUE(WaitFor([&] { return Ids("status=delivered").size() == 2; }));
  got = receiver_.requests();
  ASSERT_EQ(got.size(), 6u);
  EXPECT_EQ(got[4].type, "welcome");
  EXPECT_EQ(got[5].type, "cart_reminder");
}

TEST_F(WebhookTest, OneCustomersMessagesArriveInCreationOrder) {
  // Every message is refused the first time it is offered.
  auto seen = std::make_shared<std::map<std::string, int>>();
  receiver_.SetPolicy(
      [seen](const Received& r, int) { return (*seen)[r.message_id]++ == 0 ? 503 : 200; });
  MakeCustomerWith("c-1");
  ASSERT_EQ(PostCart("c-1", "cart-1").status, 202);
  ASSERT_EQ(PostCart("c-1", "cart-2").status, 202);
  MakeCustomer("c-2");
  clock_.Advance(31 * kMinute);
  ASSERT_TRUE(WaitFor(
      [&] {
        clock_.Advance(5 * kSecond);  // let the backoffs pass
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return Ids("status=delivered").size() == 4;
      },
      20000));

  std::map<std::string, std::vector<Received>> by_customer;
  for (const Received& r : receiver_.requests()) by_customer[r.customer_id].push_back(r);
  ASSERT_EQ(by_customer["c-1"].size(), 6u);
  ASSERT_EQ(by_customer["c-2"].size(), 2u);
  // c-1: each message twice (refused, accepted), never a later one before an earlier one was
  // accepted.
  int64_t last = 0;
  for (const Received& r : by_customer["c-1"]) {
    const int64_t id = std::stoll(r.message_id);
    EXPECT_GE(id, last) << "message " << id << " offered after " << last;
    last = id;
  }
  const std::vector<Received>& c1 = by_customer["c-1"];
  for (size_t i = 0; i < c1.size(); i += 2) {
    EXPECT_EQ(c1[i].message_id, c1[i + 1].message_id);
    EXPECT_EQ(c1[i].answered, 503);
    EXPECT_EQ(c1[i + 1].answered, 200);
  }
  EXPECT_EQ(c1[0].type, "welcome");
  EXPECT_EQ(c1[2].type, "cart_reminder");
  EXPECT_EQ(c1[4].type, "cart_reminder");
}

// `loyalty serve` refuses a webhook URL without a usable secret, before opening anything.
TEST_F(WebhookTest, ServeRefusesAWebhookWithoutASecret) {
  auto run = [&](const std::string& args) {
    const std::string cmd = "env -u LOYALTY_WEBHOOK_SECRET " + std::string(LOYALTY_BINARY) +
                            " serve --port 0 --db " + dir_.File("cli.db") + " " + args + " 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    std::string out;
    char buf[512];
    while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    const int rc = p == nullptr ? -1 : pclose(p);
    return std::make_pair(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, out);
  };
  auto missing = run("--webhook-url http://127.0.0.1:9/hook");
  EXPECT_EQ(missing.first, 1) << missing.second;
  EXPECT_NE(missing.second.find("secret"), std::string::npos) << missing.second;

  {
    std::ofstream f(dir_.File("short.secret"));
    f << "short\n";
  }
  auto short_secret = run("--webhook-url http://127.0.0.1:9/hook --webhook-secret-file " +
                          dir_.File("short.secret"));
  EXPECT_EQ(short_secret.first, 1) << short_secret.second;
  EXPECT_NE(short_secret.second.find("--webhook-secret-file"), std::string::npos)
      << short_secret.second;

  auto no_url = run("--webhook-secret-file " + dir_.File("short.secret"));
  EXPECT_EQ(no_url.first, 1) << no_url.second;
  EXPECT_NE(no_url.second.find("needs --webhook-url"), std::string::npos) << no_url.second;

  auto https = run("--webhook-url https://shop.example/hook --webhook-secret-file " +
                   dir_.File("short.secret"));
  EXPECT_EQ(https.first, 1) << https.second;
  EXPECT_NE(https.second.find("https"), std::string::npos) << https.second;
}

}  // namespace
}  // namespace loyalty::apitest
