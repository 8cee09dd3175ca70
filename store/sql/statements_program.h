// Internal to store/sql: the statements of the programme's versions (core/store.h
// ProgramRecords). One text for every engine; see store/sql/driver.h for the conventions.
#pragma once

#include "store/sql/driver.h"

// Column list, in the order the session's row reader expects it.
#define LOYALTY_SQL_PROGRAM_VERSION_COLUMNS \
  "version, hash, program_json, author, applied_at_us, effective_at_us"

namespace loyalty::sql::stmt {

inline constexpr StmtDef kInsertProgramVersion{
    .what = "insert programme version",
    .sql = "INSERT INTO program_versions (" LOYALTY_SQL_PROGRAM_VERSION_COLUMNS
           ") VALUES (?, ?, ?, ?, ?, ?)",
};
// at_us. Effective instants grow with versions (apply refuses otherwise), so the latest effective
// instant is also the highest version; version breaks a tie.
inline constexpr StmtDef kFindProgramInForce{
    .what = "find programme in force",
    .sql = "SELECT " LOYALTY_SQL_PROGRAM_VERSION_COLUMNS
           " FROM program_versions WHERE effective_at_us <= ?"
           " ORDER BY effective_at_us DESC, version DESC LIMIT 1",
};
// before_version, limit.
inline constexpr StmtDef kListProgramVersions{
    .what = "list programme versions",
    .sql = "SELECT " LOYALTY_SQL_PROGRAM_VERSION_COLUMNS
           " FROM program_versions WHERE version < ? ORDER BY version DESC LIMIT ?",
};

}  // namespace loyalty::sql::stmt
