// Programme configuration <-> JSON. The file is read by the strict JSON reader (api/strict_json.h):
// a duplicate member, an integer outside +-(2^53-1) or any malformation is refused with its JSON
// path and line/column. Then unknown fields, wrong types and non-integer numbers are refused with
// the field named, and core's ValidateProgram runs.
#pragma once

#include <string>

#include "core/program.h"
#include "core/status.h"

namespace loyalty {

Result<Program> ParseProgramJson(const std::string& json_text);
Result<Program> LoadProgramFile(const std::string& path);  // "" or "demo" = built-in demo
std::string ProgramToJson(const Program& p);

// The programme compiled into the binary (app/demo_program.json, embedded at build time by
// app/embed_json.cmake), used by `loyalty serve --demo` and the README.
std::string DemoProgramJson();

}  // namespace loyalty
