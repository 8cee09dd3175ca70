// Strict request parsing over Poco::JSON. Every error is Status::Invalid(field, why), where
// field is the JSON member at fault ("amount_won") or "body" when the document itself is bad.
//
// The rules (docs/api/openapi.yaml repeats them): unknown members are rejected; types must
// match exactly (no "12" for 12, no null unless the member is documented nullable); numbers
// must be integers written without fraction or exponent (1.0 and 1e3 are refused, never
// rounded) within +-(2^53-1); ids are 1..kMaxIdLength characters of [A-Za-z0-9._:@-].
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/limits.h"
#include "core/status.h"

namespace loyalty {

// Parses a request body that must be one JSON object; an empty body is the empty object. Read by
// the strict reader (api/strict_json.h): a duplicate member, and a string with invalid UTF-8 or
// a raw control character, are refused naming the member ("lines[2].note"); any other
// malformation is refused as "body". The message says where (line and column).
// Keys are kept sorted (no insertion order), which CanonicalJson relies on.
Result<Poco::JSON::Object::Ptr> ParseJsonBody(const std::string& body);

// Compact JSON with keys sorted at every level: the canonical form hashed for idempotency.
std::string CanonicalJson(const Poco::JSON::Object& object);

bool IsValidId(std::string_view id);
Status ValidateId(const std::string& field, std::string_view id);
// 1..kMaxReasonCodeLength characters of [a-z0-9_].
Status ValidateReasonCode(const std::string& field, std::string_view code);
// Number of UTF-8 code points (continuation bytes are not counted).
size_t Utf8Length(std::string_view text);

// Free text that a client sends and the engine stores or shows (reasons, notes, names) never
// holds a control character: they corrupt logs, CSV exports and the screens CS reads them on.
// kMultiLine is for the few fields a person types into a text area (an adjustment's note): line
// feed and tab are allowed there, nothing else (not CR: one line break, one spelling).
enum class TextLines { kSingleLine, kMultiLine };
// Refuses C0 controls (U+0000-U+001F), DEL (U+007F) and C1 controls (U+0080-U+009F), except LF
// and TAB for kMultiLine: Invalid(field, ...) naming the character and its position.
// REQUIRES: text is valid UTF-8 (the strict reader refuses anything else).
Status CheckText(const std::string& field, std::string_view text, TextLines lines);

// Rejects any member not in `allowed`.
Status CheckKnownFields(const Poco::JSON::Object& object,
                        std::initializer_list<std::string_view> allowed);

// Absent -> nullopt. Present -> must be of the type, else an error naming the member.
Result<std::optional<int64_t>> OptInteger(const Poco::JSON::Object& object,
                                          const std::string& name);
Result<std::optional<bool>> OptBool(const Poco::JSON::Object& object, const std::string& name);
// Strings are checked by CheckText as well: every string member is free text to this reader.
Result<std::optional<std::string>> OptString(const Poco::JSON::Object& object,
                                             const std::string& name, size_t max_chars,
                                             TextLines lines = TextLines::kSingleLine);
Result<std::optional<std::string>> OptId(const Poco::JSON::Object& object, const std::string& name);
// Present and null -> engaged nullopt; used for "birth_date": null (clear it).
Result<std::optional<std::optional<std::string>>> OptNullableString(
    const Poco::JSON::Object& object, const std::string& name, size_t max_chars);
// An array item that must be a single-line string of 1..max_chars characters; field names it
// ("coupon_code[1]").
Result<std::string> ItemString(const std::string& field, const Poco::Dynamic::Var& item,
                               size_t max_chars);

// Required variants: absence is an error ("is required").
Result<int64_t> RequireInteger(const Poco::JSON::Object& object, const std::string& name);
Result<std::string> RequireId(const Poco::JSON::Object& object, const std::string& name);

// value in [min, max], else Invalid(field, "must be between min and max").
Status CheckRange(const std::string& field, int64_t value, int64_t min, int64_t max);

// A query parameter that must be a plain decimal integer in [min, max].
Result<int64_t> ParseQueryInteger(const std::string& field, const std::string& text, int64_t min,
                                  int64_t max);

}  // namespace loyalty
