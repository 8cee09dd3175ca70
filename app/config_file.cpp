#include "app/config_file.h"

#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace loyalty::cli {

namespace {

std::string& FileDb() {
  static std::string db;
  return db;
}

// Keys of the root whatever table they appear in: logging is one set-up for the whole process.
bool IsGlobalKey(const std::string& key) { return key == "log-level" || key == "json-logs"; }

// The CLI11 type names of the integer options (app/cmd_*.cpp); every other valued option takes
// a string.
bool IsIntegerOption(const CLI::Option& opt) {
  const std::string t = opt.get_type_name();
  return t == "N" || t == "MS" || t == "PORT" || t == "S";
}

std::string Dotted(const std::vector<std::string>& parents, const std::string& key) {
  std::string name;
  for (const std::string& p : parents) name += p + ".";
  return name + key;
}

[[noreturn]] void Refuse(const std::string& file, const std::string& what) {
  throw CLI::ConfigError("config file " + file + ": " + what);
}

// The command at `path` below the root, or nullptr.
CLI::App* CommandAt(CLI::App& root, const std::vector<std::string>& path) {
  CLI::App* node = &root;
  for (const std::string& name : path) {
    CLI::App* next = nullptr;
    for (CLI::App* sub : node->get_subcommands([](CLI::App*) { return true; })) {
      if (sub->get_name() == name && !sub->get_group().empty()) next = sub;
    }
    if (next == nullptr) return nullptr;
    node = next;
  }
  return node;
}

// The long option `--key` of `node` that a file may set, or nullptr.
const CLI::Option* ConfigurableOption(CLI::App& node, const std::string& key) {
  if (key == "help" || key == "version" || key == "config") return nullptr;
  const CLI::Option* opt = node.get_option_no_throw("--" + key);
  if (opt == nullptr || !opt->get_configurable()) return nullptr;
  const std::vector<std::string>& names = opt->get_lnames();
  return std::find(names.begin(), names.end(), key) != names.end() ? opt : nullptr;
}

// The TOML value as the text CLI11 parses for `opt`, refusing a value of the wrong type.
std::string ValueText(const std::string& file, const std::string& name, const CLI::Option& opt,
                      const toml::node& value) {
  if (opt.get_expected_min() == 0) {  // a flag
    if (const auto* b = value.as_boolean()) return b->get() ? "true" : "false";
    Refuse(file, name + " must be a boolean (true or false)");
  }
  if (IsIntegerOption(opt)) {
    if (const auto* i = value.as_integer()) return std::to_string(i->get());
    Refuse(file, name + " must be an integer");
  }
  if (const auto* s = value.as_string()) return s->get();
  if (value.is_date()) {
    std::ostringstream text;
    text << *value.as_date();
    return text.str();
  }
  Refuse(file, name + " must be a string");
}

// Reads TOML (toml++) and checks every key against the options of `root`'s commands.
class TomlConfig : public CLI::Config {
 public:
  explicit TomlConfig(CLI::App& root) : root_(root) {}

  std::string to_config(const CLI::App*, bool, bool, std::string) const override { return ""; }

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    const std::string file = root_.get_option("--config")->as<std::string>();
    toml::table table;
    try {
      table = toml::parse(input, file);
    } catch (const toml::parse_error& e) {
      std::ostringstream where;
      where << "line " << e.source().begin.line << ": " << e.description();
      Refuse(file, where.str());
    }
    std::vector<CLI::ConfigItem> items;
    Walk(file, table, {}, items);
    return items;
  }

 private:
  void Walk(const std::string& file, const toml::table& table,
            const std::vector<std::string>& parents, std::vector<CLI::ConfigItem>& items) const {
    CLI::App* node = CommandAt(root_, parents);
    for (const auto& [k, value] : table) {
      const std::string key(k.str());
      const std::string name = Dotted(parents, key);
      if (const toml::table* sub = value.as_table()) {
        std::vector<std::string> path = parents;
        path.push_back(key);
        if (CommandAt(root_, path) == nullptr) Refuse(file, "unknown table [" + name + "]");
        Walk(file, *sub, path, items);
        continue;
      }
      if (parents.empty() && key == "db") {
        const auto* s = value.as_string();
        if (s == nullptr) Refuse(file, "db must be a string");
        FileDb() = s->get();
        continue;
      }
      CLI::App& owner = IsGlobalKey(key) ? root_ : *node;
      const CLI::Option* opt = ConfigurableOption(owner, key);
      if (opt == nullptr) Refuse(file, "unknown key " + name);
      CLI::ConfigItem item;
      if (&owner == node) item.parents = parents;
      item.name = key;
      item.inputs = {ValueText(file, name, *opt, value)};
      items.push_back(std::move(item));
    }
  }

  CLI::App& root_;
};

}  // namespace

void AddConfigFile(CLI::App& app) {
  FileDb().clear();
  const char* env = std::getenv("LOYALTY_CONFIG");
  const bool from_env = env != nullptr && *env != '\0';
  // With $LOYALTY_CONFIG set its file must exist: a service must not quietly start on defaults.
  app.set_config("--config", from_env ? env : "",
                 "TOML file of option defaults (default $LOYALTY_CONFIG);\n"
                 "the command line wins over it",
                 from_env)
      ->type_name("FILE");
  app.config_formatter(std::make_shared<TomlConfig>(app));
  app.allow_config_extras(CLI::config_extras_mode::error);
}

const std::string& ConfigFileDb() { return FileDb(); }

}  // namespace loyalty::cli
