// Rows for the migration 0007 tests on both engines (migration_refund_figures_test.cpp on
// SQLite, mysql_migration_refund_figures_test.cpp on MySQL): orders and refunds as the binary
// before it wrote them, and their figures read back, in SQL both engines share.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/migration.h"
#include "store/sql/driver.h"

namespace loyalty::testing {

inline constexpr int kRefundFiguresVersion = 7;

inline void ExecSql(sql::Connection& conn, const std::string& text) {
  Result<sql::Stmt> stmt = conn.PrepareText("test statement", text);
  ASSERT_TRUE(stmt.ok()) << stmt.status().ToString() << "\n" << text;
  Result<int64_t> done = (*stmt)->Execute();
  ASSERT_TRUE(done.ok()) << done.status().ToString() << "\n" << text;
}

// The migrations before 0007.
inline std::vector<Migration> MigrationsBeforeRefundFigures(const std::vector<Migration>& all) {
  std::vector<Migration> out;
  for (const Migration& m : all) {
    if (m.version < kRefundFiguresVersion) out.push_back(m);
  }
  return out;
}

// take_available: 1,000 asked back over two refunds, 900 of it short; deduct_from_refund: 1,000
// asked back, 100 removed, 900 deducted from the cash refund; and an order never refunded.
// Before 0007, clawed_points and earn_clawed_points held what was asked back.
inline void InsertRowsBeforeRefundFigures(sql::Connection& conn) {
  ExecSql(conn,
          "INSERT INTO customers (customer_id, birth_date, marketing_consent, night_consent, tier,"
          " available_points, pending_points, event_seq, created_at_us, updated_at_us)"
          " VALUES ('c1', NULL, 0, 0, 'BRONZE', 0, 0, 0, 1, 1)");
  const auto order = [&](const std::string& id, int64_t clawed, int64_t shortfall) {
    ExecSql(conn,
            "INSERT INTO orders (order_id, customer_id, amount_won, shipping_won, points_redeemed,"
            " paid_won, earn_rate_bp, rule_version, tier_at_order, earn_points,"
            " earn_clawed_points, restored_points, shortfall_points, refunded_won, qualifying_won,"
            " status, earn_activated, placed_at_us, confirmed_at_us, cancelled_at_us,"
            " request_hash) VALUES ('" +
                id + "', 'c1', 100000, 0, 0, 100000, 100, 1, 'BRONZE', 1000, " +
                std::to_string(clawed) + ", 0, " + std::to_string(shortfall) +
                ", 100000, 0, 3, 1, 1, 2, 3, 'h')");
  };
  const auto refund = [&](const std::string& order_id, const std::string& refund_id, int64_t clawed,
                          int64_t shortfall, int64_t deduction) {
    ExecSql(conn,
            "INSERT INTO refunds (order_id, refund_id, amount_won, clawed_points,"
            " restored_points, shortfall_points, deduction_won, cash_refund_won, cancel,"
            " request_hash, created_at_us) VALUES ('" +
                order_id + "', '" + refund_id + "', 50000, " + std::to_string(clawed) + ", 0, " +
                std::to_string(shortfall) + ", " + std::to_string(deduction) + ", 0, 0, 'h', 1)");
  };
  order("o-take", 1000, 900);
  refund("o-take", "r1", 500, 400, 0);
  refund("o-take", "r2", 500, 500, 0);
  order("o-deduct", 1000, 0);
  refund("o-deduct", "r1", 1000, 0, 900);
  order("o-none", 0, 0);
}

// What 0007 makes of those rows: "id requested/clawed/shortfall/restored_expired".
inline std::vector<std::string> ExpectedRefundFigures() {
  return {"o-deduct 1000/100/0/0",    "o-none 0/0/0/0",          "o-take 1000/100/900/0",
          "o-deduct:r1 1000/100/0/0", "o-take:r1 500/100/400/0", "o-take:r2 500/0/500/0"};
}

inline std::vector<std::string> ReadRefundFigures(sql::Connection& conn) {
  std::vector<std::string> rows;
  const auto read = [&](const std::string& text, bool refund) {
    Result<sql::Stmt> stmt = conn.PrepareText("test query", text);
    EXPECT_TRUE(stmt.ok()) << stmt.status().ToString();
    if (!stmt.ok()) return;
    while (true) {
      Result<bool> has_row = (*stmt)->Step();
      EXPECT_TRUE(has_row.ok()) << has_row.status().ToString();
      if (!has_row.ok() || !*has_row) break;
      const sql::Statement& s = **stmt;
      const int first = refund ? 2 : 1;
      rows.push_back(s.Text(0) + (refund ? ":" + s.Text(1) : "") + " " +
                     std::to_string(s.Int(first)) + "/" + std::to_string(s.Int(first + 1)) + "/" +
                     std::to_string(s.Int(first + 2)) + "/" + std::to_string(s.Int(first + 3)));
    }
  };
  read(
      "SELECT order_id, clawback_requested_points, earn_clawed_points, shortfall_points,"
      " restored_expired_points FROM orders ORDER BY order_id",
      false);
  read(
      "SELECT order_id, refund_id, clawback_requested_points, clawed_points, shortfall_points,"
      " restored_expired_points FROM refunds ORDER BY order_id, refund_id",
      true);
  return rows;
}

// Runs the UPDATE statements of migration 0007 again, as a MySQL run stopped after them and
// started again would; returns how many there were.
inline int RerunRefundFiguresUpdates(sql::Connection& conn, const std::vector<Migration>& all) {
  int updates = 0;
  for (const Migration& m : all) {
    if (m.version != kRefundFiguresVersion) continue;
    const std::string text = m.sql;
    for (size_t at = text.find("\nUPDATE "); at != std::string::npos;
         at = text.find("\nUPDATE ", at + 1)) {
      ExecSql(conn, text.substr(at + 1, text.find(';', at) - at - 1));
      ++updates;
    }
  }
  return updates;
}

}  // namespace loyalty::testing
