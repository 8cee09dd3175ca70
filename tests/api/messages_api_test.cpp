// The message outbox over HTTP (docs/messages.md): pull with a lease, acknowledge, lease
// expiry, per-customer order, consent withdrawn before the pull, night-time deferral, cart
// reminders cancelled by an order, replay, the feeds, validation and roles, the quote's nudges.
#include <Poco/JSON/Array.h>

#include <string>
#include <vector>

#include "core/messaging.h"
#include "tests/api/api_test_util.h"
#include "tests/api/messaging_api_util.h"

namespace loyalty::apitest {
namespace {

constexpr Micros kMinute = 60'000'000;
constexpr Micros kSecond = 1'000'000;

std::vector<int64_t> MessageIds(const Poco::JSON::Object::Ptr& body) {
  std::vector<int64_t> ids;
  Poco::JSON::Array::Ptr arr = body->getArray("messages");
  for (size_t i = 0; i < arr->size(); ++i) {
    ids.push_back(arr->getObject(static_cast<unsigned>(i))->getValue<int64_t>("message_id"));
  }
  return ids;
}

std::string IdList(const std::vector<int64_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
  return out + "]";
}

class MessagesApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (HasFatalFailure()) return;
    // The server reads the programme by reference: stop it, configure messaging, start again.
    client_.reset();
    server_->Stop();
    server_.reset();
    program_->messaging = TestMessaging();
    Status valid = ValidateMessaging(*program_);
    ASSERT_TRUE(valid.ok()) << valid.ToString();
    ServerOptions opts;
    opts.port = 0;
    server_ = std::make_unique<ApiServer>(*store_, *program_, clock_, opts);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    client_ = std::make_unique<Client>(server_->port());
  }

  void MakeCustomerWith(const std::string& id, const std::string& body) {
    HttpResult r = client().Put("/v1/customers/" + id, Token("checkout"), body);
    ASSERT_EQ(r.status, 201) << r.body;
  }

  HttpResult Pull(const std::string& body = "{}") {
    return client().Post("/v1/messages/pull", Token("messaging"), body);
  }
  std::vector<int64_t> PullIds(const std::string& body = "{}") {
    HttpResult r = Pull(body);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    EXPECT_EQ(r.Int("count"), static_cast<int64_t>(MessageIds(r.Json()).size()));
    return MessageIds(r.Json());
  }
  HttpResult Ack(const std::vector<int64_t>& ids) {
    return client().Post("/v1/messages/ack", Token("messaging"),
                         R"({"message_ids":)" + IdList(ids) + "}");
  }
  void AckAll(const std::vector<int64_t>& ids) {
    HttpResult r = Ack(ids);
    ASSERT_EQ(r.status, 200) << r.body;
    Poco::JSON::Array::Ptr results = r.Json()->getArray("results");
    ASSERT_EQ(results->size(), ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      Poco::JSON::Object::Ptr one = results->getObject(static_cast<unsigned>(i));
      EXPECT_EQ(one->getValue<int64_t>("message_id"), ids[i]);
      EXPECT_EQ(one->optValue<std::string>("status", ""), "delivered") << r.body;
    }
  }
  HttpResult PostCart(const std::string& customer_id, const std::string& cart_id,
                      int64_t amount_won = 30000) {
    return client().Post("/v1/carts", Token("checkout"),
                         R"({"customer_id":")" + customer_id + R"(","cart_id":")" + cart_id +
                             R"(","amount_won":)" + std::to_string(amount_won) + R"(,"items":2})");
  }
  // The customer's messages of a type, oldest first.
  std::vector<Poco::JSON::Object::Ptr> CustomerMessages(const std::string& customer_id,
                                                        const std::string& type = "") {
    HttpResult r = client().Get(
        "/v1/customers/" + customer_id + "/messages" + (type.empty() ? "" : "?type=" + type),
        Token("cs_agent"));
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<Poco::JSON::Object::Ptr> out;
    if (r.status != 200) return out;
    Poco::JSON::Array::Ptr arr = r.Json()->getArray("messages");
    for (size_t i = 0; i < arr->size(); ++i)
      out.push_back(arr->getObject(static_cast<unsigned>(i)));
    return out;
  }
  // The welcome message of a fresh customer is pulled and acknowledged, so that the
  // customer's later messages are not held back behind it.
  void DeliverPending() {
    std::vector<int64_t> ids = PullIds();
    if (!ids.empty()) AckAll(ids);
  }
  void ExpectInvalid(const HttpResult& r, const std::string& field) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.ContentType(), "application/problem+json");
    if (r.status == 400) {
      EXPECT_EQ(r.Str("code"), "validation_failed") << r.body;
      EXPECT_EQ(r.Str("field"), field) << r.body;
    }
  }
};

TEST_F(MessagesApiTest, PullLeasesAckDelivers) {
  MakeCustomer("c-1");
  HttpResult r = Pull();
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(r.Int("count"), 1) << r.body;
  Poco::JSON::Object::Ptr m = r.Json()->getArray("messages")->getObject(0);
  const int64_t id = m->getValue<int64_t>("message_id");
  EXPECT_GT(id, 0);
  EXPECT_EQ(m->getValue<std::string>("customer_id"), "c-1");
  EXPECT_EQ(m->getValue<std::string>("type"), "welcome");
  EXPECT_EQ(m->getValue<std::string>("category"), "informational");
  EXPECT_EQ(m->getValue<std::string>("template_code"), "HELLO");
  EXPECT_EQ(m->getValue<std::string>("text"), "c-1님, 가입을 환영합니다!");
  EXPECT_TRUE(m->isNull("sms_text"));
  ASSERT_FALSE(m->getObject("variables").isNull()) << r.body;
  EXPECT_EQ(m->getObject("variables")->getValue<std::string>("customer_id"), "c-1");
  EXPECT_FALSE(m->getValue<std::string>("dedupe_key").empty());
  EXPECT_EQ(m->getValue<std::string>("status"), "pending");
  EXPECT_EQ(m->getValue<std::string>("created_at"), FormatInstant(TestStart()));
  EXPECT_EQ(m->getValue<std::string>("not_before"), FormatInstant(TestStart()));
  EXPECT_EQ(m->getValue<std::string>("lease_until"), FormatInstant(TestStart() + 60 * kSecond));
  EXPECT_EQ(m->getValue<int64_t>("attempts"), 0);

  EXPECT_TRUE(PullIds().empty()) << "a leased message is not handed out again";
  AckAll({id});
  clock_.Advance(2 * kMinute);  // past the lease: delivered ones stay delivered
  EXPECT_TRUE(PullIds().empty());
  AckAll({id});  // idempotent

  std::vector<Poco::JSON::Object::Ptr> mine = CustomerMessages("c-1");
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]->getValue<std::string>("status"), "delivered");
  EXPECT_EQ(mine[0]->getValue<std::string>("delivered_at"), FormatInstant(TestStart()));

  HttpResult unknown = Ack({id + 1000});
  ASSERT_EQ(unknown.status, 200) << unknown.body;
  Poco::JSON::Object::Ptr res = unknown.Json()->getArray("results")->getObject(0);
  EXPECT_EQ(res->getObject("error")->getValue<std::string>("code"), "not_found") << unknown.body;
}

TEST_F(MessagesApiTest, AckNeedsALiveLeaseOfTheCallerElseAnItemRefusal) {
  MakeCustomer("c-1");
  const auto ack_as = [&](const std::string& role, int64_t id) {
    HttpResult r = client().Post("/v1/messages/ack", Token(role),
                                 R"({"message_ids":[)" + std::to_string(id) + "]}");
    EXPECT_EQ(r.status, 200) << r.body;  // per-item results, as for not_found and invalid_state
    Poco::JSON::Object::Ptr one = r.Json()->getArray("results")->getObject(0);
    return one->has("error") ? one->getObject("error")->getValue<std::string>("code")
                             : one->getValue<std::string>("status");
  };
  std::vector<Poco::JSON::Object::Ptr> mine = CustomerMessages("c-1");
  ASSERT_EQ(mine.size(), 1u);
  const int64_t id = mine[0]->getValue<int64_t>("message_id");
  EXPECT_EQ(ack_as("messaging", id), "message_not_leased") << "never pulled";
  ASSERT_EQ(PullIds(R"({"lease_seconds":30})"), std::vector<int64_t>{id});
  EXPECT_EQ(ack_as("admin", id), "message_not_leased") << "leased by another key";
  clock_.Advance(30 * kSecond);
  EXPECT_EQ(ack_as("messaging", id), "lease_expired");
  EXPECT_EQ(CustomerMessages("c-1")[0]->getValue<std::string>("status"), "pending");
  ASSERT_EQ(PullIds(), std::vector<int64_t>{id});
  EXPECT_EQ(ack_as("messaging", id), "delivered");
  EXPECT_EQ(ack_as("admin", id), "delivered") << "delivered already: idempotent for anyone";
}

TEST_F(MessagesApiTest, ANightDeferredAdCannotBeAckedByIdToGetAroundTheMorning) {
  clock_.Set(StartOfDay(LocalDate{2026, 3, 2}, "Asia/Seoul") + (20 * 60 + 50) * kMinute);
  const Micros next_morning = StartOfDay(LocalDate{2026, 3, 3}, "Asia/Seoul") + 8 * 60 * kMinute;
  MakeCustomerWith("c-day", R"({"marketing_consent":true})");
  DeliverPending();
  HttpResult cart = PostCart("c-day", "cart-1");
  ASSERT_EQ(cart.status, 202) << cart.body;
  const int64_t id = cart.Json()->getObject("message")->getValue<int64_t>("message_id");
  clock_.Advance(31 * kMinute);  // 21:21: it waits for 08:00
  EXPECT_TRUE(PullIds().empty());
  HttpResult ack = Ack({id});
  ASSERT_EQ(ack.status, 200) << ack.body;
  Poco::JSON::Object::Ptr one = ack.Json()->getArray("results")->getObject(0);
  ASSERT_TRUE(one->has("error")) << ack.body;
  EXPECT_EQ(one->getObject("error")->getValue<std::string>("code"), "message_not_leased");
  std::vector<Poco::JSON::Object::Ptr> carts = CustomerMessages("c-day", "cart_reminder");
  ASSERT_EQ(carts.size(), 1u);
  EXPECT_EQ(carts[0]->getValue<std::string>("status"), "pending");
  EXPECT_TRUE(carts[0]->isNull("delivered_at"));
  clock_.Set(next_morning);
  ASSERT_EQ(PullIds(), std::vector<int64_t>{id});
  AckAll({id});
}

TEST_F(MessagesApiTest, AnExpiredLeaseHandsTheMessageOutAgain) {
  MakeCustomer("c-1");
  std::vector<int64_t> first = PullIds(R"({"lease_seconds":30})");
  ASSERT_EQ(first.size(), 1u);
  clock_.Advance(29 * kSecond);
  EXPECT_TRUE(PullIds().empty());
  clock_.Advance(1 * kSecond);
  EXPECT_EQ(PullIds(), first);
}

TEST_F(MessagesApiTest, PullHonoursTheLimit) {
  for (int i = 0; i < 3; ++i) MakeCustomer("c-" + std::to_string(i));
  std::vector<int64_t> two = PullIds(R"({"limit":2})");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_LT(two[0], two[1]) << "oldest first";
  std::vector<int64_t> rest = PullIds(R"({"limit":2})");
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_GT(rest[0], two[1]);
}

TEST_F(MessagesApiTest, OneCustomersMessagesComeOutInCreationOrder) {
  MakeCustomerWith("c-1", R"({"marketing_consent":true})");
  MakeCustomer("c-2");
  ASSERT_EQ(PostCart("c-1", "cart-1").status, 202);
  clock_.Advance(31 * kMinute);  // the cart reminder is due, but behind c-1's welcome
  HttpResult r = Pull();
  ASSERT_EQ(r.status, 200) << r.body;
  Poco::JSON::Array::Ptr arr = r.Json()->getArray("messages");
  ASSERT_EQ(arr->size(), 2u) << r.body;
  int64_t c1_welcome = 0;
  for (size_t i = 0; i < arr->size(); ++i) {
    Poco::JSON::Object::Ptr m = arr->getObject(static_cast<unsigned>(i));
    EXPECT_EQ(m->getValue<std::string>("type"), "welcome");
    if (m->getValue<std::string>("customer_id") == "c-1")
      c1_welcome = m->getValue<int64_t>("message_id");
  }
  ASSERT_GT(c1_welcome, 0);
  EXPECT_TRUE(PullIds().empty()) << "c-1's cart reminder waits for its welcome";
  AckAll({c1_welcome});
  HttpResult next = Pull();
  ASSERT_EQ(next.Int("count"), 1) << next.body;
  Poco::JSON::Object::Ptr cart = next.Json()->getArray("messages")->getObject(0);
  EXPECT_EQ(cart->getValue<std::string>("type"), "cart_reminder");
  EXPECT_EQ(cart->getValue<std::string>("customer_id"), "c-1");
  EXPECT_GT(cart->getValue<int64_t>("message_id"), c1_welcome);
  EXPECT_EQ(cart->getValue<std::string>("category"), "advertising");
  EXPECT_EQ(cart->getValue<std::string>("sms_text"), testing::AdRendered("장바구니를 확인하세요"));
}

TEST_F(MessagesApiTest, ConsentWithdrawnBeforeThePullSuppressesTheMessage) {
  MakeCustomerWith("c-1", R"({"marketing_consent":true})");
  DeliverPending();
  HttpResult cart = PostCart("c-1", "cart-1");
  ASSERT_EQ(cart.status, 202) << cart.body;
  EXPECT_TRUE(cart.Json()->getValue<bool>("scheduled"));
  HttpResult withdraw =
      client().Put("/v1/customers/c-1", Token("checkout"), R"({"marketing_consent":false})");
  ASSERT_EQ(withdraw.status, 200) << withdraw.body;
  clock_.Advance(31 * kMinute);
  EXPECT_TRUE(PullIds().empty());
  std::vector<Poco::JSON::Object::Ptr> carts = CustomerMessages("c-1", "cart_reminder");
  ASSERT_EQ(carts.size(), 1u);
  EXPECT_EQ(carts[0]->getValue<std::string>("status"), "suppressed");
  // Suppressed at once by the withdrawal (POST /v1/customers/{id}/consent's rules).
  EXPECT_EQ(carts[0]->getValue<std::string>("status_reason"), "consent_withdrawn");
  EXPECT_TRUE(carts[0]->isNull("delivered_at"));
}

TEST_F(MessagesApiTest, WithoutConsentACartReminderIsWrittenSuppressed) {
  MakeCustomer("c-1");  // no marketing consent
  HttpResult cart = PostCart("c-1", "cart-1");
  ASSERT_EQ(cart.status, 202) << cart.body;
  EXPECT_FALSE(cart.Json()->getValue<bool>("scheduled"));
  EXPECT_EQ(cart.Json()->getObject("message")->getValue<std::string>("status"), "suppressed");
}

TEST_F(MessagesApiTest, AdvertisingAtNightWaitsUntilEightWithoutNightConsent) {
  // 20:50 KST: the reminder is due at 21:20, inside the night.
  clock_.Set(StartOfDay(LocalDate{2026, 3, 2}, "Asia/Seoul") + (20 * 60 + 50) * kMinute);
  const Micros next_morning = StartOfDay(LocalDate{2026, 3, 3}, "Asia/Seoul") + 8 * 60 * kMinute;
  MakeCustomerWith("c-day", R"({"marketing_consent":true})");
  MakeCustomerWith("c-night", R"({"marketing_consent":true,"night_consent":true})");
  DeliverPending();  // the welcomes are informational: they go out at night too
  HttpResult day = PostCart("c-day", "cart-1");
  ASSERT_EQ(day.status, 202) << day.body;
  EXPECT_EQ(day.Json()->getObject("message")->getValue<std::string>("not_before"),
            FormatInstant(next_morning));
  HttpResult night = PostCart("c-night", "cart-1");
  ASSERT_EQ(night.status, 202) << night.body;
  EXPECT_EQ(night.Json()->getObject("message")->getValue<std::string>("not_before"),
            FormatInstant(clock_.NowMicros() + 30 * kMinute));

  clock_.Advance(31 * kMinute);  // 21:21
  HttpResult at_night = Pull();
  ASSERT_EQ(at_night.Int("count"), 1) << at_night.body;
  EXPECT_EQ(
      at_night.Json()->getArray("messages")->getObject(0)->getValue<std::string>("customer_id"),
      "c-night");
  AckAll(MessageIds(at_night.Json()));
  clock_.Set(next_morning - kSecond);  // 07:59:59
  EXPECT_TRUE(PullIds().empty());
  clock_.Set(next_morning);
  HttpResult morning = Pull();
  ASSERT_EQ(morning.Int("count"), 1) << morning.body;
  EXPECT_EQ(
      morning.Json()->getArray("messages")->getObject(0)->getValue<std::string>("customer_id"),
      "c-day");
}

TEST_F(MessagesApiTest, AnOrderCancelsThePendingCartReminder) {
  MakeCustomerWith("c-1", R"({"marketing_consent":true})");
  DeliverPending();
  HttpResult cart = PostCart("c-1", "cart-1", 45000);
  ASSERT_EQ(cart.status, 202) << cart.body;
  Poco::JSON::Object::Ptr reminder = cart.Json()->getObject("message");
  EXPECT_TRUE(cart.Json()->getValue<bool>("scheduled"));
  EXPECT_EQ(reminder->getValue<std::string>("type"), "cart_reminder");
  EXPECT_EQ(reminder->getValue<std::string>("not_before"),
            FormatInstant(TestStart() + 30 * kMinute));
  const int64_t id = reminder->getValue<int64_t>("message_id");

  HttpResult again = PostCart("c-1", "cart-1", 45000);  // the shop retries
  ASSERT_EQ(again.status, 202) << again.body;
  EXPECT_EQ(again.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.Json()->getObject("message")->getValue<int64_t>("message_id"), id);

  clock_.Advance(10 * kMinute);
  EXPECT_TRUE(PullIds().empty()) << "not before 30 minutes";
  HttpResult order = client().Post("/v1/orders", Token("checkout"),
                                   R"({"order_id":"o-1","customer_id":"c-1","amount_won":45000})");
  ASSERT_EQ(order.status, 201) << order.body;
  clock_.Advance(30 * kMinute);
  EXPECT_TRUE(PullIds().empty()) << "the order cancelled the reminder";
  std::vector<Poco::JSON::Object::Ptr> carts = CustomerMessages("c-1", "cart_reminder");
  ASSERT_EQ(carts.size(), 1u);
  EXPECT_EQ(carts[0]->getValue<std::string>("status"), "cancelled");
  HttpResult ack = Ack({id});
  ASSERT_EQ(ack.status, 200) << ack.body;
  EXPECT_TRUE(ack.Json()->getArray("results")->getObject(0)->has("error")) << ack.body;
}

TEST_F(MessagesApiTest, ACartWithoutAnOrderIsRemindedAfterTheDelay) {
  MakeCustomerWith("c-1", R"({"marketing_consent":true})");
  DeliverPending();
  ASSERT_EQ(PostCart("c-1", "cart-1").status, 202);
  clock_.Advance(30 * kMinute - kSecond);
  EXPECT_TRUE(PullIds().empty());
  clock_.Advance(kSecond);
  HttpResult r = Pull();
  ASSERT_EQ(r.Int("count"), 1) << r.body;
  EXPECT_EQ(r.Json()->getArray("messages")->getObject(0)->getValue<std::string>("type"),
            "cart_reminder");
}

TEST_F(MessagesApiTest, ReplayRequeuesDeliveredMessagesAfterTheCursor) {
  MakeCustomer("c-1");
  MakeCustomer("c-2");
  std::vector<int64_t> ids = PullIds();
  ASSERT_EQ(ids.size(), 2u);
  AckAll(ids);
  EXPECT_TRUE(PullIds().empty());

  HttpResult none = client().Post("/v1/messages/replay", Token("admin"),
                                  R"({"after_message_id":)" + std::to_string(ids[1]) + "}");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.Int("requeued"), 0);

  HttpResult one =
      client().Post("/v1/messages/replay", Token("admin"),
                    R"({"after_message_id":0,"up_to_message_id":)" + std::to_string(ids[0]) + "}");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Int("requeued"), 1);
  EXPECT_EQ(PullIds(), std::vector<int64_t>{ids[0]});

  HttpResult all =
      client().Post("/v1/messages/replay", Token("admin"), R"({"after_message_id":0})");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.Int("requeued"), 1) << "the leased one is pending, not delivered";
  clock_.Advance(2 * kMinute);
  EXPECT_EQ(PullIds(), ids);
}

TEST_F(MessagesApiTest, TheFeedPagesAndFilters) {
  for (int i = 1; i <= 3; ++i) MakeCustomer("c-" + std::to_string(i));
  HttpResult page1 = client().Get("/v1/messages?limit=2", Token("messaging"));
  ASSERT_EQ(page1.status, 200) << page1.body;
  std::vector<int64_t> first = MessageIds(page1.Json());
  ASSERT_EQ(first.size(), 2u);
  EXPECT_TRUE(page1.Json()->getValue<bool>("has_more"));
  EXPECT_EQ(page1.Str("next_cursor"), std::to_string(first[1]));
  HttpResult page2 =
      client().Get("/v1/messages?limit=2&after=" + page1.Str("next_cursor"), Token("messaging"));
  ASSERT_EQ(page2.status, 200) << page2.body;
  std::vector<int64_t> second = MessageIds(page2.Json());
  ASSERT_EQ(second.size(), 1u);
  EXPECT_GT(second[0], first[1]);
  EXPECT_FALSE(page2.Json()->getValue<bool>("has_more"));
  HttpResult empty =
      client().Get("/v1/messages?after=" + std::to_string(second[0]), Token("admin"));
  EXPECT_EQ(empty.Str("next_cursor"), std::to_string(second[0]));

  HttpResult c2 = client().Get("/v1/messages?customer_id=c-2", Token("messaging"));
  ASSERT_EQ(MessageIds(c2.Json()).size(), 1u) << c2.body;
  EXPECT_EQ(MessageIds(c2.Json())[0], first[1]);
  HttpResult carts = client().Get("/v1/messages?type=cart_reminder", Token("messaging"));
  EXPECT_TRUE(MessageIds(carts.Json()).empty()) << carts.body;
  HttpResult pending = client().Get("/v1/messages?status=pending", Token("messaging"));
  EXPECT_EQ(MessageIds(pending.Json()).size(), 3u) << pending.body;
  HttpResult delivered = client().Get("/v1/messages?status=delivered", Token("messaging"));
  EXPECT_TRUE(MessageIds(delivered.Json()).empty()) << delivered.body;
}

TEST_F(MessagesApiTest, BadInputIsRefusedAndChangesNothing) {
  MakeCustomer("c-1");
  ExpectInvalid(Pull(R"({"limit":0})"), "limit");
  ExpectInvalid(Pull(R"({"limit":501})"), "limit");
  ExpectInvalid(Pull(R"({"limit":"10"})"), "limit");
  ExpectInvalid(Pull(R"({"limit":1.5})"), "limit");
  ExpectInvalid(Pull(R"({"lease_seconds":0})"), "lease_seconds");
  ExpectInvalid(Pull(R"({"lease_seconds":3601})"), "lease_seconds");
  ExpectInvalid(Pull(R"({"owner":"me"})"), "owner");

  ExpectInvalid(Ack({}), "message_ids");
  ExpectInvalid(client().Post("/v1/messages/ack", Token("messaging"), "{}"), "message_ids");
  ExpectInvalid(client().Post("/v1/messages/ack", Token("messaging"), R"({"message_ids":1})"),
                "message_ids");
  ExpectInvalid(client().Post("/v1/messages/ack", Token("messaging"), R"({"message_ids":["1"]})"),
                "message_ids[0]");
  ExpectInvalid(client().Post("/v1/messages/ack", Token("messaging"), R"({"message_ids":[1,0]})"),
                "message_ids[1]");
  std::vector<int64_t> many(501, 1);
  ExpectInvalid(Ack(many), "message_ids");

  ExpectInvalid(client().Get("/v1/messages?status=sent", Token("messaging")), "status");
  ExpectInvalid(client().Get("/v1/messages?type=newsletter", Token("messaging")), "type");
  ExpectInvalid(client().Get("/v1/messages?customer_id=bad%20id", Token("messaging")),
                "customer_id");
  ExpectInvalid(client().Get("/v1/messages?after=-1", Token("messaging")), "after");
  ExpectInvalid(client().Get("/v1/messages?limit=501", Token("messaging")), "limit");
  ExpectInvalid(client().Get("/v1/customers/c-1/messages?status=x", Token("cs_agent")), "status");

  ExpectInvalid(client().Post("/v1/messages/replay", Token("admin"), "{}"), "after_message_id");
  ExpectInvalid(client().Post("/v1/messages/replay", Token("admin"), R"({"after_message_id":-1})"),
                "after_message_id");
  ExpectInvalid(client().Post("/v1/messages/replay", Token("admin"),
                              R"({"after_message_id":5,"up_to_message_id":5})"),
                "up_to_message_id");

  ExpectInvalid(
      client().Post("/v1/carts", Token("checkout"), R"({"customer_id":"c-1","amount_won":1000})"),
      "cart_id");
  ExpectInvalid(client().Post("/v1/carts", Token("checkout"),
                              R"({"customer_id":"c-1","cart_id":"k","amount_won":0})"),
                "amount_won");
  ExpectInvalid(client().Post("/v1/carts", Token("checkout"),
                              R"({"customer_id":"c-1","cart_id":"k","amount_won":10,"items":-1})"),
                "items");
  ExpectInvalid(client().Post("/v1/carts", Token("checkout"),
                              R"({"customer_id":"c-1","cart_id":"a b","amount_won":10})"),
                "cart_id");

  HttpResult unknown = PostCart("c-nobody", "cart-1");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(unknown.Str("code"), "not_found");
  HttpResult unknown_feed = client().Get("/v1/customers/c-nobody/messages", Token("cs_agent"));
  EXPECT_EQ(unknown_feed.status, 404) << unknown_feed.body;

  // Nothing was leased, scheduled or written by the refused requests.
  EXPECT_EQ(PullIds().size(), 1u);
  EXPECT_EQ(CustomerMessages("c-1").size(), 1u);
}

TEST_F(MessagesApiTest, RolesOfTheMessageRoutes) {
  MakeCustomer("c-1");
  EXPECT_EQ(client().Post("/v1/messages/pull", Token("checkout"), "{}").status, 403);
  EXPECT_EQ(client().Post("/v1/messages/pull", Token("jobs"), "{}").status, 403);
  EXPECT_EQ(
      client().Post("/v1/messages/replay", Token("messaging"), R"({"after_message_id":0})").status,
      403);
  EXPECT_EQ(client()
                .Post("/v1/carts", Token("messaging"),
                      R"({"customer_id":"c-1","cart_id":"k","amount_won":10})")
                .status,
            403);
  EXPECT_EQ(client().Get("/v1/messages", Token("cs_supervisor")).status, 403);
  EXPECT_EQ(client().Get("/v1/customers/c-1/messages", Token("checkout")).status, 403);
  EXPECT_EQ(client().Get("/v1/customers/c-1/messages", Token("messaging")).status, 200);
  HttpResult admin = client().Post("/v1/messages/pull", Token("admin"), "{}");
  ASSERT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(admin.Int("count"), 1);
  EXPECT_TRUE(PullIds().empty()) << "leased by the admin key's pull";
}

TEST_F(MessagesApiTest, TheQuoteTellsHowMuchMoreReachesTheNextThreshold) {
  MakeCustomer("c-1");
  HttpResult below =
      client().Post("/v1/quotes", Token("checkout"), R"({"customer_id":"c-1","amount_won":49000})");
  ASSERT_EQ(below.status, 200) << below.body;
  Poco::JSON::Object::Ptr q = below.Json();
  ASSERT_FALSE(q->isNull("next_threshold")) << below.body;
  Poco::JSON::Object::Ptr t = q->getObject("next_threshold");
  EXPECT_EQ(t->getValue<int64_t>("threshold_won"), 50000);
  EXPECT_EQ(t->getValue<std::string>("label"), "무료배송");
  EXPECT_EQ(t->getValue<int64_t>("gap_won"), 1000);
  EXPECT_EQ(q->getValue<int64_t>("qualifying_won"), 49000) << below.body;
  EXPECT_TRUE(q->has("tier_on_confirmation"));
  EXPECT_TRUE(q->has("gap_to_next_tier_won"));

  HttpResult above =
      client().Post("/v1/quotes", Token("checkout"), R"({"customer_id":"c-1","amount_won":60000})");
  ASSERT_EQ(above.status, 200) << above.body;
  EXPECT_TRUE(above.Json()->isNull("next_threshold")) << above.body;
}

}  // namespace
}  // namespace loyalty::apitest
