// Programme configuration <-> JSON (Poco::JSON). Parsing rejects unknown fields, wrong types and
// non-integer numbers with the field named, then runs core's ValidateProgram.
#pragma once

#include <string>

#include "core/program.h"
#include "core/status.h"

namespace loyalty {

Result<Program> ParseProgramJson(const std::string& json_text);
Result<Program> LoadProgramFile(const std::string& path);  // "" or "demo" = built-in demo
std::string ProgramToJson(const Program& p);

}  // namespace loyalty
