// Internal to store/sql: the statements of the HTTP API's records (api/records.h): idempotency
// records and API keys. One text for every engine; see store/sql/driver.h for the conventions.
#pragma once

#include "store/sql/driver.h"

// Column lists, in the order the session's row readers expect them.
#define LOYALTY_SQL_IDEMPOTENCY_COLUMNS \
  "scope_key, request_hash, status_code, response_body, created_at_us, expires_at_us"
#define LOYALTY_SQL_API_KEY_COLUMNS "name, role, key_hash, created_at_us, revoked_at_us"

namespace loyalty::sql::stmt {

// --- idempotency records ---
inline constexpr StmtDef kFindIdempotency{
    .what = "find idempotency record",
    .sql = "SELECT " LOYALTY_SQL_IDEMPOTENCY_COLUMNS " FROM idempotency WHERE scope_key = ?",
};
inline constexpr StmtDef kInsertIdempotency{
    .what = "insert idempotency record",
    .sql =
        "INSERT INTO idempotency (" LOYALTY_SQL_IDEMPOTENCY_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)",
};
inline constexpr StmtDef kPurgeIdempotency{
    .what = "purge idempotency records",
    .sql = "DELETE FROM idempotency WHERE expires_at_us > 0 AND expires_at_us <= ?",
};

// --- API keys ---
inline constexpr StmtDef kInsertApiKey{
    .what = "insert api key",
    .sql = "INSERT INTO api_keys (" LOYALTY_SQL_API_KEY_COLUMNS ") VALUES (?, ?, ?, ?, ?)",
};
inline constexpr StmtDef kFindApiKeyByHash{
    .what = "find api key",
    .sql = "SELECT " LOYALTY_SQL_API_KEY_COLUMNS " FROM api_keys WHERE key_hash = ?",
};
inline constexpr StmtDef kListApiKeys{
    .what = "list api keys",
    .sql = "SELECT " LOYALTY_SQL_API_KEY_COLUMNS " FROM api_keys ORDER BY name",
};
// now_us, name. A revoked key keeps its first revocation time (the row still matches).
inline constexpr StmtDef kRevokeApiKey{
    .what = "revoke api key",
    .sql =
        "UPDATE api_keys SET revoked_at_us = CASE WHEN revoked_at_us = 0 THEN ?"
        " ELSE revoked_at_us END WHERE name = ?",
};

}  // namespace loyalty::sql::stmt
