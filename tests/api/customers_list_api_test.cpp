// GET /v1/customers?tier=&limit=&cursor=: customers of a tier (of every tier without one),
// ascending by id, in keyset pages with an opaque cursor; the tier checked against the
// programme, bad cursors and limits refused as problem+json, and no clash with
// /v1/customers/{customer_id}.
#include <string>
#include <vector>

#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

class CustomersListApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    // Through the API: entry tier (BRONZE).
    for (const char* id : {"b-2", "b-1", "b-3"}) MakeCustomer(id);
    // Straight into the store: GOLD customers (reaching GOLD takes ₩1,000,000 of spend).
    for (const char* id : {"g-05", "g-01", "g-07", "g-03", "g-02", "g-06", "g-04"}) {
      Customer c;
      c.customer_id = id;
      c.tier = "GOLD";
      c.tier_since_us = clock_.NowMicros() - kDayUs;
      c.created_at_us = clock_.NowMicros() - 2 * kDayUs;
      c.updated_at_us = c.created_at_us;
      ASSERT_TRUE(session_->InsertCustomer(c).ok());
    }
    GivePoints("g-03", 1500, "adj-g3");
  }

  void ExpectInvalid(const std::string& query, const std::string& field) {
    HttpResult r = client().Get("/v1/customers" + query, Token("cs_agent"));
    EXPECT_EQ(r.status, 400) << query << ": " << r.body;
    EXPECT_EQ(r.ContentType(), "application/problem+json") << query;
    EXPECT_EQ(r.Str("code"), "validation_failed") << query;
    EXPECT_EQ(r.Str("field"), field) << query << ": " << r.body;
  }
};

TEST_F(CustomersListApiTest, ATiersCustomersComeInPagesUntilHasMoreIsFalse) {
  std::vector<std::string> ids;
  std::vector<size_t> sizes;
  std::string path = "/v1/customers?tier=GOLD&limit=3";
  for (int page = 0; page < 10; ++page) {
    HttpResult r = client().Get(path, Token("cs_supervisor"));
    ASSERT_EQ(r.status, 200) << r.body;
    auto customers = r.Json()->getArray("customers");
    sizes.push_back(customers->size());
    for (size_t i = 0; i < customers->size(); ++i) {
      auto c = customers->getObject(static_cast<unsigned>(i));
      EXPECT_EQ(c->getValue<std::string>("tier"), "GOLD");
      ids.push_back(c->getValue<std::string>("customer_id"));
    }
    if (!r.Json()->getValue<bool>("has_more")) {
      EXPECT_TRUE(r.Json()->isNull("next_cursor")) << r.body;
      break;
    }
    path = "/v1/customers?tier=GOLD&limit=3&cursor=" + r.Str("next_cursor");
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{3, 3, 1}));
  EXPECT_EQ(ids,
            (std::vector<std::string>{"g-01", "g-02", "g-03", "g-04", "g-05", "g-06", "g-07"}));

  // Exactly one page left: has_more is false at once, not after an empty page.
  HttpResult all = client().Get("/v1/customers?tier=GOLD&limit=7", Token("admin"));
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.Json()->getArray("customers")->size(), 7u);
  EXPECT_FALSE(all.Json()->getValue<bool>("has_more"));
  EXPECT_TRUE(all.Json()->isNull("next_cursor"));
}

TEST_F(CustomersListApiTest, EachItemCarriesTierSinceAndTheBalances) {
  HttpResult r = client().Get("/v1/customers?tier=GOLD&limit=3", Token("cs_agent"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto g3 = r.Json()->getArray("customers")->getObject(2);
  EXPECT_EQ(g3->getValue<std::string>("customer_id"), "g-03");
  EXPECT_EQ(g3->getValue<std::string>("tier_since"), FormatInstant(clock_.NowMicros() - kDayUs));
  EXPECT_EQ(g3->getValue<int64_t>("available_points"), 1500);
  EXPECT_EQ(g3->getValue<int64_t>("pending_points"), 0);
  EXPECT_FALSE(g3->isNull("next_expiry"));
  auto g1 = r.Json()->getArray("customers")->getObject(0);
  EXPECT_EQ(g1->getValue<int64_t>("available_points"), 0);
  EXPECT_TRUE(g1->isNull("next_expiry"));
}

TEST_F(CustomersListApiTest, WithoutATierEveryCustomerIsListed) {
  HttpResult r = client().Get("/v1/customers?limit=500", Token("cs_agent"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<std::string> ids;
  auto customers = r.Json()->getArray("customers");
  for (size_t i = 0; i < customers->size(); ++i) {
    ids.push_back(
        customers->getObject(static_cast<unsigned>(i))->getValue<std::string>("customer_id"));
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"b-1", "b-2", "b-3", "g-01", "g-02", "g-03", "g-04",
                                           "g-05", "g-06", "g-07"}));
  HttpResult bronze = client().Get("/v1/customers?tier=BRONZE", Token("cs_agent"));
  ASSERT_EQ(bronze.status, 200) << bronze.body;
  EXPECT_EQ(bronze.Json()->getArray("customers")->size(), 3u);
  HttpResult vip = client().Get("/v1/customers?tier=VIP", Token("cs_agent"));
  ASSERT_EQ(vip.status, 200) << vip.body;
  EXPECT_EQ(vip.Json()->getArray("customers")->size(), 0u);
  EXPECT_FALSE(vip.Json()->getValue<bool>("has_more"));
}

TEST_F(CustomersListApiTest, AnUnknownTierABadCursorOrLimitIsRefused) {
  ExpectInvalid("?tier=PLATINUM", "tier");
  ExpectInvalid("?tier=gold", "tier");  // codes are exact
  ExpectInvalid("?tier=", "tier");
  ExpectInvalid("?tier=GOLD&cursor=%21%21", "cursor");          // not base64url
  ExpectInvalid("?tier=GOLD&cursor=A", "cursor");               // no byte fits in 6 bits
  ExpectInvalid("?tier=GOLD&cursor=Zz", "cursor");              // trailing bits set: not canonical
  ExpectInvalid("?cursor=" + std::string(100, 'A'), "cursor");  // longer than any id
  ExpectInvalid("?limit=0", "limit");
  ExpectInvalid("?limit=501", "limit");
  HttpResult r = client().Get("/v1/customers?tier=PLATINUM", Token("cs_agent"));
  EXPECT_NE(r.Str("detail").find("BRONZE, SILVER, GOLD, VIP"), std::string::npos) << r.body;
}

TEST_F(CustomersListApiTest, CsAndAdminMayListOthersMayNot) {
  for (const char* role : {"cs_agent", "cs_supervisor", "admin"}) {
    EXPECT_EQ(client().Get("/v1/customers?tier=GOLD", Token(role)).status, 200) << role;
  }
  for (const char* role : {"checkout", "messaging", "jobs", "metrics"}) {
    HttpResult r = client().Get("/v1/customers?tier=GOLD", Token(role));
    EXPECT_EQ(r.status, 403) << role;
    EXPECT_EQ(r.Str("code"), "forbidden") << role;
  }
  EXPECT_EQ(client().Get("/v1/customers?tier=GOLD", "").status, 401);
}

TEST_F(CustomersListApiTest, TheListDoesNotShadowOneCustomer) {
  HttpResult one = client().Get("/v1/customers/g-03", Token("cs_agent"));
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Str("customer_id"), "g-03");
  EXPECT_EQ(one.Str("tier"), "GOLD");
  // The list answers GET only.
  HttpResult put = client().Put("/v1/customers", Token("admin"), "{}");
  EXPECT_EQ(put.status, 405) << put.body;
}

}  // namespace
}  // namespace loyalty::apitest
