// `loyalty import customers|orders` run as a shop adopting the engine would: CSV with quoting and
// a BOM, JSON Lines, the rejects file (line, column, reason), exit status 1 when a row was
// rejected, the rerun that changes nothing, --dry-run, and a header that names an unknown column.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "tests/app/cli_run.h"

namespace loyalty::clitest {
namespace {

using Args = std::vector<std::string>;

class ImportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Loyalty({"migrate", "--db", "i.db"}).exit_code, 0);
    ASSERT_EQ(OnDb({"program", "apply", "demo"}).exit_code, 0);
  }
  CliRun Loyalty(const Args& args) { return RunLoyalty(args, dir_.path()); }
  CliRun OnDb(Args args) {
    args.push_back("--db");
    args.push_back("i.db");
    return Loyalty(args);
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.File(name), std::ios::binary) << text;
  }
  std::string Read(const std::string& name) { return ReadFile(dir_.File(name)); }
  TempDir dir_;
};

TEST_F(ImportCliTest, CustomersThenOrdersFromCsvAndJsonLines) {
  Write("customers.csv",
        "\xEF\xBB\xBF"
        "customer_id,birth_date,marketing_consent,opening_points,opening_points_expire_on,tier,"
        "tier_since\r\n"
        "kim,1988-04-02,true,5000,2027-12-31,SILVER,2026-05-01\r\n"
        "lee,,false,,,,\r\n");
  CliRun c = OnDb({"import", "customers", "customers.csv"});
  ASSERT_EQ(c.exit_code, 0) << c.all();
  EXPECT_NE(c.out.find("import customers: 2 rows, 2 imported, 0 unchanged, 0 rejected"),
            std::string::npos)
      << c.out;
  Write("orders.jsonl",
        "{\"order_id\":\"k-1\",\"customer_id\":\"kim\",\"placed_at\":\"2026-06-01T11:00:00+09:00\","
        "\"amount_won\":120000,\"confirmed_at\":\"2026-06-05\",\"points_redeemed\":null}\n"
        "\n"
        "{\"order_id\":\"l-1\",\"customer_id\":\"lee\",\"placed_at\":\"2026-06-02\","
        "\"amount_won\":30000,\"refunded_won\":10000,\"refunded_at\":\"2026-06-03\"}\n");
  CliRun o = OnDb({"import", "orders", "orders.jsonl", "--json"});
  ASSERT_EQ(o.exit_code, 0) << o.all();
  EXPECT_NE(o.out.find("\"kind\":\"orders\""), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"imported\":2"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("\"first_date\":\"2026-06-01\",\"last_date\":\"2026-06-05\""),
            std::string::npos)
      << o.out;
  // The history's dates are done for the daily job, which carries on after them.
  CliRun status = OnDb({"jobs", "status"});
  EXPECT_NE(status.out.find("last 2026-06-05 done"), std::string::npos) << status.out;
  CliRun check = OnDb({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.all();
  // Again: nothing changes.
  CliRun again = OnDb({"import", "orders", "orders.jsonl"});
  ASSERT_EQ(again.exit_code, 0) << again.all();
  EXPECT_NE(again.out.find("2 rows, 0 imported, 2 unchanged, 0 rejected"), std::string::npos)
      << again.out;
}

TEST_F(ImportCliTest, RejectedRowsGoToTheRejectsFileAndTheExitStatusIsOne) {
  Write("c.csv",
        "customer_id,tier\n"
        "ok,\n"
        "\"bad, id\",\n"
        "two,PLATINUM\n");
  CliRun r = OnDb({"import", "customers", "c.csv", "--rejects", "rejects.csv"});
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_NE(r.out.find("3 rows, 1 imported, 0 unchanged, 2 rejected"), std::string::npos) << r.out;
  EXPECT_EQ(Read("rejects.csv"),
            "line,column,reason\n"
            "3,customer_id,may contain only A-Z a-z 0-9 . _ : @ -\n"
            "4,tier,'PLATINUM' is not a tier of the programme\n");
}

TEST_F(ImportCliTest, ADryRunWritesNothingAndABadHeaderIsRefusedBeforeAnyRow) {
  Write("c.csv", "customer_id,opening_points\nkim,100\n");
  CliRun dry = OnDb({"import", "customers", "c.csv", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.all();
  EXPECT_NE(dry.out.find("DRY RUN"), std::string::npos) << dry.out;
  CliRun real = OnDb({"import", "customers", "c.csv"});
  EXPECT_NE(real.out.find("1 imported"), std::string::npos) << real.out;  // the dry run wrote none
  Write("bad.csv", "customer_id,email\nkim,a@b\n");
  CliRun bad = OnDb({"import", "customers", "bad.csv"});
  EXPECT_EQ(bad.exit_code, 1) << bad.all();
  EXPECT_NE(bad.err.find("unknown column 'email'"), std::string::npos) << bad.err;
  Write("o.csv", "order_id,customer_id,amount_won\no1,kim,100\n");
  CliRun missing = OnDb({"import", "orders", "o.csv"});
  EXPECT_NE(missing.err.find("column 'placed_at' is missing"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace loyalty::clitest
