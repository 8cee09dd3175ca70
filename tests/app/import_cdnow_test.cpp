// A real history: the CDNOW log (23,570 customers, 69,659 purchases in 1997-1998; dollars taken
// as thousands of won) imported through `loyalty import` with the demo programme's tier rules,
// then every customer's tier and window spend compared with a replay written here, day by day,
// from the rules as docs/tiers.md states them (upgrade when a confirmation brings the rolling
// 12-month spend over a threshold, VIP also needing 5 orders; on the 1st of each month one step
// down for a customer below the tier's threshold whose tier is at least 3 months old).
//
// The log is read in place from ../shared/data/cdnow beside the checkout ($LOYALTY_CDNOW_DIR
// overrides); without it the test is skipped, saying so.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "app/program_codec.h"
#include "app/store_factory.h"
#include "core/business_time.h"
#include "tests/app/cli_run.h"

namespace loyalty::clitest {
namespace {

namespace chr = std::chrono;

std::string CdnowFile() {
  const char* env = std::getenv("LOYALTY_CDNOW_DIR");
  const std::string dir = env != nullptr && *env != '\0'
                              ? env
                              : std::string(LOYALTY_SOURCE_DIR) + "/../shared/data/cdnow";
  return dir + "/CDNOW_master.txt";
}

struct Purchase {
  chr::sys_days day;
  int64_t won = 0;
};

chr::sys_days Day(int ymd) {
  return chr::sys_days{chr::year{ymd / 10000} / chr::month{static_cast<unsigned>(ymd / 100 % 100)} /
                       chr::day{static_cast<unsigned>(ymd % 100)}};
}

// d plus n months, the day clamped to the month's last.
chr::sys_days AddMonthsClamped(chr::sys_days d, int n) {
  chr::year_month_day ymd{d};
  chr::year_month ym = chr::year_month{ymd.year(), ymd.month()} + chr::months{n};
  const chr::day last = chr::year_month_day_last{ym.year(), chr::month_day_last{ym.month()}}.day();
  return chr::sys_days{ym / (ymd.day() < last ? ymd.day() : last)};
}

std::string Iso(chr::sys_days d) {
  const chr::year_month_day ymd{d};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

struct Standing {
  int tier = 0;  // 0 BRONZE .. 3 VIP
  chr::sys_days since{};
};

// The demo programme's tiers: thresholds in won, VIP also 5 orders in the window.
int Qualified(int64_t spend, int orders) {
  if (spend >= 3'000'000 && orders >= 5) return 3;
  if (spend >= 1'000'000) return 2;
  if (spend >= 300'000) return 1;
  return 0;
}

TEST(ImportCdnowTest, TiersAndWindowSpendEqualAReplayOfTheRules) {
  const std::string path = CdnowFile();
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no CDNOW log at " << path;
  TempDir dir;
  // ---- the log as the two import files: amounts in whole won (dollars x 1,000, read as text)
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::map<std::string, std::vector<Purchase>> history;
  std::ofstream orders(dir.File("orders.csv"));
  orders << "order_id,customer_id,placed_at,amount_won,confirmed_at\n";
  int64_t rows = 0, zero = 0;
  std::map<std::string, int> seq;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, dollars;
    int ymd = 0, cds = 0;
    f >> id >> ymd >> cds >> dollars;
    ASSERT_FALSE(dollars.empty()) << line;
    const size_t dot = dollars.find('.');
    const int64_t won =
        std::stoll(dollars.substr(0, dot)) * 1000 +
        (dot == std::string::npos ? 0
                                  : std::stoll((dollars.substr(dot + 1) + "00").substr(0, 2)) * 10);
    const std::string customer = "cd" + id;
    const std::string order = customer + "-" + std::to_string(++seq[customer]);
    const std::string date = Iso(Day(ymd));
    orders << order << "," << customer << "," << date << "," << won << "," << date << "\n";
    ++rows;
    history[customer];  // every customer exists, even one whose only purchase is $0
    if (won == 0) {
      ++zero;  // refused by the engine (an order needs a positive amount): not in the replay
      continue;
    }
    history[customer].push_back({Day(ymd), won});
  }
  orders.close();
  ASSERT_EQ(rows, 69659);
  {
    std::ofstream customers(dir.File("customers.csv"));
    customers << "customer_id\n";
    for (const auto& [c, p] : history) customers << c << "\n";
  }
  ASSERT_EQ(history.size(), 23570u);

  // ---- the engine: the demo programme, in force since 1 January 1997
  ASSERT_EQ(RunLoyalty({"migrate", "--db", "c.db"}, dir.path()).exit_code, 0);
  Result<Program> p = ParseProgramJson(DemoProgramJson());
  ASSERT_TRUE(p.ok());
  p->effective_date = "1997-01-01";
  std::ofstream(dir.File("program.json")) << ProgramToJson(*p);
  ASSERT_EQ(RunLoyalty({"program", "apply", "program.json", "--db", "c.db"}, dir.path()).exit_code,
            0);
  const auto t0 = chr::steady_clock::now();
  CliRun c =
      RunLoyalty({"import", "customers", "customers.csv", "--db", "c.db"}, dir.path(), {}, 600);
  ASSERT_EQ(c.exit_code, 0) << c.all();
  CliRun o = RunLoyalty(
      {"import", "orders", "orders.csv", "--db", "c.db", "--json", "--rejects", "rejects.csv"},
      dir.path(), {}, 1200);
  const double seconds = chr::duration<double>(chr::steady_clock::now() - t0).count();
  EXPECT_EQ(o.exit_code, 1) << o.all();  // the $0 purchases
  EXPECT_NE(o.out.find("\"imported\":" + std::to_string(rows - zero)), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"rejected\":" + std::to_string(zero)), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"first_date\":\"1997-01-01\",\"last_date\":\"1998-06-30\""),
            std::string::npos)
      << o.out;
  std::printf("CDNOW import: %lld orders in %.1f s (%.0f orders/s, customers included)\n",
              static_cast<long long>(rows), seconds, static_cast<double>(rows) / seconds);

  // ---- the replay of the rules, day by day to the end of the history
  std::map<std::string, Standing> expected;
  std::map<chr::sys_days, std::vector<std::pair<std::string, int64_t>>> by_day;
  for (const auto& [cust, ps] : history) {
    expected[cust];
    for (const Purchase& q : ps) by_day[q.day].push_back({cust, q.won});
  }
  auto window = [&](const std::string& cust, chr::sys_days d, int* orders_out) {
    const chr::sys_days from = AddMonthsClamped(d, -12) + chr::days{1};
    int64_t sum = 0;
    int n = 0;
    for (const Purchase& q : history[cust]) {
      if (q.day >= from && q.day <= d) {
        sum += q.won;
        ++n;
      }
    }
    *orders_out = n;
    return sum;
  };
  for (chr::sys_days d = Day(19970101); d <= Day(19980630); d += chr::days{1}) {
    for (const auto& [cust, won] : by_day[d]) {
      (void)won;
      int n = 0;
      const int64_t spend = window(cust, d, &n);  // sets n: not in the same call's arguments
      const int q = Qualified(spend, n);
      Standing& s = expected[cust];
      if (q > s.tier) s = {q, d};
    }
    if (chr::year_month_day{d}.day() == chr::day{1}) {
      for (auto& [cust, s] : expected) {
        if (s.tier == 0) continue;
        int n = 0;
        const int64_t spend = window(cust, d, &n);
        const int q = Qualified(spend, n);
        if (q < s.tier && d >= AddMonthsClamped(s.since, 3)) s = {s.tier - 1, d};
      }
    }
  }

  // ---- the engine's figures
  StoreOptions so;
  auto store = OpenStoreFromUrl(dir.File("c.db"), so);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto session = (*store)->OpenSession();
  ASSERT_TRUE(session.ok());
  const char* kTiers[] = {"BRONZE", "SILVER", "GOLD", "VIP"};
  std::map<std::string, int> want_counts, got_counts;
  int tier_mismatch = 0, since_mismatch = 0, spend_mismatch = 0;
  std::string first_problem;
  std::string after;
  for (;;) {
    auto page = (*session)->ListStandings(after, 500, 0, 1);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    for (const TierStanding& t : *page) {
      const Standing& want = expected[t.customer_id];
      ++want_counts[kTiers[want.tier]];
      ++got_counts[t.tier];
      if (t.tier != kTiers[want.tier]) {
        if (first_problem.empty()) first_problem = t.customer_id + " tier " + t.tier;
        ++tier_mismatch;
      } else if (want.tier > 0 && BusinessDate(t.tier_since_us, "Asia/Seoul") !=
                                      ParseLocalDate(Iso(want.since)).value()) {
        if (first_problem.empty()) first_problem = t.customer_id + " since";
        ++since_mismatch;
      }
      // The window figures the job stored at its last evaluation date, 1 June 1998.
      int n = 0;
      const int64_t spend = window(t.customer_id, Day(19980601), &n);
      if (t.window_spend_won != spend || t.window_orders != n) {
        if (first_problem.empty()) {
          first_problem = t.customer_id + " spend " + std::to_string(t.window_spend_won) +
                          " want " + std::to_string(spend);
        }
        ++spend_mismatch;
      }
    }
    if (page->size() < 500) break;
    after = page->back().customer_id;
  }
  EXPECT_EQ(got_counts, want_counts);
  EXPECT_EQ(tier_mismatch, 0) << first_problem;
  EXPECT_EQ(since_mismatch, 0) << first_problem;
  EXPECT_EQ(spend_mismatch, 0) << first_problem;
  std::printf("tiers at the end of the history: BRONZE %d, SILVER %d, GOLD %d, VIP %d\n",
              got_counts["BRONZE"], got_counts["SILVER"], got_counts["GOLD"], got_counts["VIP"]);
  CliRun check = RunLoyalty({"check", "--db", "c.db"}, dir.path(), {}, 600);
  EXPECT_EQ(check.exit_code, 0) << check.all();
}

}  // namespace
}  // namespace loyalty::clitest
