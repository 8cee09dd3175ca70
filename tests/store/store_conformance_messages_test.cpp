// Conformance: messages (the transactional outbox) and the lifecycle triggers' customer activity.
// Every store must deduplicate, lease conditionally and hand out one customer's messages in
// creation order.
#include <algorithm>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/shard.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

constexpr Micros kT0 = 1'700'000'000'000'000;

// A pending message with every field set to something distinctive.
Message SampleMessage(const std::string& customer_id, const std::string& dedupe_key) {
  Message m;
  m.customer_id = customer_id;
  m.type = "tier_near";
  m.category = MessageCategory::kAdvertising;
  m.template_code = "TIER_NEAR_V2";
  m.variables_json = R"({"gap_won":"12,000","next_tier_name":"골드"})";
  m.text = "고객님, 12,000원만 더 구매하시면 골드 등급이 됩니다!";
  m.sms_text = "[샵] 골드까지 12,000원";
  m.dedupe_key = dedupe_key;
  m.status = MessageStatus::kPending;
  m.status_reason = "";
  m.created_at_us = kT0;
  m.not_before_us = kT0;
  m.attempts = 0;
  m.last_error = "";
  m.lease_until_us = 0;
  m.lease_owner = "";
  m.delivered_at_us = 0;
  m.updated_at_us = kT0;
  return m;
}

std::string Render(const Message& m) {
  std::ostringstream os;
  os << "message " << m.message_id << " customer=" << m.customer_id << " type=" << m.type
     << " category=" << static_cast<int>(m.category) << " template=" << m.template_code
     << " vars=" << m.variables_json << " text=" << m.text << " sms=" << m.sms_text
     << " dedupe=" << m.dedupe_key << " status=" << static_cast<int>(m.status)
     << " reason=" << m.status_reason << " created=" << m.created_at_us
     << " not_before=" << m.not_before_us << " attempts=" << m.attempts << " error=" << m.last_error
     << " lease=" << m.lease_until_us << " owner=" << m.lease_owner
     << " delivered=" << m.delivered_at_us << " updated=" << m.updated_at_us;
  return os.str();
}

std::string Render(const CustomerActivity& a) {
  std::ostringstream os;
  os << "activity " << a.customer_id << " tier=" << a.tier << " created=" << a.created_at_us
     << " orders=" << a.orders << " last=" << a.last_order_id << "@" << a.last_order_at_us
     << " first_confirmed=" << a.first_confirmed_order_id << "@" << a.first_confirmed_at_us;
  return os.str();
}

std::vector<int64_t> MessageIds(const std::vector<Message>& messages) {
  std::vector<int64_t> ids;
  for (const Message& m : messages) ids.push_back(m.message_id);
  return ids;
}

std::vector<std::string> ActivityIds(const std::vector<CustomerActivity>& rows) {
  std::vector<std::string> ids;
  for (const CustomerActivity& a : rows) ids.push_back(a.customer_id);
  return ids;
}

// n times the syllable: a text of n characters, 3n bytes of UTF-8.
std::string Repeat(const std::string& syllable, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += syllable;
  return out;
}

TEST_P(StoreConformance, MessageRoundTripsEveryFieldIncludingKoreanText) {
  AddCustomer("c-1");
  Message m = SampleMessage("c-1", "tier_near:c-1:gold:202611");
  m.text = Repeat("가", 999) + "!";  // 1,000 characters, 2,998 bytes
  m.variables_json = R"({"name":")" + Repeat("홍", 200) + R"(","emoji":"🎁"})";
  m.sms_text = "🎁 쿠폰 도착";  // a 4-byte character (utf8mb4)
  m.status = MessageStatus::kDeadLetter;
  m.status_reason = "max_attempts";
  m.not_before_us = kT0 + 1;
  m.attempts = 8;
  m.last_error = "HTTP 503: 서비스 점검 중";
  m.lease_until_us = kT0 + 2;
  m.lease_owner = "webhook";
  m.delivered_at_us = kT0 + 3;
  m.updated_at_us = kT0 + 4;
  ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertMessage(m));
  EXPECT_GT(id, 0);
  m.message_id = id;
  ASSERT_OK_AND_ASSIGN(std::optional<Message> found, session_->FindMessage(id));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(m));
  EXPECT_EQ(found->text, m.text);  // byte for byte

  Message informational = SampleMessage("c-1", "welcome:c-1");
  informational.type = "welcome";
  informational.category = MessageCategory::kInformational;
  informational.sms_text = "";
  ASSERT_OK_AND_ASSIGN(int64_t second, session_->InsertMessage(informational));
  EXPECT_GT(second, id);  // ids increase with time
  informational.message_id = second;

  ASSERT_NO_FATAL_FAILURE(Reopen());  // durable
  ASSERT_OK_AND_ASSIGN(found, session_->FindMessage(second));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(informational));
  ASSERT_OK_AND_ASSIGN(found, session_->FindMessage(id));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(m));
  ASSERT_OK_AND_ASSIGN(found, session_->FindMessage(second + 1000));
  EXPECT_FALSE(found.has_value());
}

TEST_P(StoreConformance, MessageDedupeKeyIsUniqueAndFindsTheFirstMessage) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  Message first = SampleMessage("c-1", "points_expiring:c-1:20261130:7");
  ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertMessage(first));
  Message again = SampleMessage("c-2", "points_expiring:c-1:20261130:7");
  again.text = "a different text";
  EXPECT_CODE(session_->InsertMessage(again), Code::kAlreadyExists);

  MessageQuery all;
  ASSERT_OK_AND_ASSIGN(std::vector<Message> rows, session_->ListMessages(all));
  EXPECT_EQ(MessageIds(rows), std::vector<int64_t>{id});  // nothing written by the duplicate
  EXPECT_EQ(rows[0].text, first.text);

  ASSERT_OK_AND_ASSIGN(std::optional<Message> found,
                       session_->FindMessageByDedupeKey("points_expiring:c-1:20261130:7"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->message_id, id);
  EXPECT_EQ(found->customer_id, "c-1");
  ASSERT_OK_AND_ASSIGN(found, session_->FindMessageByDedupeKey("points_expiring:c-1:20261130:3"));
  EXPECT_FALSE(found.has_value());

  // Inside a write transaction: looked up, not found, inserted; a second insert is a duplicate.
  ASSERT_OK(session_->Begin());
  ASSERT_OK_AND_ASSIGN(found, session_->FindMessageByDedupeKey("welcome:c-2"));
  EXPECT_FALSE(found.has_value());
  ASSERT_OK_AND_ASSIGN(int64_t welcome,
                       session_->InsertMessage(SampleMessage("c-2", "welcome:c-2")));
  EXPECT_GT(welcome, id);
  EXPECT_CODE(session_->InsertMessage(SampleMessage("c-2", "welcome:c-2")), Code::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(found, session_->FindMessage(welcome));  // locks it (MySQL)
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->dedupe_key, "welcome:c-2");
  ASSERT_OK(session_->Commit());
  ASSERT_OK_AND_ASSIGN(found, session_->FindMessageByDedupeKey("welcome:c-2"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->message_id, welcome);

  // No key at all is no key: any number of messages without one.
  ASSERT_OK(session_->InsertMessage(SampleMessage("c-1", "")));
  ASSERT_OK_AND_ASSIGN(int64_t keyless, session_->InsertMessage(SampleMessage("c-1", "")));
  ASSERT_OK_AND_ASSIGN(found, session_->FindMessage(keyless));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->dedupe_key, "");
  ASSERT_OK_AND_ASSIGN(found, session_->FindMessageByDedupeKey(""));
  EXPECT_FALSE(found.has_value());
}

TEST_P(StoreConformance, UpdateMessageWritesOnlyTheDeliveryFields) {
  AddCustomer("c-1");
  const Message original = SampleMessage("c-1", "review_request:c-1:o-1");
  ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertMessage(original));
  Message m = original;
  m.message_id = id;
  m.status = MessageStatus::kDelivered;
  m.status_reason = "acked";
  m.not_before_us = kT0 + 10;
  m.attempts = 2;
  m.last_error = "timeout";
  m.lease_until_us = kT0 + 20;
  m.lease_owner = "shop-pull";
  m.delivered_at_us = kT0 + 30;
  m.updated_at_us = kT0 + 40;
  // Not written by an update: the content, the key, the creation.
  m.text = "changed";
  m.sms_text = "changed";
  m.type = "changed";
  m.template_code = "CHANGED";
  m.variables_json = "{}";
  m.dedupe_key = "changed";
  m.created_at_us = 1;
  m.category = MessageCategory::kInformational;
  ASSERT_OK(session_->UpdateMessage(m));

  ASSERT_OK_AND_ASSIGN(std::optional<Message> found, session_->FindMessage(id));
  ASSERT_TRUE(found.has_value());
  Message expected = original;
  expected.message_id = id;
  expected.status = MessageStatus::kDelivered;
  expected.status_reason = "acked";
  expected.not_before_us = kT0 + 10;
  expected.attempts = 2;
  expected.last_error = "timeout";
  expected.lease_until_us = kT0 + 20;
  expected.lease_owner = "shop-pull";
  expected.delivered_at_us = kT0 + 30;
  expected.updated_at_us = kT0 + 40;
  EXPECT_EQ(Render(*found), Render(expected));

  m.message_id = id + 1000;
  EXPECT_CODE(session_->UpdateMessage(m), Code::kNotFound);
}

TEST_P(StoreConformance, MessagesListByCustomerStatusTypeAndCursor) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  std::vector<int64_t> ids;
  int n = 0;
  auto add = [&](const std::string& customer, const std::string& type, MessageStatus status) {
    Message m = SampleMessage(customer, "k" + std::to_string(++n));
    m.type = type;
    m.status = status;
    Result<int64_t> id = session_->InsertMessage(m);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    ids.push_back(id.ok() ? *id : 0);
  };
  add("c-1", "welcome", MessageStatus::kDelivered);     // ids[0]
  add("c-2", "welcome", MessageStatus::kPending);       // ids[1]
  add("c-1", "tier_near", MessageStatus::kPending);     // ids[2]
  add("c-1", "tier_near", MessageStatus::kSuppressed);  // ids[3]
  add("c-2", "tier_near", MessageStatus::kDeadLetter);  // ids[4]
  add("c-1", "winback", MessageStatus::kPending);       // ids[5]

  auto list = [&](const std::string& customer, std::optional<MessageStatus> status,
                  const std::string& type, int64_t after, int limit) {
    MessageQuery q;
    q.customer_id = customer;
    q.status = status;
    q.type = type;
    q.after_message_id = after;
    q.limit = limit;
    Result<std::vector<Message>> rows = session_->ListMessages(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? MessageIds(*rows) : std::vector<int64_t>{};
  };
  using Ids = std::vector<int64_t>;
  EXPECT_EQ(list("", std::nullopt, "", 0, 50), ids);
  EXPECT_EQ(list("", std::nullopt, "", ids[2], 50), (Ids{ids[3], ids[4], ids[5]}));
  EXPECT_EQ(list("", std::nullopt, "", ids[0], 2), (Ids{ids[1], ids[2]}));
  EXPECT_EQ(list("", MessageStatus::kPending, "", 0, 50), (Ids{ids[1], ids[2], ids[5]}));
  EXPECT_EQ(list("", MessageStatus::kPending, "", ids[1], 1), (Ids{ids[2]}));
  EXPECT_EQ(list("", MessageStatus::kPending, "welcome", 0, 50), (Ids{ids[1]}));
  EXPECT_EQ(list("", std::nullopt, "tier_near", 0, 50), (Ids{ids[2], ids[3], ids[4]}));
  EXPECT_EQ(list("c-1", std::nullopt, "", 0, 50), (Ids{ids[0], ids[2], ids[3], ids[5]}));
  EXPECT_EQ(list("c-1", std::nullopt, "", ids[2], 50), (Ids{ids[3], ids[5]}));
  EXPECT_EQ(list("c-1", std::nullopt, "", 0, 2), (Ids{ids[0], ids[2]}));
  EXPECT_EQ(list("c-1", MessageStatus::kPending, "", 0, 50), (Ids{ids[2], ids[5]}));
  EXPECT_EQ(list("c-1", std::nullopt, "tier_near", 0, 50), (Ids{ids[2], ids[3]}));
  EXPECT_EQ(list("c-1", MessageStatus::kSuppressed, "tier_near", 0, 50), (Ids{ids[3]}));
  EXPECT_EQ(list("c-2", MessageStatus::kDeadLetter, "", 0, 50), (Ids{ids[4]}));
  EXPECT_EQ(list("c-3", std::nullopt, "", 0, 50), Ids{});
}

TEST_P(StoreConformance, DeliverableMessagesHonourScheduleLeaseStatusAndCustomerOrder) {
  for (const char* id : {"c-a", "c-b", "c-c", "c-d", "c-e", "c-f"}) AddCustomer(id);
  const Micros now = kT0 + 1'000'000;
  int n = 0;
  auto add = [&](const std::string& customer, MessageStatus status, Micros not_before,
                 Micros lease_until) {
    Message m = SampleMessage(customer, "k" + std::to_string(++n));
    m.status = status;
    m.not_before_us = not_before;
    m.lease_until_us = lease_until;
    m.lease_owner = lease_until > 0 ? "webhook" : "";
    Result<int64_t> id = session_->InsertMessage(m);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  };
  // c-a: the first is deferred to the morning: it blocks the second, which is due.
  const int64_t a1 = add("c-a", MessageStatus::kPending, now + 10, 0);
  const int64_t a2 = add("c-a", MessageStatus::kPending, now, 0);
  const int64_t b1 = add("c-b", MessageStatus::kPending, now - 5, 0);
  // c-c: a suppressed message blocks nothing.
  add("c-c", MessageStatus::kSuppressed, now, 0);
  const int64_t c2 = add("c-c", MessageStatus::kPending, now, 0);
  // c-d: the first is leased (handed out, awaiting its outcome): it blocks the second.
  const int64_t d1 = add("c-d", MessageStatus::kPending, now - 5, now + 5);
  const int64_t d2 = add("c-d", MessageStatus::kPending, now - 5, 0);
  // c-e: delivered, dead-letter and cancelled messages block nothing.
  add("c-e", MessageStatus::kDelivered, now - 5, 0);
  add("c-e", MessageStatus::kDeadLetter, now - 5, 0);
  add("c-e", MessageStatus::kCancelled, now - 5, 0);
  const int64_t e4 = add("c-e", MessageStatus::kPending, now, 0);
  // c-f: not due yet, and blocked by nothing: withheld until then.
  const int64_t f1 = add("c-f", MessageStatus::kPending, now + 1, 0);

  using Ids = std::vector<int64_t>;
  ASSERT_OK_AND_ASSIGN(std::vector<Message> rows, session_->ListDeliverableMessages(now, 100));
  EXPECT_EQ(MessageIds(rows), (Ids{b1, c2, e4}));
  ASSERT_OK_AND_ASSIGN(rows, session_->ListDeliverableMessages(now, 2));
  EXPECT_EQ(MessageIds(rows), (Ids{b1, c2}));
  // Later: a1 due, d1's lease over (it may be handed out again), f's message due; a2 and d2 still
  // wait behind their customer's older pending message.
  ASSERT_OK_AND_ASSIGN(rows, session_->ListDeliverableMessages(now + 10, 100));
  EXPECT_EQ(MessageIds(rows), (Ids{a1, b1, c2, d1, e4, f1}));
  EXPECT_EQ(rows[0].text, SampleMessage("c-a", "").text);  // whole rows

  // a1 delivered: a2 comes next. d1 dead-lettered: d2 comes next.
  ASSERT_OK_AND_ASSIGN(std::optional<Message> m, session_->FindMessage(a1));
  m->status = MessageStatus::kDelivered;
  m->delivered_at_us = now;
  ASSERT_OK(session_->UpdateMessage(*m));
  ASSERT_OK_AND_ASSIGN(m, session_->FindMessage(d1));
  m->status = MessageStatus::kDeadLetter;
  m->lease_until_us = 0;
  ASSERT_OK(session_->UpdateMessage(*m));
  ASSERT_OK_AND_ASSIGN(rows, session_->ListDeliverableMessages(now, 100));
  EXPECT_EQ(MessageIds(rows), (Ids{a2, b1, c2, d2, e4}));
}

TEST_P(StoreConformance, LeaseMessageWinsOnceUntilTheLeaseExpires) {
  AddCustomer("c-1");
  Message pending = SampleMessage("c-1", "k1");
  ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertMessage(pending));
  const Micros now = kT0 + 100;
  ASSERT_OK_AND_ASSIGN(bool first, session_->LeaseMessage(id, now, now + 60, "webhook"));
  EXPECT_TRUE(first);
  // Another node (its own connection) comes second.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> other, store_->OpenSession());
  ASSERT_OK_AND_ASSIGN(bool second, other->LeaseMessage(id, now + 1, now + 61, "shop-pull"));
  EXPECT_FALSE(second);
  ASSERT_OK_AND_ASSIGN(second, session_->LeaseMessage(id, now + 59, now + 119, "shop-pull"));
  EXPECT_FALSE(second);
  ASSERT_OK_AND_ASSIGN(std::optional<Message> found, session_->FindMessage(id));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->lease_until_us, now + 60);
  EXPECT_EQ(found->lease_owner, "webhook");
  EXPECT_EQ(found->updated_at_us, now);
  EXPECT_EQ(found->status, MessageStatus::kPending);
  EXPECT_EQ(found->attempts, 0);

  // The lease is over: another holder may take it.
  ASSERT_OK_AND_ASSIGN(bool expired, other->LeaseMessage(id, now + 60, now + 120, "shop-pull"));
  EXPECT_TRUE(expired);
  ASSERT_OK_AND_ASSIGN(found, session_->FindMessage(id));
  EXPECT_EQ(found->lease_until_us, now + 120);
  EXPECT_EQ(found->lease_owner, "shop-pull");
  EXPECT_EQ(found->updated_at_us, now + 60);

  // Only a pending message can be leased; an unknown one cannot.
  Message delivered = SampleMessage("c-1", "k2");
  delivered.status = MessageStatus::kDelivered;
  ASSERT_OK_AND_ASSIGN(int64_t done, session_->InsertMessage(delivered));
  ASSERT_OK_AND_ASSIGN(bool leased, session_->LeaseMessage(done, now, now + 60, "webhook"));
  EXPECT_FALSE(leased);
  ASSERT_OK_AND_ASSIGN(leased, session_->LeaseMessage(done + 1000, now, now + 60, "webhook"));
  EXPECT_FALSE(leased);
}

TEST_P(StoreConformance, CountMessagesSinceCountsWhatWasOrWillBeSent) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  int n = 0;
  auto add = [&](const std::string& customer, const std::string& type, MessageStatus status,
                 Micros created) {
    Message m = SampleMessage(customer, "k" + std::to_string(++n));
    m.type = type;
    m.status = status;
    m.created_at_us = created;
    ASSERT_OK(session_->InsertMessage(m));
  };
  add("c-1", "tier_near", MessageStatus::kPending, 100);
  add("c-1", "tier_near", MessageStatus::kDelivered, 200);
  add("c-1", "tier_near", MessageStatus::kSuppressed, 300);  // never sent: not counted
  add("c-1", "tier_near", MessageStatus::kCancelled, 400);   // never sent: not counted
  add("c-1", "welcome", MessageStatus::kDeadLetter, 250);
  add("c-2", "tier_near", MessageStatus::kPending, 300);

  auto count = [&](const std::string& customer, const std::string& type, Micros since) {
    Result<int64_t> c = session_->CountMessagesSince(customer, type, since);
    EXPECT_TRUE(c.ok()) << c.status().ToString();
    return c.ok() ? *c : int64_t{-1};
  };
  EXPECT_EQ(count("c-1", "tier_near", 0), 2);
  EXPECT_EQ(count("c-1", "tier_near", 100), 2);  // since is inclusive
  EXPECT_EQ(count("c-1", "tier_near", 101), 1);
  EXPECT_EQ(count("c-1", "tier_near", 201), 0);
  EXPECT_EQ(count("c-1", "", 0), 3);
  EXPECT_EQ(count("c-1", "", 250), 1);
  EXPECT_EQ(count("c-1", "welcome", 0), 1);
  EXPECT_EQ(count("c-1", "winback", 0), 0);
  EXPECT_EQ(count("c-2", "", 0), 1);
  EXPECT_EQ(count("c-3", "", 0), 0);
}

TEST_P(StoreConformance, RequeueMessagesResetsDeliveredAndDeadLettersInTheRange) {
  AddCustomer("c-1");
  int n = 0;
  auto add = [&](MessageStatus status) {
    Message m = SampleMessage("c-1", "k" + std::to_string(++n));
    m.status = status;
    m.attempts = 3;
    m.last_error = "HTTP 500";
    m.lease_until_us = kT0 + 50;
    m.lease_owner = "webhook";
    m.not_before_us = kT0 + 5;
    m.delivered_at_us = status == MessageStatus::kDelivered ? kT0 + 7 : 0;
    m.status_reason = status == MessageStatus::kSuppressed ? "frequency_cap" : "";
    m.updated_at_us = kT0 + 9;
    Result<int64_t> id = session_->InsertMessage(m);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    return id.ok() ? *id : 0;
  };
  const int64_t m1 = add(MessageStatus::kDelivered);
  const int64_t m2 = add(MessageStatus::kDeadLetter);
  const int64_t m3 = add(MessageStatus::kPending);
  const int64_t m4 = add(MessageStatus::kSuppressed);
  const int64_t m5 = add(MessageStatus::kDelivered);
  const int64_t m6 = add(MessageStatus::kDeadLetter);
  const int64_t m7 = add(MessageStatus::kCancelled);
  ASSERT_OK_AND_ASSIGN(std::optional<Message> before3, session_->FindMessage(m3));
  ASSERT_OK_AND_ASSIGN(std::optional<Message> before4, session_->FindMessage(m4));
  ASSERT_OK_AND_ASSIGN(std::optional<Message> before6, session_->FindMessage(m6));

  const Micros now = kT0 + 1000;
  ASSERT_OK_AND_ASSIGN(int64_t requeued, session_->RequeueMessages(m1, m5, now));
  EXPECT_EQ(requeued, 2);  // m2 and m5: after m1, up to m5 inclusive
  for (int64_t id : {m2, m5}) {
    ASSERT_OK_AND_ASSIGN(std::optional<Message> m, session_->FindMessage(id));
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->status, MessageStatus::kPending) << id;
    EXPECT_EQ(m->attempts, 0) << id;
    EXPECT_EQ(m->lease_until_us, 0) << id;
    EXPECT_EQ(m->lease_owner, "") << id;
    EXPECT_EQ(m->not_before_us, now) << id;
    EXPECT_EQ(m->last_error, "") << id;
    EXPECT_EQ(m->updated_at_us, now) << id;
    EXPECT_EQ(m->text, SampleMessage("c-1", "").text) << id;
  }
  ASSERT_OK_AND_ASSIGN(std::optional<Message> m, session_->FindMessage(m1));
  EXPECT_EQ(m->status, MessageStatus::kDelivered);  // not after m1
  ASSERT_OK_AND_ASSIGN(m, session_->FindMessage(m6));
  EXPECT_EQ(Render(*m), Render(*before6));  // after m5
  ASSERT_OK_AND_ASSIGN(m, session_->FindMessage(m3));
  EXPECT_EQ(Render(*m), Render(*before3));  // pending: untouched
  ASSERT_OK_AND_ASSIGN(m, session_->FindMessage(m4));
  EXPECT_EQ(Render(*m), Render(*before4));  // suppressed: never delivered, never requeued
  ASSERT_OK_AND_ASSIGN(m, session_->FindMessage(m7));
  EXPECT_EQ(m->status, MessageStatus::kCancelled);

  // up_to 0: no upper bound.
  ASSERT_OK_AND_ASSIGN(requeued, session_->RequeueMessages(0, 0, now + 1));
  EXPECT_EQ(requeued, 2);  // m1 and m6
  ASSERT_OK_AND_ASSIGN(m, session_->FindMessage(m6));
  EXPECT_EQ(m->status, MessageStatus::kPending);
  EXPECT_EQ(m->not_before_us, now + 1);
  ASSERT_OK_AND_ASSIGN(requeued, session_->RequeueMessages(0, 0, now + 2));
  EXPECT_EQ(requeued, 0);  // nothing delivered nor dead any more
}

TEST_P(StoreConformance, CustomerActivitySummarisesOrdersPerCustomer) {
  for (const char* id : {"c-1", "c-2", "c-3", "c-4"}) AddCustomer(id);
  ASSERT_OK_AND_ASSIGN(std::optional<Customer> c4, session_->FindCustomer("c-4"));
  c4->tier = "gold";
  ASSERT_OK(session_->UpdateCustomer(*c4));
  auto order = [&](const std::string& order_id, const std::string& customer, OrderStatus status,
                   Micros placed, Micros confirmed) {
    Order o = SampleOrder(order_id, customer);
    o.status = status;
    o.placed_at_us = placed;
    o.confirmed_at_us = confirmed;
    o.earn_activated = confirmed > 0;
    o.cancelled_at_us = status == OrderStatus::kCancelled ? placed + 50 : 0;
    ASSERT_OK(session_->InsertOrder(o));
  };
  // c-1: four orders, the newest cancelled; the second placed was confirmed first.
  order("o-1", "c-1", OrderStatus::kConfirmed, kT0 + 100, kT0 + 500);
  order("o-4", "c-1", OrderStatus::kConfirmed, kT0 + 200, kT0 + 350);
  order("o-2", "c-1", OrderStatus::kPlaced, kT0 + 300, 0);
  order("o-3", "c-1", OrderStatus::kCancelled, kT0 + 400, 0);
  // c-2: none. c-3: only a cancelled order. c-4: one placed order.
  order("o-5", "c-3", OrderStatus::kCancelled, kT0 + 600, 0);
  order("o-6", "c-4", OrderStatus::kPlaced, kT0 + 700, 0);

  ASSERT_OK_AND_ASSIGN(std::vector<CustomerActivity> rows,
                       session_->ListCustomerActivity("", 10, 0, 1));
  std::vector<std::string> got;
  for (const CustomerActivity& a : rows) got.push_back(Render(a));
  auto expected = [](const std::string& id, const std::string& tier, int orders,
                     const std::string& last_id, Micros last_at, const std::string& first_id,
                     Micros first_at) {
    CustomerActivity a;
    a.customer_id = id;
    a.tier = tier;
    a.created_at_us = SampleCustomer(id).created_at_us;
    a.orders = orders;
    a.last_order_id = last_id;
    a.last_order_at_us = last_at;
    a.first_confirmed_order_id = first_id;
    a.first_confirmed_at_us = first_at;
    return Render(a);
  };
  EXPECT_EQ(got, (std::vector<std::string>{
                     expected("c-1", "silver", 3, "o-2", kT0 + 300, "o-4", kT0 + 350),
                     expected("c-2", "silver", 0, "", 0, "", 0),
                     expected("c-3", "silver", 0, "", 0, "", 0),
                     expected("c-4", "gold", 1, "o-6", kT0 + 700, "", 0),
                 }));

  // Pages: customer_id > after_id, at most limit.
  ASSERT_OK_AND_ASSIGN(rows, session_->ListCustomerActivity("", 2, 0, 1));
  EXPECT_EQ(ActivityIds(rows), (std::vector<std::string>{"c-1", "c-2"}));
  ASSERT_OK_AND_ASSIGN(rows, session_->ListCustomerActivity("c-2", 2, 0, 1));
  EXPECT_EQ(ActivityIds(rows), (std::vector<std::string>{"c-3", "c-4"}));
  ASSERT_OK_AND_ASSIGN(rows, session_->ListCustomerActivity("c-4", 2, 0, 1));
  EXPECT_TRUE(rows.empty());

  // One customer's activity: the same row as in the list; nothing for an unknown customer.
  for (size_t i = 0; i < got.size(); ++i) {
    const std::string id = "c-" + std::to_string(i + 1);
    ASSERT_OK_AND_ASSIGN(std::optional<CustomerActivity> one, session_->FindCustomerActivity(id));
    ASSERT_TRUE(one.has_value()) << id;
    EXPECT_EQ(Render(*one), got[i]);
  }
  ASSERT_OK_AND_ASSIGN(std::optional<CustomerActivity> none, session_->FindCustomerActivity("c-9"));
  EXPECT_FALSE(none.has_value());
}

TEST_P(StoreConformance, CustomerActivityShardsPartitionTheCustomers) {
  std::vector<std::string> all;
  for (int i = 0; i < 16; ++i) {
    all.push_back("cust-" + std::to_string(100 + i));
    AddCustomer(all.back());
  }
  std::vector<std::string> seen;
  for (int shard = 0; shard < 2; ++shard) {
    std::vector<std::string> of_shard;
    std::string after;
    while (true) {  // in pages of 3
      ASSERT_OK_AND_ASSIGN(std::vector<CustomerActivity> page,
                           session_->ListCustomerActivity(after, 3, shard, 2));
      if (page.empty()) break;
      for (const CustomerActivity& a : page) {
        EXPECT_EQ(ShardOf(a.customer_id, 2), shard) << a.customer_id;
        of_shard.push_back(a.customer_id);
      }
      after = page.back().customer_id;
    }
    EXPECT_FALSE(of_shard.empty()) << "shard " << shard;
    EXPECT_TRUE(std::is_sorted(of_shard.begin(), of_shard.end()));
    seen.insert(seen.end(), of_shard.begin(), of_shard.end());
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, all);  // every customer exactly once
}

}  // namespace
}  // namespace loyalty::testing
