// The programme file codec over the strict JSON reader: a duplicate member, an integer past
// 2^53 or any malformation is refused with its JSON path and line/column; the field checks and
// ValidateProgram come after, naming the field as before.
#include "app/program_codec.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace loyalty {
namespace {

constexpr const char* kBronze = R"({"code": "BRONZE", "threshold_won": 0, "earn_rate_bp": 100})";
constexpr const char* kSilver =
    R"({"code": "SILVER", "threshold_won": 300000, "earn_rate_bp": 200})";
constexpr const char* kGold = R"({"code": "GOLD", "threshold_won": 1000000, "earn_rate_bp": 300})";

// A small valid programme. Line numbers matter below: the tiers are lines 5, 6 and 7, and
// `extra` follows the tiers' closing bracket on line 8.
std::string Programme(const std::string& gold = kGold, const std::string& silver = kSilver,
                      const std::string& extra = "") {
  std::string text = "{\n  \"version\": 1,\n  \"name\": \"codec test\",\n  \"tiers\": [\n";
  text += "    " + std::string(kBronze) + ",\n";
  text += "    " + silver + ",\n";
  text += "    " + gold + "\n";
  text += "  ]" + extra + "\n}\n";
  return text;
}

Status ErrorOf(const std::string& text) {
  auto p = ParseProgramJson(text);
  EXPECT_FALSE(p.ok()) << "accepted:\n" << text;
  if (p.ok()) return Status::Ok();
  EXPECT_EQ(p.status().code(), Code::kValidationFailed);
  return p.status();
}

bool Says(const Status& s, const std::string& part) {
  return s.message().find(part) != std::string::npos;
}

TEST(ProgramCodecTest, TheBaseProgrammeParses) {
  auto p = ParseProgramJson(Programme());
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->tiers.size(), 3u);
  EXPECT_EQ(p->tiers[2].threshold_won, 1000000);
}

TEST(ProgramCodecTest, ADuplicateMemberIsRefusedWithItsPathLineAndColumn) {
  Status s = ErrorOf(Programme(
      R"({"code": "GOLD", "threshold_won": 1000000, "threshold_won": 5, "earn_rate_bp": 300})"));
  EXPECT_EQ(s.field(), "tiers[2].threshold_won");
  EXPECT_TRUE(Says(s, "duplicate")) << s.message();
  EXPECT_TRUE(Says(s, "line 7, column 48")) << s.message();

  Status root = ErrorOf("{\"version\": 1, \"name\": \"a\", \"name\": \"b\", \"tiers\": []}");
  EXPECT_EQ(root.field(), "name");
  EXPECT_TRUE(Says(root, "line 1, column 29")) << root.message();

  // Two triggers of one type: before the strict reader the second silently replaced the first.
  Status trigger = ErrorOf(
      Programme(R"({"code": "GOLD", "threshold_won": 1000000, "earn_rate_bp": 300})",
                R"({"code": "SILVER", "threshold_won": 300000, "earn_rate_bp": 200})",
                ",\n  \"messaging\": {\"triggers\": {\n"
                "    \"winback\": {\"enabled\": false},\n"
                "    \"winback\": {\"enabled\": true, \"template\": \"W\", \"days\": 90}}}"));
  EXPECT_EQ(trigger.field(), "messaging.triggers.winback");
  EXPECT_TRUE(Says(trigger, "line 11, column 5")) << trigger.message();
}

TEST(ProgramCodecTest, AnIntegerPastTwoToTheFiftyThreeIsRefusedWithItsPlace) {
  Status s = ErrorOf(
      Programme(R"({"code": "GOLD", "threshold_won": 1000000, "earn_rate_bp": 300})",
                R"({"code": "SILVER", "threshold_won": 9007199254740992, "earn_rate_bp": 200})"));
  EXPECT_EQ(s.field(), "tiers[1].threshold_won");
  EXPECT_TRUE(Says(s, "2^53")) << s.message();
  EXPECT_TRUE(Says(s, "line 6, column 41")) << s.message();
  // Past 64 bits too (Poco used to fail with a message naming no place).
  s = ErrorOf(Programme(
      R"({"code": "GOLD", "threshold_won": 99999999999999999999999, "earn_rate_bp": 300})"));
  EXPECT_EQ(s.field(), "tiers[2].threshold_won");
  EXPECT_TRUE(Says(s, "line 7, column 39")) << s.message();
  // The largest safe integer is read; ValidateProgram then judges it as a threshold.
  auto p = ParseProgramJson(
      Programme(R"({"code": "GOLD", "threshold_won": 9007199254740991, "earn_rate_bp": 300})"));
  if (!p.ok()) {
    EXPECT_EQ(p.status().field(), "tiers[2].threshold_won") << p.status().ToString();
  }
}

TEST(ProgramCodecTest, MalformedJsonIsRefusedWhereItIs) {
  Status s =
      ErrorOf(Programme(R"({"code": "GOLD" "threshold_won": 1000000, "earn_rate_bp": 300})"));
  EXPECT_EQ(s.field(), "tiers[2]");
  EXPECT_TRUE(Says(s, "not valid JSON")) << s.message();
  EXPECT_TRUE(Says(s, "line 7, column 21")) << s.message();

  Status trailing = ErrorOf(Programme() + "}");
  EXPECT_EQ(trailing.field(), "");
  EXPECT_TRUE(Says(trailing, "line 10, column 1")) << trailing.message();

  Status comma =
      ErrorOf(Programme(R"({"code": "GOLD", "threshold_won": 1000000, "earn_rate_bp": 300},)"));
  EXPECT_EQ(comma.field(), "tiers[3]");
  EXPECT_TRUE(Says(comma, "line 8, column 3")) << comma.message();

  Status utf8 = ErrorOf("{\"version\": 1, \"name\": \"포인트 \xC0\xAF\", \"tiers\": []}");
  EXPECT_EQ(utf8.field(), "name");
  EXPECT_TRUE(Says(utf8, "UTF-8")) << utf8.message();
  EXPECT_TRUE(Says(utf8, "line 1, column 29")) << utf8.message();  // characters, not bytes

  Status surrogate = ErrorOf("{\"version\": 1, \"name\": \"\\udc00\", \"tiers\": []}");
  EXPECT_EQ(surrogate.field(), "name");

  Status empty = ErrorOf("");
  EXPECT_EQ(empty.field(), "");
  EXPECT_TRUE(Says(empty, "line 1, column 1")) << empty.message();

  Status array = ErrorOf("[]");
  EXPECT_EQ(array.field(), "");
  EXPECT_EQ(array.message(), "the programme must be a JSON object");
}

TEST(ProgramCodecTest, FieldChecksStillNameTheField) {
  // A fraction where an integer belongs is the codec's business, not the reader's.
  Status s =
      ErrorOf(Programme(R"({"code": "GOLD", "threshold_won": 1000000.0, "earn_rate_bp": 300})"));
  EXPECT_EQ(s.field(), "tiers[2].threshold_won");
  EXPECT_EQ(s.message(), "must be an integer");
  s = ErrorOf(
      Programme(R"({"code": "GOLD", "threshold_won": 1000000, "earn_rate_bp": 300, "x": 1})"));
  EXPECT_EQ(s.field(), "tiers[2].x");
  EXPECT_EQ(s.message(), "is not a known field");
}

TEST(ProgramCodecTest, LoadProgramFileReadsAFileOrTheDemo) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("program_codec_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string good = (dir / "good.json").string();
  const std::string bad = (dir / "bad.json").string();
  std::ofstream(good, std::ios::binary) << Programme();
  std::ofstream(bad, std::ios::binary) << Programme(
      R"({"code": "GOLD", "threshold_won": 1000000, "threshold_won": 5, "earn_rate_bp": 300})");

  auto loaded = LoadProgramFile(good);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(ProgramToJson(*loaded), ProgramToJson(*ParseProgramJson(Programme())));
  auto refused = LoadProgramFile(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().field(), "tiers[2].threshold_won");
  EXPECT_TRUE(Says(refused.status(), "line 7, column 48")) << refused.status().message();
  auto missing = LoadProgramFile((dir / "missing.json").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(Says(missing.status(), "cannot read programme file")) << missing.status().message();

  for (const std::string& demo : {std::string(), std::string("demo")}) {
    auto p = LoadProgramFile(demo);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(ProgramToJson(*p), ProgramToJson(*ParseProgramJson(DemoProgramJson())));
  }
  std::filesystem::remove_all(dir);
}

TEST(ProgramCodecTest, TheDemoNamesItsSenderMarksItsCouponsAndSendsTheConsentNotices) {
  auto demo = ParseProgramJson(DemoProgramJson());
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  const MessagingSettings& m = demo->messaging;
  EXPECT_EQ(m.sender_name, "데모샵");
  EXPECT_EQ(m.sender_contact, "1588-0000");
  EXPECT_NE(m.opt_out.find("080"), std::string::npos) << m.opt_out;
  const MessageTemplate* welcome = m.FindTemplate("WELCOME");
  ASSERT_NE(welcome, nullptr);
  EXPECT_EQ(welcome->category, MessageCategory::kAdvertising);  // it carries a coupon
  for (const char* type : {"consent_reconfirm", "consent_changed"}) {
    const TriggerSettings* t = m.Enabled(type);
    ASSERT_NE(t, nullptr) << type;
    const MessageTemplate* notice = m.FindTemplate(t->template_code);
    ASSERT_NE(notice, nullptr) << type;
    EXPECT_EQ(notice->type, type);
    EXPECT_EQ(notice->category, MessageCategory::kInformational) << type;
  }
  for (const MessageTemplate& t : m.templates) {
    if (t.category != MessageCategory::kAdvertising) continue;
    EXPECT_EQ(t.text.rfind("(광고)", 0), 0u) << t.code;
  }
  const std::string shown = ProgramToJson(*demo);
  EXPECT_NE(shown.find("\"sender\": {"), std::string::npos) << shown;
  EXPECT_NE(shown.find("\"opt_out\": \"" + m.opt_out + "\""), std::string::npos) << shown;
}

TEST(ProgramCodecTest, TheSenderIsReadStrictly) {
  Status dup = ErrorOf(Programme(
      kGold, kSilver, ",\n  \"messaging\": {\"sender\": {\"name\": \"a\", \"name\": \"b\"}}"));
  EXPECT_EQ(dup.field(), "messaging.sender.name");
  EXPECT_TRUE(Says(dup, "duplicate")) << dup.message();
  Status blank = ErrorOf(
      Programme(kGold, kSilver,
                ",\n  \"messaging\": {\"sender\": {\"name\": \"데모샵\", \"contact\": \" \"}, "
                "\"opt_out\": \"x\",\n"
                "    \"templates\": [{\"code\": \"C\", \"type\": \"cart_reminder\", \"category\": "
                "\"advertising\", \"text\": \"(광고) #{sender} #{opt_out}\"}]}"));
  EXPECT_EQ(blank.field(), "messaging.sender.contact");
  EXPECT_TRUE(Says(blank, "is required")) << blank.message();
}

TEST(ProgramCodecTest, WhatProgramShowPrintsReadsBackStrictly) {
  auto demo = ParseProgramJson(DemoProgramJson());
  ASSERT_TRUE(demo.ok()) << demo.status().ToString();
  const std::string shown = ProgramToJson(*demo);
  auto back = ParseProgramJson(shown);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ProgramToJson(*back), shown);
}

TEST(ProgramCodecTest, PointValueIsReadCheckedAndWrittenOnlyWhenNotOne) {
  auto valued = ParseProgramJson(Programme(kGold, kSilver, ",\n  \"point_value_won\": 5"));
  ASSERT_TRUE(valued.ok()) << valued.status().ToString();
  EXPECT_EQ(valued->point_value_won, 5);
  const std::string shown = ProgramToJson(*valued);
  EXPECT_NE(shown.find("\"point_value_won\": 5"), std::string::npos) << shown;
  EXPECT_EQ(ParseProgramJson(shown)->point_value_won, 5);
  // The default is not written: a programme stored before the field keeps its text and hash.
  auto plain = ParseProgramJson(Programme());
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->point_value_won, 1);
  EXPECT_EQ(ProgramToJson(*plain).find("point_value_won"), std::string::npos);
  auto one = ParseProgramJson(Programme(kGold, kSilver, ",\n  \"point_value_won\": 1"));
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(ProgramToJson(*one), ProgramToJson(*plain));
  auto demo = ParseProgramJson(DemoProgramJson());
  ASSERT_TRUE(demo.ok());
  EXPECT_EQ(demo->point_value_won, 1);

  for (const char* bad : {"0", "-3", "10001"}) {
    Status s = ErrorOf(Programme(kGold, kSilver, std::string(",\n  \"point_value_won\": ") + bad));
    EXPECT_EQ(s.field(), "point_value_won") << bad;
  }
  Status text = ErrorOf(Programme(kGold, kSilver, ",\n  \"point_value_won\": \"1\""));
  EXPECT_EQ(text.field(), "point_value_won");
  EXPECT_TRUE(Says(text, "must be an integer")) << text.message();
  Status fraction = ErrorOf(Programme(kGold, kSilver, ",\n  \"point_value_won\": 1.5"));
  EXPECT_EQ(fraction.field(), "point_value_won");
}

}  // namespace
}  // namespace loyalty
