// ParseMysqlUrl without a server: raw special characters in a password, and error messages that
// never quote the password or any other part of the user and password, whatever the input.
// (Named so that it builds into store_tests, which runs everywhere, not into mysql_store_tests.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/mysql/mysql_store.h"
#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

TEST(MysqlUrlParseTest, APasswordMayHoldRawSpecialCharacters) {
  for (const std::string password :
       {"pa?ss", "pa#ss", "pa/ss", "pa@ss", "pa:ss", "p:a?#/@s=1&x", "?", "@", "#", "/"}) {
    const std::string url = "mysql://app:" + password + "@db.internal:3307/shop?max_sessions=7";
    Result<MysqlConfig> c = ParseMysqlUrl(url);
    ASSERT_OK(c);
    EXPECT_EQ(c->user, "app") << password;
    EXPECT_EQ(c->password, password);
    EXPECT_EQ(c->host, "db.internal") << password;
    EXPECT_EQ(c->port, 3307) << password;
    EXPECT_EQ(c->database, "shop") << password;
    EXPECT_EQ(c->max_sessions, 7) << password;
  }
}

TEST(MysqlUrlParseTest, PercentEncodedAndRawPasswordsDecodeAlike) {
  ASSERT_OK_AND_ASSIGN(MysqlConfig raw, ParseMysqlUrl("mysql://app:a?b#c@host/db"));
  ASSERT_OK_AND_ASSIGN(MysqlConfig encoded, ParseMysqlUrl("mysql://app:a%3Fb%23c@host/db"));
  EXPECT_EQ(raw.password, "a?b#c");
  EXPECT_EQ(encoded.password, raw.password);
  EXPECT_EQ(DescribeMysql(raw), "mysql://app@host:3306/db");
}

// The issue's case: a raw '?' in the password made the options parser quote the rest of the
// URL, password included, in its error.
TEST(MysqlUrlParseTest, MalformedUrlsNeverQuoteAnyPartOfTheUserOrPassword) {
  const std::vector<std::string> credentials = {
      "Uz9w:Zq7?xK#w/v@Yt", "Uz9w:Zq7?xKw",   "Uz9w:Zq7#xKw",   "Uz9w:Zq7/xKw",
      "Uz9w:Zq7@xKw",       "Uz9w:Zq7?x=K&w", "Uz9w:Zq7%41xKw", "Uz9w"};
  const std::vector<std::pair<std::string, std::string>> shapes = {
      {"mysql://", "@host:99999/db"},
      {"mysql://", "@host:3306/"},
      {"mysql://", "@:3306/db"},
      {"mysql://", "@host"},
      {"mysql://", "@host/db/more"},
      {"mysql://", "@host/db?nope=1"},
      {"mysql://", "@host/db?max_sessions=0"},
      {"mysql://", "@host/db?novalue"},
      {"mysql://", "@host/db#fragment"},
      {"mysql://", ""},             // no host at all: the '@' is missing
      {"mysql://", "/db"},          // the same, with a database
      {"mysql://", "?x=1"},         // the same, with options
      {"mysql://", "%zz@host/db"},  // a bad escape at the end of the password
      {"mysql://", "%4@host/db"},
      {"mysqlx://", "@host/db"},
      {"", "@host/db"},
  };
  for (const std::string& cred : credentials) {
    for (const auto& [before, after] : shapes) {
      const std::string url = before + cred + after;
      Result<MysqlConfig> c = ParseMysqlUrl(url);
      if (c.ok()) {
        // Only a password holding a raw '@' with no host after it parses: its tail is the host.
        EXPECT_NE(cred.find('@'), std::string::npos) << url;
        continue;
      }
      EXPECT_CODE(c, Code::kValidationFailed);
      EXPECT_EQ(c.status().field(), "--db") << url;
      const std::string& message = c.status().message();
      // No piece of the user or password of 3 characters or more, raw or decoded.
      for (const std::string& secret :
           {cred, cred.substr(cred.find(':') + 1), std::string("Zq7AxKw")}) {
        for (size_t i = 0; i + 3 <= secret.size(); ++i) {
          EXPECT_EQ(message.find(secret.substr(i, 3)), std::string::npos)
              << "'" << secret.substr(i, 3) << "' of " << url << " in: " << message;
        }
      }
    }
  }
}

TEST(MysqlUrlParseTest, AnUnknownOptionIsAnsweredWithTheKnownOnes) {
  Result<MysqlConfig> c = ParseMysqlUrl("mysql://app:pw@host/db?max_sesions=3");
  EXPECT_CODE(c, Code::kValidationFailed);
  EXPECT_NE(c.status().message().find("max_sessions"), std::string::npos) << c.status().message();
  EXPECT_EQ(c.status().message().find("max_sesions"), std::string::npos) << c.status().message();
}

TEST(MysqlUrlParseTest, AFragmentAfterTheHostIsRefused) {
  EXPECT_CODE(ParseMysqlUrl("mysql://app:pw@host/db#x"), Code::kValidationFailed);
  EXPECT_CODE(ParseMysqlUrl("mysql://app:pw@host#x/db"), Code::kValidationFailed);
}

}  // namespace
}  // namespace loyalty::testing
