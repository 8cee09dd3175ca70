// Cursor pagination: the ledger newest first (cursor = last entry_id, null at the end), the
// event feeds ascending (next_cursor always set, has_more).
#include <set>

#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

class PaginationTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    MakeCustomer("c-p");
    MakeCustomer("c-other");
    for (int i = 1; i <= 7; ++i) GivePoints("c-p", 100 * i, "a-" + std::to_string(i));
    GivePoints("c-other", 50, "a-other");
  }
};

TEST_F(PaginationTest, LedgerPagesNewestFirstUntilTheCursorIsNull) {
  std::vector<int64_t> ids;
  std::vector<size_t> sizes;
  std::string path = "/v1/customers/c-p/ledger?limit=3";
  for (int page = 0; page < 10; ++page) {
    HttpResult r = client().Get(path, Token("cs_agent"));
    ASSERT_EQ(r.status, 200) << r.body;
    auto entries = r.Json()->getArray("entries");
    sizes.push_back(entries->size());
    for (size_t i = 0; i < entries->size(); ++i) {
      auto e = entries->getObject(static_cast<unsigned>(i));
      ids.push_back(e->getValue<int64_t>("entry_id"));
      EXPECT_EQ(e->getValue<std::string>("kind"), "adjust");
      EXPECT_EQ(e->getArray("allocations")->size(), 1u);
    }
    if (r.Json()->isNull("next_cursor")) break;
    const std::string cursor = r.Str("next_cursor");
    EXPECT_EQ(cursor, std::to_string(ids.back()));
    path = "/v1/customers/c-p/ledger?limit=3&cursor=" + cursor;
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 1}));
  ASSERT_EQ(ids.size(), 7u);
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_GT(ids[i - 1], ids[i]);
  // The newest entry is the last adjustment (+700).
  HttpResult first = client().Get("/v1/customers/c-p/ledger?limit=1", Token("cs_agent"));
  EXPECT_EQ(first.Json()->getArray("entries")->getObject(0)->getValue<int64_t>("available_delta"),
            700);
}

TEST_F(PaginationTest, CustomerEventsPageAscending) {
  std::vector<int64_t> seqs;
  int64_t after = 0;
  int pages = 0;
  for (bool more = true; more && pages < 10; ++pages) {
    HttpResult r = client().Get("/v1/customers/c-p/events?limit=3&after=" + std::to_string(after),
                                Token("messaging"));
    ASSERT_EQ(r.status, 200) << r.body;
    auto events = r.Json()->getArray("events");
    for (size_t i = 0; i < events->size(); ++i) {
      auto e = events->getObject(static_cast<unsigned>(i));
      EXPECT_EQ(e->getValue<std::string>("customer_id"), "c-p");
      seqs.push_back(e->getValue<int64_t>("seq"));
    }
    more = r.Json()->getValue<bool>("has_more");
    after = std::stoll(r.Str("next_cursor"));
  }
  // customer.created, the demo programme's welcome (coupon.issued, message.created), 7 adjustments
  EXPECT_EQ(pages, 4);
  EXPECT_EQ(seqs, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
  // Past the end: empty, and the cursor stays where it was so a poller can keep asking.
  HttpResult end =
      client().Get("/v1/customers/c-p/events?after=" + std::to_string(after), Token("messaging"));
  EXPECT_EQ(end.Json()->getArray("events")->size(), 0u);
  EXPECT_EQ(end.Str("next_cursor"), std::to_string(after));
  EXPECT_FALSE(end.Json()->getValue<bool>("has_more"));
}

TEST_F(PaginationTest, GlobalFeedCoversEveryCustomerInOrder) {
  std::vector<int64_t> ids;
  std::set<std::string> customers;
  std::string after = "0";
  for (int page = 0; page < 20; ++page) {
    HttpResult r = client().Get("/v1/events?limit=4&after=" + after, Token("jobs"));
    ASSERT_EQ(r.status, 200) << r.body;
    auto events = r.Json()->getArray("events");
    for (size_t i = 0; i < events->size(); ++i) {
      auto e = events->getObject(static_cast<unsigned>(i));
      ids.push_back(e->getValue<int64_t>("event_id"));
      customers.insert(e->getValue<std::string>("customer_id"));
    }
    after = r.Str("next_cursor");
    if (!r.Json()->getValue<bool>("has_more")) break;
  }
  EXPECT_EQ(ids.size(), 14u);  // 2 customers created with 2 welcome events each + 8 adjustments
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_LT(ids[i - 1], ids[i]);
  EXPECT_EQ(customers, (std::set<std::string>{"c-p", "c-other"}));
}

}  // namespace
}  // namespace loyalty::apitest
