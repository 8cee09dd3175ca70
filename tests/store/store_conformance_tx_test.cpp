// Conformance: transactions, savepoints, visibility between sessions, durability and text.
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

using Lines = std::vector<std::string>;

// The ids of all customers, ascending.
Lines CustomerIds(Session& session) {
  Lines ids;
  Result<std::vector<Customer>> customers = session.ListCustomers("", kMaxPageSize);
  EXPECT_OK(customers);
  if (customers.ok()) {
    for (const Customer& c : customers.value()) ids.push_back(c.customer_id);
  }
  return ids;
}

TEST_P(StoreConformance, RollbackToSavepointUndoesOnlyThatCommand) {
  ASSERT_OK(session_->Begin());
  ASSERT_OK(session_->Savepoint());
  ASSERT_OK(session_->InsertCustomer(SampleCustomer("a")));
  ASSERT_OK(session_->ReleaseSavepoint());

  ASSERT_OK(session_->Savepoint());
  ASSERT_OK(session_->InsertCustomer(SampleCustomer("b")));
  ASSERT_OK(session_->InsertEntry(SampleEntry("b", "")));
  ASSERT_OK(session_->RollbackToSavepoint());

  ASSERT_OK(session_->Savepoint());
  ASSERT_OK(session_->InsertCustomer(SampleCustomer("c")));
  ASSERT_OK(session_->ReleaseSavepoint());
  ASSERT_OK(session_->Commit());

  EXPECT_EQ(CustomerIds(*session_), (Lines{"a", "c"}));
  EntryQuery q;
  q.customer_id = "b";
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries, session_->ListEntries(q));
  EXPECT_TRUE(entries.empty());
}

TEST_P(StoreConformance, FailedCommandLeavesTheTransactionUsable) {
  AddCustomer("a");
  ASSERT_OK(session_->Begin());
  ASSERT_OK(session_->Savepoint());
  ASSERT_OK(session_->InsertCustomer(SampleCustomer("b")));
  EXPECT_CODE(session_->InsertCustomer(SampleCustomer("a")), Code::kAlreadyExists);
  ASSERT_OK(session_->RollbackToSavepoint());
  ASSERT_OK(session_->Savepoint());
  ASSERT_OK(session_->InsertCustomer(SampleCustomer("c")));
  ASSERT_OK(session_->ReleaseSavepoint());
  ASSERT_OK(session_->Commit());
  EXPECT_EQ(CustomerIds(*session_), (Lines{"a", "c"}));
}

TEST_P(StoreConformance, RollbackUndoesTheWholeTransaction) {
  ASSERT_OK(session_->Begin());
  ASSERT_OK(session_->Savepoint());
  ASSERT_OK(session_->InsertCustomer(SampleCustomer("a")));
  ASSERT_OK(session_->ReleaseSavepoint());
  ASSERT_OK(session_->Savepoint());
  ASSERT_OK(session_->InsertCustomer(SampleCustomer("b")));
  ASSERT_OK(session_->ReleaseSavepoint());
  session_->Rollback();
  EXPECT_EQ(CustomerIds(*session_), Lines{});

  session_->Rollback();          // no transaction open: harmless
  ASSERT_OK(session_->Begin());  // and the session still works
  ASSERT_OK(session_->InsertCustomer(SampleCustomer("c")));
  ASSERT_OK(session_->Commit());
  EXPECT_EQ(CustomerIds(*session_), (Lines{"c"}));
}

TEST_P(StoreConformance, CommittedWriteIsVisibleToASecondSession) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> reader, store_->OpenSession());
  ASSERT_OK(session_->Begin());
  ASSERT_OK(session_->InsertCustomer(SampleCustomer("a")));
  ASSERT_OK_AND_ASSIGN(std::optional<Customer> seen, reader->FindCustomer("a"));
  EXPECT_FALSE(seen.has_value()) << "uncommitted write visible to another session";
  ASSERT_OK(session_->Commit());
  ASSERT_OK_AND_ASSIGN(seen, reader->FindCustomer("a"));
  EXPECT_TRUE(seen.has_value());
}

TEST_P(StoreConformance, ReadSnapshotHoldsUntilEndRead) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> reader, store_->OpenSession());
  ASSERT_OK(reader->BeginRead());
  ASSERT_OK_AND_ASSIGN(std::optional<Customer> seen, reader->FindCustomer("a"));
  EXPECT_FALSE(seen.has_value());

  AddCustomer("a");  // committed by the writer meanwhile; readers never block it
  ASSERT_OK_AND_ASSIGN(seen, reader->FindCustomer("a"));
  EXPECT_FALSE(seen.has_value()) << "a read snapshot changed under the reader";
  reader->EndRead();

  ASSERT_OK_AND_ASSIGN(seen, reader->FindCustomer("a"));
  EXPECT_TRUE(seen.has_value());
  reader->EndRead();  // no read open: harmless
}

TEST_P(StoreConformance, DataSurvivesReopeningTheStore) {
  const Customer customer = SampleCustomer("c-1");
  ASSERT_OK(session_->Begin());
  ASSERT_OK(session_->InsertCustomer(customer));
  Lot lot = SampleLot("c-1", LotKind::kAvailable, 100, 900);
  ASSERT_OK_AND_ASSIGN(lot.lot_id, session_->InsertLot(lot));
  Entry entry = SampleEntry("c-1", "order-1");
  entry.allocations = {{lot.lot_id, -100}};
  ASSERT_OK_AND_ASSIGN(entry.entry_id, session_->InsertEntry(entry));
  Event event = SampleEvent("c-1", 1);
  ASSERT_OK_AND_ASSIGN(event.event_id, session_->AppendEvent(event));
  ASSERT_OK(session_->Commit());

  ASSERT_NO_FATAL_FAILURE(Reopen());

  ASSERT_OK_AND_ASSIGN(std::optional<Customer> found, session_->FindCustomer("c-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(customer));
  ASSERT_OK_AND_ASSIGN(std::optional<Lot> found_lot, session_->FindLot(lot.lot_id));
  ASSERT_TRUE(found_lot.has_value());
  EXPECT_EQ(Render(*found_lot), Render(lot));
  EntryQuery entries_query;
  entries_query.customer_id = "c-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries, session_->ListEntries(entries_query));
  EXPECT_EQ(RenderAll(entries), (Lines{Render(entry)}));
  ASSERT_OK_AND_ASSIGN(std::vector<Event> events, session_->ListEvents(EventQuery{}));
  EXPECT_EQ(RenderAll(events), (Lines{Render(event)}));

  // Ids keep increasing after the reopen.
  ASSERT_OK_AND_ASSIGN(int64_t next_event, session_->AppendEvent(SampleEvent("c-1", 2)));
  EXPECT_GT(next_event, event.event_id);
}

TEST_P(StoreConformance, HangulTextRoundTrips) {
  Customer customer = SampleCustomer("고객-김민지");
  customer.tier = "골드";
  ASSERT_OK(session_->InsertCustomer(customer));
  Entry entry = SampleEntry("고객-김민지", "주문-2024-001");
  entry.reason = "배송 지연 보상 🎁";
  entry.actor = "cs:상담원 박";
  ASSERT_OK_AND_ASSIGN(entry.entry_id, session_->InsertEntry(entry));
  Adjustment adjustment = SampleAdjustment("조정-1", "고객-김민지");
  adjustment.note = "고객님께 사과드립니다. 적립금을 돌려드렸습니다.";
  ASSERT_OK(session_->InsertAdjustment(adjustment));
  Event event = SampleEvent("고객-김민지", 1);
  event.payload_json = R"({"메모":"구매확정","points":380})";
  ASSERT_OK_AND_ASSIGN(event.event_id, session_->AppendEvent(event));

  ASSERT_OK_AND_ASSIGN(std::optional<Customer> found, session_->FindCustomer("고객-김민지"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(customer));
  EntryQuery q;
  q.order_id = "주문-2024-001";
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries, session_->ListEntries(q));
  EXPECT_EQ(RenderAll(entries), (Lines{Render(entry)}));
  ASSERT_OK_AND_ASSIGN(std::optional<Adjustment> found_adjustment,
                       session_->FindAdjustment("조정-1"));
  ASSERT_TRUE(found_adjustment.has_value());
  EXPECT_EQ(Render(*found_adjustment), Render(adjustment));
  EventQuery events_query;
  events_query.customer_id = "고객-김민지";
  ASSERT_OK_AND_ASSIGN(std::vector<Event> events, session_->ListEvents(events_query));
  EXPECT_EQ(RenderAll(events), (Lines{Render(event)}));
  ASSERT_OK_AND_ASSIGN(found, session_->FindCustomer("고객-김민"));  // no prefix match
  EXPECT_FALSE(found.has_value());
}

}  // namespace
}  // namespace loyalty::testing
