// GET /v1/reports/liability (docs/ledger.md, "Points liability"): the figures of two months of
// orders, refunds and adjustments as JSON and as CSV, admin only, and every bad query refused
// with 400 validation_failed naming the parameter. The OpenAPI schema lists exactly the columns
// the report writes.
#include <fstream>

#include "core/liability.h"
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

class LiabilityApiTest : public ApiTest {
 protected:
  // March 2026 (the fixture starts on 2 March, 10:00 KST): 5,000 points given; an order earning
  // 1,000, confirmed; an order of ₩50,000 paying 2,000 points (earns 480, pending), half
  // refunded (1,000 restored, 240 clawed back from pending). April: 500 points taken back.
  void SetUp() override {
    ApiTest::SetUp();
    MakeCustomer("c-l");
    GivePoints("c-l", 5000, "adj-l1");
    ASSERT_EQ(PostOrder("o-l1", 100000, 0).status, 201);
    ASSERT_EQ(client().Post("/v1/orders/o-l1/confirm", Token("checkout"), "{}").status, 200);
    ASSERT_EQ(PostOrder("o-l2", 50000, 2000).status, 201);
    HttpResult refund = client().Post("/v1/orders/o-l2/refunds", Token("checkout"),
                                      R"({"refund_id":"r-l","amount_won":25000})");
    ASSERT_EQ(refund.status, 201) << refund.body;
    clock_.Set(StartOfDay(LocalDate{2026, 4, 3}, "Asia/Seoul"));
    HttpResult debit = client().Post("/v1/customers/c-l/adjustments", Token("cs_supervisor"),
                                     R"({"adjustment_id":"adj-l2","points":-500,)"
                                     R"("reason_code":"correction"})");
    ASSERT_EQ(debit.status, 201) << debit.body;
  }
  HttpResult PostOrder(const std::string& id, int64_t amount_won, int64_t points) {
    return client().Post("/v1/orders", Token("checkout"),
                         R"({"order_id":")" + id + R"(","customer_id":"c-l","amount_won":)" +
                             std::to_string(amount_won) + R"(,"points_to_redeem":)" +
                             std::to_string(points) + "}");
  }
  HttpResult Report(const std::string& query, const std::string& role = "admin") {
    return client().Get("/v1/reports/liability" + query, Token(role));
  }
  static int64_t Field(const Poco::JSON::Object::Ptr& o, const std::string& name) {
    EXPECT_TRUE(o->has(name)) << name;
    return o->has(name) ? o->getValue<int64_t>(name) : -1;
  }
  void ExpectBad(const std::string& query, const std::string& field) {
    HttpResult r = Report(query);
    SCOPED_TRACE(query + ": " + r.body);
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.ContentType(), "application/problem+json");
    EXPECT_EQ(r.Str("code"), "validation_failed");
    EXPECT_EQ(r.Str("field"), field);
  }
};

TEST_F(LiabilityApiTest, JsonGivesEveryFigureOfEachMonthAndTheyRollForward) {
  HttpResult r = Report("?month=2026-03&months=2");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.ContentType(), "application/json");
  EXPECT_EQ(r.Str("time_zone"), "Asia/Seoul");
  Poco::JSON::Array::Ptr months = r.Json()->getArray("months");
  ASSERT_EQ(months->size(), 2u);
  Poco::JSON::Object::Ptr march = months->getObject(0);
  EXPECT_EQ(march->getValue<std::string>("month"), "2026-03");
  EXPECT_EQ(march->getValue<std::string>("from"), "2026-02-28T15:00:00Z");
  EXPECT_EQ(march->getValue<std::string>("to"), "2026-03-31T15:00:00Z");
  EXPECT_TRUE(march->getValue<bool>("complete"));
  EXPECT_EQ(Field(march, "point_value_won"), 1);
  EXPECT_EQ(Field(march, "opening_points"), 0);
  EXPECT_EQ(Field(march, "earned_points"), 1480);
  EXPECT_EQ(Field(march, "activated_points"), 1000);
  EXPECT_EQ(Field(march, "clawed_back_pending_points"), 240);
  EXPECT_EQ(Field(march, "redeemed_points"), 2000);
  EXPECT_EQ(Field(march, "restored_points"), 1000);
  EXPECT_EQ(Field(march, "adjusted_in_points"), 5000);
  EXPECT_EQ(Field(march, "adjusted_out_points"), 0);
  EXPECT_EQ(Field(march, "expired_points"), 0);
  EXPECT_EQ(Field(march, "closing_pending_points"), 240);
  EXPECT_EQ(Field(march, "closing_available_points"), 5000);
  EXPECT_EQ(Field(march, "closing_won"), 5240);
  EXPECT_EQ(Field(march, "breakage_rate_bp"), 0);  // 1,000 points used, none expired
  Poco::JSON::Object::Ptr april = months->getObject(1);
  EXPECT_FALSE(april->getValue<bool>("complete"));  // now is 3 April
  EXPECT_EQ(Field(april, "opening_pending_points"), 240);
  EXPECT_EQ(Field(april, "opening_available_points"), 5000);
  EXPECT_EQ(Field(april, "adjusted_out_points"), 500);
  EXPECT_EQ(Field(april, "closing_available_points"), 4500);
  EXPECT_TRUE(april->isNull("breakage_rate_bp"));  // nothing used nor expired in April
  EXPECT_EQ(Field(april, "cumulative_breakage_rate_bp"), 0);
  // The balances the customer resource shows.
  HttpResult c = client().Get("/v1/customers/c-l", Token("checkout"));
  EXPECT_EQ(c.Int("available_points"), Field(april, "closing_available_points"));
  EXPECT_EQ(c.Int("pending_points"), Field(april, "closing_pending_points"));
}

TEST_F(LiabilityApiTest, CsvIsAHeaderRowAndOneRowPerMonth) {
  HttpResult r = Report("?month=2026-02&months=3&format=csv");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(r.Header("Content-Disposition"), "attachment; filename=\"liability-2026-02.csv\"");
  std::vector<std::string> lines;
  for (size_t at = 0; at < r.body.size();) {
    const size_t end = r.body.find("\r\n", at);
    ASSERT_NE(end, std::string::npos) << r.body;
    lines.push_back(r.body.substr(at, end - at));
    at = end + 2;
  }
  ASSERT_EQ(lines.size(), 4u) << r.body;
  const std::vector<std::string> columns = LiabilityColumns();
  std::string header;
  for (const std::string& c : columns) header += (header.empty() ? "" : ",") + c;
  EXPECT_EQ(lines[0], header);
  EXPECT_EQ(lines[1].rfind("2026-02,2026-01-31T15:00:00Z,2026-02-28T15:00:00Z,true,1,0,", 0), 0u)
      << lines[1];
  EXPECT_EQ(lines[2].rfind("2026-03,", 0), 0u);
  EXPECT_EQ(lines[3].rfind("2026-04,", 0), 0u);
  // February: no entry at all, so no rate (empty fields), and the JSON of the same report says
  // the same in the same order.
  EXPECT_EQ(lines[1].substr(lines[1].size() - 5), ",0,0,") << lines[1];
  HttpResult json = Report("?month=2026-02&months=3&format=json");
  ASSERT_EQ(json.status, 200);
  Poco::JSON::Object::Ptr march = json.Json()->getArray("months")->getObject(1);
  std::string row;
  for (const std::string& c : columns) {
    std::string v;
    if (march->isNull(c)) {
      v = "";
    } else if (c == "month" || c == "from" || c == "to") {
      v = march->getValue<std::string>(c);
    } else if (c == "complete") {
      v = march->getValue<bool>(c) ? "true" : "false";
    } else {
      v = std::to_string(march->getValue<int64_t>(c));
    }
    row += (row.empty() ? "" : ",") + v;
  }
  EXPECT_EQ(row, lines[2]);
}

TEST_F(LiabilityApiTest, OnlyAdminMayReadIt) {
  for (const char* role :
       {"checkout", "cs_agent", "cs_supervisor", "messaging", "jobs", "metrics"}) {
    HttpResult r = Report("?month=2026-03", role);
    EXPECT_EQ(r.status, 403) << role << ": " << r.body;
  }
  EXPECT_EQ(client().Get("/v1/reports/liability?month=2026-03", "").status, 401);
  EXPECT_EQ(Report("?month=2026-03").status, 200);
}

TEST_F(LiabilityApiTest, ABadQueryIsRefusedNamingTheParameter) {
  ExpectBad("", "month");
  ExpectBad("?month=", "month");
  ExpectBad("?month=2026-13", "month");
  ExpectBad("?month=2026-3", "month");
  ExpectBad("?month=03-2026", "month");
  ExpectBad("?month=2026-03-01", "month");
  ExpectBad("?month=2026-05", "month");  // has not begun (now: 3 April 2026 KST)
  ExpectBad("?month=2030-01", "month");
  ExpectBad("?month=2026-03&months=3", "months");  // would reach May
  ExpectBad("?month=2026-03&months=0", "months");
  ExpectBad("?month=2026-03&months=121", "months");
  ExpectBad("?month=2026-03&months=two", "months");
  ExpectBad("?month=2026-03&format=xml", "format");
  HttpResult future = Report("?month=2026-05");
  EXPECT_NE(future.Str("detail").find("2026-05 has not begun yet"), std::string::npos)
      << future.body;
}

// The schema's LiabilityMonth properties, read line by line as the spec is written.
std::vector<std::string> SpecMonthProperties() {
  std::ifstream in(std::string(LOYALTY_SOURCE_DIR) + "/docs/api/openapi.yaml");
  std::vector<std::string> names;
  std::string line;
  bool in_schema = false, in_properties = false;
  while (std::getline(in, line)) {
    if (line == "    LiabilityMonth:") {
      in_schema = true;
      continue;
    }
    if (!in_schema) continue;
    if (line.rfind("    ", 0) == 0 && line.size() > 4 && line[4] != ' ') break;  // next schema
    if (line == "      properties:") {
      in_properties = true;
      continue;
    }
    if (in_properties && line.size() > 9 && line.rfind("        ", 0) == 0 && line[8] != ' ' &&
        line.back() == ':') {
      names.push_back(line.substr(8, line.size() - 9));
    }
  }
  return names;
}

TEST_F(LiabilityApiTest, TheOpenApiSchemaListsEveryColumnInOrder) {
  EXPECT_EQ(SpecMonthProperties(), LiabilityColumns());
}

}  // namespace
}  // namespace loyalty::apitest
