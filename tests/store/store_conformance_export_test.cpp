// Conformance: the keyset pages of `loyalty export` and GET /v1/customers (ExportQueries):
// ascending by key, page boundaries that neither skip nor repeat a row, the tier and time
// filters, and the figures each row adds (balance now, soonest expiry, newest refund).
#include <cstdio>
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

using Strings = std::vector<std::string>;
using Ids = std::vector<int64_t>;

constexpr Micros kT0 = 1'700'000'000'000'000;

void InsertCustomer(Session& s, const std::string& id, const std::string& tier,
                    Micros created_at_us) {
  Customer c = SampleCustomer(id);
  c.tier = tier;
  c.created_at_us = created_at_us;
  ASSERT_OK(s.InsertCustomer(c));
}

Strings CustomerIds(const std::vector<CustomerPageRow>& rows) {
  Strings ids;
  for (const CustomerPageRow& r : rows) ids.push_back(r.customer.customer_id);
  return ids;
}

// Every page of q, following the last key; the ids in order and the size of each page.
Strings AllCustomerPages(Session& s, CustomerPageQuery q, std::vector<size_t>* sizes) {
  Strings ids;
  for (int page = 0; page < 20; ++page) {
    auto rows = s.ListCustomerPage(q);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok()) break;
    sizes->push_back(rows->size());
    for (const std::string& id : CustomerIds(*rows)) ids.push_back(id);
    if (static_cast<int>(rows->size()) < q.limit) break;
    q.after_customer_id = rows->back().customer.customer_id;
  }
  return ids;
}

TEST_P(StoreConformance, CustomerPagesFollowTheKeyAcrossPageBoundaries) {
  // Inserted out of order; the key order is byte order (utf8mb4_bin on MySQL).
  for (const char* id : {"c-05", "c-01", "c-04", "c-03", "c-02", "C-00", "c-06"}) {
    InsertCustomer(*session_, id, "silver", kT0);
  }
  CustomerPageQuery q;
  q.limit = 3;
  std::vector<size_t> sizes;
  EXPECT_EQ(AllCustomerPages(*session_, q, &sizes),
            (Strings{"C-00", "c-01", "c-02", "c-03", "c-04", "c-05", "c-06"}));
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 1}));
  // Exactly a page: the next page is empty.
  q.after_customer_id = "c-03";
  ASSERT_OK_AND_ASSIGN(std::vector<CustomerPageRow> rows, session_->ListCustomerPage(q));
  EXPECT_EQ(CustomerIds(rows), (Strings{"c-04", "c-05", "c-06"}));
  q.after_customer_id = "c-06";
  ASSERT_OK_AND_ASSIGN(rows, session_->ListCustomerPage(q));
  EXPECT_EQ(CustomerIds(rows), Strings{});
  // Every field of the customer comes back.
  q = CustomerPageQuery{};
  q.after_customer_id = "c-04";
  q.limit = 1;
  ASSERT_OK_AND_ASSIGN(rows, session_->ListCustomerPage(q));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Render(rows[0].customer), Render(SampleCustomer("c-05")));
}

TEST_P(StoreConformance, CustomerPagesFilterByTierAndCreationTime) {
  InsertCustomer(*session_, "a", "gold", kT0 + 1);
  InsertCustomer(*session_, "b", "silver", kT0 + 2);
  InsertCustomer(*session_, "c", "gold", kT0 + 3);
  InsertCustomer(*session_, "d", "gold", kT0 + 4);
  InsertCustomer(*session_, "e", "bronze", kT0 + 5);
  InsertCustomer(*session_, "f", "gold", kT0 + 6);

  CustomerPageQuery q;
  q.tier = "gold";
  q.limit = 2;
  std::vector<size_t> sizes;
  EXPECT_EQ(AllCustomerPages(*session_, q, &sizes), (Strings{"a", "c", "d", "f"}));
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 0}));
  q.tier = "vip";
  sizes.clear();
  EXPECT_EQ(AllCustomerPages(*session_, q, &sizes), Strings{});

  // [from, before): the lower bound included, the upper one not; with and without a tier.
  q = CustomerPageQuery{};
  q.created_from_us = kT0 + 2;
  q.created_before_us = kT0 + 6;
  q.limit = 10;
  sizes.clear();
  EXPECT_EQ(AllCustomerPages(*session_, q, &sizes), (Strings{"b", "c", "d", "e"}));
  q.tier = "gold";
  sizes.clear();
  EXPECT_EQ(AllCustomerPages(*session_, q, &sizes), (Strings{"c", "d"}));
  q.created_before_us = 0;  // no upper bound
  sizes.clear();
  EXPECT_EQ(AllCustomerPages(*session_, q, &sizes), (Strings{"c", "d", "f"}));
}

TEST_P(StoreConformance, CustomerPageRowsCarryTheBalanceNowAndTheSoonestLiveExpiry) {
  InsertCustomer(*session_, "c-1", "silver", kT0);  // available_points 1200 in the sample
  InsertCustomer(*session_, "c-2", "silver", kT0);
  const Micros now = kT0 + 1000;
  // c-1: a lot due before now (not yet expired by the job), two live ones, an expired one, a
  // spent one, a pending one and a deficit one: only the live available lots count.
  ASSERT_OK(session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 200, now - 1)));
  ASSERT_OK(session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 700, now + 900)));
  ASSERT_OK(session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 300, now + 500)));
  Lot expired = SampleLot("c-1", LotKind::kAvailable, 0, now + 100);
  expired.expired = true;
  ASSERT_OK(session_->InsertLot(expired));
  ASSERT_OK(session_->InsertLot(SampleLot("c-1", LotKind::kAvailable, 0, now + 200)));
  ASSERT_OK(session_->InsertLot(SampleLot("c-1", LotKind::kPending, 300, 0)));
  ASSERT_OK(session_->InsertLot(SampleLot("c-1", LotKind::kDeficit, 0, 0)));

  CustomerPageQuery q;
  q.as_of_us = now;
  ASSERT_OK_AND_ASSIGN(std::vector<CustomerPageRow> rows, session_->ListCustomerPage(q));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].customer.available_points, 1200);
  EXPECT_EQ(rows[0].available_now_points, 1000);  // the due lot's 200 no longer counts
  EXPECT_EQ(rows[0].earliest_expiry_us, now + 500);
  EXPECT_EQ(rows[1].available_now_points, 1200);  // no lots at all
  EXPECT_EQ(rows[1].earliest_expiry_us, 0);
  // Earlier, the first lot is not due yet: it counts and it is the soonest.
  q.as_of_us = now - 10;
  q.tier = "silver";
  ASSERT_OK_AND_ASSIGN(rows, session_->ListCustomerPage(q));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].available_now_points, 1200);
  EXPECT_EQ(rows[0].earliest_expiry_us, now - 1);
}

TEST_P(StoreConformance, OrderPagesFollowTheKeyFilterByPlacementAndCarryTheNewestRefund) {
  AddCustomer("c-1");
  for (int i = 1; i <= 5; ++i) {
    Order o = SampleOrder("o-" + std::to_string(i), "c-1");
    o.placed_at_us = kT0 + 10 * (6 - i);  // o-5 placed first
    ASSERT_OK(session_->InsertOrder(o));
  }
  ASSERT_OK(session_->InsertRefund(SampleRefund("o-2", "r-b", kT0 + 700)));
  ASSERT_OK(session_->InsertRefund(SampleRefund("o-2", "r-a", kT0 + 900)));
  ASSERT_OK(session_->InsertRefund(SampleRefund("o-4", "r-a", kT0 + 800)));

  OrderPageQuery q;
  q.limit = 2;
  Strings ids;
  std::vector<Micros> refunds;
  std::vector<size_t> sizes;
  for (int page = 0; page < 10; ++page) {
    ASSERT_OK_AND_ASSIGN(std::vector<OrderPageRow> rows, session_->ListOrderPage(q));
    sizes.push_back(rows.size());
    for (const OrderPageRow& r : rows) {
      ids.push_back(r.order.order_id);
      refunds.push_back(r.last_refund_at_us);
    }
    if (static_cast<int>(rows.size()) < q.limit) break;
    q.after_order_id = rows.back().order.order_id;
  }
  EXPECT_EQ(ids, (Strings{"o-1", "o-2", "o-3", "o-4", "o-5"}));
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
  EXPECT_EQ(refunds, (std::vector<Micros>{0, kT0 + 900, 0, kT0 + 800, 0}));

  // [from, before) on placed_at_us: o-4 (kT0 + 20), o-3 (kT0 + 30), o-2 (kT0 + 40).
  q = OrderPageQuery{};
  q.placed_from_us = kT0 + 20;
  q.placed_before_us = kT0 + 50;
  ASSERT_OK_AND_ASSIGN(std::vector<OrderPageRow> rows, session_->ListOrderPage(q));
  ids.clear();
  for (const OrderPageRow& r : rows) ids.push_back(r.order.order_id);
  EXPECT_EQ(ids, (Strings{"o-2", "o-3", "o-4"}));
  ASSERT_FALSE(rows.empty());
  Order expected = SampleOrder("o-2", "c-1");
  expected.placed_at_us = kT0 + 40;
  EXPECT_EQ(Render(rows[0].order), Render(expected));
}

TEST_P(StoreConformance, EntryPagesAscendFilterByTimeAndByTheCustomersTier) {
  InsertCustomer(*session_, "g", "gold", kT0);
  InsertCustomer(*session_, "s", "silver", kT0);
  Ids all, gold;
  for (int i = 0; i < 7; ++i) {
    const std::string customer = i % 2 == 0 ? "g" : "s";
    Entry e = SampleEntry(customer, "");
    e.created_at_us = kT0 + i;
    e.reason = "r" + std::to_string(i);
    ASSERT_OK_AND_ASSIGN(int64_t id, session_->InsertEntry(e));
    all.push_back(id);
    if (customer == "g") gold.push_back(id);
  }
  auto pages = [&](EntryPageQuery q, std::vector<size_t>* sizes) {
    Ids ids;
    for (int page = 0; page < 20; ++page) {
      auto entries = session_->ListEntryPage(q);
      EXPECT_TRUE(entries.ok()) << entries.status().ToString();
      if (!entries.ok()) break;
      sizes->push_back(entries->size());
      for (const Entry& e : *entries) ids.push_back(e.entry_id);
      if (static_cast<int>(entries->size()) < q.limit) break;
      q.after_entry_id = entries->back().entry_id;
    }
    return ids;
  };
  EntryPageQuery q;
  q.limit = 3;
  std::vector<size_t> sizes;
  EXPECT_EQ(pages(q, &sizes), all);
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 1}));
  q.tier = "gold";
  sizes.clear();
  EXPECT_EQ(pages(q, &sizes), gold);
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 1}));
  // [kT0 + 2, kT0 + 5): entries 2, 3, 4; of gold customers 2 and 4.
  q.created_from_us = kT0 + 2;
  q.created_before_us = kT0 + 5;
  sizes.clear();
  EXPECT_EQ(pages(q, &sizes), (Ids{all[2], all[4]}));
  q.tier = "";
  sizes.clear();
  EXPECT_EQ(pages(q, &sizes), (Ids{all[2], all[3], all[4]}));
  // Every field comes back (allocations are not listed).
  q = EntryPageQuery{};
  q.after_entry_id = all[0];
  q.limit = 1;
  ASSERT_OK_AND_ASSIGN(std::vector<Entry> one, session_->ListEntryPage(q));
  ASSERT_EQ(one.size(), 1u);
  Entry expected = SampleEntry("s", "");
  expected.entry_id = all[1];
  expected.created_at_us = kT0 + 1;
  expected.reason = "r1";
  EXPECT_EQ(Render(one[0]), Render(expected));
}

TEST_P(StoreConformance, ExportPagesAreCappedAtTheExportPageSize) {
  CustomerPageQuery q;
  q.limit = kMaxExportPageSize + 1;
  ASSERT_OK(session_->Begin());  // one commit, not one per customer
  for (int i = 0; i < kMaxExportPageSize + 5; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "c-%05d", i);
    InsertCustomer(*session_, id, "silver", kT0);
  }
  ASSERT_OK(session_->Commit());
  ASSERT_OK_AND_ASSIGN(std::vector<CustomerPageRow> rows, session_->ListCustomerPage(q));
  EXPECT_EQ(rows.size(), static_cast<size_t>(kMaxExportPageSize));
  q.limit = 0;
  ASSERT_OK_AND_ASSIGN(rows, session_->ListCustomerPage(q));
  EXPECT_EQ(rows.size(), static_cast<size_t>(kDefaultPageSize));
}

}  // namespace
}  // namespace loyalty::testing
