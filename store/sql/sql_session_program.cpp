// SqlSession: the programme's versions (core/store.h ProgramRecords).
#include <limits>
#include <optional>
#include <vector>

#include "store/sql/sql_session.h"
#include "store/sql/statements_program.h"

namespace loyalty::sql {

namespace {

ProgramVersion ReadProgramVersion(const Statement& s) {
  ProgramVersion v;
  v.version = s.Int(0);
  v.hash = s.Text(1);
  v.program_json = s.Text(2);
  v.author = s.Text(3);
  v.applied_at_us = s.Int(4);
  v.effective_at_us = s.Int(5);
  return v;
}

}  // namespace

Status SqlSession::InsertProgramVersion(const ProgramVersion& v) {
  return Execute(stmt::kInsertProgramVersion,
                 [&](Statement& s) {
                   s.BindInt(v.version);
                   s.BindText(v.hash);
                   s.BindText(v.program_json);
                   s.BindText(v.author);
                   s.BindInt(v.applied_at_us);
                   s.BindInt(v.effective_at_us);
                 })
      .status();
}

Result<std::optional<ProgramVersion>> SqlSession::FindProgramInForce(Micros at_us) {
  return QueryOne(
      stmt::kFindProgramInForce, Variant::kPlain, [&](Statement& s) { s.BindInt(at_us); },
      &ReadProgramVersion);
}

Result<std::vector<ProgramVersion>> SqlSession::ListProgramVersions(int64_t before_version,
                                                                    int limit) {
  const int64_t before = before_version > 0 ? before_version : std::numeric_limits<int64_t>::max();
  return QueryRows(
      stmt::kListProgramVersions,
      [&](Statement& s) {
        s.BindInt(before);
        s.BindInt(PageLimit(limit));
      },
      &ReadProgramVersion);
}

}  // namespace loyalty::sql
