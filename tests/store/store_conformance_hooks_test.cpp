// Conformance: domain-event webhooks (core/event_hook_records.h) on every engine: subscriptions
// round-trip, settings and delivery state are written apart, the lease has one holder until it
// expires or is released, only the holder's save with the version it read goes through, a
// replay beats a save in flight, and dead letters list newest first.
#include <memory>
#include <string>
#include <vector>

#include "core/event_hooks.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

EventSubscription Sub(const std::string& url) {
  EventSubscription s;
  s.url = url;
  s.event_types = {"tier.upgraded", "order.placed"};
  s.description = "CRM 연동";
  s.secret = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  s.created_at_us = 100;
  s.updated_at_us = 100;
  s.delivery.cursor_event_id = 7;
  s.delivery.next_attempt_at_us = 100;
  return s;
}

TEST_P(StoreConformance, EventSubscriptionsRoundTripAndListInIdOrder) {
  ASSERT_OK_AND_ASSIGN(int64_t a, session_->InsertEventSubscription(Sub("https://a.example/h")));
  EventSubscription all = Sub("http://b.example/h");
  all.event_types = {"*"};
  ASSERT_OK_AND_ASSIGN(int64_t b, session_->InsertEventSubscription(all));
  EXPECT_GT(b, a);
  ASSERT_OK_AND_ASSIGN(std::optional<EventSubscription> got, session_->FindEventSubscription(a));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->url, "https://a.example/h");
  EXPECT_EQ(got->event_types, (std::vector<std::string>{"tier.upgraded", "order.placed"}));
  EXPECT_EQ(got->description, "CRM 연동");
  EXPECT_EQ(got->status, SubscriptionStatus::kActive);
  EXPECT_EQ(got->secret, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(got->delivery.cursor_event_id, 7);
  EXPECT_EQ(got->delivery.version, 0);
  EXPECT_EQ(got->lease_owner, "");
  ASSERT_OK_AND_ASSIGN(std::vector<EventSubscription> list,
                       session_->ListEventSubscriptions(0, 10));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[1].event_types, std::vector<std::string>{"*"});
  ASSERT_OK_AND_ASSIGN(std::vector<EventSubscription> after,
                       session_->ListEventSubscriptions(a, 10));
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].subscription_id, b);
  ASSERT_OK_AND_ASSIGN(std::optional<EventSubscription> none, session_->FindEventSubscription(999));
  EXPECT_FALSE(none.has_value());
}

TEST_P(StoreConformance, SettingsUpdateLeavesTheDeliveryStateAlone) {
  ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertEventSubscription(Sub("http://a.example/h")));
  ASSERT_OK_AND_ASSIGN(int64_t active, session_->CountActiveEventSubscriptions());
  EXPECT_EQ(active, 1);
  ASSERT_OK_AND_ASSIGN(bool leased, session_->LeaseEventSubscription(id, "n1", 100, 1000));
  ASSERT_TRUE(leased);
  EventDeliveryState d;
  d.cursor_event_id = 9;
  d.delivered_count = 2;
  ASSERT_OK_AND_ASSIGN(bool saved, session_->SaveEventDelivery(id, "n1", d, 200));
  ASSERT_TRUE(saved);
  ASSERT_OK_AND_ASSIGN(std::optional<EventSubscription> s, session_->FindEventSubscription(id));
  s->status = SubscriptionStatus::kDisabled;
  s->previous_secret = s->secret;
  s->secret = "whsec_BBBB";
  s->previous_secret_until_us = 5000;
  s->disabled_at_us = 300;
  s->updated_at_us = 300;
  s->delivery.cursor_event_id = 1;  // not written by a settings update
  ASSERT_OK(session_->UpdateEventSubscriptionSettings(*s));
  ASSERT_OK_AND_ASSIGN(std::optional<EventSubscription> got, session_->FindEventSubscription(id));
  EXPECT_EQ(got->status, SubscriptionStatus::kDisabled);
  EXPECT_EQ(got->secret, "whsec_BBBB");
  EXPECT_EQ(got->previous_secret, "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  EXPECT_EQ(got->previous_secret_until_us, 5000);
  EXPECT_EQ(got->disabled_at_us, 300);
  EXPECT_EQ(got->delivery.cursor_event_id, 9);
  EXPECT_EQ(got->delivery.delivered_count, 2);
  EXPECT_EQ(got->delivery.version, 1);
  ASSERT_OK_AND_ASSIGN(active, session_->CountActiveEventSubscriptions());
  EXPECT_EQ(active, 0);
  // A disabled subscription is neither due nor leasable.
  ASSERT_OK(session_->ReleaseEventSubscription(id, "n1"));
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> due, session_->ListDueEventSubscriptions(10'000, 10));
  EXPECT_TRUE(due.empty());
  ASSERT_OK_AND_ASSIGN(leased, session_->LeaseEventSubscription(id, "n1", 10'000, 20'000));
  EXPECT_FALSE(leased);
  EventSubscription missing = *got;
  missing.subscription_id = 999;
  EXPECT_EQ(session_->UpdateEventSubscriptionSettings(missing).code(), Code::kNotFound);
}

TEST_P(StoreConformance, AnEventSubscriptionLeaseHasOneHolderUntilItExpiresOrIsReleased) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> other, store_->OpenSession());
  ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertEventSubscription(Sub("http://a.example/h")));
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> due, session_->ListDueEventSubscriptions(100, 10));
  EXPECT_EQ(due, std::vector<int64_t>{id});
  ASSERT_OK_AND_ASSIGN(bool a, session_->LeaseEventSubscription(id, "node-a", 100, 1000));
  EXPECT_TRUE(a);
  ASSERT_OK_AND_ASSIGN(bool b, other->LeaseEventSubscription(id, "node-b", 500, 1500));
  EXPECT_FALSE(b);
  ASSERT_OK_AND_ASSIGN(due, other->ListDueEventSubscriptions(500, 10));
  EXPECT_TRUE(due.empty());  // leased: not due for anyone else
  ASSERT_OK_AND_ASSIGN(bool renew, session_->LeaseEventSubscription(id, "node-a", 500, 1000));
  EXPECT_TRUE(renew);  // the holder renews, even to the same instant
  // node-b's save never goes through, whatever version it claims.
  EventDeliveryState d;
  d.cursor_event_id = 50;
  ASSERT_OK_AND_ASSIGN(bool saved_b, other->SaveEventDelivery(id, "node-b", d, 600));
  EXPECT_FALSE(saved_b);
  // After expiry node-b takes over, and node-a's late save is refused.
  ASSERT_OK_AND_ASSIGN(b, other->LeaseEventSubscription(id, "node-b", 1000, 2000));
  EXPECT_TRUE(b);
  ASSERT_OK_AND_ASSIGN(bool saved_a, session_->SaveEventDelivery(id, "node-a", d, 1100));
  EXPECT_FALSE(saved_a);
  // Release only by the holder.
  ASSERT_OK(session_->ReleaseEventSubscription(id, "node-a"));
  ASSERT_OK_AND_ASSIGN(a, session_->LeaseEventSubscription(id, "node-a", 1100, 3000));
  EXPECT_FALSE(a);
  ASSERT_OK(other->ReleaseEventSubscription(id, "node-b"));
  ASSERT_OK_AND_ASSIGN(a, session_->LeaseEventSubscription(id, "node-a", 1100, 3000));
  EXPECT_TRUE(a);
  ASSERT_OK_AND_ASSIGN(std::optional<EventSubscription> got, other->FindEventSubscription(id));
  EXPECT_EQ(got->lease_owner, "node-a");
  EXPECT_EQ(got->lease_until_us, 3000);
  EXPECT_EQ(got->delivery.cursor_event_id, 7);  // nobody's refused save landed
}

TEST_P(StoreConformance, OnlyASaveWithTheVersionItReadGoesThroughAndAReplayBumpsIt) {
  ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertEventSubscription(Sub("http://a.example/h")));
  ASSERT_OK_AND_ASSIGN(bool leased, session_->LeaseEventSubscription(id, "n1", 100, 10'000));
  ASSERT_TRUE(leased);
  EventDeliveryState d;
  d.cursor_event_id = 8;
  d.attempts = 2;
  d.next_attempt_at_us = 400;
  d.last_error = "HTTP 503";
  d.last_attempt_at_us = 300;
  d.delivered_count = 1;
  d.dead_letter_count = 3;
  d.version = 0;
  ASSERT_OK_AND_ASSIGN(bool saved, session_->SaveEventDelivery(id, "n1", d, 300));
  EXPECT_TRUE(saved);
  ASSERT_OK_AND_ASSIGN(saved, session_->SaveEventDelivery(id, "n1", d, 300));
  EXPECT_FALSE(saved);  // version 0 is stale now
  ASSERT_OK_AND_ASSIGN(std::optional<EventSubscription> got, session_->FindEventSubscription(id));
  EXPECT_EQ(got->delivery.cursor_event_id, 8);
  EXPECT_EQ(got->delivery.attempts, 2);
  EXPECT_EQ(got->delivery.next_attempt_at_us, 400);
  EXPECT_EQ(got->delivery.last_error, "HTTP 503");
  EXPECT_EQ(got->delivery.last_attempt_at_us, 300);
  EXPECT_EQ(got->delivery.delivered_count, 1);
  EXPECT_EQ(got->delivery.dead_letter_count, 3);
  EXPECT_EQ(got->delivery.version, 1);
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> due, session_->ListDueEventSubscriptions(5'000, 10));
  EXPECT_TRUE(due.empty());  // still leased until 10'000
  ASSERT_OK_AND_ASSIGN(due, session_->ListDueEventSubscriptions(20'000, 10));
  EXPECT_EQ(due, std::vector<int64_t>{id});  // the lease ran out
  // A replay while the holder is mid-delivery: the holder's next save (version 1) is refused.
  ASSERT_OK_AND_ASSIGN(bool replayed, session_->ReplayEventSubscription(id, 2, 500));
  EXPECT_TRUE(replayed);
  d.version = 1;
  d.cursor_event_id = 9;
  ASSERT_OK_AND_ASSIGN(saved, session_->SaveEventDelivery(id, "n1", d, 600));
  EXPECT_FALSE(saved);
  ASSERT_OK_AND_ASSIGN(got, session_->FindEventSubscription(id));
  EXPECT_EQ(got->delivery.cursor_event_id, 2);
  EXPECT_EQ(got->delivery.attempts, 0);
  EXPECT_EQ(got->delivery.next_attempt_at_us, 500);
  EXPECT_EQ(got->delivery.last_error, "");
  EXPECT_EQ(got->delivery.delivered_count, 1);  // counts are history: kept
  EXPECT_EQ(got->delivery.version, 2);
  ASSERT_OK_AND_ASSIGN(replayed, session_->ReplayEventSubscription(999, 0, 500));
  EXPECT_FALSE(replayed);
}

TEST_P(StoreConformance, EventDeadLettersListNewestFirstAndLastEventIdFollowsTheFeed) {
  ASSERT_OK_AND_ASSIGN(int64_t last, session_->LastEventId());
  EXPECT_EQ(last, 0);
  ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertEventSubscription(Sub("http://a.example/h")));
  for (int64_t event_id : {4, 5, 4}) {
    EventDeadLetter d;
    d.subscription_id = id;
    d.event_id = event_id;
    d.customer_id = "c-1";
    d.type = "tier.upgraded";
    d.attempts = 8;
    d.last_error = "HTTP 500";
    d.created_at_us = 10 * event_id;
    ASSERT_OK(session_->InsertEventDeadLetter(d).status());  // the same event twice: replayed
  }
  ASSERT_OK_AND_ASSIGN(std::vector<EventDeadLetter> dl, session_->ListEventDeadLetters(id, 2));
  ASSERT_EQ(dl.size(), 2u);
  EXPECT_EQ(dl[0].event_id, 4);
  EXPECT_EQ(dl[1].event_id, 5);
  EXPECT_GT(dl[0].dead_letter_id, dl[1].dead_letter_id);
  EXPECT_EQ(dl[0].customer_id, "c-1");
  EXPECT_EQ(dl[0].type, "tier.upgraded");
  EXPECT_EQ(dl[0].attempts, 8);
  EXPECT_EQ(dl[0].last_error, "HTTP 500");
  ASSERT_OK_AND_ASSIGN(std::vector<EventDeadLetter> other,
                       session_->ListEventDeadLetters(id + 1, 10));
  EXPECT_TRUE(other.empty());

  Customer c;
  c.customer_id = "c-1";
  c.tier = "BRONZE";
  ASSERT_OK(session_->InsertCustomer(c));
  Event e;
  e.customer_id = "c-1";
  e.seq = 1;
  e.type = "customer.created";
  e.payload_json = "{}";
  ASSERT_OK_AND_ASSIGN(int64_t event_id, session_->AppendEvent(e));
  ASSERT_OK_AND_ASSIGN(last, session_->LastEventId());
  EXPECT_EQ(last, event_id);
}

}  // namespace
}  // namespace loyalty::testing
