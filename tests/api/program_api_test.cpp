// GET /v1/program and the /readyz programme check (api/program_watch.h): a node names the
// version it serves and turns unready once another version is in force in the database.
#include "api/crypto.h"
#include "core/limits.h"
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

class ProgramApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    // Restarted as `loyalty serve` starts it: with the database's version in force.
    client_.reset();
    server_->Stop();
    served_ = Row(program_->version, clock_.NowMicros());
    ASSERT_TRUE(session_->InsertProgramVersion(served_).ok());
    ServerOptions opts;
    opts.port = 0;
    opts.program_version = served_;
    server_ = std::make_unique<ApiServer>(*store_, *program_, clock_, opts);
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<Client>(server_->port());
  }

  ProgramVersion Row(int64_t version, Micros effective_at_us) {
    Program p = *program_;
    p.version = version;
    ProgramVersion v;
    v.version = version;
    v.program_json = ProgramToJson(p);
    v.hash = Sha256Hex(v.program_json);
    v.author = "alice";
    v.applied_at_us = clock_.NowMicros();
    v.effective_at_us = effective_at_us;
    return v;
  }

  ProgramVersion served_;
};

TEST_F(ProgramApiTest, NamesTheVersionTheNodeServes) {
  for (const char* role : {"checkout", "cs_agent", "messaging", "jobs"}) {
    HttpResult r = client().Get("/v1/program", Token(role));
    ASSERT_EQ(r.status, 200) << role << ": " << r.body;
    EXPECT_EQ(r.Int("version"), served_.version);
    EXPECT_EQ(r.Str("hash"), served_.hash);
    EXPECT_EQ(r.Str("author"), "alice");
    EXPECT_EQ(r.Str("effective_at"), FormatInstant(served_.effective_at_us));
    EXPECT_EQ(r.Str("applied_at"), FormatInstant(served_.applied_at_us));
    auto program = r.Json()->getObject("program");
    ASSERT_FALSE(program.isNull());
    EXPECT_EQ(program->getValue<std::string>("name"), program_->name);
    EXPECT_EQ(program->getValue<int64_t>("version"), served_.version);
  }
}

TEST_F(ProgramApiTest, ReadinessFailsOnceANewerVersionIsInForce) {
  EXPECT_EQ(client().Get("/readyz", "").status, 200);
  // Scheduled for an hour later: not in force yet, the node stays ready.
  ASSERT_TRUE(
      session_->InsertProgramVersion(Row(served_.version + 1, clock_.NowMicros() + kHourUs)).ok());
  clock_.Advance(kProgramCheckIntervalUs);
  EXPECT_EQ(client().Get("/readyz", "").status, 200);

  clock_.Advance(kHourUs);
  HttpResult r = client().Get("/readyz", "");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.Str("code"), "unavailable");
  EXPECT_NE(r.Str("detail").find("programme changed: restart"), std::string::npos) << r.body;
  // The node still serves and still names its own version.
  HttpResult program = client().Get("/v1/program", Token("checkout"));
  EXPECT_EQ(program.status, 200);
  EXPECT_EQ(program.Int("version"), served_.version);
}

TEST_F(ProgramApiTest, ReadinessIsReadAtMostOncePerInterval) {
  EXPECT_EQ(client().Get("/readyz", "").status, 200);
  ASSERT_TRUE(session_->InsertProgramVersion(Row(served_.version + 1, clock_.NowMicros())).ok());
  EXPECT_EQ(client().Get("/readyz", "").status, 200);  // the cached answer
  clock_.Advance(kProgramCheckIntervalUs);
  EXPECT_EQ(client().Get("/readyz", "").status, 503);
}

TEST_F(ApiTest, ProgramIsNotFoundWhenTheServerWasHandedOne) {
  HttpResult r = client().Get("/v1/program", Token("admin"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Str("code"), "not_found");
}

}  // namespace
}  // namespace loyalty::apitest
