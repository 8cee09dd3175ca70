// API keys, hashing and the problem table, without a server.
#include "api/auth.h"

#include <gtest/gtest.h>

#include <set>

#include "api/crypto.h"
#include "api/idempotency.h"
#include "api/problem.h"
#include "tests/api/api_test_util.h"

namespace loyalty {
namespace {

TEST(CryptoTest, KnownVectors) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Base32Lower("foobar"), "mzxw6ytboi");  // RFC 4648 section 10, unpadded
  EXPECT_EQ(HexLower(std::string("\x00\xff", 2)), "00ff");
  auto a = SecureRandomBytes(32);
  auto b = SecureRandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_NE(*a, *b);
}

TEST(IdempotencyKeyTest, PrintableAsciiUpTo255) {
  EXPECT_TRUE(ValidateIdempotencyKey("a").ok());
  EXPECT_TRUE(ValidateIdempotencyKey(std::string(255, '~')).ok());
  EXPECT_FALSE(ValidateIdempotencyKey("").ok());
  EXPECT_FALSE(ValidateIdempotencyKey(std::string(256, 'a')).ok());
  EXPECT_FALSE(ValidateIdempotencyKey("caf\xc3\xa9").ok());
  EXPECT_EQ(ValidateIdempotencyKey("a\x7f").field(), "Idempotency-Key");
}

TEST(ProblemTest, OneTableMapsEveryCode) {
  EXPECT_EQ(HttpStatusFor(Code::kValidationFailed), 400);
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kAlreadyExists), 409);
  EXPECT_EQ(HttpStatusFor(Code::kIdempotencyConflict), 409);
  EXPECT_EQ(HttpStatusFor(Code::kInvalidState), 409);
  EXPECT_EQ(HttpStatusFor(Code::kInsufficientPoints), 422);
  EXPECT_EQ(HttpStatusFor(Code::kBelowMinimumBalance), 422);
  EXPECT_EQ(HttpStatusFor(Code::kRedeemLimitExceeded), 422);
  EXPECT_EQ(HttpStatusFor(Code::kRefundExceedsOrder), 422);
  EXPECT_EQ(HttpStatusFor(Code::kNegativeBalanceNotAllowed), 422);
  EXPECT_EQ(HttpStatusFor(Code::kBelowMinimumRedemption), 422);  // a redemption rule like the rest
  EXPECT_EQ(HttpStatusFor(Code::kMessageNotLeased), 409);
  EXPECT_EQ(HttpStatusFor(Code::kLeaseExpired), 409);
  EXPECT_EQ(CodeName(Code::kBelowMinimumRedemption), "below_minimum_redemption");
  EXPECT_EQ(CodeName(Code::kMessageNotLeased), "message_not_leased");
  EXPECT_EQ(CodeName(Code::kLeaseExpired), "lease_expired");
  EXPECT_EQ(HttpStatusFor(Code::kUnauthorized), 401);
  EXPECT_EQ(HttpStatusFor(Code::kForbidden), 403);
  EXPECT_EQ(HttpStatusFor(Code::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(Code::kUnavailable), 503);
  EXPECT_EQ(HttpStatusFor(Code::kRetry), 503);
  EXPECT_EQ(HttpStatusFor(Code::kInternal), 500);
  ApiResponse unauthorized = ProblemFromStatus(Status(Code::kUnauthorized, "no key"), "r1");
  EXPECT_EQ(unauthorized.status, 401);
  EXPECT_EQ(unauthorized.content_type, "application/problem+json");
  ASSERT_EQ(unauthorized.headers.size(), 1u);
  EXPECT_EQ(unauthorized.headers[0].first, "WWW-Authenticate");
  ApiResponse busy = ProblemFromStatus(Status(Code::kRetry, "deadlock"), "r2");
  EXPECT_EQ(busy.headers[0].first, "Retry-After");
  EXPECT_NE(busy.body.find(R"("code":"retry")"), std::string::npos) << busy.body;
  // Internal details never reach the client.
  ApiResponse internal = ProblemFromStatus(Status(Code::kInternal, "SQL: no such table"), "r3");
  EXPECT_EQ(internal.body.find("SQL"), std::string::npos) << internal.body;
}

class ApiKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(dir_.File("keys.db"));
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    ASSERT_TRUE(store_->Migrate().ok());
    auto s = store_->OpenSession();
    ASSERT_TRUE(s.ok());
    session_ = std::move(s).value();
  }
  apitest::TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Session> session_;
};

TEST_F(ApiKeyTest, TokensAreRandomAndOnlyTheirHashIsStored) {
  std::set<std::string> tokens;
  for (const std::string& role : KnownRoles()) {
    auto token = CreateApiKey(ApiRecordsOf(*session_), "k-" + role, role, 1000);
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    EXPECT_EQ(token->size(), 43u);
    EXPECT_EQ(token->rfind("lk_", 0), 0u);
    EXPECT_TRUE(LooksLikeToken(*token));
    tokens.insert(*token);
    auto key = Authenticate(ApiRecordsOf(*session_), "Bearer " + *token);
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->name, "k-" + role);
    EXPECT_EQ(key->role, role);
    EXPECT_EQ(key->key_hash, Sha256Hex(*token));
    EXPECT_EQ(key->key_hash.find(token->substr(3)), std::string::npos);
  }
  EXPECT_EQ(tokens.size(), KnownRoles().size());
  auto keys = ApiRecordsOf(*session_).ListApiKeys();
  ASSERT_TRUE(keys.ok());
  for (const ApiKey& k : *keys) EXPECT_EQ(tokens.count(k.key_hash), 0u);
}

TEST_F(ApiKeyTest, CreateValidatesNameAndRole) {
  EXPECT_TRUE(IsKnownRole("cs_supervisor"));
  EXPECT_FALSE(IsKnownRole("root"));
  EXPECT_EQ(CreateApiKey(ApiRecordsOf(*session_), "k", "root", 0).status().field(), "role");
  EXPECT_EQ(CreateApiKey(ApiRecordsOf(*session_), "", "admin", 0).status().field(), "name");
  EXPECT_EQ(
      CreateApiKey(ApiRecordsOf(*session_), std::string(65, 'k'), "admin", 0).status().field(),
      "name");
  EXPECT_EQ(CreateApiKey(ApiRecordsOf(*session_), "a b", "admin", 0).status().field(), "name");
  ASSERT_TRUE(CreateApiKey(ApiRecordsOf(*session_), "dup", "admin", 0).ok());
  EXPECT_EQ(CreateApiKey(ApiRecordsOf(*session_), "dup", "jobs", 0).status().code(),
            Code::kAlreadyExists);
}

TEST_F(ApiKeyTest, AuthenticateRejectsBadHeadersAndRevokedKeys) {
  auto token = CreateApiKey(ApiRecordsOf(*session_), "k", "admin", 0);
  ASSERT_TRUE(token.ok());
  EXPECT_TRUE(
      Authenticate(ApiRecordsOf(*session_), "bearer " + *token).ok());  // the scheme is case-blind
  for (const std::string& bad :
       {std::string(), std::string("Bearer"), "Basic " + *token, *token,
        "Bearer lk_" + std::string(40, 'a'), "Bearer " + token->substr(0, 42)}) {
    EXPECT_EQ(Authenticate(ApiRecordsOf(*session_), bad).status().code(), Code::kUnauthorized)
        << bad;
  }
  ASSERT_TRUE(ApiRecordsOf(*session_).RevokeApiKey("k", 5).ok());
  EXPECT_EQ(Authenticate(ApiRecordsOf(*session_), "Bearer " + *token).status().code(),
            Code::kUnauthorized);
}

}  // namespace
}  // namespace loyalty
