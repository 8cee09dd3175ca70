// SqlSession: the HTTP API's records (api/records.h), idempotency records and API keys.
#include <string>
#include <utility>
#include <vector>

#include "store/sql/sql_session.h"
#include "store/sql/statements_api.h"

namespace loyalty::sql {

namespace {

IdempotencyRecord ReadIdempotency(const Statement& s) {
  IdempotencyRecord r;
  r.scope_key = s.Text(0);
  r.request_hash = s.Text(1);
  r.status_code = static_cast<int>(s.Int(2));
  r.response_body = s.Text(3);
  r.created_at_us = s.Int(4);
  r.expires_at_us = s.Int(5);
  return r;
}

ApiKey ReadApiKey(const Statement& s) {
  ApiKey k;
  k.name = s.Text(0);
  k.role = s.Text(1);
  k.key_hash = s.Text(2);
  k.created_at_us = s.Int(3);
  k.revoked_at_us = s.Int(4);
  return k;
}

}  // namespace

// --- idempotency records ---

Result<std::optional<IdempotencyRecord>> SqlSession::FindIdempotency(const std::string& scope_key) {
  return Looked(QueryOne(
                    stmt::kFindIdempotency, Variant::kPlain,
                    [&](Statement& s) { s.BindText(scope_key); }, &ReadIdempotency),
                "idempotency:" + scope_key);
}

Status SqlSession::InsertIdempotency(const IdempotencyRecord& r) {
  Result<int64_t> inserted = Execute(stmt::kInsertIdempotency, [&](Statement& s) {
    s.BindText(r.scope_key);
    s.BindText(r.request_hash);
    s.BindInt(r.status_code);
    s.BindText(r.response_body);
    s.BindInt(r.created_at_us);
    s.BindInt(r.expires_at_us);
  });
  return Inserted(inserted.status(), "idempotency:" + r.scope_key);
}

Result<int64_t> SqlSession::PurgeIdempotency(Micros now_us) {
  return Execute(stmt::kPurgeIdempotency, [&](Statement& s) { s.BindInt(now_us); });
}

// --- API keys ---

Status SqlSession::InsertApiKey(const ApiKey& k) {
  return Execute(stmt::kInsertApiKey,
                 [&](Statement& s) {
                   s.BindText(k.name);
                   s.BindText(k.role);
                   s.BindText(k.key_hash);
                   s.BindInt(k.created_at_us);
                   s.BindInt(k.revoked_at_us);
                 })
      .status();
}

Result<std::optional<ApiKey>> SqlSession::FindApiKeyByHash(const std::string& key_hash) {
  return QueryOne(
      stmt::kFindApiKeyByHash, Variant::kPlain, [&](Statement& s) { s.BindText(key_hash); },
      &ReadApiKey);
}

Result<std::vector<ApiKey>> SqlSession::ListApiKeys() {
  return QueryRows(
      stmt::kListApiKeys, [](Statement&) {}, &ReadApiKey);
}

Status SqlSession::RevokeApiKey(const std::string& name, Micros now_us) {
  // Revoking a revoked key again keeps the first revocation time (the row still matches).
  return ExecuteOne(
      stmt::kRevokeApiKey,
      [&](Statement& s) {
        s.BindInt(now_us);
        s.BindText(name);
      },
      "api key", name);
}

}  // namespace loyalty::sql
