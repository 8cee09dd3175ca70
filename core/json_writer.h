// A minimal JSON object writer for event payloads, so that core needs no JSON library.
// Keys are written in call order; strings are escaped per RFC 8259.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loyalty {

class JsonWriter {
 public:
  JsonWriter& Str(std::string_view key, std::string_view value);
  JsonWriter& Int(std::string_view key, int64_t value);
  JsonWriter& Bool(std::string_view key, bool value);
  JsonWriter& Null(std::string_view key);
  JsonWriter& Raw(std::string_view key, std::string_view json);  // value already JSON
  std::string Finish() const { return out_ + "}"; }

  static std::string Quote(std::string_view s);

 private:
  void Key(std::string_view key);
  std::string out_ = "{";
};

}  // namespace loyalty
