// The strict JSON reader (RFC 8259) shared by request bodies and the programme file: what it
// produces, everything it refuses, and where it says the problem is (JSON path, line, column).
#include "api/strict_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/json_codec.h"

namespace loyalty {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using Kind = StrictJsonError::Kind;

Poco::Dynamic::Var Parse(const std::string& text, const StrictJsonOptions& options = {}) {
  auto r = ParseStrictJson(text, options);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : Poco::Dynamic::Var();
}

StrictJsonError Error(const std::string& text, const StrictJsonOptions& options = {}) {
  StrictJsonError error;
  auto r = ParseStrictJson(text, options, &error);
  EXPECT_FALSE(r.ok()) << "accepted: " << text;
  if (!r.ok()) {
    // The Status is the error, whole.
    EXPECT_EQ(r.status().code(), Code::kValidationFailed);
    EXPECT_EQ(r.status().field(), error.path);
    EXPECT_EQ(r.status().message(), error.Describe());
  }
  return error;
}

std::string Where(const StrictJsonError& e) {
  return std::to_string(e.line) + ":" + std::to_string(e.column);
}

TEST(StrictJsonTest, ProducesThePocoValuesExistingCodeWalks) {
  Poco::Dynamic::Var v =
      Parse(R"({"o":{"k":"v"},"a":[1,"x"],"s":"text","i":-42,"d":1.5,"e":1e2,"t":true,)"
            R"("f":false,"n":null})");
  ASSERT_EQ(v.type(), typeid(Object::Ptr));
  Object::Ptr o = v.extract<Object::Ptr>();
  ASSERT_FALSE(o->getObject("o").isNull());
  EXPECT_EQ(o->getObject("o")->getValue<std::string>("k"), "v");
  ASSERT_FALSE(o->getArray("a").isNull());
  EXPECT_EQ(o->getArray("a")->size(), 2u);
  EXPECT_EQ(o->get("s").extract<std::string>(), "text");
  EXPECT_EQ(o->get("i").type(), typeid(Poco::Int64));
  EXPECT_EQ(o->get("i").extract<Poco::Int64>(), -42);
  EXPECT_EQ(o->get("d").type(), typeid(double));
  EXPECT_EQ(o->get("e").type(), typeid(double));  // an exponent makes a double, as in Poco
  EXPECT_DOUBLE_EQ(o->get("e").extract<double>(), 100.0);
  EXPECT_TRUE(o->get("t").isBoolean());
  EXPECT_TRUE(o->get("t").extract<bool>());
  EXPECT_FALSE(o->get("f").extract<bool>());
  EXPECT_TRUE(o->get("n").isEmpty());
  // Any value may be the root (RFC 8259), with whitespace around it.
  EXPECT_EQ(Parse(" \t\r\n7 \n").extract<Poco::Int64>(), 7);
  EXPECT_EQ(Parse("\"s\"").extract<std::string>(), "s");
  EXPECT_TRUE(Parse("null").isEmpty());
  EXPECT_EQ(Parse("-0").extract<Poco::Int64>(), 0);
  EXPECT_EQ(Parse("[]").extract<Array::Ptr>()->size(), 0u);
  EXPECT_EQ(Parse("{}").extract<Object::Ptr>()->size(), 0u);
}

TEST(StrictJsonTest, KeysAreSortedUnlessOrderIsPreserved) {
  const std::string text = R"({"b":1,"c":2,"a":3})";
  Object::Ptr sorted = Parse(text).extract<Object::Ptr>();
  EXPECT_EQ(sorted->getNames(), (std::vector<std::string>{"a", "b", "c"}));
  StrictJsonOptions preserve;
  preserve.preserve_key_order = true;
  Object::Ptr ordered = Parse(text, preserve).extract<Object::Ptr>();
  EXPECT_EQ(ordered->getNames(), (std::vector<std::string>{"b", "c", "a"}));
}

TEST(StrictJsonTest, DecodesEscapesAndKeepsUtf8) {
  EXPECT_EQ(Parse(R"("\"\\\/\b\f\n\r\t")").extract<std::string>(), "\"\\/\b\f\n\r\t");
  EXPECT_EQ(Parse(R"("\u0041\u00e9\u00E9\uD55C")").extract<std::string>(), "Aéé한");
  EXPECT_EQ(Parse(R"("\ud83d\ude00")").extract<std::string>(), "\xF0\x9F\x98\x80");  // U+1F600
  EXPECT_EQ(Parse(R"("\u0000")").extract<std::string>(), std::string(1, '\0'));
  EXPECT_EQ(Parse("\"포인트 ₩3,000 \xF0\x9F\x98\x80 \x7F\"").extract<std::string>(),
            "포인트 ₩3,000 \xF0\x9F\x98\x80 \x7F");
  EXPECT_EQ(Parse(R"({"이름":"값"})").extract<Object::Ptr>()->getValue<std::string>("이름"), "값");
}

TEST(StrictJsonTest, RefusesDuplicateMembersAtAnyDepth) {
  StrictJsonError root = Error(R"({"amount_won":-5,"amount_won":10000})");
  EXPECT_EQ(root.kind, Kind::kDuplicateMember);
  EXPECT_EQ(root.path, "amount_won");
  EXPECT_EQ(Where(root), "1:18");  // the second "amount_won"
  EXPECT_NE(root.Describe().find("duplicate"), std::string::npos);
  EXPECT_NE(root.Describe().find("line 1, column 18"), std::string::npos) << root.Describe();

  StrictJsonError deep = Error("{\"a\": {\"b\": [\n  {\"c\": 1},\n  {\"c\": 1, \"c\": 1}]}}");
  EXPECT_EQ(deep.kind, Kind::kDuplicateMember);
  EXPECT_EQ(deep.path, "a.b[1].c");
  EXPECT_EQ(Where(deep), "3:12");

  // Same value twice is still two statements; a name in another object is not a duplicate.
  EXPECT_EQ(Error(R"({"x":1,"x":1})").path, "x");
  EXPECT_EQ(Error(R"({"x":{},"y":[],"x":null})").path, "x");
  Parse(R"({"x":{"x":{"x":1}},"y":[{"x":1},{"x":2}]})");
  // Escapes are decoded before comparing: "\u0061" is "a".
  EXPECT_EQ(Error(R"({"a":1,"\u0061":2})").kind, Kind::kDuplicateMember);
  StrictJsonOptions preserve;
  preserve.preserve_key_order = true;
  EXPECT_EQ(Error(R"({"p":{"q":1,"q":2}})", preserve).path, "p.q");
}

TEST(StrictJsonTest, IntegersMustStayWithinTwoToTheFiftyThree) {
  Object::Ptr o =
      Parse(R"({"max":9007199254740991,"min":-9007199254740991})").extract<Object::Ptr>();
  EXPECT_EQ(o->get("max").extract<Poco::Int64>(), 9007199254740991);
  EXPECT_EQ(o->get("min").extract<Poco::Int64>(), -9007199254740991);
  for (const char* bad : {"9007199254740992", "-9007199254740992", "9223372036854775808",
                          "18446744073709551616", "99999999999999999999999"}) {
    StrictJsonError e = Error(std::string(R"({"tiers":[{"threshold_won":)") + bad + "}]}");
    EXPECT_EQ(e.kind, Kind::kNumberOutOfRange) << bad;
    EXPECT_EQ(e.path, "tiers[0].threshold_won") << bad;
    EXPECT_EQ(Where(e), "1:28") << bad;
  }
  // Fractions and exponents are the caller's business: kept as doubles, even when large.
  EXPECT_EQ(Parse("9007199254740992.0").type(), typeid(double));
  EXPECT_EQ(Parse("1e300").type(), typeid(double));
  EXPECT_EQ(Parse("-2.5E-3").type(), typeid(double));
  EXPECT_EQ(Error("1e400").kind, Kind::kNumberOutOfRange);  // not a finite double
  EXPECT_EQ(Error("[-1e400]").path, "[0]");
}

TEST(StrictJsonTest, UnsafeIntegersCanBeLeftToTheCaller) {
  StrictJsonOptions lax;
  lax.refuse_unsafe_integers = false;
  EXPECT_EQ(Parse("9007199254740992", lax).extract<Poco::Int64>(), 9007199254740992);
  EXPECT_EQ(Parse("-9223372036854775808", lax).extract<Poco::Int64>(), INT64_MIN);
  EXPECT_EQ(Parse("9223372036854775807", lax).extract<Poco::Int64>(), INT64_MAX);
  EXPECT_EQ(Parse("18446744073709551615", lax).extract<Poco::UInt64>(), UINT64_MAX);
  // Past 64 bits there is nothing to hand over.
  EXPECT_EQ(Error("18446744073709551616", lax).kind, Kind::kNumberOutOfRange);
  EXPECT_EQ(Error("-9223372036854775809", lax).kind, Kind::kNumberOutOfRange);
}

TEST(StrictJsonTest, RefusesInvalidUtf8) {
  for (const char* bad : {"\xC3\x28",                  // continuation missing
                          "\x80",                      // lone continuation byte
                          "\xC0\xAF", "\xC1\xBF",      // overlong 2-byte forms
                          "\xE0\x80\xAF",              // overlong 3-byte form
                          "\xF0\x80\x80\xAF",          // overlong 4-byte form
                          "\xED\xA0\x80",              // an encoded surrogate (U+D800)
                          "\xF4\x90\x80\x80",          // past U+10FFFF
                          "\xF5\x80\x80\x80", "\xFF",  // never in UTF-8
                          "\xE2\x82"}) {               // truncated
    StrictJsonError e = Error(std::string("{\"name\": \"ok ") + bad + "\"}");
    EXPECT_EQ(e.kind, Kind::kEncoding) << bad;
    EXPECT_EQ(e.path, "name");
    EXPECT_EQ(Where(e), "1:14");
    EXPECT_EQ(e.what.rfind("is invalid UTF-8 (byte 0x", 0), 0u) << e.what;
  }
  // Outside strings only ASCII has a meaning.
  EXPECT_EQ(Error("{\"a\": \xEA\xB0\x80}").kind, Kind::kSyntax);
  EXPECT_EQ(Error("[1,\xC2\xA0 2]").kind, Kind::kSyntax);  // no-break space is not whitespace
}

TEST(StrictJsonTest, RefusesUnescapedControlCharacters) {
  for (char c : {'\0', '\t', '\n', '\r', '\x1F'}) {
    StrictJsonError e = Error(std::string("{\"note\": \"a") + c + "b\"}");
    EXPECT_EQ(e.kind, Kind::kEncoding) << static_cast<int>(c);
    EXPECT_EQ(e.path, "note");
    EXPECT_EQ(e.column, 12u);
  }
}

TEST(StrictJsonTest, RefusesLoneSurrogates) {
  for (const char* bad : {R"(["\ud800"])", R"(["\udc00"])", R"(["\ud800\u0041"])", R"(["\ud800x"])",
                          R"(["\ud800\ud800"])", R"(["\ude00\ud83d"])"}) {
    StrictJsonError e = Error(bad);
    EXPECT_EQ(e.kind, Kind::kEncoding) << bad;
    EXPECT_EQ(e.path, "[0]") << bad;
    EXPECT_EQ(Where(e), "1:3") << bad;
  }
}

TEST(StrictJsonTest, RefusesTrailingGarbage) {
  for (const char* bad : {"{} {}", "{}x", "1 2", "[1]]", "{\"a\":1}}", "null,", "\"a\"\"b\""}) {
    EXPECT_EQ(Error(bad).kind, Kind::kSyntax) << bad;
    EXPECT_EQ(Error(bad).path, "") << bad;
  }
  EXPECT_EQ(Where(Error("{\n}\n  x")), "3:3");
  Parse("{}\n\n");
}

TEST(StrictJsonTest, RefusesNestingDeeperThanTheLimit) {
  const std::string ok =
      std::string(kMaxStrictJsonDepth, '[') + std::string(kMaxStrictJsonDepth, ']');
  Parse(ok);
  const std::string deep =
      std::string(kMaxStrictJsonDepth + 1, '[') + std::string(kMaxStrictJsonDepth + 1, ']');
  StrictJsonError e = Error(deep);
  EXPECT_EQ(e.kind, Kind::kTooDeep);
  EXPECT_EQ(e.column, kMaxStrictJsonDepth + 1);
  StrictJsonOptions shallow;
  shallow.max_depth = 2;
  Parse(R"({"a":[1]})", shallow);
  StrictJsonError objects = Error(R"({"a":{"b":{"c":1}}})", shallow);
  EXPECT_EQ(objects.kind, Kind::kTooDeep);
  EXPECT_EQ(objects.path, "a.b");
  // Deep nesting cannot exhaust the stack: the limit is checked before descending.
  EXPECT_EQ(Error(std::string(100000, '[')).kind, Kind::kTooDeep);
}

TEST(StrictJsonTest, RefusesEverythingElseTheRfcDoesNotAllow) {
  for (const char* bad : {"",
                          "   ",
                          "{",
                          "[",
                          "[1,]",
                          "{\"a\":1,}",
                          "{,}",
                          "[,1]",
                          "{\"a\" 1}",
                          "{\"a\":}",
                          "{a:1}",
                          "{'a':1}",
                          "['a']",
                          "{\"a\":1 \"b\":2}",
                          "[1 2]",
                          "01",
                          "-01",
                          "00",
                          "-",
                          "+1",
                          "1.",
                          ".5",
                          "1e",
                          "1e+",
                          "0x10",
                          "1_000",
                          "NaN",
                          "Infinity",
                          "-Infinity",
                          "tru",
                          "True",
                          "nul",
                          "NULL",
                          "falsey",
                          "// c\n{}",
                          "{} // c",
                          "/* c */ {}",
                          "{\"a\":1/*c*/}",
                          "\"a",
                          "\"\\x\"",
                          "\"\\u12G4\"",
                          "\"\\u12\"",
                          "\"\\\"",
                          "\"\\U0041\"",
                          "\f{}",
                          "\v1",
                          "\xEF\xBB\xBF{}"}) {
    StrictJsonError e = Error(bad);
    EXPECT_TRUE(e.kind == Kind::kSyntax || e.kind == Kind::kEncoding) << bad;
    EXPECT_NE(e.Describe().find("line "), std::string::npos) << bad;
  }
}

TEST(StrictJsonTest, LinesAndColumnsAreOneBasedAndCountCharacters) {
  EXPECT_EQ(Where(Error("")), "1:1");
  EXPECT_EQ(Where(Error("x")), "1:1");
  EXPECT_EQ(Where(Error("[1,\n 2,\n  x]")), "3:3");
  // Hangul is three bytes a character; the column counts it once.
  StrictJsonError e = Error(R"(["한글", x])");
  EXPECT_EQ(Where(e), "1:8");
  EXPECT_EQ(e.path, "[1]");
  StrictJsonError dup = Error("{\n  \"이름\": \"가\",\n  \"이름\": \"나\"\n}");
  EXPECT_EQ(dup.path, "이름");
  EXPECT_EQ(Where(dup), "3:3");
  // A carriage return is whitespace, not a line break of its own.
  EXPECT_EQ(Where(Error("[1,\r\n x]")), "2:2");
  // The message says where.
  auto r = ParseStrictJson("{\n\"a\": [1, 2,]}");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().field(), "a[2]");
  EXPECT_NE(r.status().message().find("line 2, column 12"), std::string::npos)
      << r.status().message();
}

// Request bodies: duplicates and spoilt strings (invalid UTF-8, a lone surrogate, a raw control
// character) name the member; anything else is "body", as before the strict reader, and the
// canonical form hashed for idempotency is what Poco's parser gave.
TEST(StrictJsonBodyTest, DuplicatesNameTheMemberAndOtherErrorsTheBody) {
  auto dup =
      ParseJsonBody(R"({"order_id":"o","customer_id":"v","amount_won":-5,"amount_won":10000})");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().code(), Code::kValidationFailed);
  EXPECT_EQ(dup.status().field(), "amount_won");
  EXPECT_NE(dup.status().message().find("line 1, column 51"), std::string::npos)
      << dup.status().message();
  auto nested = ParseJsonBody(R"({"coupon_codes":[],"meta":{"k":1,"k":2}})");
  ASSERT_FALSE(nested.ok());
  EXPECT_EQ(nested.status().field(), "meta.k");
  for (const char* bad :
       {"{\"a\":\"\xC3\x28\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"x\ny\"}", "{\"b\":[\"\xFF\"]}"}) {
    auto r = ParseJsonBody(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), bad[2] == 'a' ? "a" : "b[0]") << bad;
    EXPECT_NE(r.status().message().find("line "), std::string::npos) << r.status().message();
  }
  EXPECT_NE(ParseJsonBody("{\"a\":\"\xC3\x28\"}").status().message().find("invalid UTF-8"),
            std::string::npos);
  // Not inside a member: the document itself.
  for (const char* bad : {"{\"a\":1} x", "{\"a\":99999999999999999999999}", "\"\xFF\""}) {
    auto r = ParseJsonBody(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), "body") << bad;
    EXPECT_NE(r.status().message().find("line "), std::string::npos) << r.status().message();
  }
  // Past 2^53 but within 64 bits: left to RequireInteger, which names the member.
  auto big = ParseJsonBody(R"({"amount_won":9007199254740992})");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(RequireInteger(**big, "amount_won").status().field(), "amount_won");
  // Request bodies nest at most kMaxJsonDepth levels.
  std::string deep =
      "{\"a\":" + std::string(kMaxJsonDepth - 1, '[') + std::string(kMaxJsonDepth - 1, ']') + "}";
  EXPECT_TRUE(ParseJsonBody(deep).ok());
  deep = "{\"a\":" + std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']') + "}";
  EXPECT_EQ(ParseJsonBody(deep).status().field(), "body");
}

TEST(StrictJsonBodyTest, CanonicalJsonIsWhatPocosParserGave) {
  for (
      const char* text : {
          R"({"order_id":"o-1","customer_id":"c-1","amount_won":50000,"points_to_redeem":0})",
          R"({ "b" : [3, 2, {"z": null, "a": true}], "a": {"y": false, "x": "s"}, "c": -0 })",
          R"({"note":"포인트 \"quoted\" \\ \/ \u00e9 \ud83d\ude00 \t\n","d":1.5,"e":1e2,"f":-2.5E-3})",
          R"({"max":9007199254740991,"big":9223372036854775807,"ubig":18446744073709551615})",
          R"({"empty":{},"list":[],"s":""})",
      }) {
    Poco::JSON::Parser poco;
    Object::Ptr expected = poco.parse(text).extract<Object::Ptr>();
    auto strict = ParseJsonBody(text);
    ASSERT_TRUE(strict.ok()) << text << ": " << strict.status().ToString();
    EXPECT_EQ(CanonicalJson(**strict), CanonicalJson(*expected)) << text;
  }
}

}  // namespace
}  // namespace loyalty
