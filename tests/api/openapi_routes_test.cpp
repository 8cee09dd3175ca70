// docs/api/openapi.yaml and the route table describe the same (method, path) set. The YAML's
// `paths:` section is read line by line (two-space indentation, as the file is written).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

#include "api/routes.h"

namespace loyalty {
namespace {

std::set<std::string> SpecOperations(const std::string& file) {
  static const std::set<std::string> kMethods = {"get",   "put",  "post",    "delete",
                                                 "patch", "head", "options", "trace"};
  std::ifstream in(file);
  EXPECT_TRUE(in.good()) << file;
  std::set<std::string> ops;
  std::string line, path;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    if (line[0] != ' ') {  // a top-level key
      in_paths = line.rfind("paths:", 0) == 0;
      continue;
    }
    if (!in_paths) continue;
    const size_t indent = line.find_first_not_of(' ');
    if (indent == std::string::npos || line[indent] == '#') continue;
    std::string key = line.substr(indent);
    if (key.back() != ':') continue;  // only bare keys matter here
    key.pop_back();
    if (key.size() >= 2 && (key.front() == '"' || key.front() == '\'')) {
      key = key.substr(1, key.size() - 2);
    }
    if (indent == 2 && !key.empty() && key[0] == '/') {
      path = key;
    } else if (indent == 4 && kMethods.count(key) > 0 && !path.empty()) {
      std::string method = key;
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      ops.insert(method + " " + path);
    }
  }
  return ops;
}

TEST(OpenApiRoutesTest, SpecAndRouteTableHaveTheSameOperations) {
  const std::set<std::string> spec =
      SpecOperations(std::string(LOYALTY_SOURCE_DIR) + "/docs/api/openapi.yaml");
  std::set<std::string> table;
  for (const RouteInfo& r : Routes()) table.insert(r.method + " " + r.path);
  EXPECT_EQ(table.size(), Routes().size()) << "duplicate routes in the table";
  EXPECT_FALSE(spec.empty());
  for (const std::string& op : table) EXPECT_TRUE(spec.count(op)) << "not in the spec: " << op;
  for (const std::string& op : spec) EXPECT_TRUE(table.count(op)) << "not served: " << op;
}

}  // namespace
}  // namespace loyalty
