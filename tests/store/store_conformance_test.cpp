// Conformance: schema management, customers, lots and entries.
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

using Ids = std::vector<int64_t>;
using Lines = std::vector<std::string>;

// --- schema ---

TEST_P(StoreConformance, MigrateAppliesEveryMigrationOnceAndThenNothing) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> fresh, OpenUnmigratedStore());
  ASSERT_OK_AND_ASSIGN(int first, fresh->Migrate());
  EXPECT_GE(first, 1);
  ASSERT_OK_AND_ASSIGN(int second, fresh->Migrate());
  EXPECT_EQ(second, 0);
}

TEST_P(StoreConformance, CheckSchemaFailsBeforeMigrateAndPassesAfter) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> fresh, OpenUnmigratedStore());
  const Status before = fresh->CheckSchema();
  EXPECT_EQ(before.code(), Code::kUnavailable) << before.ToString();
  EXPECT_NE(before.message().find("loyalty migrate"), std::string::npos) << before.message();
  ASSERT_OK(fresh->Migrate());
  EXPECT_OK(fresh->CheckSchema());
}

TEST_P(StoreConformance, MigratedStoreIsCurrent) { EXPECT_OK(store_->CheckSchema()); }

// --- customers ---

TEST_P(StoreConformance, InsertedCustomerIsFoundWithEveryField) {
  Customer with_birth = SampleCustomer("c-1");
  Customer without_birth = SampleCustomer("c-2");
  without_birth.birth_date.reset();
  without_birth.marketing_consent = false;
  without_birth.night_consent = true;
  ASSERT_OK(session_->InsertCustomer(with_birth));
  ASSERT_OK(session_->InsertCustomer(without_birth));

  ASSERT_OK_AND_ASSIGN(std::optional<Customer> found1, session_->FindCustomer("c-1"));
  ASSERT_OK_AND_ASSIGN(std::optional<Customer> found2, session_->FindCustomer("c-2"));
  ASSERT_TRUE(found1.has_value());
  ASSERT_TRUE(found2.has_value());
  EXPECT_EQ(Render(*found1), Render(with_birth));
  EXPECT_EQ(Render(*found2), Render(without_birth));
}

TEST_P(StoreConformance, FindUnknownCustomerReturnsNothing) {
  ASSERT_OK_AND_ASSIGN(std::optional<Customer> found, session_->FindCustomer("nobody"));
  EXPECT_FALSE(found.has_value());
}

TEST_P(StoreConformance, UpdateCustomerChangesEveryFieldButIdAndCreation) {
  const Customer original = SampleCustomer("c-1");
  ASSERT_OK(session_->InsertCustomer(original));
  Customer changed = original;
  changed.birth_date.reset();
  changed.marketing_consent = false;
  changed.night_consent = true;
  changed.tier = "gold";
  changed.available_points = -40;
  changed.pending_points = 0;
  changed.event_seq = 8;
  changed.created_at_us = 5;  // ignored
  changed.updated_at_us = original.updated_at_us + 1000;
  ASSERT_OK(session_->UpdateCustomer(changed));

  ASSERT_OK_AND_ASSIGN(std::optional<Customer> found, session_->FindCustomer("c-1"));
  ASSERT_TRUE(found.has_value());
  changed.created_at_us = original.created_at_us;
  EXPECT_EQ(Render(*found), Render(changed));
}

TEST_P(StoreConformance, UpdateOfUnknownCustomerIsNotFound) {
  EXPECT_CODE(session_->UpdateCustomer(SampleCustomer("nobody")), Code::kNotFound);
}

TEST_P(StoreConformance, InsertingACustomerTwiceFailsWithAlreadyExists) {
  const Customer original = SampleCustomer("c-1");
  ASSERT_OK(session_->InsertCustomer(original));
  Customer again = original;
  again.tier = "gold";
  EXPECT_CODE(session_->InsertCustomer(again), Code::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(std::optional<Customer> found, session_->FindCustomer("c-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(original));
}

TEST_P(StoreConformance, ListCustomersPagesInIdOrder) {
  for (const char* id : {"d", "b", "e", "a", "c"}) AddCustomer(id);
  auto ids = [&](const std::string& after, int limit) {
    std::vector<std::string> out;
    Result<std::vector<Customer>> page = session_->ListCustomers(after, limit);
    EXPECT_OK(page);
    if (page.ok()) {
      for (const Customer& c : page.value()) out.push_back(c.customer_id);
    }
    return out;
  };
  EXPECT_EQ(ids("", 2), (Lines{"a", "b"}));
  EXPECT_EQ(ids("b", 2), (Lines{"c", "d"}));
  EXPECT_EQ(ids("d", 2), (Lines{"e"}));
  EXPECT_EQ(ids("e", 2), Lines{});
  EXPECT_EQ(ids("", 0), (Lines{"a", "b", "c", "d", "e"}));  // 0: the default page size
}

// --- lots ---

TEST_P(StoreConformance, InsertedLotIsFoundAndUpdated) {
  AddCustomer("c-1");
  Lot lot = SampleLot("c-1", LotKind::kPending, 380, 0);
  ASSERT_OK_AND_ASSIGN(lot.lot_id, session_->InsertLot(lot));
  EXPECT_GT(lot.lot_id, 0);
  ASSERT_OK_AND_ASSIGN(std::optional<Lot> found, session_->FindLot(lot.lot_id));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(lot));

  lot.remaining_points = 0;
  lot.expired = true;
  lot.expires_at_us = 1'800'000'000'000'000;
  lot.source_entry_id = 77;
  ASSERT_OK(session_->UpdateLot(lot));
  ASSERT_OK_AND_ASSIGN(found, session_->FindLot(lot.lot_id));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(lot));
}

TEST_P(StoreConformance, UnknownLotIsNotFound) {
  ASSERT_OK_AND_ASSIGN(std::optional<Lot> found, session_->FindLot(12345));
  EXPECT_FALSE(found.has_value());
  Lot lot = SampleLot("c-1", LotKind::kAvailable, 1, 0);
  lot.lot_id = 12345;
  EXPECT_CODE(session_->UpdateLot(lot), Code::kNotFound);
}

TEST_P(StoreConformance, FindLotsOrdersByExpiryWithNeverExpiringLast) {
  AddCustomer("c-1");
  std::vector<int64_t> ids;
  for (Micros expires_at_us : {300, 0, 100, 100, 200}) {
    ASSERT_OK_AND_ASSIGN(
        int64_t id, session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 10, expires_at_us)));
    ids.push_back(id);
  }
  LotQuery q;
  q.customer_id = "c-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Lot> lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{ids[2], ids[3], ids[4], ids[0], ids[1]}));
}

TEST_P(StoreConformance, FindLotsSkipsEmptyAndExpiredLotsUnlessAsked) {
  AddCustomer("c-1");
  ASSERT_OK_AND_ASSIGN(int64_t full,
                       session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 10, 100)));
  ASSERT_OK_AND_ASSIGN(int64_t empty,
                       session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 0, 200)));
  Lot expired_lot = SampleLot("c-1", LotKind::kAvailable, 0, 300);
  expired_lot.expired = true;
  ASSERT_OK_AND_ASSIGN(int64_t expired, session_->InsertLot(expired_lot));

  LotQuery q;
  q.customer_id = "c-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Lot> lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{full}));
  q.only_nonzero = false;
  ASSERT_OK_AND_ASSIGN(lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{full, empty}));
  q.include_expired = true;
  ASSERT_OK_AND_ASSIGN(lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{full, empty, expired}));
}

TEST_P(StoreConformance, FindLotsFiltersByKind) {
  AddCustomer("c-1");
  ASSERT_OK_AND_ASSIGN(int64_t pending,
                       session_->InsertLot(SampleLot("c-1", LotKind::kPending, 10, 0)));
  ASSERT_OK_AND_ASSIGN(int64_t available,
                       session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 20, 500)));
  ASSERT_OK_AND_ASSIGN(int64_t deficit,
                       session_->InsertLot(SampleLot("c-1", LotKind::kDeficit, -5, 0)));
  LotQuery q;
  q.customer_id = "c-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Lot> lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{available, pending, deficit}));
  q.kind = LotKind::kPending;
  ASSERT_OK_AND_ASSIGN(lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{pending}));
  q.kind = LotKind::kDeficit;
  ASSERT_OK_AND_ASSIGN(lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{deficit}));
}

TEST_P(StoreConformance, FindLotsFiltersByOrderAndCustomer) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  Lot a = SampleLot("c-1", LotKind::kPending, 10, 0);
  a.order_id = "order-a";
  Lot b = SampleLot("c-1", LotKind::kPending, 20, 0);
  b.order_id = "order-b";
  Lot other = SampleLot("c-2", LotKind::kPending, 30, 0);
  other.order_id = "order-c";
  ASSERT_OK_AND_ASSIGN(int64_t a_id, session_->InsertLot(a));
  ASSERT_OK_AND_ASSIGN(int64_t b_id, session_->InsertLot(b));
  ASSERT_OK_AND_ASSIGN(int64_t other_id, session_->InsertLot(other));

  LotQuery q;
  q.customer_id = "c-1";
  q.order_id = "order-b";
  ASSERT_OK_AND_ASSIGN(std::vector<Lot> lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{b_id}));
  q.order_id.clear();
  ASSERT_OK_AND_ASSIGN(lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{a_id, b_id}));
  q.customer_id = "c-2";
  ASSERT_OK_AND_ASSIGN(lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{other_id}));
}

TEST_P(StoreConformance, FindLotsDueBeforeReturnsUnexpiredLotsDueByThen) {
  AddCustomer("c-1");
  std::vector<int64_t> ids;
  for (Micros expires_at_us : {100, 200, 300, 0}) {
    ASSERT_OK_AND_ASSIGN(
        int64_t id, session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 10, expires_at_us)));
    ids.push_back(id);
  }
  Lot already_expired = SampleLot("c-1", LotKind::kAvailable, 10, 50);
  already_expired.expired = true;
  ASSERT_OK(session_->InsertLot(already_expired));

  LotQuery q;
  q.customer_id = "c-1";
  q.due_before_us = 200;     // inclusive
  q.include_expired = true;  // due_before_us still leaves expired lots out
  ASSERT_OK_AND_ASSIGN(std::vector<Lot> lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), (Ids{ids[0], ids[1]}));
  q.due_before_us = 99;
  ASSERT_OK_AND_ASSIGN(lots, session_->FindLots(q));
  EXPECT_EQ(LotIds(lots), Ids{});
}

// --- entries ---

TEST_P(StoreConformance, InsertedEntryComesBackWithItsAllocationsInOrder) {
  AddCustomer("c-1");
  ASSERT_OK_AND_ASSIGN(int64_t lot1,
                       session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 100, 500)));
  ASSERT_OK_AND_ASSIGN(int64_t lot2,
                       session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 100, 400)));
  Entry e = SampleEntry("c-1", "order-1");
  e.allocations = {{lot2, -100}, {lot1, -50}, {lot2, 0}};
  ASSERT_OK_AND_ASSIGN(e.entry_id, session_->InsertEntry(e));
  EXPECT_GT(e.entry_id, 0);
  Entry bare = SampleEntry("c-1", "");
  ASSERT_OK_AND_ASSIGN(bare.entry_id, session_->InsertEntry(bare));

  EntryQuery q;
  q.customer_id = "c-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries, session_->ListEntries(q));
  EXPECT_EQ(RenderAll(entries), (Lines{Render(bare), Render(e)}));
}

TEST_P(StoreConformance, ListEntriesPagesNewestFirst) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertEntry(SampleEntry("c-1", "")));
    ASSERT_OK(session_->InsertEntry(SampleEntry("c-2", "")));  // never listed
    if (!ids.empty()) {
      EXPECT_GT(id, ids.back());
    }
    ids.push_back(id);
  }
  EntryQuery q;
  q.customer_id = "c-1";
  q.limit = 2;
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> page, session_->ListEntries(q));
  EXPECT_EQ(EntryIds(page), (Ids{ids[4], ids[3]}));
  q.before_entry_id = ids[3];
  ASSERT_OK_AND_ASSIGN(page, session_->ListEntries(q));
  EXPECT_EQ(EntryIds(page), (Ids{ids[2], ids[1]}));
  q.before_entry_id = ids[1];
  ASSERT_OK_AND_ASSIGN(page, session_->ListEntries(q));
  EXPECT_EQ(EntryIds(page), (Ids{ids[0]}));
  q.before_entry_id = ids[0];
  ASSERT_OK_AND_ASSIGN(page, session_->ListEntries(q));
  EXPECT_EQ(EntryIds(page), Ids{});
}

TEST_P(StoreConformance, ListEntriesLimitDefaultsAndIsCapped) {
  AddCustomer("c-1");
  ASSERT_OK(session_->Begin());
  for (int i = 0; i < kMaxPageSize + 5; ++i) {
    ASSERT_OK(session_->InsertEntry(SampleEntry("c-1", "")));
  }
  ASSERT_OK(session_->Commit());
  EntryQuery q;
  q.customer_id = "c-1";
  q.limit = 0;
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> page, session_->ListEntries(q));
  EXPECT_EQ(page.size(), static_cast<size_t>(kDefaultPageSize));
  q.limit = kMaxPageSize + 1;
  ASSERT_OK_AND_ASSIGN(page, session_->ListEntries(q));
  EXPECT_EQ(page.size(), static_cast<size_t>(kMaxPageSize));
}

TEST_P(StoreConformance, ListEntriesOfAnOrderReturnsAllOfThemOldestFirst) {
  AddCustomer("c-1");
  std::vector<int64_t> of_order;
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertEntry(SampleEntry("c-1", "order-a")));
    of_order.push_back(id);
    ASSERT_OK(session_->InsertEntry(SampleEntry("c-1", "order-b")));
    ASSERT_OK(session_->InsertEntry(SampleEntry("c-1", "")));
  }
  EntryQuery q;
  q.order_id = "order-a";
  q.limit = 1;  // ignored for an order: all of its entries
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> entries, session_->ListEntries(q));
  EXPECT_EQ(EntryIds(entries), (Ids{of_order[0], of_order[1], of_order[2]}));
  q.order_id = "order-none";
  ASSERT_OK_AND_ASSIGN(entries, session_->ListEntries(q));
  EXPECT_EQ(EntryIds(entries), Ids{});
}

}  // namespace
}  // namespace loyalty::testing
