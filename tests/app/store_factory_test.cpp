// The store factory (app/store_factory.h): which engine a --db value names, the refusal of
// unknown schemes, "must exist" opening that creates nothing, and credentials kept out of errors.
#include "app/store_factory.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/app/cli_run.h"

namespace loyalty::clitest {
namespace {

TEST(ParseDbTargetTest, PathsAndSqlitePrefixAreSqlite) {
  for (const auto& [db, path] : std::vector<std::pair<std::string, std::string>>{
           {"var/loyalty.db", "var/loyalty.db"},
           {"/abs/x.db", "/abs/x.db"},
           {"x.db", "x.db"},
           {"./a:b.db", "./a:b.db"},
           {"dir/a:b.db", "dir/a:b.db"},
           {"sqlite:x.db", "x.db"},
           {"sqlite:/abs/x.db", "/abs/x.db"},
           {"sqlite:a:b.db", "a:b.db"},
       }) {
    auto t = ParseDbTarget(db);
    ASSERT_TRUE(t.ok()) << db << ": " << t.status().ToString();
    EXPECT_EQ(t->engine, DbEngine::kSqlite) << db;
    EXPECT_EQ(t->location, path) << db;
  }
}

TEST(ParseDbTargetTest, MysqlUrls) {
  auto t = ParseDbTarget("mysql://u:pw@h:3306/db");
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->engine, DbEngine::kMysql);
  EXPECT_TRUE(IsMysqlUrl("mysql://u@h/db"));
  EXPECT_FALSE(IsMysqlUrl("sqlite:mysql.db"));
}

TEST(ParseDbTargetTest, UnknownSchemesAndEmptyPathsAreRefused) {
  for (const std::string db :
       {"", "sqlite:", "postgres://x/y", "postgres:x", "mysql:x", "MYSQL://u@h/db",
        "Mysql://u@h/db", "http://h/db", "file:x.db", "a:b.db", "postgresql://u:secretpw@h/db"}) {
    auto t = ParseDbTarget(db);
    ASSERT_FALSE(t.ok()) << db;
    EXPECT_EQ(t.status().code(), Code::kValidationFailed) << db;
    EXPECT_EQ(t.status().field(), "--db") << db;
    EXPECT_EQ(t.status().message().find("secretpw"), std::string::npos);
    // Nothing after the scheme is quoted back.
    const std::string rest = db.substr(std::min(db.find(':') + 1, db.size()));
    if (rest.size() >= 3) {
      EXPECT_EQ(t.status().message().find(rest), std::string::npos) << t.status().message();
    }
  }
  EXPECT_NE(ParseDbTarget("postgres://x/y").status().message().find("'postgres:'"),
            std::string::npos);
}

TEST(OpenStoreFromUrlTest, MustExistCreatesNothing) {
  TempDir dir;
  StoreOptions opts;
  opts.must_exist = true;
  for (const std::string name : {"none.db", "sub/dir/none.db"}) {
    auto store = OpenStoreFromUrl(dir.File(name), opts);
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), Code::kNotFound) << store.status().ToString();
    EXPECT_EQ(store.status().field(), "--db");
  }
  EXPECT_TRUE(Listing(dir.path()).empty());

  std::filesystem::create_directory(dir.File("adir"));
  auto on_dir = OpenStoreFromUrl(dir.File("adir"), opts);
  ASSERT_FALSE(on_dir.ok());
  EXPECT_EQ(on_dir.status().code(), Code::kValidationFailed) << on_dir.status().ToString();
}

TEST(OpenStoreFromUrlTest, CreatesTheFileAndItsDirectoryUnlessMustExist) {
  TempDir dir;
  auto created = OpenStoreFromUrl(dir.File("a/b/x.db"), StoreOptions{});
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_TRUE((*created)->Migrate().ok());
  created = Status(Code::kInternal, "closed");
  EXPECT_TRUE(std::filesystem::exists(dir.File("a/b/x.db")));

  StoreOptions opts;
  opts.must_exist = true;
  auto existing = OpenStoreFromUrl("sqlite:" + dir.File("a/b/x.db"), opts);
  ASSERT_TRUE(existing.ok()) << existing.status().ToString();
  EXPECT_TRUE((*existing)->CheckSchema().ok());
}

TEST(HideDbCredentialsTest, NoPartOfThePasswordSurvives) {
  const std::string db = "mysql://user:pa?ss#wo@rd@host:3306/db";
  auto hidden = [&db](const std::string& message) {
    return HideDbCredentials(Status::Invalid("--db", message), db).message();
  };
  // The whole password, raw or decoded, and any quoted fragment of it.
  EXPECT_EQ(hidden("cannot log in with pa?ss#wo@rd"), "cannot log in with ***");
  EXPECT_EQ(hidden("option 'ss#wo@rd@host:3306/db' has no value"), "option '***' has no value");
  EXPECT_EQ(hidden("option \"ss\" has no value"), "option \"***\" has no value");
  // Four characters in a row anywhere: the whole message is replaced.
  const std::string generic = hidden("bad URL near ss#wo and more");
  EXPECT_EQ(generic.find("ss#w"), std::string::npos) << generic;
  EXPECT_NE(generic.find("percent-encode"), std::string::npos) << generic;
  // Messages without any of it are kept, and so is the field.
  EXPECT_EQ(hidden("the port must be 1 to 65535"), "the port must be 1 to 65535");
  EXPECT_EQ(HideDbCredentials(Status::Invalid("--db", "x"), db).field(), "--db");
  // Percent-encoded passwords are hidden in both spellings.
  const std::string encoded = "mysql://user:p%3Fss%23word@host/db";
  EXPECT_EQ(
      HideDbCredentials(Status::Invalid("--db", "p?ss#word / p%3Fss%23word"), encoded).message(),
      "*** / ***");
  // Nothing to hide: a URL without a password, a path, an ok status.
  EXPECT_EQ(
      HideDbCredentials(Status::Invalid("--db", "user@host"), "mysql://user@host/db").message(),
      "user@host");
  EXPECT_EQ(HideDbCredentials(Status::Invalid("--db", "x.db"), "x.db").message(), "x.db");
  EXPECT_TRUE(HideDbCredentials(Status::Ok(), db).ok());
}

TEST(OpenStoreFromUrlTest, MysqlErrorsNeverContainThePassword) {
  // Port 1 on the loopback refuses at once: no server is needed.
  for (const std::string pw : {"Zq9?x#y@Wv7", "Zq9?xWv7", "Zq9#xWv7", "Zq9@xWv7", "Zq9xWv7%"}) {
    const std::string db = "mysql://u:" + pw + "@127.0.0.1:1/loyalty";
    auto store = OpenStoreFromUrl(db, StoreOptions{});
    ASSERT_FALSE(store.ok()) << db;
    const std::string text = store.status().ToString();
    for (size_t i = 0; i + 3 <= pw.size(); ++i) {
      EXPECT_EQ(text.find(pw.substr(i, 3)), std::string::npos) << db << " -> " << text;
    }
  }
}

}  // namespace
}  // namespace loyalty::clitest
