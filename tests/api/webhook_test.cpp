// The webhook worker (api/webhook_worker.h) against an in-process receiver: the signature and
// its verification recipe, retries with backoff (driven by the FakeClock), the dead-letter state
// after max attempts, per-customer order of arrival, replay, metrics, secret rotation and the
// serve flags. https: webhook_tls_test.cpp.
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/api/webhook_test_util.h"

namespace loyalty::apitest {
namespace {

constexpr Micros kMinute = kWebhookMinute;
constexpr Micros kSecond = kWebhookSecond;
const std::string kSecret = kWebhookSecret;
const std::string kOldSecret = "whsec-old-fedcba9876543210";

class WebhookTest : public WebhookTestBase {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    receiver_.Start();
    StartServer(Options());
  }
  WebhookOptions Options() const { return OptionsFor("http"); }
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

// The Stripe convention: `v1=<new>, v1=<old>`; a receiver holding either secret verifies, one
// holding neither does not, and without a previous secret the header is the one signature.
TEST(WebhookSignatureTest, DuringARotationTheHeaderCarriesBothSignatures) {
  const std::string body = R"({"message_id":8})";
  const std::string ts = "1772413200";
  const std::string header = WebhookSignatureHeader(kSecret, kOldSecret, ts, body);
  EXPECT_EQ(header,
            WebhookSignature(kSecret, ts, body) + ", " + WebhookSignature(kOldSecret, ts, body));
  EXPECT_TRUE(VerifyWebhookSignature(kSecret, ts, body, header));
  EXPECT_TRUE(VerifyWebhookSignature(kOldSecret, ts, body, header));
  EXPECT_FALSE(VerifyWebhookSignature("a-third-secret-0123456789", ts, body, header));
  EXPECT_FALSE(VerifyWebhookSignature(kOldSecret, ts, body + " ", header));
  EXPECT_FALSE(VerifyWebhookSignature(kOldSecret, "1772413201", body, header));
  // Spacing and order do not matter to the verifier.
  EXPECT_TRUE(VerifyWebhookSignature(
      kOldSecret, ts, body,
      WebhookSignature(kOldSecret, ts, body) + "," + WebhookSignature(kSecret, ts, body)));
  EXPECT_EQ(WebhookSignatureHeader(kSecret, "", ts, body), WebhookSignature(kSecret, ts, body));
}

TEST(WebhookOptionsTest, RefusesBadOptions) {
  WebhookOptions o;
  o.url = "http://127.0.0.1:9/hook";
  o.secret = kSecret;
  EXPECT_TRUE(ValidateWebhookOptions(o).ok());
  WebhookOptions https = o;
  https.url = "https://shop.example/hook";
  EXPECT_TRUE(ValidateWebhookOptions(https).ok());
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

  WebhookOptions rotation = o;
  rotation.previous_secret = kOldSecret;
  EXPECT_TRUE(ValidateWebhookOptions(rotation).ok());
  rotation.previous_secret = "short";
  EXPECT_EQ(ValidateWebhookOptions(rotation).field(), "webhook_previous_secret");
  rotation.previous_secret = kSecret;  // the same key twice rotates nothing
  EXPECT_EQ(ValidateWebhookOptions(rotation).field(), "webhook_previous_secret");

  WebhookOptions ca = https;
  ca.ca_file = "/nonexistent/ca.pem";
  EXPECT_EQ(ValidateWebhookOptions(ca).field(), "webhook_ca_file");
  WebhookOptions ca_on_http = o;
  ca_on_http.ca_file = LOYALTY_SOURCE_DIR "/CMakeLists.txt";  // readable, but http has no TLS
  EXPECT_EQ(ValidateWebhookOptions(ca_on_http).field(), "webhook_ca_file");
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
  // Counted just after the acknowledgement commits.
  EXPECT_TRUE(WaitFor([&] { return HasMetric("loyalty_webhook_delivered_total 1"); })) << Metrics();
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
  EXPECT_TRUE(WaitFor([&] { return HasMetric("loyalty_webhook_delivered_total 1"); }));
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

// While the previous secret is configured every delivery verifies at a receiver that still
// has the old secret and at one that already has the new one; dropping it ends the old one.
TEST_F(WebhookTest, ARotationIsVerifiedWithTheOldAndTheNewSecret) {
  WebhookOptions rotating = Options();
  rotating.previous_secret = kOldSecret;
  StartServer(rotating);
  receiver_.SetSecret(kOldSecret);  // this receiver has not been told the new secret yet
  MakeCustomer("c-1");
  ASSERT_TRUE(WaitFor([&] { return Ids("status=delivered").size() == 1; }));
  receiver_.SetSecret(kSecret);  // now it has
  MakeCustomer("c-2");
  ASSERT_TRUE(WaitFor([&] { return Ids("status=delivered").size() == 2; }));

  std::vector<Received> got = receiver_.requests();
  ASSERT_EQ(got.size(), 2u);
  for (const Received& r : got) {
    EXPECT_TRUE(r.verified) << r.signature;
    EXPECT_EQ(r.signature, WebhookSignature(kSecret, r.timestamp, r.body) + ", " +
                               WebhookSignature(kOldSecret, r.timestamp, r.body));
  }

  // Rotation over: the old secret no longer verifies (401, a failed attempt).
  StartServer(Options());
  receiver_.SetSecret(kOldSecret);
  MakeCustomer("c-3");
  ASSERT_TRUE(WaitFor([&] { return receiver_.count() >= 3; }));
  got = receiver_.requests();
  EXPECT_FALSE(got[2].verified);
  EXPECT_EQ(got[2].signature, WebhookSignature(kSecret, got[2].timestamp, got[2].body));
  EXPECT_EQ(got[2].answered, 401);
}

// `loyalty serve` refuses a webhook URL without a usable secret, and bad rotation or CA flags,
// before opening anything.
TEST_F(WebhookTest, ServeRefusesBadWebhookFlags) {
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

  {
    std::ofstream f(dir_.File("good.secret"));
    f << kSecret << "\n";
  }
  const std::string good = " --webhook-secret-file " + dir_.File("good.secret");
  auto no_ca = run("--webhook-url https://shop.example/hook" + good + " --webhook-ca-file " +
                   dir_.File("missing-ca.pem"));
  EXPECT_EQ(no_ca.first, 1) << no_ca.second;
  EXPECT_NE(no_ca.second.find("--webhook-ca-file"), std::string::npos) << no_ca.second;
  auto ca_on_http = run("--webhook-url http://127.0.0.1:9/hook" + good + " --webhook-ca-file " +
                        dir_.File("good.secret"));
  EXPECT_EQ(ca_on_http.first, 1) << ca_on_http.second;
  EXPECT_NE(ca_on_http.second.find("https"), std::string::npos) << ca_on_http.second;
  auto ca_no_url = run("--webhook-ca-file " + dir_.File("good.secret"));
  EXPECT_EQ(ca_no_url.first, 1) << ca_no_url.second;
  EXPECT_NE(ca_no_url.second.find("needs --webhook-url"), std::string::npos) << ca_no_url.second;

  auto same_previous = run("--webhook-url http://127.0.0.1:9/hook" + good +
                           " --webhook-previous-secret-file " + dir_.File("good.secret"));
  EXPECT_EQ(same_previous.first, 1) << same_previous.second;
  EXPECT_NE(same_previous.second.find("--webhook-previous-secret-file"), std::string::npos)
      << same_previous.second;
  auto missing_previous = run("--webhook-url http://127.0.0.1:9/hook" + good +
                              " --webhook-previous-secret-file " + dir_.File("missing.secret"));
  EXPECT_EQ(missing_previous.first, 1) << missing_previous.second;
  EXPECT_NE(missing_previous.second.find("cannot read"), std::string::npos)
      << missing_previous.second;
  auto previous_no_url = run("--webhook-previous-secret-file " + dir_.File("good.secret"));
  EXPECT_EQ(previous_no_url.first, 1) << previous_no_url.second;
  EXPECT_NE(previous_no_url.second.find("needs --webhook-url"), std::string::npos)
      << previous_no_url.second;
}

}  // namespace
}  // namespace loyalty::apitest
