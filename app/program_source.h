// Where the commands get the programme: the database (core/store.h ProgramRecords). A file is
// only an input to `loyalty program apply` and to `jobs simulate --program NEW`.
//
// Versions: each apply stores a new row; the programme's "version" field must be higher than
// the newest stored version (in force or scheduled), and its effective instant no earlier than
// that version's, so versions and effective instants grow together and the version in force at
// T is simply the highest with effective_at_us <= T. The same canonical JSON as the newest
// version is "unchanged": nothing is written.
#pragma once

#include <optional>
#include <string>

#include "core/program.h"
#include "core/status.h"
#include "core/store.h"

namespace loyalty {

struct StoredProgram {
  ProgramVersion row;
  Program program;  // row.program_json parsed
};

// The short form in logs and summaries: "v3 (sha256 1a2b3c4d5e6f)".
std::string DescribeProgramVersion(const ProgramVersion& v);

// The version in force at at_us, nullopt when the database holds none yet.
Result<std::optional<StoredProgram>> FindProgramInForce(Store& store, Micros at_us);
// The same, but no programme is an error (kNotFound, "no programme in the database: run
// `loyalty program apply FILE`").
Result<StoredProgram> RequireProgramInForce(Store& store, Micros at_us);

// A `--program FILE` given next to the database: it must be the version in force, else
// kValidationFailed on "--program" naming both hashes.
Status CheckProgramFileMatches(const std::string& file, const StoredProgram& in_force);
// RequireProgramInForce, then CheckProgramFileMatches when `file` (a --program flag) is set.
Result<StoredProgram> ProgramForCommand(Store& store, Micros at_us, const std::string& file);

struct ApplyRequest {
  Program program;  // validated
  // When it decides; nullopt: the file's effective_date if it has one, else now_us.
  std::optional<Micros> effective_at_us;
  std::string author;
  Micros now_us = 0;
};

struct ApplyResult {
  bool unchanged = false;  // same JSON as the newest version: nothing written
  ProgramVersion row;      // the stored version (the new one, or the newest when unchanged)
};

// Stores r.program as a new version, or answers unchanged. kValidationFailed on "version" when
// it does not grow, on "--effective" when the instant goes back before the newest version's.
Result<ApplyResult> ApplyProgram(Store& store, const ApplyRequest& r);

// The effective instant of `--effective TEXT`: a date YYYY-MM-DD (the start of that day in the
// programme's zone) or an RFC 3339 instant.
Result<Micros> ParseEffective(const std::string& text, const Program& p);

}  // namespace loyalty
