// https webhooks (api/webhook_worker.h) against a TLS receiver on loopback, with certificates
// made for the test by the openssl command line under a private CA: delivered when the CA is
// given with --webhook-ca-file, refused (a failed attempt, backed off, never delivered) with the
// system CA store only, and refused for a certificate that names another host.
#include <Poco/Net/Context.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/api/webhook_test_util.h"

namespace loyalty::apitest {
namespace {

// A private CA and two server certificates it signed: "loopback" for localhost and 127.0.0.1,
// "elsewhere" for shop.example only. Made once for the suite (key generation is the slow part).
class TestCertificates {
 public:
  TestCertificates() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "loyalty-tls-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) return;
    dir_ = tmpl;
    for (const auto& [name, san] :
         {std::pair<std::string, std::string>{"loopback", "DNS:localhost,IP:127.0.0.1"},
          {"elsewhere", "DNS:shop.example"}}) {
      Write(name + ".ext", "subjectAltName=" + san +
                               "\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature"
                               "\nextendedKeyUsage=serverAuth\n");
    }
    Write("make.sh", R"(set -e
KEY="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 -new $KEY -keyout ca.key -out ca.pem -days 2 -subj "/CN=loyalty test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
for name in loopback elsewhere; do
  openssl req -new $KEY -keyout $name.key -out $name.csr -subj "/CN=$name"
  openssl x509 -req -in $name.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -sha256 \
    -extfile $name.ext -out $name.pem
done
)");
    ok_ = std::system(("cd '" + dir_ + "' && sh make.sh >openssl.log 2>&1").c_str()) == 0;
  }
  ~TestCertificates() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  bool ok() const { return ok_; }
  std::string File(const std::string& name) const { return dir_ + "/" + name; }
  std::string Log() const {
    std::ifstream in(File("openssl.log"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(File(name)) << text;
  }
  std::string dir_;
  bool ok_ = false;
};

class WebhookTlsTest : public WebhookTestBase {
 protected:
  static void SetUpTestSuite() { certs_ = new TestCertificates(); }
  static void TearDownTestSuite() {
    delete certs_;
    certs_ = nullptr;
  }
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_EQ(std::system("command -v openssl >/dev/null"), 0)
        << "the openssl command line is needed (Debian: apt-get install openssl)";
    ASSERT_TRUE(certs_->ok()) << certs_->Log();
  }

  // The receiver serves https with `leaf`.pem; the webhook points at it.
  void StartWith(const std::string& leaf, const std::string& ca_file) {
    Poco::Net::Context::Ptr server =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, certs_->File(leaf + ".key"),
                               certs_->File(leaf + ".pem"), "", Poco::Net::Context::VERIFY_NONE);
    receiver_.Start(server);
    WebhookOptions w = OptionsFor("https");
    w.ca_file = ca_file;
    StartServer(w);
  }
  // The welcome message of the only customer, once its first attempt has been recorded.
  int64_t FirstMessageAfterOneAttempt() {
    int64_t id = 0;
    EXPECT_TRUE(WaitFor([&] {
      const std::vector<int64_t> ids = Ids("after=0");
      if (ids.empty()) return false;
      id = ids[0];
      return AttemptsOf(id) >= 1;
    }));
    return id;
  }

  static TestCertificates* certs_;
};

TestCertificates* WebhookTlsTest::certs_ = nullptr;

TEST_F(WebhookTlsTest, WithThePrivateCaTheDeliverySucceedsAndVerifies) {
  StartWith("loopback", certs_->File("ca.pem"));
  MakeCustomer("c-1");
  ASSERT_TRUE(WaitFor([&] { return Ids("status=delivered").size() == 1; }));
  const std::vector<Received> got = receiver_.requests();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].verified) << got[0].signature;
  EXPECT_TRUE(
      VerifyWebhookSignature(kWebhookSecret, got[0].timestamp, got[0].body, got[0].signature));
  EXPECT_EQ(got[0].type, "welcome");
  EXPECT_EQ(got[0].customer_id, "c-1");
  // Counted just after the acknowledgement commits.
  EXPECT_TRUE(WaitFor([&] { return HasMetric("loyalty_webhook_delivered_total 1"); })) << Metrics();
  EXPECT_TRUE(HasMetric("loyalty_webhook_failed_total 0"));
}

// Without --webhook-ca-file trust comes from OpenSSL's default store, here pointed at the
// private CA through SSL_CERT_FILE (which overrides the default CA file, as on any machine).
TEST_F(WebhookTlsTest, WithoutACaFileTheSystemStoreDecides) {
  const char* before = std::getenv("SSL_CERT_FILE");
  const std::string saved = before == nullptr ? "" : before;
  setenv("SSL_CERT_FILE", certs_->File("ca.pem").c_str(), 1);
  StartWith("loopback", "");  // the store is read here, when the worker starts
  if (before == nullptr) {
    unsetenv("SSL_CERT_FILE");
  } else {
    setenv("SSL_CERT_FILE", saved.c_str(), 1);
  }
  MakeCustomer("c-1");
  ASSERT_TRUE(WaitFor([&] { return Ids("status=delivered").size() == 1; }));
  ASSERT_EQ(receiver_.count(), 1u);
  EXPECT_TRUE(receiver_.requests()[0].verified);
}

// The private CA is not in the system store: every attempt fails the handshake, is counted and
// backed off, and the message ends in the dead-letter state without a request ever arriving.
TEST_F(WebhookTlsTest, WithTheSystemStoreOnlyTheDeliveryFailsAndBacksOff) {
  StartWith("loopback", "");
  MakeCustomer("c-1");
  const int64_t id = FirstMessageAfterOneAttempt();
  ASSERT_GT(id, 0);
  Poco::JSON::Object::Ptr m = MessageById(id);
  ASSERT_FALSE(m.isNull());
  EXPECT_EQ(m->getValue<std::string>("status"), "pending");
  EXPECT_EQ(m->getValue<std::string>("last_error").rfind("tls: ", 0), 0u)
      << m->getValue<std::string>("last_error");
  EXPECT_GT(m->getValue<std::string>("not_before"), FormatInstant(clock_.NowMicros()))
      << "backed off";
  EXPECT_TRUE(HasMetric("loyalty_webhook_failed_total 1")) << Metrics();

  clock_.Advance(10 * kWebhookSecond);
  ASSERT_TRUE(WaitFor([&] { return AttemptsOf(id) == 2; }));
  clock_.Advance(10 * kWebhookSecond);
  ASSERT_TRUE(WaitFor([&] { return StatusOf(id) == "dead_letter"; }));
  EXPECT_EQ(receiver_.count(), 0u) << "no request may pass an unverified certificate";
  EXPECT_TRUE(HasMetric("loyalty_webhook_failed_total 3")) << Metrics();
  // Counted just after the dead-letter state commits.
  EXPECT_TRUE(WaitFor([&] { return HasMetric("loyalty_webhook_dead_lettered_total 1"); }));
  EXPECT_TRUE(HasMetric("loyalty_webhook_delivered_total 0"));
}

// Signed by the trusted CA, but for shop.example, not 127.0.0.1: the host name check refuses it
// (a loopback peer is no exception).
TEST_F(WebhookTlsTest, ACertificateForAnotherHostIsRefused) {
  StartWith("elsewhere", certs_->File("ca.pem"));
  MakeCustomer("c-1");
  const int64_t id = FirstMessageAfterOneAttempt();
  ASSERT_GT(id, 0);
  Poco::JSON::Object::Ptr m = MessageById(id);
  ASSERT_FALSE(m.isNull());
  EXPECT_EQ(m->getValue<std::string>("status"), "pending");
  EXPECT_EQ(m->getValue<std::string>("last_error").rfind("tls: ", 0), 0u)
      << m->getValue<std::string>("last_error");
  EXPECT_EQ(receiver_.count(), 0u);
  EXPECT_TRUE(HasMetric("loyalty_webhook_failed_total 1")) << Metrics();
  EXPECT_TRUE(HasMetric("loyalty_webhook_delivered_total 0"));
}

// A CA file that holds no certificate stops the start instead of failing every delivery.
TEST_F(WebhookTlsTest, ACaFileWithoutCertificatesRefusesToStart) {
  {
    std::ofstream f(dir_.File("not-a-ca.pem"));
    f << "not a certificate\n";
  }
  receiver_.Start();
  ServerOptions opts;
  opts.port = 0;
  opts.webhook = OptionsFor("https");
  opts.webhook.ca_file = dir_.File("not-a-ca.pem");
  ApiServer other(*store_, *program_, clock_, opts);
  Status st = other.Start();
  EXPECT_EQ(st.code(), Code::kValidationFailed) << st.ToString();
  EXPECT_EQ(st.field(), "webhook_ca_file") << st.ToString();
}

}  // namespace
}  // namespace loyalty::apitest
