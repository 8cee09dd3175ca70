// The records the HTTP API keeps for itself: API keys and idempotency records. api/ owns this
// interface (core knows neither); the SQL store implements it on the same session object as the
// core record areas, so an idempotency record commits in the same transaction as the mutation it
// answers for. Reach it from a core Session with ApiRecordsOf().
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/store.h"
#include "core/types.h"

namespace loyalty {

// A stored response for an idempotent POST.
struct IdempotencyRecord {
  std::string scope_key;     // "<key name>:<Idempotency-Key>" or "order:<order_id>", ...
  std::string request_hash;  // SHA-256 of the canonical request
  int status_code = 0;
  std::string response_body;
  Micros created_at_us = 0;
  Micros expires_at_us = 0;  // 0 = kept forever (natural ids)
};

struct ApiKey {
  std::string name;
  std::string role;
  std::string key_hash;  // hex SHA-256 of the secret token; the token itself is never stored
  Micros created_at_us = 0;
  Micros revoked_at_us = 0;  // 0 = active
};

class ApiRecords {
 public:
  virtual ~ApiRecords() = default;

  virtual Result<std::optional<IdempotencyRecord>> FindIdempotency(
      const std::string& scope_key) = 0;
  virtual Status InsertIdempotency(const IdempotencyRecord& r) = 0;
  // Deletes records with 0 < expires_at_us <= now_us; returns how many.
  virtual Result<int64_t> PurgeIdempotency(Micros now_us) = 0;

  virtual Status InsertApiKey(const ApiKey& k) = 0;
  virtual Result<std::optional<ApiKey>> FindApiKeyByHash(const std::string& key_hash) = 0;
  virtual Result<std::vector<ApiKey>> ListApiKeys() = 0;
  virtual Status RevokeApiKey(const std::string& name, Micros now_us) = 0;  // kNotFound if none
};

// The API records of `session`'s transaction. Every store session implements them; a session
// that does not (a test double) is a programming error and aborts.
inline ApiRecords& ApiRecordsOf(Session& session) {
  auto* records = dynamic_cast<ApiRecords*>(&session);
  LOYALTY_CHECK(records != nullptr);
  return *records;
}

}  // namespace loyalty
