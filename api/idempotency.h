// Idempotent writes. A POST may carry an Idempotency-Key header (scope "<key name>:<key>",
// kept 48 h) and most have a natural key too (scope "order:<order_id>", ... kept forever).
// Both are checked and written inside the same executor command as the mutation, so the
// record commits exactly when the mutation does:
//   no record           -> run the mutation; a 2xx response is stored under every scope;
//   same request hash   -> the stored response is replayed (Idempotent-Replayed: true);
//   other request hash  -> 409 idempotency_conflict.
// Only 2xx responses are stored. A lookup on a read session first is only a fast path.
#pragma once

#include <Poco/JSON/Object.h>

#include <functional>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "api/service.h"
#include "core/limits.h"
#include "core/status.h"

namespace loyalty {

// 1..255 printable ASCII characters (0x20..0x7E).
Status ValidateIdempotencyKey(std::string_view key);

// Hex SHA-256 over method + " " + path + "\n" + CanonicalJson(body).
std::string RequestHash(const std::string& method, const std::string& path,
                        const Poco::JSON::Object& body);

struct NaturalKey {
  std::string scope;  // e.g. "order:o-1"; empty = none
  std::string field;  // the body member it comes from, named in a 409 ("order_id")
};

using Mutation = std::function<Result<ApiResponse>(Session&)>;

// Runs `mutate` through the executor with the checks above. `mutate` may run more than once
// (the executor re-runs a batch on kRetry): it must only read and write through the session.
Result<ApiResponse> RunIdempotent(ServiceEnv& env, const ApiRequest& req, const NaturalKey& natural,
                                  const Mutation& mutate);

// Deletes expired records (one executor command). Returns how many.
Result<int64_t> PurgeExpiredIdempotency(ServiceEnv& env);

}  // namespace loyalty
