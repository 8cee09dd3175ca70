// Command-line arguments: positionals, `--name value`, `--name=value` and bare flags.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace loyalty {

class Args {
 public:
  Args(int argc, char** argv) {
    static const std::set<std::string> kFlags = {"help", "demo", "json-logs", "dry-run"};
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "-h") a = "--help";
      if (a.rfind("--", 0) != 0) {
        positional_.push_back(a);
        continue;
      }
      std::string name = a.substr(2);
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        options_[name.substr(0, eq)] = name.substr(eq + 1);
      } else if (kFlags.count(name)) {
        options_[name] = "";
      } else if (i + 1 < argc) {
        options_[name] = argv[++i];
      } else {
        error_ = "option --" + name + " needs a value";
      }
    }
  }

  bool Has(const std::string& name) const { return options_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = options_.find(name);
    return it == options_.end() ? fallback : it->second;
  }
  // False when the option is present but not an integer in [lo, hi].
  bool GetInt(const std::string& name, int fallback, int lo, int hi, int* out) const {
    *out = fallback;
    if (!Has(name)) return true;
    const std::string v = Get(name);
    if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    *out = std::stoi(v);
    return *out >= lo && *out <= hi;
  }
  std::string Positional(size_t i) const { return i < positional_.size() ? positional_[i] : ""; }
  const std::string& error() const { return error_; }

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::string> options_;
  std::string error_;
};

}  // namespace loyalty
