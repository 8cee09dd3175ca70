#include "store/mysql/mysql_statements.h"

#include "core/status.h"

namespace loyalty::mysql::stmt {

std::string FindLots(const LotQuery& q) {
  std::string sql = "SELECT " LOYALTY_MYSQL_LOT_COLUMNS " FROM lots WHERE 1 = 1";
  if (!q.order_id.empty()) sql += " AND order_id = ?";
  if (!q.customer_id.empty()) sql += " AND customer_id = ?";
  if (q.kind.has_value()) sql += " AND kind = ?";
  if (q.only_nonzero) sql += " AND remaining_points <> 0";
  if (!q.include_expired) sql += " AND expired = 0";
  if (q.due_before_us > 0) {
    sql += " AND expired = 0 AND expires_at_us <> 0 AND expires_at_us <= ?";
  }
  sql += " ORDER BY expires_at_us = 0, expires_at_us, lot_id";
  return sql;
}

std::string ListEntriesOfOrder(bool with_customer) {
  std::string sql = "SELECT " LOYALTY_MYSQL_ENTRY_COLUMNS " FROM entries WHERE order_id = ?";
  if (with_customer) sql += " AND customer_id = ?";
  return sql + " ORDER BY entry_id";
}

std::string ListAllocationsOfOrder(bool with_customer) {
  std::string sql =
      "SELECT a.entry_id, a.lot_id, a.points FROM entry_allocations a"
      " JOIN entries e ON e.entry_id = a.entry_id WHERE e.order_id = ?";
  if (with_customer) sql += " AND e.customer_id = ?";
  return sql + " ORDER BY a.entry_id, a.line";
}

std::string InsertAllocations(int rows) {
  LOYALTY_CHECK(rows >= 1 && rows <= kMaxAllocationRowsPerInsert);
  std::string sql = "INSERT INTO entry_allocations (entry_id, line, lot_id, points) VALUES ";
  for (int i = 0; i < rows; ++i) sql += i == 0 ? "(?, ?, ?, ?)" : ", (?, ?, ?, ?)";
  return sql;
}

}  // namespace loyalty::mysql::stmt
