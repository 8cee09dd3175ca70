// Unit tests of the strict request codec and the renderings, without a server.
#include "api/json_codec.h"

#include <gtest/gtest.h>

#include "api/json_render.h"

namespace loyalty {
namespace {

Poco::JSON::Object::Ptr Parse(const std::string& text) {
  auto r = ParseJsonBody(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Poco::JSON::Object::Ptr(new Poco::JSON::Object);
}

std::string FieldOf(const Status& s) { return s.ok() ? "<ok>" : s.field(); }

TEST(JsonCodecTest, IntegersMustBeExactAndJsonSafe) {
  auto o =
      Parse(R"({"max":9007199254740991,"min":-9007199254740991,"over":9007199254740992,)"
            R"("under":-9007199254740992,"frac":1.5,"whole":2.0,"exp":1e2,"str":"7","t":true})");
  EXPECT_EQ(*RequireInteger(*o, "max"), kMaxJsonSafeInteger);
  EXPECT_EQ(*RequireInteger(*o, "min"), -kMaxJsonSafeInteger);
  for (const char* bad : {"over", "under", "frac", "whole", "exp", "str", "t"}) {
    auto r = RequireInteger(*o, bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().field(), bad);
    EXPECT_EQ(r.status().code(), Code::kValidationFailed);
  }
  EXPECT_EQ(RequireInteger(*o, "absent").status().message(), "is required");
  EXPECT_FALSE(OptInteger(*o, "absent")->has_value());
}

TEST(JsonCodecTest, BodiesMustBeOneObject) {
  ASSERT_TRUE(ParseJsonBody("").ok());
  EXPECT_EQ((*ParseJsonBody("  \n"))->size(), 0u);
  for (const char* bad : {"[]", "1", "\"x\"", "null", "{", "{} {}", "{\"a\":}", "{'a':1}"}) {
    auto r = ParseJsonBody(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(FieldOf(r.status()), "body") << bad;
  }
  std::string deep(40, '[');
  EXPECT_FALSE(ParseJsonBody("{\"a\":" + deep + std::string(40, ']') + "}").ok());
}

TEST(JsonCodecTest, CanonicalJsonSortsKeysAtEveryLevel) {
  auto a = Parse(R"({"b":1,"a":{"y":true,"x":"s"},"c":[3,2]})");
  auto b = Parse(R"({ "c":[3,2], "a":{"x":"s","y":true}, "b":1 })");
  EXPECT_EQ(CanonicalJson(*a), CanonicalJson(*b));
  EXPECT_EQ(CanonicalJson(*a).find(' '), std::string::npos);
  EXPECT_LT(CanonicalJson(*a).find("\"a\""), CanonicalJson(*a).find("\"b\""));
}

TEST(JsonCodecTest, UnknownFieldsAreNamed) {
  auto o = Parse(R"({"order_id":"x","coupon":"y"})");
  Status s = CheckKnownFields(*o, {"order_id"});
  EXPECT_EQ(s.field(), "coupon");
  EXPECT_TRUE(CheckKnownFields(*o, {"order_id", "coupon"}).ok());
}

TEST(JsonCodecTest, Ids) {
  EXPECT_TRUE(IsValidId("order-2026.03:x_y@shop"));
  EXPECT_TRUE(IsValidId(std::string(kMaxIdLength, 'a')));
  EXPECT_FALSE(IsValidId(std::string(kMaxIdLength + 1, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("a b"));
  EXPECT_FALSE(IsValidId("a/b"));
  EXPECT_FALSE(IsValidId("주문"));
  EXPECT_EQ(ValidateId("order_id", "").message(), "must not be empty");
  auto o = Parse(R"({"id":12,"empty":""})");
  EXPECT_EQ(FieldOf(RequireId(*o, "id").status()), "id");
  EXPECT_EQ(FieldOf(RequireId(*o, "empty").status()), "empty");
}

TEST(JsonCodecTest, StringsCountCharactersNotBytes) {
  EXPECT_EQ(Utf8Length("포인트"), 3u);
  auto o = Parse(R"({"note":"포인트","n":null})");
  EXPECT_TRUE(OptString(*o, "note", 3).ok());
  EXPECT_FALSE(OptString(*o, "note", 2).ok());
  EXPECT_FALSE(OptString(*o, "n", 10).ok());
  auto nullable = OptNullableString(*o, "n", 10);
  ASSERT_TRUE(nullable.ok());
  ASSERT_TRUE(nullable->has_value());
  EXPECT_FALSE(nullable->value().has_value());
}

TEST(JsonCodecTest, ReasonCodesAndQueryIntegers) {
  EXPECT_TRUE(ValidateReasonCode("r", "late_delivery_2").ok());
  EXPECT_FALSE(ValidateReasonCode("r", "Late").ok());
  EXPECT_FALSE(ValidateReasonCode("r", "").ok());
  EXPECT_FALSE(ValidateReasonCode("r", std::string(65, 'a')).ok());
  EXPECT_EQ(*ParseQueryInteger("limit", "500", 1, 500), 500);
  for (const char* bad : {"", "0", "501", "-1", "1.0", "1e2", " 5", "99999999999999999"}) {
    EXPECT_FALSE(ParseQueryInteger("limit", bad, 1, 500).ok()) << bad;
  }
}

TEST(JsonRenderTest, RendersEventsWithEmbeddedPayloadAndRfc3339Instants) {
  Event e;
  e.event_id = 7;
  e.customer_id = "c-1";
  e.seq = 2;
  e.type = "order.placed";
  e.payload_json = R"({"order_id":"o-1"})";
  e.created_at_us = 1'772'413'200'000'000;  // 2026-03-02T01:00:00Z
  EXPECT_EQ(RenderEvent(e), R"({"event_id":7,"customer_id":"c-1","seq":2,"type":"order.placed",)"
                            R"("payload":{"order_id":"o-1"},"created_at":"2026-03-02T01:00:00Z"})");
  EXPECT_EQ(JsonInstantOrNull(0), "null");
  EXPECT_EQ(JsonCursorOrNull(0), "null");
  EXPECT_EQ(JsonCursorOrNull(42), "\"42\"");
}

}  // namespace
}  // namespace loyalty
