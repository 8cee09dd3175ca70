#include "app/program_source.h"

#include <memory>
#include <utility>
#include <vector>

#include "api/crypto.h"
#include "app/program_codec.h"
#include "core/business_time.h"

namespace loyalty {

namespace {

constexpr size_t kHashPrefixChars = 12;  // enough to tell versions apart in a log line

Result<StoredProgram> Parsed(ProgramVersion row) {
  Result<Program> p = ParseProgramJson(row.program_json);
  if (!p.ok()) {
    // Only this binary writes the rows, after validating them: a newer binary's programme?
    return Status(Code::kInternal, "programme version " + std::to_string(row.version) +
                                       " in the database does not load: " + p.status().field() +
                                       ": " + p.status().message());
  }
  return StoredProgram{std::move(row), std::move(p).value()};
}

// The newest stored version (in force or not yet), inside the caller's transaction.
Result<std::optional<ProgramVersion>> Newest(Session& s) {
  LOYALTY_ASSIGN_OR_RETURN(std::vector<ProgramVersion> rows, s.ListProgramVersions(0, 1));
  if (rows.empty()) return std::optional<ProgramVersion>();
  return std::optional<ProgramVersion>(std::move(rows.front()));
}

Result<Micros> EffectiveOf(const ApplyRequest& r) {
  const std::string& file_date = r.program.effective_date;
  if (file_date.empty()) return r.effective_at_us.value_or(r.now_us);
  LOYALTY_ASSIGN_OR_RETURN(LocalDate d, ParseLocalDate(file_date));
  const Micros file_at_us = StartOfDay(d, r.program.time_zone);
  if (r.effective_at_us.has_value() && BusinessDate(*r.effective_at_us, r.program.time_zone) != d) {
    return Status::Invalid("--effective", "the file says effective_date " + file_date +
                                              "; give the same date or drop one of the two");
  }
  return r.effective_at_us.value_or(file_at_us);
}

}  // namespace

std::string DescribeProgramVersion(const ProgramVersion& v) {
  return "v" + std::to_string(v.version) + " (sha256 " + v.hash.substr(0, kHashPrefixChars) + ")";
}

Result<std::optional<StoredProgram>> FindProgramInForce(Store& store, Micros at_us) {
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, store.OpenSession());
  LOYALTY_ASSIGN_OR_RETURN(std::optional<ProgramVersion> row, s->FindProgramInForce(at_us));
  if (!row.has_value()) return std::optional<StoredProgram>();
  LOYALTY_ASSIGN_OR_RETURN(StoredProgram p, Parsed(std::move(*row)));
  return std::optional<StoredProgram>(std::move(p));
}

Result<StoredProgram> RequireProgramInForce(Store& store, Micros at_us) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<StoredProgram> p, FindProgramInForce(store, at_us));
  if (!p.has_value()) {
    return Status(Code::kNotFound,
                  "no programme in the database: run `loyalty program apply FILE`");
  }
  return std::move(*p);
}

Status CheckProgramFileMatches(const std::string& file, const StoredProgram& in_force) {
  LOYALTY_ASSIGN_OR_RETURN(Program p, LoadProgramFile(file));
  const std::string hash = Sha256Hex(ProgramToJson(p));
  if (hash == in_force.row.hash) return Status::Ok();
  return Status::Invalid(
      "--program", file + " (v" + std::to_string(p.version) + ", sha256 " + hash +
                       ") is not the programme in force in the "
                       "database (v" +
                       std::to_string(in_force.row.version) + ", sha256 " + in_force.row.hash +
                       "): `loyalty program apply` it, or drop --program");
}

Result<StoredProgram> ProgramForCommand(Store& store, Micros at_us, const std::string& file) {
  LOYALTY_ASSIGN_OR_RETURN(StoredProgram p, RequireProgramInForce(store, at_us));
  if (!file.empty()) LOYALTY_RETURN_IF_ERROR(CheckProgramFileMatches(file, p));
  return p;
}

Result<ApplyResult> ApplyProgram(Store& store, const ApplyRequest& r) {
  LOYALTY_ASSIGN_OR_RETURN(Micros effective_at_us, EffectiveOf(r));
  ProgramVersion row;
  row.version = r.program.version;
  row.program_json = ProgramToJson(r.program);
  row.hash = Sha256Hex(row.program_json);
  row.author = r.author;
  row.applied_at_us = r.now_us;
  row.effective_at_us = effective_at_us;

  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, store.OpenSession());
  LOYALTY_RETURN_IF_ERROR(s->Begin());
  Result<std::optional<ProgramVersion>> newest = Newest(*s);
  if (!newest.ok()) {
    s->Rollback();
    return newest.status();
  }
  if (newest->has_value()) {
    const ProgramVersion& last = **newest;
    if (last.hash == row.hash) {
      s->Rollback();
      return ApplyResult{true, last};
    }
    Status refused;
    if (row.version <= last.version) {
      refused = Status::Invalid("version", "is " + std::to_string(row.version) + " but version " +
                                               std::to_string(last.version) +
                                               " is already stored with other content " +
                                               "(sha256 " + last.hash.substr(0, kHashPrefixChars) +
                                               "): a changed programme needs a higher \"version\"");
    } else if (row.effective_at_us < last.effective_at_us) {
      refused = Status::Invalid("--effective",
                                FormatInstant(row.effective_at_us) + " is before version " +
                                    std::to_string(last.version) + " takes effect (" +
                                    FormatInstant(last.effective_at_us) + ")");
    }
    if (!refused.ok()) {
      s->Rollback();
      return refused;
    }
  }
  Status inserted = s->InsertProgramVersion(row);
  if (inserted.code() == Code::kAlreadyExists) {
    inserted = Status::Invalid("version", "version " + std::to_string(row.version) +
                                              " was applied at the same time by someone else");
  }
  if (!inserted.ok()) {
    s->Rollback();
    return inserted;
  }
  LOYALTY_RETURN_IF_ERROR(s->Commit());
  return ApplyResult{false, std::move(row)};
}

Result<Micros> ParseEffective(const std::string& text, const Program& p) {
  if (Result<LocalDate> d = ParseLocalDate(text); d.ok()) return StartOfDay(*d, p.time_zone);
  Result<Micros> at = ParseInstant(text);
  if (!at.ok()) {
    return Status::Invalid("--effective",
                           "expected a date YYYY-MM-DD or an RFC 3339 instant, got '" + text + "'");
  }
  return *at;
}

}  // namespace loyalty
