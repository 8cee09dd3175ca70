// The demo programme: app/demo_program.json embedded at build time (app/embed_json.cmake) as
// DemoProgramJson(), byte for byte, valid, and declaring every message type.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "app/program_codec.h"
#include "core/messaging.h"

namespace loyalty {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(DemoProgramTest, TheEmbeddedTextIsTheFileByteForByte) {
  const std::string file = ReadFile(std::string(LOYALTY_SOURCE_DIR) + "/app/demo_program.json");
  ASSERT_FALSE(file.empty());
  EXPECT_EQ(DemoProgramJson(), file);
}

TEST(DemoProgramTest, LoadsAsTheEmptyPathAndAsDemo) {
  auto parsed = ParseProgramJson(DemoProgramJson());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  for (const std::string& path : {std::string(), std::string("demo")}) {
    auto loaded = LoadProgramFile(path);
    ASSERT_TRUE(loaded.ok()) << path << ": " << loaded.status().ToString();
    EXPECT_EQ(ProgramToJson(*loaded), ProgramToJson(*parsed)) << path;
  }
  EXPECT_EQ(parsed->name, "Demo Shop 포인트");
  EXPECT_EQ(parsed->tiers.size(), 4u);
}

TEST(DemoProgramTest, TheDemoProgrammeDeclaresEveryType) {
  std::string demo = DemoProgramJson();
  for (const std::string& t : MessageTypes()) {
    EXPECT_NE(demo.find("\"" + t + "\": {\"enabled\": "), std::string::npos) << t;
    EXPECT_NE(demo.find("\"type\": \"" + t + "\""), std::string::npos) << t;
  }
}

}  // namespace
}  // namespace loyalty
