// Conformance: orders, refunds, adjustments, events, idempotency records and API keys.
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

using Ids = std::vector<int64_t>;
using Lines = std::vector<std::string>;

// --- orders and refunds ---

TEST_P(StoreConformance, OrderRoundTripsAndUpdates) {
  AddCustomer("c-1");
  Order order = SampleOrder("order-1", "c-1");
  ASSERT_OK(session_->InsertOrder(order));
  ASSERT_OK_AND_ASSIGN(std::optional<Order> found, session_->FindOrder("order-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(order));

  order.status = OrderStatus::kCancelled;
  order.earn_activated = true;
  order.clawback_requested_points = 380;
  order.earn_clawed_points = 377;
  order.restored_points = 990;
  order.restored_expired_points = 10;
  order.shortfall_points = 3;
  order.refunded_won = 39'000;
  order.qualifying_won = 0;
  order.confirmed_at_us = 1'700'000'100'000'000;
  order.cancelled_at_us = 1'700'000'200'000'000;
  ASSERT_OK(session_->UpdateOrder(order));
  ASSERT_OK_AND_ASSIGN(found, session_->FindOrder("order-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(order));
}

TEST_P(StoreConformance, UnknownOrderIsNotFoundAndDuplicateIsRejected) {
  AddCustomer("c-1");
  ASSERT_OK_AND_ASSIGN(std::optional<Order> found, session_->FindOrder("order-1"));
  EXPECT_FALSE(found.has_value());
  EXPECT_CODE(session_->UpdateOrder(SampleOrder("order-1", "c-1")), Code::kNotFound);
  ASSERT_OK(session_->InsertOrder(SampleOrder("order-1", "c-1")));
  Order again = SampleOrder("order-1", "c-1");
  again.amount_won = 1;
  EXPECT_CODE(session_->InsertOrder(again), Code::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(found, session_->FindOrder("order-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(SampleOrder("order-1", "c-1")));
}

TEST_P(StoreConformance, RefundsRoundTripAndListInTheOrderTheyWereMade) {
  AddCustomer("c-1");
  ASSERT_OK(session_->InsertOrder(SampleOrder("order-1", "c-1")));
  ASSERT_OK(session_->InsertOrder(SampleOrder("order-2", "c-1")));
  Refund second = SampleRefund("order-1", "r-a", 2'000);
  Refund first = SampleRefund("order-1", "r-b", 1'000);
  first.cancel = true;
  ASSERT_OK(session_->InsertRefund(second));
  ASSERT_OK(session_->InsertRefund(first));
  ASSERT_OK(session_->InsertRefund(SampleRefund("order-2", "r-a", 500)));  // same id, other order

  ASSERT_OK_AND_ASSIGN(std::optional<Refund> found, session_->FindRefund("order-1", "r-b"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(first));
  ASSERT_OK_AND_ASSIGN(found, session_->FindRefund("order-1", "r-c"));
  EXPECT_FALSE(found.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<Refund> refunds, session_->ListRefunds("order-1"));
  EXPECT_EQ(RenderAll(refunds), (Lines{Render(first), Render(second)}));
  ASSERT_OK_AND_ASSIGN(refunds, session_->ListRefunds("order-3"));
  EXPECT_EQ(RenderAll(refunds), Lines{});

  EXPECT_CODE(session_->InsertRefund(SampleRefund("order-1", "r-a", 3'000)), Code::kAlreadyExists);
}

// --- CS adjustments ---

TEST_P(StoreConformance, AdjustmentRoundTripsAndDuplicateIsRejected) {
  AddCustomer("c-1");
  const Adjustment adjustment = SampleAdjustment("adj-1", "c-1");
  ASSERT_OK(session_->InsertAdjustment(adjustment));
  ASSERT_OK_AND_ASSIGN(std::optional<Adjustment> found, session_->FindAdjustment("adj-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(adjustment));
  ASSERT_OK_AND_ASSIGN(found, session_->FindAdjustment("adj-2"));
  EXPECT_FALSE(found.has_value());
  EXPECT_CODE(session_->InsertAdjustment(adjustment), Code::kAlreadyExists);
}

// --- domain events ---

TEST_P(StoreConformance, EventsGetIncreasingGlobalIdsAndListAscending) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  std::vector<Event> appended;
  for (const auto& [customer, seq] : std::vector<std::pair<std::string, int64_t>>{
           {"c-1", 1}, {"c-2", 1}, {"c-1", 2}, {"c-2", 2}, {"c-1", 3}}) {
    Event e = SampleEvent(customer, seq);
    ASSERT_OK_AND_ASSIGN(e.event_id, session_->AppendEvent(e));
    if (!appended.empty()) {
      EXPECT_GT(e.event_id, appended.back().event_id);
    }
    appended.push_back(e);
  }

  EventQuery q;
  ASSERT_OK_AND_ASSIGN(std::vector<Event> events, session_->ListEvents(q));
  EXPECT_EQ(RenderAll(events), RenderAll(appended));
  q.after_event_id = appended[1].event_id;
  q.limit = 2;
  ASSERT_OK_AND_ASSIGN(events, session_->ListEvents(q));
  EXPECT_EQ(EventIds(events), (Ids{appended[2].event_id, appended[3].event_id}));
  q.after_event_id = appended[4].event_id;
  ASSERT_OK_AND_ASSIGN(events, session_->ListEvents(q));
  EXPECT_EQ(EventIds(events), Ids{});
}

TEST_P(StoreConformance, EventsListByCustomer) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  Ids of_c1;
  for (int64_t seq = 1; seq <= 3; ++seq) {
    ASSERT_OK_AND_ASSIGN(int64_t id, session_->AppendEvent(SampleEvent("c-1", seq)));
    of_c1.push_back(id);
    ASSERT_OK(session_->AppendEvent(SampleEvent("c-2", seq)));
  }
  EventQuery q;
  q.customer_id = "c-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Event> events, session_->ListEvents(q));
  EXPECT_EQ(EventIds(events), of_c1);
  q.after_event_id = of_c1[0];
  q.limit = 1;
  ASSERT_OK_AND_ASSIGN(events, session_->ListEvents(q));
  EXPECT_EQ(EventIds(events), (Ids{of_c1[1]}));
}

TEST_P(StoreConformance, DuplicateEventSeqOfACustomerIsRejected) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  ASSERT_OK(session_->AppendEvent(SampleEvent("c-1", 1)));
  EXPECT_CODE(session_->AppendEvent(SampleEvent("c-1", 1)), Code::kAlreadyExists);
  EXPECT_OK(session_->AppendEvent(SampleEvent("c-2", 1)));  // seq is per customer
  ASSERT_OK_AND_ASSIGN(std::vector<Event> events, session_->ListEvents(EventQuery{}));
  EXPECT_EQ(events.size(), 2u);
}

// --- idempotency records ---

TEST_P(StoreConformance, IdempotencyRecordRoundTripsAndDuplicateIsRejected) {
  const IdempotencyRecord record = SampleIdempotency("shop:key-1", 1'700'086'400'000'000);
  ASSERT_OK(ApiRecordsOf(*session_).InsertIdempotency(record));
  ASSERT_OK_AND_ASSIGN(std::optional<IdempotencyRecord> found,
                       ApiRecordsOf(*session_).FindIdempotency("shop:key-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(record));
  ASSERT_OK_AND_ASSIGN(found, ApiRecordsOf(*session_).FindIdempotency("shop:key-2"));
  EXPECT_FALSE(found.has_value());
  EXPECT_CODE(ApiRecordsOf(*session_).InsertIdempotency(record), Code::kAlreadyExists);
}

TEST_P(StoreConformance, PurgeIdempotencyDeletesOnlyExpiredRecords) {
  ASSERT_OK(ApiRecordsOf(*session_).InsertIdempotency(SampleIdempotency("order:forever", 0)));
  ASSERT_OK(ApiRecordsOf(*session_).InsertIdempotency(SampleIdempotency("k:100", 100)));
  ASSERT_OK(ApiRecordsOf(*session_).InsertIdempotency(SampleIdempotency("k:200", 200)));
  ASSERT_OK(ApiRecordsOf(*session_).InsertIdempotency(SampleIdempotency("k:300", 300)));

  ASSERT_OK_AND_ASSIGN(int64_t purged, ApiRecordsOf(*session_).PurgeIdempotency(200));
  EXPECT_EQ(purged, 2);
  ASSERT_OK_AND_ASSIGN(purged, ApiRecordsOf(*session_).PurgeIdempotency(200));
  EXPECT_EQ(purged, 0);
  for (const auto& [key, kept] : std::vector<std::pair<std::string, bool>>{
           {"order:forever", true}, {"k:100", false}, {"k:200", false}, {"k:300", true}}) {
    ASSERT_OK_AND_ASSIGN(std::optional<IdempotencyRecord> found,
                         ApiRecordsOf(*session_).FindIdempotency(key));
    EXPECT_EQ(found.has_value(), kept) << key;
  }
}

// --- API keys ---

TEST_P(StoreConformance, ApiKeysAreFoundByHashListedByNameAndRevoked) {
  const ApiKey shop = SampleApiKey("shop-web", "aa11");
  ApiKey admin = SampleApiKey("admin", "bb22");
  admin.role = "admin";
  ASSERT_OK(ApiRecordsOf(*session_).InsertApiKey(shop));
  ASSERT_OK(ApiRecordsOf(*session_).InsertApiKey(admin));

  ASSERT_OK_AND_ASSIGN(std::optional<ApiKey> found,
                       ApiRecordsOf(*session_).FindApiKeyByHash("aa11"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(shop));
  ASSERT_OK_AND_ASSIGN(found, ApiRecordsOf(*session_).FindApiKeyByHash("cc33"));
  EXPECT_FALSE(found.has_value());
  ASSERT_OK_AND_ASSIGN(std::vector<ApiKey> keys, ApiRecordsOf(*session_).ListApiKeys());
  EXPECT_EQ(RenderAll(keys), (Lines{Render(admin), Render(shop)}));

  ASSERT_OK(ApiRecordsOf(*session_).RevokeApiKey("shop-web", 5'000));
  ASSERT_OK(
      ApiRecordsOf(*session_).RevokeApiKey("shop-web", 6'000));  // the first revocation time stays
  ASSERT_OK_AND_ASSIGN(found, ApiRecordsOf(*session_).FindApiKeyByHash("aa11"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->revoked_at_us, 5'000);
  EXPECT_CODE(ApiRecordsOf(*session_).RevokeApiKey("nobody", 5'000), Code::kNotFound);
}

TEST_P(StoreConformance, ApiKeyNameAndHashAreUnique) {
  ASSERT_OK(ApiRecordsOf(*session_).InsertApiKey(SampleApiKey("shop-web", "aa11")));
  EXPECT_CODE(ApiRecordsOf(*session_).InsertApiKey(SampleApiKey("shop-web", "bb22")),
              Code::kAlreadyExists);
  EXPECT_CODE(ApiRecordsOf(*session_).InsertApiKey(SampleApiKey("shop-app", "aa11")),
              Code::kAlreadyExists);
}

}  // namespace
}  // namespace loyalty::testing
