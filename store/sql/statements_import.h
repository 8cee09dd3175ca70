// Internal to store/sql: the statements of `loyalty import` (core/store.h ImportRecords). One
// text for every engine; see store/sql/driver.h for the conventions.
#pragma once

#include "store/sql/driver.h"

// Column lists, in the order the session's row readers expect them.
#define LOYALTY_SQL_IMPORT_ROW_COLUMNS "kind, row_id, hash, import_id, line, imported_at_us"
#define LOYALTY_SQL_IMPORT_EVENT_COLUMNS                                                 \
  "import_id, at_us, seq, kind, order_id, customer_id, line, amount_won, shipping_won, " \
  "points, hash"

namespace loyalty::sql::stmt {

// kind, row_id.
inline constexpr StmtDef kFindImportRow{
    .what = "find import row",
    .sql =
        "SELECT " LOYALTY_SQL_IMPORT_ROW_COLUMNS " FROM import_rows WHERE kind = ? AND row_id = ?",
};
// The columns in order.
inline constexpr StmtDef kInsertImportRow{
    .what = "insert import row",
    .sql = "INSERT INTO import_rows (" LOYALTY_SQL_IMPORT_ROW_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)",
};
// The columns in order.
inline constexpr StmtDef kInsertImportEvent{
    .what = "insert import event",
    .sql = "INSERT INTO import_events (" LOYALTY_SQL_IMPORT_EVENT_COLUMNS
           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
};
// import_id, order_id, kind.
inline constexpr StmtDef kFindImportEvent{
    .what = "find import event",
    .sql = "SELECT " LOYALTY_SQL_IMPORT_EVENT_COLUMNS
           " FROM import_events WHERE import_id = ? AND order_id = ? AND kind = ?",
};
// import_id, after_at, after_at, after_seq, limit: keyset order of the primary key.
inline constexpr StmtDef kListImportEvents{
    .what = "list import events",
    .sql = "SELECT " LOYALTY_SQL_IMPORT_EVENT_COLUMNS
           " FROM import_events WHERE import_id = ? AND (at_us > ? OR (at_us = ? AND seq > ?))"
           " ORDER BY at_us, seq LIMIT ?",
};
// import_id.
inline constexpr StmtDef kDeleteImportEvents{
    .what = "delete import events",
    .sql = "DELETE FROM import_events WHERE import_id = ?",
};

}  // namespace loyalty::sql::stmt
