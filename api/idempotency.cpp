#include "api/idempotency.h"

#include <optional>
#include <vector>

#include "api/crypto.h"
#include "api/json_codec.h"
#include "api/records.h"

namespace loyalty {
namespace {

struct Scope {
  std::string key;
  std::string field;     // named in the conflict problem
  Micros expires_at_us;  // 0 = forever
};

std::vector<Scope> ScopesOf(const ApiRequest& req, const NaturalKey& natural, Micros now_us) {
  std::vector<Scope> scopes;
  if (!req.idempotency_key.empty()) {
    scopes.push_back(
        {req.key.name + ":" + req.idempotency_key, "Idempotency-Key", now_us + kIdempotencyTtlUs});
  }
  if (!natural.scope.empty()) scopes.push_back({natural.scope, natural.field, 0});
  return scopes;
}

bool Expired(const IdempotencyRecord& r, Micros now_us) {
  return r.expires_at_us != 0 && r.expires_at_us <= now_us;
}

ApiResponse Replay(const IdempotencyRecord& r) {
  ApiResponse out = ApiResponse::Json(r.status_code, r.response_body);
  out.headers.emplace_back("Idempotent-Replayed", "true");
  return out;
}

Status Conflict(const Scope& scope) {
  const std::string what =
      scope.field == "Idempotency-Key" ? "this Idempotency-Key" : "this " + scope.field;
  return Status(Code::kIdempotencyConflict, what + " was already used with a different request",
                scope.field);
}

// Looks every scope up: a replay, a conflict, or nullopt (go ahead). `purge_expired` lets the
// in-transaction check clear an expired record so that its scope can be written again.
Result<std::optional<ApiResponse>> Check(Session& s, const std::vector<Scope>& scopes,
                                         const std::string& hash, Micros now_us,
                                         bool purge_expired) {
  for (const Scope& scope : scopes) {
    LOYALTY_ASSIGN_OR_RETURN(std::optional<IdempotencyRecord> rec,
                             ApiRecordsOf(s).FindIdempotency(scope.key));
    if (!rec) continue;
    if (Expired(*rec, now_us)) {
      if (purge_expired) LOYALTY_RETURN_IF_ERROR(ApiRecordsOf(s).PurgeIdempotency(now_us).status());
      continue;
    }
    if (rec->request_hash != hash) return Conflict(scope);
    return std::optional<ApiResponse>(Replay(*rec));
  }
  return std::optional<ApiResponse>();
}

}  // namespace

Status ValidateIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > kMaxIdempotencyKeyLength) {
    return Status::Invalid("Idempotency-Key", "must be 1 to 255 characters");
  }
  for (char c : key) {
    if (c < 0x20 || c > 0x7E) {
      return Status::Invalid("Idempotency-Key", "must be printable ASCII");
    }
  }
  return Status::Ok();
}

std::string RequestHash(const std::string& method, const std::string& path,
                        const Poco::JSON::Object& body) {
  return Sha256Hex(method + " " + path + "\n" + CanonicalJson(body));
}

Result<ApiResponse> RunIdempotent(ServiceEnv& env, const ApiRequest& req, const NaturalKey& natural,
                                  const Mutation& mutate) {
  const Micros now_us = env.clock.NowMicros();
  const std::vector<Scope> scopes = ScopesOf(req, natural, now_us);
  const std::string& hash = req.request_hash;
  if (!scopes.empty()) {  // fast path: a retry is answered without touching the write queue
    LOYALTY_ASSIGN_OR_RETURN(std::optional<ApiResponse> early, env.readers.Read([&](Session& s) {
      return Check(s, scopes, hash, now_us, false);
    }));
    if (early) return std::move(*early);
  }
  std::optional<ApiResponse> out;
  Status st = env.executor.Submit([&](Session& s) -> Status {
    out.reset();  // the executor may run this again after a retry
    LOYALTY_ASSIGN_OR_RETURN(std::optional<ApiResponse> replay,
                             Check(s, scopes, hash, now_us, true));
    if (replay) {
      out = std::move(replay);
      return Status::Ok();
    }
    LOYALTY_ASSIGN_OR_RETURN(ApiResponse response, mutate(s));
    if (response.IsSuccess()) {
      for (const Scope& scope : scopes) {
        IdempotencyRecord rec;
        rec.scope_key = scope.key;
        rec.request_hash = hash;
        rec.status_code = response.status;
        rec.response_body = response.body;
        rec.created_at_us = now_us;
        rec.expires_at_us = scope.expires_at_us;
        Status ins = ApiRecordsOf(s).InsertIdempotency(rec);
        // Another node committed the same scope between our check and this insert: re-run
        // the batch, whose check then finds that record and replays or refuses it.
        if (ins.code() == Code::kAlreadyExists) return Status(Code::kRetry, ins.message());
        LOYALTY_RETURN_IF_ERROR(ins);
      }
    }
    out = std::move(response);
    return Status::Ok();
  });
  LOYALTY_RETURN_IF_ERROR(st);
  LOYALTY_CHECK(out.has_value());
  return std::move(*out);
}

Result<int64_t> PurgeExpiredIdempotency(ServiceEnv& env) {
  int64_t purged = 0;
  const Micros now_us = env.clock.NowMicros();
  Status st = env.executor.Submit([&](Session& s) -> Status {
    LOYALTY_ASSIGN_OR_RETURN(purged, ApiRecordsOf(s).PurgeIdempotency(now_us));
    return Status::Ok();
  });
  LOYALTY_RETURN_IF_ERROR(st);
  return purged;
}

}  // namespace loyalty
