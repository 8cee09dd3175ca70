// ClosestName (app/cli.h): the "did you mean" of an unknown option or command.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "app/cli.h"

namespace loyalty::cli {
namespace {

const std::vector<std::string> kDailyOptions = {"--help",   "-h",        "--date", "--dry-run",
                                                "--shard",  "--program", "--db",   "--synchronous",
                                                "--version"};

TEST(ClosestNameTest, SmallTyposFindTheOption) {
  EXPECT_EQ(ClosestName("--dryrun", kDailyOptions), "--dry-run");
  EXPECT_EQ(ClosestName("--dyr-run", kDailyOptions), "--dry-run");  // two letters swapped
  EXPECT_EQ(ClosestName("--DRY-RUN", kDailyOptions), "--dry-run");
  EXPECT_EQ(ClosestName("--progam", kDailyOptions), "--program");
  EXPECT_EQ(ClosestName("--programme", kDailyOptions), "--program");
  EXPECT_EQ(ClosestName("--sycnhronous", kDailyOptions), "--synchronous");
  EXPECT_EQ(ClosestName("--dbb", kDailyOptions), "--db");
  EXPECT_EQ(ClosestName("--verison", kDailyOptions), "--version");
}

TEST(ClosestNameTest, AUniquePrefixFindsTheOption) {
  EXPECT_EQ(ClosestName("--dry", kDailyOptions), "--dry-run");
  EXPECT_EQ(ClosestName("--sync", kDailyOptions), "--synchronous");
}

TEST(ClosestNameTest, NothingCloseMeansNoSuggestion) {
  EXPECT_EQ(ClosestName("--bogus", kDailyOptions), "");
  EXPECT_EQ(ClosestName("--frobnicate", kDailyOptions), "");
  EXPECT_EQ(ClosestName("", kDailyOptions), "");
  EXPECT_EQ(ClosestName("--dry-run", {}), "");
}

TEST(ClosestNameTest, Commands) {
  const std::vector<std::string> commands = {"serve", "migrate", "keys",   "check",
                                             "jobs",  "program", "version"};
  EXPECT_EQ(ClosestName("srve", commands), "serve");
  EXPECT_EQ(ClosestName("chek", commands), "check");
  EXPECT_EQ(ClosestName("migrat", commands), "migrate");
  EXPECT_EQ(ClosestName("job", commands), "jobs");
  EXPECT_EQ(ClosestName("zzz", commands), "");
  EXPECT_EQ(ClosestName("crate", {"create", "list", "revoke"}), "create");
  EXPECT_EQ(ClosestName("dayly", {"daily", "simulate"}), "daily");
}

}  // namespace
}  // namespace loyalty::cli
