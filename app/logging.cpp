#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string_view>

#include "core/json_writer.h"

namespace loyalty::cli {

namespace {

bool json_logs = false;

// %j: the message as the body of a JSON string (quotes, backslashes and control characters
// escaped), so a message can never break the line's JSON.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string quoted =
        JsonWriter::Quote(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(quoted.data() + 1, quoted.data() + quoted.size() - 1);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

spdlog::level::level_enum LevelOf(const std::string& name) {
  if (name == "warn") return spdlog::level::warn;  // spdlog's own name is "warning"
  return spdlog::level::from_str(name);
}

}  // namespace

void SetUpLogging(const LogOptions& options) {
  json_logs = options.json;
  // stdout without colour codes: under systemd it is the journal, elsewhere a terminal or a file.
  auto logger = std::make_shared<spdlog::logger>("loyalty",
                                                 std::make_shared<spdlog::sinks::stdout_sink_mt>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  if (options.json) {
    formatter->add_flag<JsonMessageFlag>('j').set_pattern(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","msg":"%j"})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%l] %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(LevelOf(options.level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

bool JsonLogs() { return json_logs; }

void PrintOrLog(const std::string& text) {
  if (json_logs) {
    spdlog::info(text);
  } else {
    std::printf("%s\n", text.c_str());
  }
  std::fflush(stdout);
}

}  // namespace loyalty::cli
