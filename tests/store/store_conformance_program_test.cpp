// Conformance: the programme's versions (core/store.h ProgramRecords): stored whole, unique per
// version, the version in force at an instant, newest first.
#include <optional>
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

constexpr Micros kT0 = 1'700'000'000'000'000;

ProgramVersion Version(int64_t version, Micros effective_at_us) {
  ProgramVersion v;
  v.version = version;
  v.hash = std::string(64, static_cast<char>('a' + version % 6));
  // Beyond 64 KiB: a programme with many templates must fit (MySQL: MEDIUMTEXT).
  v.program_json = "{\"version\":" + std::to_string(version) + ",\"pad\":\"" +
                   std::string(70 * 1024, 'x') + "\"}";
  v.author = "alice";
  v.applied_at_us = kT0 + version;
  v.effective_at_us = effective_at_us;
  return v;
}

std::string RenderVersion(const ProgramVersion& v) {
  return "v" + std::to_string(v.version) + " hash=" + v.hash +
         " json=" + std::to_string(v.program_json.size()) + ":" + v.program_json.substr(0, 16) +
         " author=" + v.author + " applied=" + std::to_string(v.applied_at_us) +
         " effective=" + std::to_string(v.effective_at_us);
}

std::string Versions(const std::vector<ProgramVersion>& rows) {
  std::string s;
  for (const ProgramVersion& v : rows) s += std::to_string(v.version) + " ";
  return s;
}

TEST_P(StoreConformance, ProgramVersionsRoundTripAndAreUnique) {
  ASSERT_OK_AND_ASSIGN(std::optional<ProgramVersion> none, session_->FindProgramInForce(kT0));
  EXPECT_FALSE(none.has_value());
  const ProgramVersion v1 = Version(1, kT0);
  ASSERT_OK(session_->InsertProgramVersion(v1));
  EXPECT_EQ(session_->InsertProgramVersion(Version(1, kT0 + 1)).code(), Code::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(std::optional<ProgramVersion> found, session_->FindProgramInForce(kT0));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(RenderVersion(*found), RenderVersion(v1));
}

TEST_P(StoreConformance, TheVersionInForceIsTheLatestAlreadyEffective) {
  ASSERT_OK(session_->InsertProgramVersion(Version(1, kT0)));
  ASSERT_OK(session_->InsertProgramVersion(Version(2, kT0 + 100)));
  ASSERT_OK(session_->InsertProgramVersion(Version(5, kT0 + 100)));   // same instant: highest
  ASSERT_OK(session_->InsertProgramVersion(Version(7, kT0 + 1000)));  // scheduled
  auto in_force = [&](Micros at_us) -> int64_t {
    Result<std::optional<ProgramVersion>> v = session_->FindProgramInForce(at_us);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() && v->has_value() ? (*v)->version : 0;
  };
  EXPECT_EQ(in_force(kT0 - 1), 0);
  EXPECT_EQ(in_force(kT0), 1);
  EXPECT_EQ(in_force(kT0 + 99), 1);
  EXPECT_EQ(in_force(kT0 + 100), 5);
  EXPECT_EQ(in_force(kT0 + 999), 5);
  EXPECT_EQ(in_force(kT0 + 1000), 7);
}

TEST_P(StoreConformance, ProgramVersionsListNewestFirstInPages) {
  for (int64_t v : {1, 2, 3, 10}) ASSERT_OK(session_->InsertProgramVersion(Version(v, kT0 + v)));
  ASSERT_OK_AND_ASSIGN(std::vector<ProgramVersion> all, session_->ListProgramVersions(0, 100));
  EXPECT_EQ(Versions(all), "10 3 2 1 ");
  ASSERT_OK_AND_ASSIGN(std::vector<ProgramVersion> first, session_->ListProgramVersions(0, 2));
  EXPECT_EQ(Versions(first), "10 3 ");
  ASSERT_OK_AND_ASSIGN(std::vector<ProgramVersion> next, session_->ListProgramVersions(3, 2));
  EXPECT_EQ(Versions(next), "2 1 ");
  EXPECT_EQ(RenderVersion(next.back()), RenderVersion(Version(1, kT0 + 1)));
}

}  // namespace
}  // namespace loyalty::testing
