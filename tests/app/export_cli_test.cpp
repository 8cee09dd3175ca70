// `loyalty export customers|orders|ledger`, run as an operator would: the history is written by
// the ledger's own commands (and, for text no API accepts, straight into the store), exported
// as CSV and JSON Lines, and parsed back here by a reader written for the test (RFC 4180 quoting,
// a comma, a quote, a line break and Korean text in a field). Filters by tier and business date,
// and the failures: nothing is left behind and the exit status says why.
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/crypto.h"
#include "app/program_codec.h"
#include "core/business_time.h"
#include "core/clock.h"
#include "core/ledger.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/app/cli_run.h"

namespace loyalty::clitest {
namespace {

using Args = std::vector<std::string>;
using Row = std::map<std::string, std::string>;

// An id and a reason no API would take, as another system's import might bring them.
const char* kOddId = "김,\"민수\"";
const char* kOddReason = "이관, \"구\" 시스템\r\nline two";

// RFC 4180: records end with CRLF; a quoted field may hold commas, quotes (doubled) and line
// breaks. Returns the records, header included; sets *ok = false on malformed text.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text, bool* ok) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, after_quote = false;
  *ok = true;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
        after_quote = true;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty() && !after_quote) {
      quoted = true;
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
      after_quote = false;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      record.push_back(field);
      records.push_back(record);
      record.clear();
      field.clear();
      after_quote = false;
      ++i;
    } else if (c == '"' || c == '\n' || c == '\r' || after_quote) {
      *ok = false;  // a stray quote, a bare line break, text after a closing quote
      return records;
    } else {
      field += c;
    }
  }
  if (quoted || !field.empty() || !record.empty()) *ok = false;  // no final CRLF
  return records;
}

// The CSV as rows keyed by the header's names.
std::vector<Row> CsvRows(const std::string& text, std::vector<std::string>* header) {
  bool ok = false;
  std::vector<std::vector<std::string>> records = ParseCsv(text, &ok);
  EXPECT_TRUE(ok) << text;
  std::vector<Row> rows;
  if (records.empty()) return rows;
  *header = records[0];
  for (size_t r = 1; r < records.size(); ++r) {
    EXPECT_EQ(records[r].size(), header->size()) << "record " << r;
    Row row;
    for (size_t i = 0; i < header->size() && i < records[r].size(); ++i) {
      row[(*header)[i]] = records[r][i];
    }
    rows.push_back(row);
  }
  return rows;
}

std::vector<Poco::JSON::Object::Ptr> JsonLines(const std::string& text) {
  std::vector<Poco::JSON::Object::Ptr> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    EXPECT_NE(end, std::string::npos) << "the last line has no LF";
    if (end == std::string::npos) break;
    Poco::JSON::Parser parser;
    out.push_back(parser.parse(text.substr(start, end - start)).extract<Poco::JSON::Object::Ptr>());
    start = end + 1;
  }
  return out;
}

const Row* Find(const std::vector<Row>& rows, const std::string& column, const std::string& v) {
  for (const Row& r : rows) {
    if (r.count(column) && r.at(column) == v) return &r;
  }
  return nullptr;
}

std::vector<std::string> Column(const std::vector<Row>& rows, const std::string& column) {
  std::vector<std::string> out;
  for (const Row& r : rows) out.push_back(r.at(column));
  return out;
}

const std::vector<std::string> kCustomerHeader = {
    "customer_id",   "birth_date",     "marketing_consent",
    "night_consent", "opening_points", "opening_points_expire_on",
    "tier",          "tier_since",     "pending_points",
    "created_at"};
const std::vector<std::string> kOrderHeader = {
    "order_id",        "customer_id",  "placed_at",    "amount_won",   "shipping_won",
    "points_redeemed", "confirmed_at", "cancelled_at", "refunded_won", "refunded_at",
    "status",          "earn_points",  "rule_version", "tier_at_order"};
const std::vector<std::string> kLedgerHeader = {
    "entry_id",        "created_at", "customer_id", "kind",   "pending_delta",
    "available_delta", "order_id",   "ref_id",      "reason", "actor"};

class ExportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Loyalty({"migrate", "--db", "e.db"}).exit_code, 0);
    CliRun applied = OnDb({"program", "apply", "demo", "--author", "ops"});
    ASSERT_EQ(applied.exit_code, 0) << applied.all();
    WriteHistory();
  }

  CliRun Loyalty(const Args& args) { return RunLoyalty(args, dir_.path()); }
  CliRun OnDb(Args args) {
    args.push_back("--db");
    args.push_back("e.db");
    return Loyalty(args);
  }

  // Three days of history ending yesterday (business dates D1 < D2 < D3 in Seoul): c-1 on D1
  // with an adjustment and a confirmed, partly refunded order; c-2 on D2 with a cancelled order;
  // the odd customer on D3, GOLD, with one entry carrying the odd reason.
  void WriteHistory() {
    auto store = SqliteStore::Open(dir_.File("e.db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto program = ParseProgramJson(DemoProgramJson());
    ASSERT_TRUE(program.ok()) << program.status().ToString();
    auto session = (*store)->OpenSession();
    ASSERT_TRUE(session.ok());
    Session& s = **session;
    SystemRandom random;
    const LocalDate today = BusinessDate(SystemClock().NowMicros(), "Asia/Seoul");
    for (int i = 0; i < 3; ++i) {
      day_[i] = AddDays(today, i - 3);
      at_[i] = StartOfDay(day_[i], "Asia/Seoul") + 10 * kHourUs;  // 10:00 KST
    }
    auto run = [&](Micros now_us, const std::function<Status(const Ctx&)>& command) {
      const Ctx ctx{*program, now_us, Actor{"ops", "cs_supervisor"}, &random};
      ASSERT_TRUE(s.Begin().ok());
      const Status st = command(ctx);
      ASSERT_TRUE(st.ok()) << st.ToString();
      ASSERT_TRUE(s.Commit().ok());
    };
    run(at_[0], [&](const Ctx& ctx) -> Status {
      CustomerInput in;
      in.customer_id = "c-1";
      in.birth_date = std::optional<std::string>("1990-05-17");
      in.marketing_consent = true;
      LOYALTY_RETURN_IF_ERROR(UpsertCustomer(s, in, ctx).status());
      AdjustRequest adj;
      adj.adjustment_id = "adj-1";
      adj.customer_id = "c-1";
      adj.points = 5000;
      adj.reason_code = "welcome";
      adj.request_hash = "h-adj-1";
      LOYALTY_RETURN_IF_ERROR(AdjustPoints(s, adj, ctx).status());
      OrderRequest o;
      o.order_id = "o-1";
      o.customer_id = "c-1";
      o.amount_won = 50'000;
      o.shipping_won = 3'000;
      o.points_to_redeem = 3'000;
      o.request_hash = "h-o-1";
      return CreateOrder(s, o, ctx).status();
    });
    run(at_[0] + kHourUs, [&](const Ctx& ctx) { return ConfirmOrder(s, "o-1", ctx).status(); });
    run(at_[1], [&](const Ctx& ctx) -> Status {
      RefundRequest r;
      r.order_id = "o-1";
      r.refund_id = "r-1";
      r.amount_won = 20'000;
      r.request_hash = "h-r-1";
      LOYALTY_RETURN_IF_ERROR(RefundOrder(s, r, ctx).status());
      CustomerInput in;
      in.customer_id = "c-2";
      LOYALTY_RETURN_IF_ERROR(UpsertCustomer(s, in, ctx).status());
      OrderRequest o;
      o.order_id = "o-2";
      o.customer_id = "c-2";
      o.amount_won = 10'000;
      o.request_hash = "h-o-2";
      return CreateOrder(s, o, ctx).status();
    });
    run(at_[1] + kHourUs, [&](const Ctx& ctx) -> Status {
      RefundRequest r;
      r.order_id = "o-2";
      r.refund_id = "cancel-1";
      r.cancel = true;
      r.request_hash = "h-cancel";
      return RefundOrder(s, r, ctx).status();
    });
    Customer odd;
    odd.customer_id = kOddId;
    odd.tier = "GOLD";
    odd.tier_since_us = at_[2];
    odd.available_points = 700;
    odd.created_at_us = at_[2];
    odd.updated_at_us = at_[2];
    ASSERT_TRUE(s.InsertCustomer(odd).ok());
    Entry e;
    e.customer_id = kOddId;
    e.kind = EntryKind::kAdjust;
    e.available_delta = 700;
    e.reason = kOddReason;
    e.actor = "cs_agent:이영희";
    e.created_at_us = at_[2];
    ASSERT_TRUE(s.InsertEntry(e).ok());

    // What the ledger holds, to compare the export with.
    auto c1 = s.FindCustomer("c-1");
    ASSERT_TRUE(c1.ok() && c1->has_value());
    c1_ = **c1;
    LotQuery q;
    q.customer_id = "c-1";
    q.kind = LotKind::kAvailable;
    auto lots = s.FindLots(q);  // soonest expiry first
    ASSERT_TRUE(lots.ok() && !lots->empty());
    c1_expire_on_ = FormatLocalDate(BusinessDate((*lots)[0].expires_at_us - 1, "Asia/Seoul"));
    EntryPageQuery all;
    all.limit = kMaxExportPageSize;
    auto entries = s.ListEntryPage(all);
    ASSERT_TRUE(entries.ok());
    entries_ = static_cast<int>(entries->size());
  }

  // `export ARGS --out NAME` read back as CSV rows (the header checked against `header`).
  std::vector<Row> ExportCsv(Args args, const std::vector<std::string>& header) {
    args.insert(args.end(), {"--out", "x.csv"});
    CliRun r = OnDb(args);
    EXPECT_EQ(r.exit_code, 0) << r.all();
    std::vector<std::string> got;
    std::vector<Row> rows = CsvRows(ReadFile(dir_.File("x.csv")), &got);
    EXPECT_EQ(got, header);
    std::filesystem::remove(dir_.File("x.csv"));
    return rows;
  }

  TempDir dir_;
  LocalDate day_[3];
  Micros at_[3] = {};
  Customer c1_;
  std::string c1_expire_on_;
  int entries_ = 0;
};

TEST_F(ExportCliTest, CustomersAsCsvCarryTheImportColumnsAndTheBalanceNow) {
  std::vector<Row> rows = ExportCsv({"export", "customers"}, kCustomerHeader);
  // Ascending by id in byte order: c-1, c-2, then the Korean id.
  EXPECT_EQ(Column(rows, "customer_id"), (std::vector<std::string>{"c-1", "c-2", kOddId}));
  const Row* c1 = Find(rows, "customer_id", "c-1");
  ASSERT_NE(c1, nullptr);
  EXPECT_EQ(c1->at("birth_date"), "1990-05-17");
  EXPECT_EQ(c1->at("marketing_consent"), "true");
  EXPECT_EQ(c1->at("night_consent"), "false");
  EXPECT_EQ(c1->at("opening_points"), std::to_string(c1_.available_points));
  EXPECT_GT(c1_.available_points, 0);
  EXPECT_EQ(c1->at("opening_points_expire_on"), c1_expire_on_);
  EXPECT_EQ(c1->at("tier"), c1_.tier);
  EXPECT_EQ(c1->at("tier_since"), FormatInstant(c1_.tier_since_us));
  EXPECT_EQ(c1->at("pending_points"), std::to_string(c1_.pending_points));
  EXPECT_EQ(c1->at("created_at"), FormatInstant(at_[0]));
  const Row* c2 = Find(rows, "customer_id", "c-2");
  ASSERT_NE(c2, nullptr);
  EXPECT_EQ(c2->at("birth_date"), "");
  EXPECT_EQ(c2->at("opening_points"), "0");
  EXPECT_EQ(c2->at("opening_points_expire_on"), "");  // no balance, no expiry
  const Row* odd = Find(rows, "customer_id", kOddId);
  ASSERT_NE(odd, nullptr);
  EXPECT_EQ(odd->at("tier"), "GOLD");
  EXPECT_EQ(odd->at("opening_points"), "700");
  // The raw text: the odd id is quoted with its quotes doubled; no BOM.
  CliRun out = OnDb({"export", "customers"});
  ASSERT_EQ(out.exit_code, 0) << out.all();
  EXPECT_NE(out.out.find("\r\n\"김,\"\"민수\"\"\",,false,false,700,,GOLD,"), std::string::npos)
      << out.out;
  EXPECT_EQ(out.out.rfind("customer_id,", 0), 0u);
  EXPECT_NE(out.err.find("exported 3 customers (csv) to stdout"), std::string::npos) << out.err;
}

TEST_F(ExportCliTest, CustomersFilterByTierAndByTheBusinessDateOfCreation) {
  EXPECT_EQ(
      Column(ExportCsv({"export", "customers", "--tier", "GOLD"}, kCustomerHeader), "customer_id"),
      (std::vector<std::string>{kOddId}));
  EXPECT_EQ(Column(ExportCsv({"export", "customers", "--tier", "BRONZE"}, kCustomerHeader),
                   "customer_id"),
            (std::vector<std::string>{"c-1", "c-2"}));
  const std::string d1 = FormatLocalDate(day_[0]), d2 = FormatLocalDate(day_[1]),
                    d3 = FormatLocalDate(day_[2]);
  EXPECT_EQ(Column(ExportCsv({"export", "customers", "--from", d2, "--to", d2}, kCustomerHeader),
                   "customer_id"),
            (std::vector<std::string>{"c-2"}));
  EXPECT_EQ(
      Column(ExportCsv({"export", "customers", "--from", d2}, kCustomerHeader), "customer_id"),
      (std::vector<std::string>{"c-2", kOddId}));
  EXPECT_EQ(Column(ExportCsv({"export", "customers", "--to", d1}, kCustomerHeader), "customer_id"),
            (std::vector<std::string>{"c-1"}));
  EXPECT_EQ(
      Column(ExportCsv({"export", "customers", "--from", d3, "--tier", "BRONZE"}, kCustomerHeader),
             "customer_id"),
      std::vector<std::string>{});
}

TEST_F(ExportCliTest, CustomersAsJsonLinesAreTypedObjectsInColumnOrder) {
  CliRun r = OnDb({"export", "customers", "--format", "jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  std::vector<Poco::JSON::Object::Ptr> lines = JsonLines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(r.out.rfind("{\"customer_id\":\"c-1\",\"birth_date\":\"1990-05-17\",", 0), 0u) << r.out;
  EXPECT_EQ(lines[0]->getValue<int64_t>("opening_points"), c1_.available_points);
  EXPECT_TRUE(lines[0]->getValue<bool>("marketing_consent"));
  EXPECT_EQ(lines[0]->getValue<std::string>("opening_points_expire_on"), c1_expire_on_);
  EXPECT_TRUE(lines[1]->isNull("birth_date"));
  EXPECT_TRUE(lines[1]->isNull("opening_points_expire_on"));
  EXPECT_EQ(lines[2]->getValue<std::string>("customer_id"), kOddId);
  EXPECT_EQ(lines[2]->getValue<std::string>("tier_since"), FormatInstant(at_[2]));
}

TEST_F(ExportCliTest, OrdersCarryTheirConfirmationRefundsAndCancellation) {
  std::vector<Row> rows = ExportCsv({"export", "orders"}, kOrderHeader);
  ASSERT_EQ(rows.size(), 2u);
  const Row& o1 = rows[0];
  EXPECT_EQ(o1.at("order_id"), "o-1");
  EXPECT_EQ(o1.at("customer_id"), "c-1");
  EXPECT_EQ(o1.at("placed_at"), FormatInstant(at_[0]));
  EXPECT_EQ(o1.at("amount_won"), "50000");
  EXPECT_EQ(o1.at("shipping_won"), "3000");
  EXPECT_EQ(o1.at("points_redeemed"), "3000");
  EXPECT_EQ(o1.at("confirmed_at"), FormatInstant(at_[0] + kHourUs));
  EXPECT_EQ(o1.at("cancelled_at"), "");
  EXPECT_EQ(o1.at("refunded_won"), "20000");
  EXPECT_EQ(o1.at("refunded_at"), FormatInstant(at_[1]));
  EXPECT_EQ(o1.at("status"), "confirmed");
  EXPECT_EQ(o1.at("rule_version"), "1");
  EXPECT_EQ(o1.at("tier_at_order"), "BRONZE");
  EXPECT_EQ(o1.at("earn_points"), "470");  // 1% of the ₩47,000 paid
  const Row& o2 = rows[1];
  EXPECT_EQ(o2.at("status"), "cancelled");
  EXPECT_EQ(o2.at("confirmed_at"), "");
  EXPECT_EQ(o2.at("cancelled_at"), FormatInstant(at_[1] + kHourUs));
  EXPECT_EQ(o2.at("refunded_won"), "10000");
  EXPECT_EQ(o2.at("refunded_at"), FormatInstant(at_[1] + kHourUs));

  // --from / --to on placed_at's business date.
  const std::string d1 = FormatLocalDate(day_[0]), d2 = FormatLocalDate(day_[1]);
  EXPECT_EQ(Column(ExportCsv({"export", "orders", "--from", d2}, kOrderHeader), "order_id"),
            (std::vector<std::string>{"o-2"}));
  EXPECT_EQ(Column(ExportCsv({"export", "orders", "--to", d1}, kOrderHeader), "order_id"),
            (std::vector<std::string>{"o-1"}));
  CliRun jsonl = OnDb({"export", "orders", "--format", "jsonl", "--from", d1, "--to", d1});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.all();
  std::vector<Poco::JSON::Object::Ptr> lines = JsonLines(jsonl.out);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]->getValue<int64_t>("refunded_won"), 20'000);
  EXPECT_TRUE(lines[0]->isNull("cancelled_at"));
}

TEST_F(ExportCliTest, TheLedgerRoundTripsQuotedTextInBothFormatsAndFiltersByTierAndDate) {
  std::vector<Row> rows = ExportCsv({"export", "ledger"}, kLedgerHeader);
  ASSERT_EQ(static_cast<int>(rows.size()), entries_);
  for (size_t i = 1; i < rows.size(); ++i) {
    EXPECT_LT(std::stoll(rows[i - 1].at("entry_id")), std::stoll(rows[i].at("entry_id")));
  }
  EXPECT_EQ(rows[0].at("kind"), "adjust");
  EXPECT_EQ(rows[0].at("available_delta"), "5000");
  EXPECT_EQ(rows[0].at("customer_id"), "c-1");
  EXPECT_EQ(rows[0].at("ref_id"), "adj-1");
  EXPECT_EQ(rows[0].at("actor"), "cs_supervisor:ops");
  EXPECT_NE(Find(rows, "kind", "redeem"), nullptr);
  EXPECT_NE(Find(rows, "kind", "earn"), nullptr);
  const Row* odd = Find(rows, "customer_id", kOddId);
  ASSERT_NE(odd, nullptr);
  EXPECT_EQ(odd->at("reason"), kOddReason);
  EXPECT_EQ(odd->at("actor"), "cs_agent:이영희");
  EXPECT_EQ(odd->at("order_id"), "");

  CliRun jsonl = OnDb({"export", "ledger", "--format", "jsonl", "--tier", "GOLD"});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.all();
  std::vector<Poco::JSON::Object::Ptr> lines = JsonLines(jsonl.out);
  ASSERT_EQ(lines.size(), 1u) << jsonl.out;
  EXPECT_EQ(lines[0]->getValue<std::string>("reason"), kOddReason);
  EXPECT_EQ(lines[0]->getValue<std::string>("customer_id"), kOddId);
  EXPECT_TRUE(lines[0]->isNull("order_id"));
  EXPECT_EQ(lines[0]->getValue<int64_t>("available_delta"), 700);

  const std::string d2 = FormatLocalDate(day_[1]);
  std::vector<Row> day2 = ExportCsv({"export", "ledger", "--from", d2, "--to", d2}, kLedgerHeader);
  ASSERT_FALSE(day2.empty());
  for (const Row& r : day2) {
    EXPECT_TRUE(r.at("kind") == "reverse" || r.at("kind") == "restore" || r.at("kind") == "earn")
        << r.at("kind");
    auto at = ParseInstant(r.at("created_at"));
    ASSERT_TRUE(at.ok()) << r.at("created_at");
    EXPECT_EQ(BusinessDate(*at, "Asia/Seoul"), day_[1]) << r.at("created_at");
  }
}

TEST_F(ExportCliTest, AFailedExportLeavesNoFileAndSaysWhy) {
  const std::vector<std::string> before = Listing(dir_.path());
  // A directory that does not exist: exit 1, nothing created.
  CliRun missing = OnDb({"export", "customers", "--out", "no-such-dir/x.csv"});
  EXPECT_EQ(missing.exit_code, 1) << missing.all();
  EXPECT_NE(missing.err.find("cannot write no-such-dir/x.csv.tmp"), std::string::npos)
      << missing.err;
  EXPECT_EQ(Listing(dir_.path()), before);
  // The rows were written but the file cannot take its name (a non-empty directory has it):
  // exit 1, and the temporary file is gone.
  std::filesystem::create_directories(dir_.File("taken/inside"));
  const std::vector<std::string> with_dir = Listing(dir_.path());
  CliRun taken = OnDb({"export", "ledger", "--out", "taken"});
  EXPECT_EQ(taken.exit_code, 1) << taken.all();
  EXPECT_NE(taken.err.find("cannot rename taken.tmp to taken"), std::string::npos) << taken.err;
  EXPECT_EQ(Listing(dir_.path()), with_dir);
  // A complete export replaces the file whole.
  CliRun ok = OnDb({"export", "orders", "--out", "o.csv"});
  ASSERT_EQ(ok.exit_code, 0) << ok.all();
  EXPECT_FALSE(std::filesystem::exists(dir_.File("o.csv.tmp")));
  EXPECT_NE(ReadFile(dir_.File("o.csv")).find("o-2"), std::string::npos);
}

TEST_F(ExportCliTest, ABadCommandLineExitsTwoAndWritesNothing) {
  const std::vector<std::string> before = Listing(dir_.path());
  struct Case {
    Args args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"export", "orders", "--tier", "GOLD", "--out", "x"}, "orders are not filtered by tier"},
      {{"export", "customers", "--tier", "PLATINUM", "--out", "x"},
       "unknown tier 'PLATINUM' (the programme in force, v1"},
      {{"export", "ledger", "--tier", "gold", "--out", "x"}, "BRONZE, SILVER, GOLD, VIP"},
      {{"export", "customers", "--from", "2026-02-30", "--out", "x"}, "--from"},
      {{"export", "customers", "--from", "2026-03-02", "--to", "2026-03-01", "--out", "x"},
       "--to 2026-03-01 is before --from 2026-03-02"},
      {{"export", "customers", "--format", "xml", "--out", "x"}, "--format"},
      {{"export", "coupons", "--out", "x"}, "customers, orders or ledger"},
  };
  for (const Case& c : cases) {
    CliRun r = OnDb(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[1] << ": " << r.all();
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
  }
  EXPECT_EQ(Listing(dir_.path()), before);
  // No database there: exit 2, and none is created.
  CliRun none = Loyalty({"export", "customers", "--db", "none.db"});
  EXPECT_EQ(none.exit_code, 2) << none.all();
  EXPECT_EQ(Listing(dir_.path()), before);
}

}  // namespace
}  // namespace loyalty::clitest
