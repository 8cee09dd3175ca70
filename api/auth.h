// API keys: "Authorization: Bearer lk_<40 base32 characters>". The token is shown once at
// creation; the store keeps only its hex SHA-256. Each key has a name (used as the actor and in
// idempotency scopes) and one role; what a role may call is the route table (api/routes.cpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/records.h"
#include "core/limits.h"
#include "core/status.h"
#include "core/store.h"
#include "core/types.h"

namespace loyalty {

inline constexpr std::string_view kTokenPrefix = "lk_";
inline constexpr size_t kTokenRandomChars = 40;  // base32: 200 bits from getrandom(2)

// The roles, in the order the docs list them.
const std::vector<std::string>& KnownRoles();
bool IsKnownRole(const std::string& role);

// Creates a key and returns its token (the only time it exists in clear).
// name: 1..64 characters of [A-Za-z0-9._:@-] (it becomes part of idempotency scopes);
// role: one of KnownRoles(). kAlreadyExists when the name is taken.
// Does not begin or commit a transaction: call it inside one (e.g. through the executor) or
// on a session in autocommit mode.
Result<std::string> CreateApiKey(ApiRecords& records, const std::string& name,
                                 const std::string& role, Micros now);

// The key for an Authorization header value ("Bearer <token>"): kUnauthorized when missing,
// malformed, unknown or revoked. Reads through `session` (a read snapshot is enough).
Result<ApiKey> Authenticate(ApiRecords& records, const std::string& authorization);

// True when the header value is syntactically a bearer token of ours (no lookup).
bool LooksLikeToken(std::string_view token);

}  // namespace loyalty
