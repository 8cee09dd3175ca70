#include "api/strict_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <system_error>
#include <utility>
#include <vector>

#include "core/limits.h"

namespace loyalty {
namespace {

using Kind = StrictJsonError::Kind;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Length of the well-formed UTF-8 sequence starting at text[pos] (RFC 3629 table 3-7: no
// overlong forms, no encoded surrogates, nothing past U+10FFFF), or 0 when it is malformed.
size_t Utf8SequenceLength(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) -> unsigned {
    return pos + i < text.size() ? static_cast<unsigned char>(text[pos + i]) : 0x100;
  };
  const auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
  const unsigned b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (in(b0, 0xC2, 0xDF)) return in(byte(1), 0x80, 0xBF) ? 2 : 0;
  if (in(b0, 0xE0, 0xEF)) {
    const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned hi = b0 == 0xED ? 0x9F : 0xBF;
    return in(byte(1), lo, hi) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
  }
  if (in(b0, 0xF0, 0xF4)) {
    const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return in(byte(1), lo, hi) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

class StrictParser {
 public:
  StrictParser(std::string_view text, const StrictJsonOptions& options)
      : text_(text), options_(options) {}

  bool Parse(Poco::Dynamic::Var& out) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") {
      return Fail(Kind::kSyntax, 0, "is not valid JSON: a byte order mark is not allowed");
    }
    SkipWhitespace();
    if (!Value(out, 0)) return false;
    SkipWhitespace();
    if (pos_ < text_.size()) {
      return Fail(Kind::kSyntax, pos_,
                  "is not valid JSON: " + Found() + " after the end of the document");
    }
    return true;
  }

  const StrictJsonError& error() const { return error_; }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  void SkipWhitespace() {
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++pos_;
    }
  }

  // What sits at pos_, for "expected X, found Y".
  std::string Found() const {
    if (AtEnd()) return "the end of the input";
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
    if (c < 0x20 || c == 0x7F) return "a control character";
    return "a non-ASCII character";
  }

  std::string Path() const {
    std::string path;
    for (const std::string& segment : path_) path += segment;
    if (!path.empty() && path[0] == '.') path.erase(0, 1);
    return path;
  }

  // Records the first failure at byte `offset`; always returns false.
  bool Fail(Kind kind, size_t offset, std::string what) {
    error_.kind = kind;
    error_.path = Path();
    error_.what = std::move(what);
    // Everything before `offset` has been checked to be UTF-8, so counting the bytes that do not
    // continue a sequence counts characters.
    error_.line = 1;
    error_.column = 1;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      const unsigned char c = static_cast<unsigned char>(text_[i]);
      if (c == '\n') {
        ++error_.line;
        error_.column = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++error_.column;
      }
    }
    return false;
  }

  bool Expected(const std::string& what) {
    return Fail(Kind::kSyntax, pos_, "is not valid JSON: expected " + what + ", found " + Found());
  }

  bool Value(Poco::Dynamic::Var& out, size_t depth) {
    switch (Peek()) {
      case '{':
        return ObjectValue(out, depth + 1);
      case '[':
        return ArrayValue(out, depth + 1);
      case '"': {
        std::string s;
        if (!StringValue(s)) return false;
        out = std::move(s);
        return true;
      }
      case 't':
        return Literal("true", true, out);
      case 'f':
        return Literal("false", false, out);
      case 'n':
        if (text_.substr(pos_, 4) != "null") return Expected("a value");
        pos_ += 4;
        out.clear();
        return true;
      default:
        if (Peek() == '-' || IsDigit(Peek())) return NumberValue(out);
        return Expected("a value");
    }
  }

  bool Literal(std::string_view word, bool value, Poco::Dynamic::Var& out) {
    if (text_.substr(pos_, word.size()) != word) return Expected("a value");
    pos_ += word.size();
    out = value;
    return true;
  }

  bool CheckDepth(size_t depth) {
    if (depth <= options_.max_depth) return true;
    return Fail(Kind::kTooDeep, pos_,
                "is nested deeper than " + std::to_string(options_.max_depth) + " levels");
  }

  bool ObjectValue(Poco::Dynamic::Var& out, size_t depth) {
    if (!CheckDepth(depth)) return false;
    Poco::JSON::Object::Ptr object =
        new Poco::JSON::Object(options_.preserve_key_order ? Poco::JSON_PRESERVE_KEY_ORDER : 0);
    ++pos_;  // '{'
    SkipWhitespace();
    if (Peek() == '}') {
      ++pos_;
      out = object;
      return true;
    }
    while (true) {
      if (Peek() != '"') return Expected("a member name in double quotes");
      const size_t key_at = pos_;
      std::string key;
      if (!StringValue(key)) return false;
      path_.push_back("." + key);
      if (object->has(key)) {
        return Fail(Kind::kDuplicateMember, key_at,
                    "is a duplicate member (a name may appear once per object)");
      }
      SkipWhitespace();
      if (Peek() != ':') return Expected("':' after the member name");
      ++pos_;
      SkipWhitespace();
      Poco::Dynamic::Var value;
      if (!Value(value, depth)) return false;
      object->set(key, value);
      path_.pop_back();
      SkipWhitespace();
      if (Peek() == ',') {
        ++pos_;
        SkipWhitespace();
        continue;
      }
      if (Peek() == '}') {
        ++pos_;
        out = object;
        return true;
      }
      return Expected("',' or '}' after an object member");
    }
  }

  bool ArrayValue(Poco::Dynamic::Var& out, size_t depth) {
    if (!CheckDepth(depth)) return false;
    Poco::JSON::Array::Ptr array = new Poco::JSON::Array();
    ++pos_;  // '['
    SkipWhitespace();
    if (Peek() == ']') {
      ++pos_;
      out = array;
      return true;
    }
    for (size_t index = 0;; ++index) {
      path_.push_back("[" + std::to_string(index) + "]");
      Poco::Dynamic::Var value;
      if (!Value(value, depth)) return false;
      array->add(value);
      path_.pop_back();
      SkipWhitespace();
      if (Peek() == ',') {
        ++pos_;
        SkipWhitespace();
        continue;
      }
      if (Peek() == ']') {
        ++pos_;
        out = array;
        return true;
      }
      return Expected("',' or ']' after an array element");
    }
  }

  // Four hex digits after "\u" at pos_ (which points at the backslash).
  bool HexEscape(uint32_t& out) {
    if (text_.substr(pos_, 2) != "\\u") return false;
    uint32_t v = 0;
    for (size_t i = 2; i < 6; ++i) {
      const int h = pos_ + i < text_.size() ? HexValue(text_[pos_ + i]) : -1;
      if (h < 0) return false;
      v = v * 16 + static_cast<uint32_t>(h);
    }
    out = v;
    return true;
  }

  bool StringValue(std::string& out) {
    ++pos_;  // '"'
    while (true) {
      if (AtEnd()) return Fail(Kind::kSyntax, pos_, "is not valid JSON: unterminated string");
      const unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) {
        return Fail(Kind::kEncoding, pos_,
                    "is not valid JSON: a control character in a string must be escaped");
      }
      if (c == '\\') {
        if (!Escape(out)) return false;
        continue;
      }
      const size_t n = Utf8SequenceLength(text_, pos_);
      if (n == 0) {
        char byte[5];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned>(c));
        return Fail(Kind::kEncoding, pos_,
                    std::string("is invalid UTF-8 (byte ") + byte +
                        " does not begin a well-formed sequence)");
      }
      out.append(text_.substr(pos_, n));
      pos_ += n;
    }
  }

  // One escape sequence at pos_ (the backslash), appended to out as UTF-8.
  bool Escape(std::string& out) {
    constexpr std::string_view kEscapes = "\"\\/bfnrt";  // after the backslash
    constexpr std::string_view kMeanings = "\"\\/\b\f\n\r\t";
    const char e = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
    if (const size_t i = kEscapes.find(e); i != std::string_view::npos) {
      out += kMeanings[i];
      pos_ += 2;
      return true;
    }
    if (e != 'u') return Fail(Kind::kSyntax, pos_, "is not valid JSON: unknown escape sequence");
    uint32_t cp = 0;
    if (!HexEscape(cp)) {
      return Fail(Kind::kSyntax, pos_, "is not valid JSON: \\u must be followed by 4 hex digits");
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return Fail(Kind::kEncoding, pos_, "is not valid JSON: lone low surrogate in a \\u escape");
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      const size_t high_at = pos_;
      pos_ += 6;
      uint32_t low = 0;
      if (!HexEscape(low) || low < 0xDC00 || low > 0xDFFF) {
        return Fail(Kind::kEncoding, high_at,
                    "is not valid JSON: high surrogate in a \\u escape not followed by a low one");
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    AppendUtf8(out, cp);
    pos_ += 6;
    return true;
  }

  bool NumberValue(Poco::Dynamic::Var& out) {
    const size_t start = pos_;
    const bool negative = Peek() == '-';
    if (negative) ++pos_;
    if (Peek() == '0') {
      ++pos_;
      if (IsDigit(Peek())) {
        return Fail(Kind::kSyntax, start, "is not valid JSON: a number may not have leading zeros");
      }
    } else if (IsDigit(Peek())) {
      while (IsDigit(Peek())) ++pos_;
    } else {
      return Expected("a digit");
    }
    const size_t integer_end = pos_;
    bool integer = true;
    if (Peek() == '.') {
      integer = false;
      ++pos_;
      if (!IsDigit(Peek())) return Expected("a digit after the decimal point");
      while (IsDigit(Peek())) ++pos_;
    }
    if (Peek() == 'e' || Peek() == 'E') {
      integer = false;
      ++pos_;
      if (Peek() == '+' || Peek() == '-') ++pos_;
      if (!IsDigit(Peek())) return Expected("a digit in the exponent");
      while (IsDigit(Peek())) ++pos_;
    }
    if (integer) return IntegerValue(start, negative, integer_end, out);
    double d = 0;
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    const auto [ptr, ec] = std::from_chars(first, last, d, std::chars_format::general);
    if (ec != std::errc() || ptr != last || !std::isfinite(d)) {
      return Fail(Kind::kNumberOutOfRange, start, "is a number that does not fit a double");
    }
    out = d;
    return true;
  }

  bool IntegerValue(size_t start, bool negative, size_t end, Poco::Dynamic::Var& out) {
    uint64_t magnitude = 0;
    bool overflow = false;
    for (size_t i = start + (negative ? 1 : 0); i < end; ++i) {
      const uint64_t digit = static_cast<uint64_t>(text_[i] - '0');
      if (magnitude > (UINT64_MAX - digit) / 10) overflow = true;
      magnitude = magnitude * 10 + digit;
    }
    constexpr uint64_t kSafe = static_cast<uint64_t>(kMaxJsonSafeInteger);
    if (!overflow && magnitude <= kSafe) {
      const auto n = static_cast<Poco::Int64>(magnitude);
      out = negative ? -n : n;
      return true;
    }
    if (options_.refuse_unsafe_integers) {
      return Fail(Kind::kNumberOutOfRange, start,
                  "is an integer outside +-(2^53-1), the range every JSON reader keeps exact");
    }
    constexpr uint64_t kInt64Max = static_cast<uint64_t>(INT64_MAX);
    if (!overflow && negative && magnitude <= kInt64Max + 1) {
      out = magnitude == kInt64Max + 1 ? INT64_MIN : -static_cast<Poco::Int64>(magnitude);
      return true;
    }
    if (!overflow && !negative) {
      if (magnitude <= kInt64Max) {
        out = static_cast<Poco::Int64>(magnitude);
      } else {
        out = static_cast<Poco::UInt64>(magnitude);
      }
      return true;
    }
    return Fail(Kind::kNumberOutOfRange, start, "is an integer too large for 64 bits");
  }

  std::string_view text_;
  const StrictJsonOptions& options_;
  size_t pos_ = 0;
  std::vector<std::string> path_;  // ".name" or "[i]" per level, joined only on failure
  StrictJsonError error_;
};

}  // namespace

std::string StrictJsonError::Describe() const {
  return what + " at line " + std::to_string(line) + ", column " + std::to_string(column);
}

Status StrictJsonError::ToStatus() const { return Status::Invalid(path, Describe()); }

Result<Poco::Dynamic::Var> ParseStrictJson(std::string_view text, const StrictJsonOptions& options,
                                           StrictJsonError* error) {
  StrictParser parser(text, options);
  Poco::Dynamic::Var out;
  if (parser.Parse(out)) return out;
  if (error != nullptr) *error = parser.error();
  return parser.error().ToStatus();
}

}  // namespace loyalty
