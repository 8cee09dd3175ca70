// The process's logging, set once the command line parsed (app/cli.cpp): spdlog's default logger,
// which every start-up, drain, webhook and job line goes through, at --log-level, as text with an
// RFC 3339 timestamp with offset ("2026-12-04T03:27:42.123+00:00 [info] ...") or, with
// --json-logs, as one JSON object per line ({"ts":...,"level":...,"msg":...}).
#pragma once

#include <string>

namespace loyalty::cli {

inline constexpr const char* kLogLevels[] = {"trace", "debug", "info", "warn", "error", "off"};

struct LogOptions {
  std::string level = "info";  // one of kLogLevels
  bool json = false;
};

// REQUIRES: options.level is one of kLogLevels.
void SetUpLogging(const LogOptions& options);

// Whether SetUpLogging() chose JSON lines: what a command prints as a log line must follow.
bool JsonLogs();

// One JSON log line at info level when JsonLogs(), else `text` printed as it is on stdout.
void PrintOrLog(const std::string& text);

}  // namespace loyalty::cli
