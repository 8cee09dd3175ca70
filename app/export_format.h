// The two formats of `loyalty export` (app/cmd_export.cpp): CSV per RFC 4180 (a header row,
// CRLF line ends, a field quoted when it holds a comma, a quote, CR or LF, quotes doubled, UTF-8
// without a BOM) and JSON Lines (one JSON object per line, members in column order, LF ends).
// A null cell is an empty CSV field and a JSON null; booleans are true / false in both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loyalty::cli {

enum class ExportFormat { kCsv, kJsonl };

// One cell of an exported row.
struct ExportCell {
  enum class Kind { kNull, kText, kInt, kBool };
  Kind kind = Kind::kNull;
  std::string text;
  int64_t number = 0;  // kInt; kBool: 0 or 1

  static ExportCell Null() { return ExportCell{}; }
  static ExportCell Text(std::string value) { return {Kind::kText, std::move(value), 0}; }
  // Text, or null when empty (ids and instants that are not set).
  static ExportCell TextOrNull(std::string value) {
    return value.empty() ? Null() : Text(std::move(value));
  }
  static ExportCell Int(int64_t value) { return {Kind::kInt, "", value}; }
  static ExportCell Bool(bool value) { return {Kind::kBool, "", value ? 1 : 0}; }
};

// The field as RFC 4180 writes it: as is, or in double quotes with every quote doubled when it
// holds a comma, a double quote, CR or LF.
std::string CsvField(std::string_view value);

// The first line of the output: the CSV header row; nothing for JSON Lines.
std::string FormatHeader(ExportFormat format, const std::vector<std::string>& columns);
// One row, with its line end. REQUIRES: cells.size() == columns.size().
std::string FormatRow(ExportFormat format, const std::vector<std::string>& columns,
                      const std::vector<ExportCell>& cells);

}  // namespace loyalty::cli
