#include "app/store_factory.h"

#include <cctype>
#include <filesystem>
#include <vector>

#include "store/mysql/mysql_store.h"
#include "store/sqlite/sqlite_store.h"

namespace loyalty {

namespace {

constexpr size_t kMaxSchemeShown = 32;

// RFC 3986: a scheme is a letter followed by letters, digits, '+', '-' or '.'.
bool LooksLikeScheme(const std::string& text) {
  if (text.empty() || !std::isalpha(static_cast<unsigned char>(text[0]))) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return false;
    }
  }
  return true;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// %XX decoded where well-formed, anything else kept as it is: what the user may have meant.
std::string LenientPercentDecode(const std::string& in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size() && std::isxdigit(static_cast<unsigned char>(in[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(in[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(in.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

// True when `text` contains some `width` characters in a row of `secret` (all of it if shorter).
bool SharesRun(const std::string& text, const std::string& secret, size_t width) {
  if (secret.empty()) return false;
  width = std::min(width, secret.size());
  for (size_t i = 0; i + width <= secret.size(); ++i) {
    if (text.find(secret.substr(i, width)) != std::string::npos) return true;
  }
  return false;
}

void ReplaceAll(std::string& text, const std::string& what, const std::string& with) {
  if (what.empty()) return;
  for (size_t at = text.find(what); at != std::string::npos;
       at = text.find(what, at + with.size())) {
    text.replace(at, what.size(), with);
  }
}

// `message` without the secrets: exact occurrences become "***", and so does a quoted fragment
// ('...' or "...", which the URL parser copies from its input) sharing two characters in a row
// with one; if four in a row are still left anywhere, nothing of the message can be trusted.
std::string HideIn(std::string message, const std::vector<std::string>& secrets) {
  for (const std::string& s : secrets) ReplaceAll(message, s, "***");
  for (char quote : {'\'', '"'}) {
    size_t open = message.find(quote);
    while (open != std::string::npos) {
      const size_t close = message.find(quote, open + 1);
      if (close == std::string::npos) break;
      const std::string fragment = message.substr(open + 1, close - open - 1);
      bool secret_part = false;
      for (const std::string& s : secrets) secret_part = secret_part || SharesRun(fragment, s, 2);
      if (secret_part) message.replace(open + 1, fragment.size(), "***");
      const size_t end = secret_part ? open + 4 : close;
      open = message.find(quote, end + 1);
    }
  }
  for (const std::string& s : secrets) {
    if (SharesRun(message, s, 4)) {
      return "bad MySQL URL (mysql://user[:password]@host[:port]/database[?option=value]); "
             "percent-encode the characters : / ? # @ % in the user and the password "
             "(? is %3F, # is %23, @ is %40)";
    }
  }
  return message;
}

// What may be a password in `db`: after "scheme://", between the first ':' and the last '@'
// (raw '?', '#', '/' or '@' in a password make the URL ambiguous: take the widest reading).
std::vector<std::string> UrlSecrets(const std::string& db) {
  const size_t scheme_end = db.find("://");
  if (scheme_end == std::string::npos) return {};
  const std::string rest = db.substr(scheme_end + 3);
  const size_t at = rest.rfind('@');
  if (at == std::string::npos) return {};
  const size_t colon = rest.find(':');
  if (colon == std::string::npos || colon >= at) return {};
  const std::string raw = rest.substr(colon + 1, at - colon - 1);
  if (raw.empty()) return {};
  std::vector<std::string> secrets = {raw};
  const std::string decoded = LenientPercentDecode(raw);
  if (decoded != raw) secrets.push_back(decoded);
  return secrets;
}

Status WithoutSecrets(const Status& status, std::vector<std::string> secrets) {
  if (status.ok()) return status;
  std::erase_if(secrets, [](const std::string& s) { return s.empty(); });
  if (secrets.empty()) return status;
  return Status(status.code(), HideIn(status.message(), secrets), HideIn(status.field(), secrets));
}

}  // namespace

bool IsMysqlUrl(const std::string& db) { return db.rfind("mysql://", 0) == 0; }

Result<DbTarget> ParseDbTarget(const std::string& db) {
  if (db.empty()) return Status::Invalid("--db", "empty database path");
  if (IsMysqlUrl(db)) return DbTarget{DbEngine::kMysql, db};
  const size_t colon = db.find(':');
  const std::string scheme = colon == std::string::npos ? "" : db.substr(0, colon);
  if (!LooksLikeScheme(scheme)) return DbTarget{DbEngine::kSqlite, db};
  if (db.rfind("sqlite:", 0) == 0) {
    if (db.size() == 7) return Status::Invalid("--db", "empty database path after sqlite:");
    return DbTarget{DbEngine::kSqlite, db.substr(7)};
  }
  if (Lower(scheme) == "mysql") {
    return Status::Invalid("--db",
                           "a MySQL URL starts with mysql:// in lower case: "
                           "mysql://user@host:port/database");
  }
  const std::string shown =
      scheme.size() > kMaxSchemeShown ? scheme.substr(0, kMaxSchemeShown) + "..." : scheme;
  return Status::Invalid("--db", "unknown database scheme '" + shown +
                                     ":'; give a file path, sqlite:PATH or "
                                     "mysql://user@host:port/database (a file whose name has a "
                                     "colon: ./NAME)");
}

Status HideDbCredentials(const Status& status, const std::string& db) {
  return WithoutSecrets(status, UrlSecrets(db));
}

Result<std::unique_ptr<Store>> OpenStoreFromUrl(const std::string& db, const StoreOptions& opts) {
  LOYALTY_ASSIGN_OR_RETURN(DbTarget target, ParseDbTarget(db));
  if (target.engine == DbEngine::kMysql) {
    auto config = ParseMysqlUrl(target.location);
    if (!config.ok()) return HideDbCredentials(config.status(), db);
    auto store = MysqlStore::Open(*config);
    if (!store.ok()) {
      // The password may also have come from the environment.
      std::vector<std::string> secrets = UrlSecrets(db);
      secrets.push_back(config->password);
      return WithoutSecrets(store.status(), std::move(secrets));
    }
    return std::unique_ptr<Store>(std::move(store).value());
  }

  const std::string& path = target.location;
  std::error_code ec;
  if (opts.must_exist) {
    // Checked here because SqliteStore::Open creates a missing file. (A file removed between
    // this check and the open is created empty; the schema check that follows refuses it.)
    const std::filesystem::file_status st = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(st)) {
      return Status(
          Code::kNotFound,
          "no database file '" + path + "' (`loyalty migrate --db " + path + "` creates one)",
          "--db");
    }
    if (std::filesystem::is_directory(st)) {
      return Status::Invalid("--db", "'" + path + "' is a directory, not a database file");
    }
  } else {
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  }
  SqliteOptions so;
  so.synchronous_full = opts.synchronous_full;
  auto store = SqliteStore::Open(path, so);
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(store).value());
}

}  // namespace loyalty
