#include "api/json_codec.h"

#include <Poco/Dynamic/Var.h>

#include <cstdint>
#include <cstdio>
#include <sstream>

#include "api/strict_json.h"
#include "core/types.h"

namespace loyalty {
namespace {

bool IsIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '@' || c == '-';
}

bool IsBlank(const std::string& text) {
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

// Integer from a JSON value: exact type checks, no conversions.
Result<int64_t> ToInteger(const std::string& field, const Poco::Dynamic::Var& v) {
  if (v.isEmpty()) return Status::Invalid(field, "must be an integer, not null");
  if (v.isBoolean() || v.isString()) return Status::Invalid(field, "must be an integer");
  if (v.isInteger()) {
    if (v.isSigned()) {
      const int64_t n = v.convert<Poco::Int64>();
      if (n > kMaxJsonSafeInteger || n < -kMaxJsonSafeInteger) {
        return Status::Invalid(field, "must be within +-(2^53-1)");
      }
      return n;
    }
    const uint64_t n = v.convert<Poco::UInt64>();
    if (n > static_cast<uint64_t>(kMaxJsonSafeInteger)) {
      return Status::Invalid(field, "must be within +-(2^53-1)");
    }
    return static_cast<int64_t>(n);
  }
  if (v.isNumeric()) {
    return Status::Invalid(field, "must be an integer written without fraction or exponent");
  }
  return Status::Invalid(field, "must be an integer");
}

Result<std::string> ToString(const std::string& field, const Poco::Dynamic::Var& v,
                             size_t max_chars, TextLines lines) {
  if (v.isEmpty()) return Status::Invalid(field, "must be a string, not null");
  if (!v.isString()) return Status::Invalid(field, "must be a string");
  std::string s = v.extract<std::string>();
  if (Utf8Length(s) > max_chars) {
    return Status::Invalid(field, "must be at most " + std::to_string(max_chars) + " characters");
  }
  LOYALTY_RETURN_IF_ERROR(CheckText(field, s, lines));
  return s;
}

std::string CodePointName(uint32_t cp) {
  char out[8];
  std::snprintf(out, sizeof out, "U+%04X", static_cast<unsigned>(cp));
  return out;
}

}  // namespace

Result<Poco::JSON::Object::Ptr> ParseJsonBody(const std::string& body) {
  if (IsBlank(body)) return Poco::JSON::Object::Ptr(new Poco::JSON::Object());
  StrictJsonOptions options;
  options.max_depth = kMaxJsonDepth;
  options.preserve_key_order = false;  // sorted keys: CanonicalJson hashes them in that order
  // Integers past 2^53 stay readable here so that RequireInteger / OptInteger refuse them naming
  // the member, as every other bad value is; literals past 64 bits fail below as "body".
  options.refuse_unsafe_integers = false;
  StrictJsonError error;
  auto parsed = ParseStrictJson(body, options, &error);
  if (!parsed.ok()) {
    // A duplicate member is a request that says two things about one field, and invalid UTF-8
    // or a raw control character spoils one string: name the member. Anything else means the
    // document itself is unreadable.
    if (error.kind == StrictJsonError::Kind::kDuplicateMember) return error.ToStatus();
    if (error.kind == StrictJsonError::Kind::kEncoding && !error.path.empty()) {
      return error.ToStatus();
    }
    std::string why = error.Describe();
    if (!error.path.empty()) why += " (in " + error.path + ")";
    return Status::Invalid("body", why);
  }
  if (parsed->type() != typeid(Poco::JSON::Object::Ptr)) {
    return Status::Invalid("body", "must be a JSON object");
  }
  return parsed->extract<Poco::JSON::Object::Ptr>();
}

std::string CanonicalJson(const Poco::JSON::Object& object) {
  std::ostringstream out;
  object.stringify(out, 0);
  return out.str();
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdLength) return false;
  for (char c : id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

Status ValidateId(const std::string& field, std::string_view id) {
  if (id.empty()) return Status::Invalid(field, "must not be empty");
  if (id.size() > kMaxIdLength) {
    return Status::Invalid(field,
                           "must be at most " + std::to_string(kMaxIdLength) + " characters");
  }
  if (!IsValidId(id)) return Status::Invalid(field, "may only contain A-Z a-z 0-9 . _ : @ -");
  return Status::Ok();
}

Status ValidateReasonCode(const std::string& field, std::string_view code) {
  if (code.empty() || code.size() > kMaxReasonCodeLength) {
    return Status::Invalid(field,
                           "must be 1 to " + std::to_string(kMaxReasonCodeLength) + " characters");
  }
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return Status::Invalid(field, "may only contain a-z 0-9 _");
    }
  }
  return Status::Ok();
}

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

Status CheckText(const std::string& field, std::string_view text, TextLines lines) {
  size_t position = 0;  // in characters, 1-based once counted
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) == 0x80) continue;  // a continuation byte: same character
    ++position;
    uint32_t control = 0x110000;  // none
    if (c < 0x20 || c == 0x7F) {
      const bool line_break = c == '\n' || c == '\t';
      if (!(line_break && lines == TextLines::kMultiLine)) control = c;
    } else if (c == 0xC2 && i + 1 < text.size()) {
      const unsigned char next = static_cast<unsigned char>(text[i + 1]);
      if (next >= 0x80 && next <= 0x9F) control = next;  // C1: U+0080..U+009F
    }
    if (control == 0x110000) continue;
    return Status::Invalid(
        field, "contains the control character " + CodePointName(control) + " at character " +
                   std::to_string(position) +
                   (lines == TextLines::kMultiLine
                        ? "; only line feed and tab are allowed here"
                        : "; control characters (line breaks and tabs too) are not allowed here"));
  }
  return Status::Ok();
}

Status CheckKnownFields(const Poco::JSON::Object& object,
                        std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : object) {
    bool known = false;
    for (std::string_view a : allowed) known = known || a == name;
    if (!known) return Status::Invalid(name, "is not a known field");
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> OptInteger(const Poco::JSON::Object& object,
                                          const std::string& name) {
  if (!object.has(name)) return std::optional<int64_t>();
  LOYALTY_ASSIGN_OR_RETURN(int64_t n, ToInteger(name, object.get(name)));
  return std::optional<int64_t>(n);
}

Result<std::optional<bool>> OptBool(const Poco::JSON::Object& object, const std::string& name) {
  if (!object.has(name)) return std::optional<bool>();
  const Poco::Dynamic::Var v = object.get(name);
  if (v.isEmpty() || !v.isBoolean()) return Status::Invalid(name, "must be a boolean");
  return std::optional<bool>(v.extract<bool>());
}

Result<std::optional<std::string>> OptString(const Poco::JSON::Object& object,
                                             const std::string& name, size_t max_chars,
                                             TextLines lines) {
  if (!object.has(name)) return std::optional<std::string>();
  LOYALTY_ASSIGN_OR_RETURN(std::string s, ToString(name, object.get(name), max_chars, lines));
  return std::optional<std::string>(std::move(s));
}

Result<std::optional<std::string>> OptId(const Poco::JSON::Object& object,
                                         const std::string& name) {
  if (!object.has(name)) return std::optional<std::string>();
  const Poco::Dynamic::Var v = object.get(name);
  if (v.isEmpty() || !v.isString()) return Status::Invalid(name, "must be a string");
  std::string id = v.extract<std::string>();
  LOYALTY_RETURN_IF_ERROR(ValidateId(name, id));
  return std::optional<std::string>(std::move(id));
}

Result<std::optional<std::optional<std::string>>> OptNullableString(
    const Poco::JSON::Object& object, const std::string& name, size_t max_chars) {
  using Out = std::optional<std::optional<std::string>>;
  if (!object.has(name)) return Out();
  const Poco::Dynamic::Var v = object.get(name);
  if (v.isEmpty()) return Out(std::optional<std::string>());
  LOYALTY_ASSIGN_OR_RETURN(std::string s, ToString(name, v, max_chars, TextLines::kSingleLine));
  return Out(std::optional<std::string>(std::move(s)));
}

Result<std::string> ItemString(const std::string& field, const Poco::Dynamic::Var& item,
                               size_t max_chars) {
  LOYALTY_ASSIGN_OR_RETURN(std::string s, ToString(field, item, max_chars, TextLines::kSingleLine));
  if (s.empty()) return Status::Invalid(field, "must not be empty");
  return s;
}

Result<int64_t> RequireInteger(const Poco::JSON::Object& object, const std::string& name) {
  if (!object.has(name)) return Status::Invalid(name, "is required");
  return ToInteger(name, object.get(name));
}

Result<std::string> RequireId(const Poco::JSON::Object& object, const std::string& name) {
  if (!object.has(name)) return Status::Invalid(name, "is required");
  LOYALTY_ASSIGN_OR_RETURN(std::optional<std::string> id, OptId(object, name));
  return std::move(*id);
}

Status CheckRange(const std::string& field, int64_t value, int64_t min, int64_t max) {
  if (value < min || value > max) {
    return Status::Invalid(
        field, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return Status::Ok();
}

Result<int64_t> ParseQueryInteger(const std::string& field, const std::string& text, int64_t min,
                                  int64_t max) {
  if (text.empty() || text.size() > 16) return Status::Invalid(field, "must be an integer");
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Status::Invalid(field, "must be a non-negative integer");
    value = value * 10 + (c - '0');
  }
  LOYALTY_RETURN_IF_ERROR(CheckRange(field, value, min, max));
  return value;
}

}  // namespace loyalty
