// Benchmark of the daily job's tier recalculation (not a test; scripts/bench_tiers.sh runs it).
//   tier_bench gen   DB CUSTOMERS ORDERS   synthetic spend over 18 months ending 2026-11-01
//   tier_bench plain DB                    the plain SQL baseline: one GROUP BY customer over the
//                                          covering index, written back to the customers
//   tier_bench job   DB [BATCH] [--no-messaging]
//                                          `jobs daily` for 2026-11-01 (all steps, real code;
//                                          coupon codes from SystemRandom). --no-messaging
//                                          switches the programme's messaging triggers off, so
//                                          only the steps before the messages run (the figure
//                                          of the tier step from before messaging existed).
//                                          The job's steps change the db: run each job variant
//                                          on its own copy of a generated db.
// Each mode prints its wall time and the process's peak resident memory.
//
// The generator writes customers and qualifying-spend records directly (the tables the tier
// step reads); orders and lots are not generated, so the activate and expire steps have nothing
// to do. Each customer starts at the tier its spend qualified for on 2026-10-01, reached on
// 2025-01-01, so 2026-11-01 (an evaluation date of the demo programme) moves a realistic share.
#include <sqlite3.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "api/crypto.h"
#include "app/program_codec.h"
#include "core/clock.h"
#include "core/tiers.h"
#include "jobs/daily_job.h"
#include "store/sqlite/sqlite_store.h"

namespace loyalty {
namespace {

const LocalDate kJobDate{2026, 11, 1};

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

long PeakRssMb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024;
}

void Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "sql failed: %s\n%s\n", err, sql);
    std::exit(1);
  }
}

sqlite3* OpenRaw(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) std::exit(1);
  return db;
}

int Generate(const std::string& path, int customers, int64_t orders) {
  Program p = ParseProgramJson(DemoProgramJson()).value();
  auto store = SqliteStore::Open(path);
  if (!store.ok() || !(*store)->Migrate().ok()) return 1;
  sqlite3* db = OpenRaw(path);
  Exec(db, "PRAGMA synchronous=OFF; PRAGMA journal_mode=WAL; PRAGMA cache_size=-262144;");
  Exec(db, "DROP INDEX IF EXISTS spend_by_customer_date");
  Exec(db, "BEGIN");
  std::mt19937_64 rng(20261101);
  // Spend per customer varies a lot: a lognormal customer weight times a lognormal basket.
  std::lognormal_distribution<double> weight(0.0, 1.0), basket(10.6, 0.7);
  std::vector<double> w(customers);
  for (double& x : w) x = weight(rng);
  std::discrete_distribution<int> who(w.begin(), w.end());
  const LocalDate start = AddMonths(kJobDate, -18);
  const int days = 18 * 30 + 3;
  std::uniform_int_distribution<int> day(0, days);
  std::vector<std::string> ids(customers);
  char buf[32];
  for (int i = 0; i < customers; ++i) {
    std::snprintf(buf, sizeof buf, "c%07d", i);
    ids[i] = buf;
  }
  sqlite3_stmt* ins = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO spend_records (customer_id, order_id, date, amount_won, "
                     "orders_delta, created_at_us) VALUES (?1, ?2, ?3, ?4, 1, 0)",
                     -1, &ins, nullptr);
  // Running per-customer sum over the window of the previous evaluation (2026-10-01).
  const Window prev = WindowFor(p.tiering, {2026, 10, 1});
  std::vector<int64_t> prev_spend(customers, 0);
  std::vector<int32_t> prev_orders(customers, 0);
  double t0 = Now();
  for (int64_t k = 0; k < orders; ++k) {
    int c = who(rng);
    LocalDate d = AddDays(start, day(rng));
    if (d > kJobDate) d = kJobDate;
    int64_t amount = static_cast<int64_t>(basket(rng)) / 10 * 10;
    std::snprintf(buf, sizeof buf, "o%09lld", static_cast<long long>(k));
    sqlite3_bind_text(ins, 1, ids[c].c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, buf, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(ins, 3, ToDateKey(d));
    sqlite3_bind_int64(ins, 4, amount);
    if (sqlite3_step(ins) != SQLITE_DONE) return 1;
    sqlite3_reset(ins);
    DateKey key = ToDateKey(d);
    if (key >= prev.start && key <= prev.end) {
      prev_spend[c] += amount;
      ++prev_orders[c];
    }
  }
  sqlite3_finalize(ins);
  std::fprintf(stderr, "spend records: %.1f s\n", Now() - t0);
  sqlite3_stmt* cust = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO customers (customer_id, birth_date, marketing_consent, "
                     "night_consent, tier, available_points, pending_points, event_seq, "
                     "created_at_us, updated_at_us, tier_since_us) "
                     "VALUES (?1, NULL, 0, 0, ?2, 0, 0, 0, ?3, ?3, ?3)",
                     -1, &cust, nullptr);
  const Micros since = StartOfDay({2025, 1, 1}, p.time_zone);
  for (int i = 0; i < customers; ++i) {
    const std::string& tier = p.tiers[QualifiedTier(p, prev_spend[i], prev_orders[i])].code;
    sqlite3_bind_text(cust, 1, ids[i].c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(cust, 2, tier.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(cust, 3, since);
    if (sqlite3_step(cust) != SQLITE_DONE) return 1;
    sqlite3_reset(cust);
  }
  sqlite3_finalize(cust);
  Exec(db, "COMMIT");
  t0 = Now();
  Exec(db,
       "CREATE INDEX spend_by_customer_date ON spend_records (customer_id, date, amount_won, "
       "orders_delta)");
  Exec(db, "ANALYZE");
  std::fprintf(stderr, "index: %.1f s\n", Now() - t0);
  sqlite3_close(db);
  std::printf("generated %d customers, %lld spend records\n", customers,
              static_cast<long long>(orders));
  return 0;
}

int Plain(const std::string& path) {
  Program p = ParseProgramJson(DemoProgramJson()).value();
  Window w = WindowFor(p.tiering, kJobDate);
  sqlite3* db = OpenRaw(path);
  Exec(db, "PRAGMA synchronous=FULL");
  double t0 = Now();
  std::string sql =
      "BEGIN; UPDATE customers SET window_spend_won = s.won, window_orders = s.n FROM "
      "(SELECT customer_id, SUM(amount_won) AS won, SUM(orders_delta) AS n FROM spend_records "
      "WHERE date BETWEEN " +
      std::to_string(w.start) + " AND " + std::to_string(w.end) +
      " GROUP BY customer_id) AS s WHERE customers.customer_id = s.customer_id; COMMIT;";
  Exec(db, sql.c_str());
  double secs = Now() - t0;
  sqlite3_close(db);
  std::printf("plain SQL recalculation: %.2f s, peak RSS %ld MB\n", secs, PeakRssMb());
  return 0;
}

int Job(const std::string& path, int batch_size, bool messaging) {
  Program p = ParseProgramJson(DemoProgramJson()).value();
  if (!messaging) {
    for (auto& [type, trigger] : p.messaging.triggers) trigger.enabled = false;
  }
  auto store = SqliteStore::Open(path).value();
  {
    sqlite3* db = OpenRaw(path);
    Exec(db, "DELETE FROM job_runs");  // so that reruns of the benchmark do the work again
    sqlite3_close(db);
  }
  SystemClock clock;
  DailyJob job(*store, p, clock);
  DailyJobOptions o;
  o.date = kJobDate;
  o.batch_size = batch_size;
  o.random = &SystemRandom::Instance();
  double t0 = Now();
  auto s = job.Run(o);
  double secs = Now() - t0;
  if (!s.ok()) {
    std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
    return 1;
  }
  std::printf("%s", s->ToText().c_str());
  std::printf("jobs daily%s: %.2f s, peak RSS %ld MB\n", messaging ? "" : " (no messaging)", secs,
              PeakRssMb());
  return 0;
}

}  // namespace
}  // namespace loyalty

int main(int argc, char** argv) {
  if (argc >= 5 && std::string(argv[1]) == "gen") {
    return loyalty::Generate(argv[2], std::atoi(argv[3]), std::atoll(argv[4]));
  }
  if (argc >= 3 && std::string(argv[1]) == "plain") return loyalty::Plain(argv[2]);
  if (argc >= 3 && std::string(argv[1]) == "job") {
    int batch = loyalty::DailyJobOptions{}.batch_size;
    bool messaging = true;
    for (int i = 3; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--no-messaging") {
        messaging = false;
      } else if (std::atoi(arg.c_str()) > 0) {
        batch = std::atoi(arg.c_str());
      } else {
        std::fprintf(stderr, "tier_bench job: unknown argument %s\n", arg.c_str());
        return 2;
      }
    }
    return loyalty::Job(argv[2], batch, messaging);
  }
  std::fprintf(stderr,
               "usage: tier_bench gen DB CUSTOMERS ORDERS | plain DB | "
               "job DB [BATCH] [--no-messaging]\n");
  return 2;
}
