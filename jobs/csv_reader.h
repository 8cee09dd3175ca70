// A streaming reader of RFC 4180 CSV (`loyalty import`): fields separated by commas, records by
// CRLF or LF, a field in double quotes may hold commas, quotes (doubled) and line breaks. UTF-8
// (a byte-order mark at the start is skipped; invalid UTF-8 is refused). Memory is one record.
//
// A malformed record (a quote inside an unquoted field, text after a closing quote, invalid
// UTF-8, a record longer than kMaxCsvRecordBytes) is returned as an error naming its line, and
// reading goes on at the next line; an unterminated quote runs to the end of the input, which is
// refused as a whole from that line.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "core/status.h"

namespace loyalty {

inline constexpr size_t kMaxCsvRecordBytes = 64 * 1024;

class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}

  // The next record into `fields`: true, false at the end of the input, or kValidationFailed
  // for a malformed record (field "line"). Empty lines are skipped.
  Result<bool> Next(std::vector<std::string>& fields);

  // The line where the record last returned (or refused) began, counting from 1.
  int64_t line() const { return record_line_; }

 private:
  int Get();
  void SkipToEndOfLine(int c);

  std::istream& in_;
  int64_t next_line_ = 1;  // the line of the next character
  int64_t record_line_ = 0;
  bool started_ = false;
};

// Whether `text` is valid UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool IsValidUtf8(const std::string& text);

}  // namespace loyalty
