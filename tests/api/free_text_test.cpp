// Free text a client sends (notes, reasons, names, codes) holds no control character, and a
// string that is not UTF-8 is refused as such: both a 400 naming the member, nothing written.
#include "api/json_codec.h"
#include "tests/api/api_test_util.h"

namespace loyalty::apitest {
namespace {

TEST(CheckTextTest, RefusesC0DelAndC1ControlsNamingTheCharacter) {
  EXPECT_TRUE(CheckText("reason", "가입 축하 ₩3,000 (CS #42)", TextLines::kSingleLine).ok());
  EXPECT_TRUE(CheckText("reason", "", TextLines::kSingleLine).ok());
  EXPECT_TRUE(CheckText("reason",
                        "no\xC2\xA0"
                        "break",
                        TextLines::kSingleLine)
                  .ok());  // U+00A0
  for (const std::string& bad :
       {std::string("a\0b", 3), std::string("a\x01"), std::string("\x1F"), std::string("a\tb"),
        std::string("a\nb"), std::string("a\rb"), std::string("a\x7F"), std::string("a\xC2\x80"),
        std::string("a\xC2\x85z"), std::string("\xC2\x9F")}) {
    Status s = CheckText("reason", bad, TextLines::kSingleLine);
    EXPECT_EQ(s.code(), Code::kValidationFailed) << bad;
    EXPECT_EQ(s.field(), "reason");
    EXPECT_NE(s.message().find("control character U+"), std::string::npos) << s.message();
  }
  Status where = CheckText("note", "환불 \x1b[31m", TextLines::kSingleLine);
  EXPECT_NE(where.message().find("U+001B at character 4"), std::string::npos) << where.message();
  Status c1 = CheckText("note", "ab\xC2\x9B", TextLines::kSingleLine);
  EXPECT_NE(c1.message().find("U+009B at character 3"), std::string::npos) << c1.message();
}

TEST(CheckTextTest, MultiLineAllowsLineFeedAndTabOnly) {
  EXPECT_TRUE(CheckText("note", "line 1\nline 2\n\tindented", TextLines::kMultiLine).ok());
  EXPECT_FALSE(CheckText("note", "line 1\r\nline 2", TextLines::kMultiLine).ok());
  EXPECT_FALSE(CheckText("note", "a\x0B", TextLines::kMultiLine).ok());
  EXPECT_FALSE(CheckText("note", "a\xC2\x85", TextLines::kMultiLine).ok());  // NEL is C1
  EXPECT_NE(CheckText("note", "a\rb", TextLines::kMultiLine).message().find("line feed and tab"),
            std::string::npos);
}

class FreeTextTest : public ApiTest {
 protected:
  void ExpectInvalid(const HttpResult& r, const std::string& field, const std::string& says) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.ContentType(), "application/problem+json");
    if (r.status != 400) return;
    EXPECT_EQ(r.Str("code"), "validation_failed");
    EXPECT_EQ(r.Str("field"), field) << r.body;
    EXPECT_NE(r.Str("detail").find(says), std::string::npos) << r.body;
  }
  HttpResult Adjust(const std::string& id, const std::string& note_json) {
    return client().Post("/v1/customers/c-t/adjustments", Token("cs_supervisor"),
                         R"({"adjustment_id":")" + id +
                             R"(","points":100,"reason_code":"goodwill","note":)" + note_json +
                             "}");
  }
  bool AdjustmentExists(const std::string& id) {
    auto a = session_->FindAdjustment(id);
    EXPECT_TRUE(a.ok());
    return a.ok() && a->has_value();
  }
};

TEST_F(FreeTextTest, ControlCharactersInANoteAreRefusedButLineBreaksAreANotesOwn) {
  MakeCustomer("c-t");
  // Escaped in JSON or not, a control character is refused in the member that holds it.
  ExpectInvalid(Adjust("a-bell", R"("late delivery\u0007")"), "note", "U+0007");
  ExpectInvalid(Adjust("a-esc", R"("\u001b[2J cleared")"), "note", "U+001B");
  ExpectInvalid(Adjust("a-del", R"("x\u007f")"), "note", "U+007F");
  ExpectInvalid(Adjust("a-c1", R"("x\u0085y")"), "note", "U+0085");
  ExpectInvalid(Adjust("a-cr", R"("one\r\ntwo")"), "note", "U+000D");
  ExpectInvalid(Adjust("a-raw", "\"raw\x01\""), "note", "control character");
  for (const char* id : {"a-bell", "a-esc", "a-del", "a-c1", "a-cr", "a-raw"}) {
    EXPECT_FALSE(AdjustmentExists(id)) << id;
  }
  // A note is typed into a text area: line feed and tab are its own.
  HttpResult ok = Adjust("a-ok", R"("called the customer\n\tpromised 100 points")");
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_TRUE(AdjustmentExists("a-ok"));
}

TEST_F(FreeTextTest, SingleLineFieldsRefuseLineBreaksToo) {
  MakeCustomer("c-t");
  const std::string cs = Token("cs_supervisor");
  ExpectInvalid(client().Post("/v1/customers/c-t/coupons", cs,
                              R"({"issuance_id":"i-1","template":"WELCOME","reason":"a\nb"})"),
                "reason", "U+000A");
  ExpectInvalid(client().Post("/v1/customers/c-t/coupons", cs,
                              R"({"issuance_id":"i-2","template":"WEL\u0000COME","reason":"x"})"),
                "template", "U+0000");
  ExpectInvalid(client().Post("/v1/coupon-batches", cs,
                              R"({"batch_id":"b-1","template":"WELCOME","reason":"\u009b1m",)"
                              R"("count":2})"),
                "reason", "U+009B");
  ExpectInvalid(client().Post("/v1/orders", Token("checkout"),
                              R"({"order_id":"o-t","customer_id":"c-t","amount_won":1000,)"
                              R"("coupon_code":["WELCOME-7K3M9XQ2RT4HC","X\tY"]})"),
                "coupon_code[1]", "U+0009");
  ExpectInvalid(client().Post("/v1/customers/c-t/consent", Token("messaging"),
                              R"({"marketing_consent":true,"channel":"web\u0000"})"),
                "channel", "U+0000");
  EXPECT_FALSE(OrderExists("o-t"));
  // The same requests with clean text go through: the control character was all that was wrong.
  EXPECT_EQ(client()
                .Post("/v1/customers/c-t/coupons", cs,
                      R"({"issuance_id":"i-1","template":"BIRTHDAY_GOLD","reason":"a b"})")
                .status,
            201);
}

TEST_F(FreeTextTest, InvalidUtf8IsNamedAsSuchWithTheMemberPath) {
  MakeCustomer("c-t");
  HttpResult note = Adjust("a-utf8", "\"caf\xC3\"");
  ExpectInvalid(note, "note", "invalid UTF-8");
  EXPECT_NE(note.Str("detail").find("0xC3"), std::string::npos) << note.body;
  EXPECT_FALSE(AdjustmentExists("a-utf8"));
  // Nested: the path says which array item.
  ExpectInvalid(client().Post("/v1/orders", Token("checkout"),
                              "{\"order_id\":\"o-u\",\"customer_id\":\"c-t\",\"amount_won\":1000,"
                              "\"coupon_code\":[\"A\",\"\xED\xA0\x80\"]}"),
                "coupon_code[1]", "invalid UTF-8");
  EXPECT_FALSE(OrderExists("o-u"));
}

}  // namespace
}  // namespace loyalty::apitest
