// POST /v1/customers/{id}/consent: the route and its roles, the answer (the consent state), the
// withdrawal suppressing pending advertising messages, the customer resource's consent fields,
// validation as problem+json naming the field, and an idempotent retry.
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

class ConsentApiTest : public ApiTest {
 protected:
  HttpResult Consent(const std::string& id, const std::string& body,
                     const std::string& role = "messaging", const std::string& key = "") {
    return client().Post("/v1/customers/" + id + "/consent", Token(role), body, key);
  }
  void ExpectInvalid(const HttpResult& r, const std::string& field) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.ContentType(), "application/problem+json");
    if (r.status != 400) return;
    EXPECT_EQ(r.Str("code"), "validation_failed");
    EXPECT_EQ(r.Str("field"), field) << r.body;
  }
  std::vector<Message> Messages(const std::string& id) {
    MessageQuery q;
    q.customer_id = id;
    q.limit = 100;
    auto r = session_->ListMessages(q);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<Message>{};
  }
};

TEST_F(ConsentApiTest, GrantThenOptOutFromTheMessagingLayer) {
  MakeCustomer("c-1");
  HttpResult g = Consent(
      "c-1", R"({"marketing_consent":true,"night_consent":true,"channel":"web"})", "cs_agent");
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_EQ(g.ContentType(), "application/json");
  EXPECT_TRUE(g.Json()->getValue<bool>("marketing_consent"));
  EXPECT_TRUE(g.Json()->getValue<bool>("night_consent"));
  EXPECT_EQ(g.Str("consent_channel"), "web");
  EXPECT_EQ(g.Str("consent_confirmed_at"), FormatInstant(clock_.NowMicros()));
  EXPECT_EQ(g.Int("suppressed_messages"), 0);
  EXPECT_TRUE(g.Json()->getValue<bool>("recorded"));

  HttpResult c = client().Get("/v1/customers/c-1", Token("checkout"));
  ASSERT_EQ(c.status, 200);
  EXPECT_EQ(c.Str("consent_channel"), "web");
  EXPECT_EQ(c.Str("consent_confirmed_at"), FormatInstant(clock_.NowMicros()));

  // An advertising message waiting in the outbox, then an 080 reply.
  Message ad;
  ad.customer_id = "c-1";
  ad.type = "winback";
  ad.category = MessageCategory::kAdvertising;
  ad.template_code = "WINBACK";
  ad.variables_json = "{}";
  ad.text = "(광고) ...";
  ad.dedupe_key = "test-ad";
  ad.status = MessageStatus::kPending;
  ad.created_at_us = ad.not_before_us = ad.updated_at_us = clock_.NowMicros();
  ASSERT_TRUE(session_->InsertMessage(ad).ok());

  HttpResult w = Consent("c-1", R"({"marketing_consent":false,"channel":"sms_080"})");
  ASSERT_EQ(w.status, 200) << w.body;
  EXPECT_FALSE(w.Json()->getValue<bool>("marketing_consent"));
  EXPECT_TRUE(w.Json()->isNull("consent_confirmed_at"));
  EXPECT_EQ(w.Str("consent_channel"), "sms_080");
  EXPECT_EQ(w.Int("suppressed_messages"), 1);
  bool suppressed = false;
  int notices = 0;
  for (const Message& m : Messages("c-1")) {
    if (m.dedupe_key == "test-ad") {
      suppressed = m.status == MessageStatus::kSuppressed && m.status_reason == "consent_withdrawn";
    }
    if (m.type == "consent_changed") ++notices;
  }
  EXPECT_TRUE(suppressed);
  EXPECT_EQ(notices, 2);  // the demo programme sends the result of each change
}

TEST_F(ConsentApiTest, RolesAndUnknownCustomer) {
  MakeCustomer("c-1");
  const std::string body = R"({"marketing_consent":true,"channel":"cs"})";
  for (const char* role : {"messaging", "cs_agent", "cs_supervisor", "admin"}) {
    EXPECT_EQ(Consent("c-1", body, role).status, 200) << role;
  }
  for (const char* role : {"checkout", "jobs"}) {
    HttpResult r = Consent("c-1", body, role);
    EXPECT_EQ(r.status, 403) << role;
    EXPECT_EQ(r.ContentType(), "application/problem+json");
  }
  HttpResult nf = Consent("nobody", body);
  EXPECT_EQ(nf.status, 404) << nf.body;
  EXPECT_EQ(nf.ContentType(), "application/problem+json");
}

TEST_F(ConsentApiTest, BadBodiesNameTheField) {
  MakeCustomer("c-1");
  ExpectInvalid(Consent("c-1", R"({"marketing_consent":false})"), "channel");
  ExpectInvalid(Consent("c-1", R"({"marketing_consent":false,"channel":""})"), "channel");
  ExpectInvalid(Consent("c-1", R"({"marketing_consent":false,"channel":"SMS"})"), "channel");
  ExpectInvalid(Consent("c-1", R"({"marketing_consent":false,"channel":"a-b"})"), "channel");
  ExpectInvalid(
      Consent("c-1", R"({"marketing_consent":false,"channel":")" + std::string(33, 'a') + R"("})"),
      "channel");
  ExpectInvalid(Consent("c-1", R"({"marketing_consent":false,"channel":7})"), "channel");
  ExpectInvalid(Consent("c-1", R"({"marketing_consent":"no","channel":"web"})"),
                "marketing_consent");
  ExpectInvalid(Consent("c-1", R"({"channel":"web"})"), "marketing_consent");
  ExpectInvalid(Consent("c-1", R"({"channel":"web","reconfirm":false})"), "marketing_consent");
  ExpectInvalid(Consent("c-1", R"({"channel":"web","reconfirm":true})"), "reconfirm");
  ExpectInvalid(Consent("c-1", R"({"marketing_consent":true,"channel":"web","why":"x"})"), "why");
  auto history = session_->ListConsentChanges("c-1", 10);
  ASSERT_TRUE(history.ok());
  EXPECT_TRUE(history->empty());
}

TEST_F(ConsentApiTest, RetryWithTheSameIdempotencyKeyIsReplayed) {
  MakeCustomer("c-1");
  const std::string body = R"({"marketing_consent":true,"channel":"app"})";
  HttpResult first = Consent("c-1", body, "messaging", "k-1");
  ASSERT_EQ(first.status, 200) << first.body;
  clock_.Advance(1'000'000);
  HttpResult retry = Consent("c-1", body, "messaging", "k-1");
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(retry.body, first.body);
  auto history = session_->ListConsentChanges("c-1", 10);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);
  HttpResult conflict =
      Consent("c-1", R"({"marketing_consent":false,"channel":"app"})", "messaging", "k-1");
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(conflict.Str("code"), "idempotency_conflict");
}

TEST_F(ConsentApiTest, PutWithConsentRecordsTheApiChannel) {
  HttpResult r =
      client().Put("/v1/customers/c-2", Token("checkout"), R"({"marketing_consent":true})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Str("consent_channel"), "api");
  EXPECT_EQ(r.Str("consent_confirmed_at"), FormatInstant(clock_.NowMicros()));
  auto history = session_->ListConsentChanges("c-2", 10);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 1u);
  EXPECT_EQ((*history)[0].channel, "api");
  EXPECT_EQ((*history)[0].actor, "checkout:test-checkout");
}

}  // namespace
}  // namespace loyalty::apitest
