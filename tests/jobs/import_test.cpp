// `loyalty import` (jobs/import.h), on SQLite and MySQL: customers with opening lots that keep
// their expiry and imported tiers; orders replayed in time order however the file is sorted;
// rerunning a file changes nothing; bad rows rejected with line, column and reason while the
// rest is imported; and, the property that matters, an imported history leaves every customer
// exactly where the live engine (the same orders through the commands, the daily job every day)
// would have: balances, lots, entries and tier history.
#include "jobs/import.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <sstream>

#include "core/business_time.h"
#include "core/clock.h"
#include "core/ledger.h"
#include "jobs/daily_job.h"
#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::LedgerFixture;

std::string Iso(Micros t) { return FormatInstant(t); }

class ImportTest : public LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    if (IsSkipped()) return;
    program_.tiering.schedule = EvaluationSchedule::kMonthly;
    program_.tiering.evaluation_day = 1;
    program_.tiering.retention_months = 1;
    program_.effective_date = "2025-01-01";
  }
  Result<ImportSummary> Run(const std::string& kind, const std::string& csv,
                            std::vector<ImportReject>* rejects = nullptr, bool dry_run = false) {
    std::istringstream in(csv);
    std::vector<std::string> columns;
    if (kind == "customers") {
      columns.assign(std::begin(kCustomerColumns), std::end(kCustomerColumns));
    } else {
      columns.assign(std::begin(kOrderColumns), std::end(kOrderColumns));
    }
    auto source = CsvRecordSource(in, columns, {columns[0]});
    if (!source.ok()) return source.status();
    FakeClock clock(now_us_);
    const Program* p = &program_;
    const Micros effective = StartOfDay(LocalDate{2025, 1, 1}, program_.time_zone);
    Importer importer(
        *store_, program_, [&](Micros t) { return t >= effective ? p : nullptr; }, clock);
    ImportOptions o;
    o.dry_run = dry_run;
    o.import_id = "imp_" + std::to_string(++runs_);
    o.batch_rows = 7;  // several transactions even in small tests
    o.on_reject = [&](const ImportReject& r) {
      if (rejects != nullptr) rejects->push_back(r);
    };
    return kind == "customers" ? importer.Customers(**source, o) : importer.Orders(**source, o);
  }
  int runs_ = 0;
};

std::string Rejects(const std::vector<ImportReject>& rs) {
  std::string out;
  for (const ImportReject& r : rs) {
    out += std::to_string(r.line) + " " + r.column + ": " + r.reason + "\n";
  }
  return out;
}

TEST_F(ImportTest, CustomersGetTheirConsentsOpeningLotWithItsExpiryAndTier) {
  now_us_ = Kst(2026, 3, 10, 12, 0);
  const std::string csv =
      "customer_id,birth_date,marketing_consent,night_consent,opening_points,"
      "opening_points_expire_on,tier,tier_since\n"
      "c1,1990-05-17,true,false,12500,2026-06-30,GOLD,2026-01-15\n"
      "c2,,0,0,,,,\n";
  auto s = Run("customers", csv);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->imported, 2);
  EXPECT_EQ(s->rejected, 0);
  const Customer c1 = Get("c1");
  EXPECT_EQ(c1.birth_date.value_or(""), "1990-05-17");
  EXPECT_TRUE(c1.marketing_consent);
  EXPECT_FALSE(c1.night_consent);
  EXPECT_EQ(c1.available_points, 12500);
  EXPECT_EQ(c1.tier, "GOLD");
  EXPECT_EQ(c1.tier_since_us, Kst(2026, 1, 15));
  LotQuery q;
  q.customer_id = "c1";
  q.kind = LotKind::kAvailable;
  auto lots = session_->FindLots(q);
  ASSERT_TRUE(lots.ok());
  ASSERT_EQ(lots->size(), 1u);
  EXPECT_EQ((*lots)[0].expires_at_us, Kst(2026, 7, 1));  // valid through 30 June
  auto changes = session_->ListTierChanges("c1", 10).value();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].reason, "imported");
  EXPECT_EQ(Get("c2").tier, "BRONZE");
  // Nothing is sent for an import: no welcome message, no promotion coupon.
  MessageQuery mq;
  EXPECT_TRUE(session_->ListMessages(mq).value().empty());
  CouponQuery cq;
  cq.customer_id = "c1";
  EXPECT_TRUE(session_->ListCoupons(cq).value().empty());
  // The lot expires at its own time: the job of 30 June takes it.
  now_us_ = Kst(2026, 7, 1, 0, 30);
  FakeClock clock(now_us_);
  DailyJob job(*store_, program_, clock);
  DailyJobOptions jo;
  jo.date = {2026, 6, 30};
  ASSERT_TRUE(job.Run(jo).ok());
  EXPECT_EQ(Get("c1").available_points, 0);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(ImportTest, RerunningAFileChangesNothingAndOtherValuesAreRejected) {
  const std::string csv =
      "customer_id,opening_points,opening_points_expire_on\nc1,100,2027-01-31\nc2,200,\n";
  ASSERT_EQ(Run("customers", csv)->imported, 2);
  const int64_t events = session_->ListEvents(EventQuery{}).value().size();
  auto again = Run("customers", csv);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->imported, 0);
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_EQ(session_->ListEvents(EventQuery{}).value().size(), static_cast<size_t>(events));
  std::vector<ImportReject> rejects;
  auto changed = Run("customers", "customer_id,opening_points\nc1,999\n", &rejects);
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(changed->rejected, 1);
  EXPECT_EQ(Rejects(rejects),
            "2 customer_id: was imported before with other values (line 2 of imp_1)\n");
  EXPECT_EQ(Get("c1").available_points, 100);
}

TEST_F(ImportTest, BadCustomerRowsAreRejectedByLineAndColumnAndTheRestImported) {
  MakeCustomer("live");  // created by the live engine, not an import
  const std::string csv =
      "customer_id,birth_date,marketing_consent,opening_points,opening_points_expire_on,tier\n"
      "ok1,,,,,\n"
      "bad id!,,,,,\n"
      "b2,1990-02-30,,,,\n"
      "b3,,maybe,,,\n"
      "b4,,,-5,,\n"
      "b5,,,10,2020-01-01,\n"
      "b6,,,,,PLATINUM\n"
      "live,,,,,\n"
      "\"b7,,,,,\n";
  std::vector<ImportReject> rejects;
  auto s = Run("customers", csv, &rejects);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->imported, 1);
  EXPECT_EQ(s->rejected, 8) << Rejects(rejects);
  ASSERT_EQ(rejects.size(), 8u);
  EXPECT_EQ(rejects[0].line, 3);
  EXPECT_EQ(rejects[0].column, "customer_id");
  EXPECT_EQ(rejects[1].column, "birth_date");
  EXPECT_EQ(rejects[2].column, "marketing_consent");
  EXPECT_EQ(rejects[3].column, "opening_points");
  EXPECT_EQ(rejects[4].column, "opening_points_expire_on");
  EXPECT_EQ(rejects[5].column, "tier");
  EXPECT_EQ(rejects[6].reason, "already exists in the engine");
  EXPECT_EQ(rejects[7].line, 10);  // the unterminated quote
  for (const char* id : {"b2", "b3", "b4", "b5", "b6"}) {
    EXPECT_FALSE(session_->FindCustomer(id).value().has_value()) << id;
  }
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(ImportTest, OrdersAreReplayedInTimeOrderHoweverTheFileIsSorted) {
  now_us_ = Kst(2026, 3, 10, 12, 0);
  ASSERT_EQ(Run("customers", "customer_id\nc1\n")->imported, 1);
  // The redemption (line 2) comes first in the file but happens after the earning order is
  // confirmed: only a replay in time order has the points to spend.
  const std::string csv =
      "order_id,customer_id,placed_at,amount_won,points_redeemed,confirmed_at\n"
      "o2,c1,2026-02-20T10:00:00+09:00,50000,3000,\n"
      "o1,c1,2026-02-01T10:00:00+09:00,400000,,2026-02-05\n";
  std::vector<ImportReject> rejects;
  auto s = Run("orders", csv, &rejects);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->imported, 2) << Rejects(rejects);
  EXPECT_EQ(s->first_date, "2026-02-01");
  EXPECT_EQ(s->last_date, "2026-02-20");
  EXPECT_GE(s->dates_run, 20);
  const Customer c = Get("c1");
  EXPECT_EQ(c.available_points, 4000 - 3000);  // 1 % of 400,000, less the 3,000 spent
  EXPECT_EQ(c.tier, "SILVER");                 // upgraded when o1 was confirmed
  EXPECT_EQ(c.tier_since_us, Kst(2026, 2, 5));
  auto o2 = session_->FindOrder("o2").value();
  ASSERT_TRUE(o2.has_value());
  EXPECT_EQ(o2->tier_at_order, "SILVER");
  EXPECT_EQ(o2->earn_rate_bp, 200);
  // Rerun: unchanged, nothing new.
  auto again = Run("orders", csv);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->unchanged, 2);
  EXPECT_EQ(again->imported, 0);
  EXPECT_EQ(Get("c1").available_points, 1000);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(ImportTest, BadOrderRowsAreRejectedAndNothingOfThemIsWritten) {
  now_us_ = Kst(2026, 3, 10, 12, 0);
  ASSERT_EQ(Run("customers", "customer_id\nc1\n")->imported, 1);
  const std::string csv =
      "order_id,customer_id,placed_at,amount_won,refunded_won,refunded_at,points_redeemed\n"
      "ok,c1,2026-02-01,10000,,,\n"
      "u1,nobody,2026-02-01,10000,,,\n"
      "n1,c1,2026-02-01,-5,,,\n"
      "r1,c1,2026-02-01,10000,20000,2026-02-03,\n"
      "e1,c1,2024-12-31,10000,,,\n"
      "f1,c1,2027-01-01,10000,,,\n"
      "ok,c1,2026-02-01,99999,,,\n"
      "p1,c1,2026-02-02,10000,,,999999\n"
      "t1,c1,yesterday,10000,,,\n";
  std::vector<ImportReject> rejects;
  auto s = Run("orders", csv, &rejects);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->imported, 1) << Rejects(rejects);
  ASSERT_EQ(rejects.size(), 8u) << Rejects(rejects);
  std::map<std::string, std::string> by_line;
  for (const ImportReject& r : rejects) by_line[std::to_string(r.line)] = r.column;
  EXPECT_EQ(by_line["3"], "customer_id");
  EXPECT_EQ(by_line["4"], "amount_won");
  EXPECT_EQ(by_line["5"], "refunded_won");
  EXPECT_EQ(by_line["6"], "placed_at");         // before the programme's effective date
  EXPECT_EQ(by_line["7"], "placed_at");         // in the future
  EXPECT_EQ(by_line["8"], "order_id");          // the same id twice with other values
  EXPECT_NE(by_line.find("9"), by_line.end());  // refused by the replay: no such balance then
  EXPECT_EQ(by_line["10"], "placed_at");
  for (const char* id : {"u1", "n1", "r1", "e1", "f1", "p1", "t1"}) {
    EXPECT_FALSE(session_->FindOrder(id).value().has_value()) << id;
  }
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(ImportTest, ADryRunChecksEveryRowAndWritesNothing) {
  now_us_ = Kst(2026, 3, 10, 12, 0);
  std::vector<ImportReject> rejects;
  auto c = Run("customers", "customer_id,opening_points\nc1,500\nbad id,1\n", &rejects, true);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->dry_run);
  EXPECT_EQ(c->imported, 1);
  EXPECT_EQ(c->rejected, 1);
  EXPECT_FALSE(session_->FindCustomer("c1").value().has_value());
  EXPECT_FALSE(session_->FindImportRow("customer", "c1").value().has_value());
}

// The same history twice: through the live commands with the daily job every day (as the engine
// would have computed it), and through an import of the rows in a shuffled file. Every customer
// must end the same.
TEST_F(ImportTest, AnImportedHistoryEqualsTheLiveEngine) {
  std::mt19937_64 rng(20261204);
  struct Row {
    std::string id, customer;
    Micros placed = 0, confirmed = 0, refunded_at = 0, cancelled = 0;
    Won amount = 0, refunded = 0;
    Points redeem = 0;
  };
  const Micros start = Kst(2025, 2, 1, 9, 0);
  std::vector<Row> rows;
  for (int i = 0; i < 90; ++i) {
    Row r;
    r.id = "o" + std::to_string(i);
    r.customer = "c" + std::to_string(rng() % 6);
    r.placed = start + static_cast<Micros>(rng() % (170 * 86400)) * 1'000'000;
    r.amount = 10000 * static_cast<Won>(1 + rng() % 60);
    if (rng() % 4 != 0) r.confirmed = r.placed + static_cast<Micros>(1 + rng() % 10) * kDayUs;
    if (rng() % 6 == 0) {
      r.refunded = r.amount / 2;
      r.refunded_at = r.placed + static_cast<Micros>(1 + rng() % 12) * kDayUs;
    }
    if (rng() % 15 == 0) r.cancelled = r.placed + 13 * kDayUs;
    if (rng() % 5 == 0) r.redeem = 100 * static_cast<Points>(rng() % 30);
    rows.push_back(r);
  }
  now_us_ = Kst(2025, 8, 20, 12, 0);  // the last events (refunds, cancellations) are in July
  const LocalDate last_date = BusinessDate(now_us_, program_.time_zone);  // runs up to yesterday

  // ---- live, in a second database: the events in time order, the job after every day
  const std::optional<testing::LedgerBackend>& backend = testing::LedgerBackendOverride();
  auto live_store = backend ? backend->open(dir_.File("live")) : OpenSqlite(dir_.File("live.db"));
  ASSERT_TRUE(live_store.ok()) << live_store.status().ToString();
  Store& live = **live_store;
  ASSERT_TRUE(live.Migrate().ok());
  auto ls = live.OpenSession().value();
  struct Ev {
    Micros at;
    int64_t seq;
    int kind;
    const Row* row;
  };
  std::vector<Ev> evs;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    const int64_t line = static_cast<int64_t>(i) + 2;
    evs.push_back({r.placed, line * 4, 1, &r});
    if (r.confirmed) evs.push_back({r.confirmed, line * 4 + 1, 2, &r});
    if (r.refunded_at) evs.push_back({r.refunded_at, line * 4 + 2, 3, &r});
    if (r.cancelled) evs.push_back({r.cancelled, line * 4 + 3, 4, &r});
  }
  std::sort(evs.begin(), evs.end(),
            [](const Ev& a, const Ev& b) { return a.at != b.at ? a.at < b.at : a.seq < b.seq; });
  const Micros created = Kst(2025, 1, 5);
  for (int c = 0; c < 6; ++c) {
    CustomerInput in;
    in.customer_id = "c" + std::to_string(c);
    ASSERT_TRUE(ls->Begin().ok());
    ASSERT_TRUE(UpsertCustomer(*ls, in, Ctx{program_, created, Actor{}, nullptr}).ok());
    ASSERT_TRUE(ls->Commit().ok());
  }
  std::set<std::string> refused;
  auto run_job = [&](const LocalDate& d) {
    FakeClock clock(StartOfDay(AddDays(d, 1), program_.time_zone));
    DailyJob job(live, program_, clock);
    DailyJobOptions jo;
    jo.date = d;
    auto s = job.Run(jo);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
  };
  LocalDate day = BusinessDate(evs.front().at, program_.time_zone);
  for (const Ev& e : evs) {
    const LocalDate d = BusinessDate(e.at, program_.time_zone);
    for (; day < d; day = AddDays(day, 1)) run_job(day);
    if (refused.contains(e.row->id)) continue;
    const Ctx ctx{program_, e.at, Actor{}, nullptr};
    ASSERT_TRUE(ls->Begin().ok());
    Status st;
    if (e.kind == 1) {
      OrderRequest q;
      q.order_id = e.row->id;
      q.customer_id = e.row->customer;
      q.amount_won = e.row->amount;
      q.points_to_redeem = e.row->redeem;
      st = CreateOrder(*ls, q, ctx).status();
      if (!st.ok()) refused.insert(e.row->id);
    } else if (e.kind == 2) {
      st = ConfirmOrder(*ls, e.row->id, ctx).status();
    } else {
      RefundRequest q;
      q.order_id = e.row->id;
      q.refund_id = e.row->id + (e.kind == 4 ? "c" : "r");
      q.amount_won = e.row->refunded;
      q.cancel = e.kind == 4;
      st = RefundOrder(*ls, q, ctx).status();
    }
    if (st.ok()) {
      ASSERT_TRUE(ls->Commit().ok());
    } else {
      ls->Rollback();
    }
  }
  for (; day < last_date; day = AddDays(day, 1)) run_job(day);

  // ---- imported: the customers, then the orders in a shuffled file
  std::string customers = "customer_id\n";
  for (int c = 0; c < 6; ++c) customers += "c" + std::to_string(c) + "\n";
  ASSERT_EQ(Run("customers", customers)->imported, 6);
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  // Lines must match the live replay's tie-breaking, so the shuffled file lists the rows with
  // their original line numbers preserved by padding: ties at one instant do not occur here
  // (times are random to the second), so the shuffle is free.
  std::string csv =
      "order_id,customer_id,placed_at,amount_won,points_redeemed,confirmed_at,refunded_won,"
      "refunded_at,cancelled_at\n";
  for (size_t i : order) {
    const Row& r = rows[i];
    csv += r.id + "," + r.customer + "," + Iso(r.placed) + "," + std::to_string(r.amount) + "," +
           (r.redeem ? std::to_string(r.redeem) : "") + "," +
           (r.confirmed ? Iso(r.confirmed) : "") + "," +
           (r.refunded ? std::to_string(r.refunded) : "") + "," +
           (r.refunded_at ? Iso(r.refunded_at) : "") + "," + (r.cancelled ? Iso(r.cancelled) : "") +
           "\n";
  }
  std::vector<ImportReject> rejects;
  auto s = Run("orders", csv, &rejects);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->imported, static_cast<int64_t>(rows.size() - refused.size())) << Rejects(rejects);
  // Then the daily job takes over from the day after the history, as `jobs daily` catches up.
  for (LocalDate d = AddDays(ParseLocalDate(s->last_date).value(), 1); d < last_date;
       d = AddDays(d, 1)) {
    FakeClock clock(StartOfDay(AddDays(d, 1), program_.time_zone));
    DailyJob job(*store_, program_, clock);
    DailyJobOptions jo;
    jo.date = d;
    auto js = job.Run(jo);
    ASSERT_TRUE(js.ok()) << js.status().ToString();
  }

  // ---- the same place
  int moves = 0;
  for (int c = 0; c < 6; ++c) {
    const std::string id = "c" + std::to_string(c);
    const Customer a = ls->FindCustomer(id).value().value();
    const Customer b = Get(id);
    EXPECT_EQ(a.tier, b.tier) << id;
    EXPECT_EQ(a.available_points, b.available_points) << id;
    EXPECT_EQ(a.pending_points, b.pending_points) << id;
    auto ha = ls->ListTierChanges(id, 100).value();
    auto hb = session_->ListTierChanges(id, 100).value();
    ASSERT_EQ(ha.size(), hb.size()) << id;
    for (size_t i = 0; i < ha.size(); ++i) {
      EXPECT_EQ(ha[i].kind + ha[i].from_tier + ha[i].to_tier + ha[i].reason,
                hb[i].kind + hb[i].from_tier + hb[i].to_tier + hb[i].reason)
          << id << " " << i;
      EXPECT_EQ(ha[i].business_date, hb[i].business_date) << id << " " << i;
    }
    if (!ha.empty()) {
      EXPECT_EQ(a.tier_since_us, b.tier_since_us) << id;
    }
    moves += static_cast<int>(ha.size());
  }
  EXPECT_GE(moves, 4);  // the history does move tiers (upgrades and downgrades)
  EXPECT_EQ(CheckAll(), "");
}

}  // namespace
}  // namespace loyalty
