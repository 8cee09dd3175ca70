// ParseMysqlUrl and DescribeMysql (mysql_store.h).
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "store/mysql/mysql_store.h"

namespace loyalty {

namespace {

Status Bad(const std::string& why) {
  return Status::Invalid("--db",
                         "bad MySQL URL (mysql://user[:password]@host[:port]/database): " + why);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX escapes; false on a malformed one.
bool PercentDecode(const std::string& in, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

// A whole decimal number in [lo, hi].
bool ParseInt(const std::string& s, int lo, int hi, int* out) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  const int v = std::atoi(s.c_str());
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

// The options a URL may set. Error messages name them from here, never from the URL.
struct Option {
  const char* name;
  int MysqlConfig::*field;
  int lo, hi;
};
constexpr Option kOptions[] = {
    {"max_sessions", &MysqlConfig::max_sessions, 1, 10000},
    {"connect_timeout_s", &MysqlConfig::connect_timeout_s, 1, 3600},
    {"read_timeout_s", &MysqlConfig::read_timeout_s, 1, 3600},
    {"write_timeout_s", &MysqlConfig::write_timeout_s, 1, 3600},
    {"lock_wait_timeout_s", &MysqlConfig::lock_wait_timeout_s, 1, 3600},
};

Status ApplyOption(const std::string& name, const std::string& value, MysqlConfig& c) {
  for (const Option& o : kOptions) {
    if (name != o.name) continue;
    if (!ParseInt(value, o.lo, o.hi, &(c.*o.field))) {
      return Bad(std::string("option ") + o.name + " must be a whole number from " +
                 std::to_string(o.lo) + " to " + std::to_string(o.hi));
    }
    return Status::Ok();
  }
  std::string known;
  for (const Option& o : kOptions) known += std::string(known.empty() ? "" : ", ") + o.name;
  return Bad("unknown option (the options are " + known + ")");
}

Status ParseOptions(const std::string& query, MysqlConfig& c) {
  std::stringstream in(query);
  std::string pair;
  while (std::getline(in, pair, '&')) {
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string::npos) return Bad("an option has no value (write option=value)");
    LOYALTY_RETURN_IF_ERROR(ApplyOption(pair.substr(0, eq), pair.substr(eq + 1), c));
  }
  return Status::Ok();
}

Result<std::string> PasswordFromEnvironment() {
  const char* value = std::getenv("LOYALTY_DB_PASSWORD");
  if (value != nullptr && *value != '\0') return std::string(value);
  const char* file = std::getenv("LOYALTY_DB_PASSWORD_FILE");
  if (file == nullptr || *file == '\0') return std::string();
  std::ifstream in(file);
  if (!in) {
    return Status::Invalid("--db",
                           std::string("cannot read LOYALTY_DB_PASSWORD_FILE '") + file + "'");
  }
  std::string password;
  std::getline(in, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

}  // namespace

// No message below quotes any text of the URL: a password holding a raw '@' and a URL missing
// its host make the password's tail look like the host, the database or the options, so even
// those are never echoed (an unknown option is answered with the list of known ones).
Result<MysqlConfig> ParseMysqlUrl(const std::string& url) {
  const std::string scheme = "mysql://";
  if (url.rfind(scheme, 0) != 0) return Bad("it must start with mysql://");
  const std::string rest = url.substr(scheme.size());
  // The user and password end at the last '@': the host, port, database and options never hold
  // one, while a password may hold any character, '?', '#', '/' and '@' included.
  const size_t at = rest.rfind('@');
  if (at == std::string::npos) return Bad("the user is missing");
  const std::string credentials = rest.substr(0, at);
  std::string location = rest.substr(at + 1);
  MysqlConfig c;
  const size_t colon = credentials.find(':');
  const bool has_password = colon != std::string::npos;
  if (!PercentDecode(credentials.substr(0, colon), &c.user) || c.user.empty()) {
    return Bad("the user is missing or badly escaped");
  }
  if (has_password && !PercentDecode(credentials.substr(colon + 1), &c.password)) {
    return Bad("the password is badly escaped (write a % in it as %25)");
  }
  if (location.find('#') != std::string::npos) {
    return Bad("a '#' may only appear in the user or the password");
  }
  std::string options;
  const size_t question = location.find('?');
  if (question != std::string::npos) {
    options = location.substr(question + 1);
    location.resize(question);
  }
  const size_t slash = location.find('/');
  if (slash == std::string::npos) return Bad("the database is missing");
  const std::string host_port = location.substr(0, slash);
  c.database = location.substr(slash + 1);
  if (c.database.empty() || c.database.find('/') != std::string::npos) {
    return Bad("the database is missing or holds a '/'");
  }
  const size_t port_colon = host_port.rfind(':');
  c.host = host_port.substr(0, port_colon);
  if (port_colon != std::string::npos &&
      !ParseInt(host_port.substr(port_colon + 1), 1, 65535, &c.port)) {
    return Bad("the port must be 1 to 65535");
  }
  if (c.host.empty()) return Bad("the host is missing");
  LOYALTY_RETURN_IF_ERROR(ParseOptions(options, c));
  if (!has_password) {
    LOYALTY_ASSIGN_OR_RETURN(c.password, PasswordFromEnvironment());
  }
  return c;
}

std::string DescribeMysql(const MysqlConfig& c) {
  return "mysql://" + c.user + "@" + c.host + ":" + std::to_string(c.port) + "/" + c.database;
}

}  // namespace loyalty
