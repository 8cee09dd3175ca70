#include "api/auth.h"

#include <algorithm>
#include <cctype>

#include "api/crypto.h"
#include "api/json_codec.h"

namespace loyalty {
namespace {

constexpr size_t kTokenRandomBytes = kTokenRandomChars * 5 / 8;  // 25 bytes = 40 characters
static_assert(kTokenRandomBytes * 8 == kTokenRandomChars * 5, "whole base32 characters");

bool IsBase32Lower(char c) { return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'); }

}  // namespace

const std::vector<std::string>& KnownRoles() {
  static const std::vector<std::string> kRoles = {"checkout",  "cs_agent", "cs_supervisor", "admin",
                                                  "messaging", "jobs",     "metrics"};
  return kRoles;
}

bool IsKnownRole(const std::string& role) {
  const auto& roles = KnownRoles();
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

bool LooksLikeToken(std::string_view token) {
  if (token.size() != kTokenPrefix.size() + kTokenRandomChars) return false;
  if (token.substr(0, kTokenPrefix.size()) != kTokenPrefix) return false;
  return std::all_of(token.begin() + kTokenPrefix.size(), token.end(), IsBase32Lower);
}

Result<std::string> CreateApiKey(ApiRecords& records, const std::string& name,
                                 const std::string& role, Micros now) {
  LOYALTY_RETURN_IF_ERROR(ValidateId("name", name));
  if (!IsKnownRole(role)) {
    return Status::Invalid("role",
                           "must be one of checkout, cs_agent, cs_supervisor, admin, "
                           "messaging, jobs");
  }
  LOYALTY_ASSIGN_OR_RETURN(std::string random, SecureRandomBytes(kTokenRandomBytes));
  std::string token = std::string(kTokenPrefix) + Base32Lower(random);
  LOYALTY_CHECK(LooksLikeToken(token));
  ApiKey key;
  key.name = name;
  key.role = role;
  key.key_hash = Sha256Hex(token);
  key.created_at_us = now;
  Status st = records.InsertApiKey(key);
  if (st.code() == Code::kAlreadyExists) {
    return Status(Code::kAlreadyExists, "an API key named " + name + " exists", "name");
  }
  LOYALTY_RETURN_IF_ERROR(st);
  return token;
}

Result<ApiKey> Authenticate(ApiRecords& records, const std::string& authorization) {
  constexpr std::string_view kScheme = "Bearer ";
  if (authorization.empty()) return Status(Code::kUnauthorized, "missing bearer token");
  std::string_view value(authorization);
  if (value.size() <= kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), value.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
      })) {
    return Status(Code::kUnauthorized, "expected Authorization: Bearer <token>");
  }
  std::string_view token = value.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (!LooksLikeToken(token)) return Status(Code::kUnauthorized, "unknown API key");
  LOYALTY_ASSIGN_OR_RETURN(std::optional<ApiKey> key,
                           records.FindApiKeyByHash(Sha256Hex(std::string(token))));
  if (!key) return Status(Code::kUnauthorized, "unknown API key");
  if (key->revoked_at_us != 0) return Status(Code::kUnauthorized, "API key revoked");
  return std::move(*key);
}

}  // namespace loyalty
