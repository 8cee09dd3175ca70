// jobs/csv_reader.h: RFC 4180 records, quoting, line breaks inside quotes, CRLF, the BOM, and
// malformed records refused by line while reading goes on.
#include "jobs/csv_reader.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace loyalty {
namespace {

// Every record as "a|b|c", a refused one as "!LINE: reason".
std::vector<std::string> ReadAll(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in);
  std::vector<std::string> out, fields;
  for (;;) {
    Result<bool> r = reader.Next(fields);
    if (!r.ok()) {
      out.push_back("!" + r.status().message());
      continue;
    }
    if (!*r) return out;
    std::string joined;
    for (size_t i = 0; i < fields.size(); ++i) joined += (i ? "|" : "") + fields[i];
    out.push_back(std::to_string(reader.line()) + ":" + joined);
  }
}

TEST(CsvReaderTest, ReadsQuotedFieldsDoubledQuotesAndLineBreaks) {
  EXPECT_EQ(ReadAll("a,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",,\n"),
            (std::vector<std::string>{"1:a|b|c", "2:1|x, y|say \"hi\"", "3:two\nlines||"}));
}

TEST(CsvReaderTest, CrlfBomEmptyLinesAndNoFinalNewline) {
  EXPECT_EQ(ReadAll("\xEF\xBB\xBFid,name\r\n\r\nk1,김민수\r\nk2,이"),
            (std::vector<std::string>{"1:id|name", "3:k1|김민수", "4:k2|이"}));
}

TEST(CsvReaderTest, MalformedRecordsAreRefusedByLineAndReadingGoesOn) {
  EXPECT_EQ(
      ReadAll("ok,1\nba\"d,2\n\"x\"y,3\nok,4\nbad,\xC3\x28\nok,5\n\"open,6\n"),
      (std::vector<std::string>{"1:ok|1", "!2: a quote inside an unquoted field",
                                "!3: text after a closing quote", "4:ok|4", "!5: not UTF-8",
                                "6:ok|5", "!7: a quoted field is not closed before the end"}));
}

TEST(CsvReaderTest, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain 김 € 𝄞"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // cut short
}

}  // namespace
}  // namespace loyalty
