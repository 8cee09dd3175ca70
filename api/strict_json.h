// The one strict JSON reader (RFC 8259), shared by HTTP request bodies (api/json_codec.h) and the
// programme file codec (app/program_codec.h). Hand-written rather than Poco::JSON::Parser because
// Poco lets the last of two duplicate members win silently, accepts lone surrogates and cannot
// say where a document is wrong.
//
// It produces the values Poco::JSON::Parser would, so code that walks Poco::JSON keeps working:
// Object::Ptr, Array::Ptr, std::string, Poco::Int64 (Poco::UInt64 only when unsafe integers are
// allowed and the value needs it), double, bool, and an empty Var for null.
//
// Refused, with the JSON path and the line and column of the offending place: duplicate object
// members at any depth, integers outside +-(2^53-1) (unless allowed), numbers that do not fit a
// double, invalid UTF-8 (overlong forms, encoded surrogates, past U+10FFFF), unescaped control
// characters, lone surrogates in \u escapes, a byte order mark, trailing garbage, nesting deeper
// than the limit, and every other departure from the RFC grammar (comments, single quotes,
// trailing commas, leading zeros, NaN, ...). Numbers with a fraction or exponent are kept as
// double: whether a member must be an integer is the caller's business.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "core/limits.h"
#include "core/status.h"

namespace loyalty {

struct StrictJsonOptions {
  // Objects and arrays nested deeper than this are refused (the root container is depth 1).
  size_t max_depth = kMaxStrictJsonDepth;
  // Objects remember their members' order (Poco::JSON_PRESERVE_KEY_ORDER); else keys are sorted,
  // which CanonicalJson relies on.
  bool preserve_key_order = false;
  // Integer literals outside +-(2^53-1) are refused. When false they are kept as Int64 / UInt64
  // (as Poco does) so a caller can name the member; literals past 64 bits are refused anyway.
  bool refuse_unsafe_integers = true;
};

struct StrictJsonError {
  enum class Kind {
    kSyntax,           // not RFC 8259 JSON: bad token, trailing garbage, BOM, end of input
    kEncoding,         // invalid UTF-8, unescaped control character, lone surrogate
    kDuplicateMember,  // the same member name twice in one object
    kNumberOutOfRange,
    kTooDeep,
  };
  Kind kind = Kind::kSyntax;
  std::string path;   // "tiers[2].threshold_won"; "" = the document itself
  size_t line = 0;    // 1-based
  size_t column = 0;  // 1-based, in characters (code points), not bytes
  std::string what;   // a predicate of the path: "is a duplicate member"

  // what + " at line L, column C"
  std::string Describe() const;
  // Status::Invalid(path, Describe()).
  Status ToStatus() const;
};

// Parses one complete JSON text (any value at the root). On failure returns ToStatus() of the
// first problem found and, when `error` is not null, fills it in.
Result<Poco::Dynamic::Var> ParseStrictJson(std::string_view text,
                                           const StrictJsonOptions& options = {},
                                           StrictJsonError* error = nullptr);

}  // namespace loyalty
