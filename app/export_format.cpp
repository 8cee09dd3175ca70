#include "app/export_format.h"

#include "core/json_writer.h"
#include "core/status.h"

namespace loyalty::cli {

namespace {

constexpr const char* kCsvLineEnd = "\r\n";  // RFC 4180 section 2.1

std::string CsvCell(const ExportCell& c) {
  switch (c.kind) {
    case ExportCell::Kind::kNull:
      return "";
    case ExportCell::Kind::kText:
      return CsvField(c.text);
    case ExportCell::Kind::kInt:
      return std::to_string(c.number);
    case ExportCell::Kind::kBool:
      return c.number != 0 ? "true" : "false";
  }
  return "";
}

void JsonCell(JsonWriter& w, const std::string& name, const ExportCell& c) {
  switch (c.kind) {
    case ExportCell::Kind::kNull:
      w.Null(name);
      return;
    case ExportCell::Kind::kText:
      w.Str(name, c.text);
      return;
    case ExportCell::Kind::kInt:
      w.Int(name, c.number);
      return;
    case ExportCell::Kind::kBool:
      w.Bool(name, c.number != 0);
      return;
  }
}

}  // namespace

std::string CsvField(std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string out = "\"";
  for (char ch : value) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string FormatHeader(ExportFormat format, const std::vector<std::string>& columns) {
  if (format == ExportFormat::kJsonl) return "";
  std::string line;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvField(columns[i]);
  }
  return line + kCsvLineEnd;
}

std::string FormatRow(ExportFormat format, const std::vector<std::string>& columns,
                      const std::vector<ExportCell>& cells) {
  LOYALTY_CHECK(cells.size() == columns.size());
  if (format == ExportFormat::kJsonl) {
    JsonWriter w;
    for (size_t i = 0; i < cells.size(); ++i) JsonCell(w, columns[i], cells[i]);
    return w.Finish() + "\n";
  }
  std::string line;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i > 0) line += ',';
    line += CsvCell(cells[i]);
  }
  return line + kCsvLineEnd;
}

}  // namespace loyalty::cli
