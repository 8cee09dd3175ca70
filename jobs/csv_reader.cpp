#include "jobs/csv_reader.h"

namespace loyalty {

bool IsValidUtf8(const std::string& text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    int extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++p;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

int CsvReader::Get() {
  const int c = in_.rdbuf()->sbumpc();
  if (c == '\n') ++next_line_;
  return c;
}

void CsvReader::SkipToEndOfLine(int c) {
  while (c != EOF && c != '\n') c = Get();
}

Result<bool> CsvReader::Next(std::vector<std::string>& fields) {
  constexpr int kEof = std::char_traits<char>::eof();
  fields.clear();
  if (!started_) {
    started_ = true;
    // A UTF-8 byte-order mark (spreadsheets write one) is not part of the first field.
    if (in_.rdbuf()->sgetc() == 0xEF) {
      std::string bom;
      for (int i = 0; i < 3; ++i) bom.push_back(static_cast<char>(Get()));
      if (bom != "\xEF\xBB\xBF") {
        record_line_ = 1;
        return Status::Invalid("line", "1: not UTF-8");
      }
    }
  }
  int c = Get();
  while (c == '\n' || c == '\r') c = Get();  // empty lines
  if (c == kEof) return false;
  record_line_ = next_line_ - (c == '\n' ? 1 : 0);
  std::string field;
  size_t bytes = 0;
  auto refuse = [&](const std::string& why, int at) -> Result<bool> {
    const int64_t line = record_line_;
    SkipToEndOfLine(at);
    fields.clear();
    return Status::Invalid("line", std::to_string(line) + ": " + why);
  };
  for (;;) {
    if (c == '"') {  // a quoted field
      if (!field.empty()) return refuse("a quote inside an unquoted field", c);
      for (;;) {
        c = Get();
        if (c == kEof) {
          fields.clear();
          return Status::Invalid("line", std::to_string(record_line_) +
                                             ": a quoted field is not closed before the end");
        }
        if (c == '"') {
          c = Get();
          if (c != '"') break;  // the closing quote
        }
        field.push_back(static_cast<char>(c));
        if (++bytes > kMaxCsvRecordBytes) return refuse("the record is too long", c);
      }
      if (c != ',' && c != '\n' && c != '\r' && c != kEof) {
        return refuse("text after a closing quote", c);
      }
    } else {
      while (c != ',' && c != '\n' && c != '\r' && c != kEof) {
        if (c == '"') return refuse("a quote inside an unquoted field", c);
        field.push_back(static_cast<char>(c));
        if (++bytes > kMaxCsvRecordBytes) return refuse("the record is too long", c);
        c = Get();
      }
    }
    if (!IsValidUtf8(field)) return refuse("not UTF-8", c);
    fields.push_back(std::move(field));
    field.clear();
    if (c == ',') {
      c = Get();
      continue;
    }
    if (c == '\r') {
      c = Get();
      if (c != '\n' && c != kEof) return refuse("a carriage return inside a record", c);
    }
    return true;
  }
}

}  // namespace loyalty
