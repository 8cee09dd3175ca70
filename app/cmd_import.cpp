// `loyalty import customers|orders FILE` (jobs/import.h, docs/import-export.md).
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "api/strict_json.h"
#include "app/cli_progress.h"
#include "app/commands.h"
#include "app/export_format.h"
#include "app/program_codec.h"
#include "app/program_source.h"
#include "core/business_time.h"
#include "core/clock.h"
#include "jobs/import.h"

namespace loyalty::cli {

namespace {

struct ImportOptionsCli {
  DbOptions db;
  std::string kind;  // customers or orders
  std::string file;  // "-" = stdin
  std::string format = "auto";
  std::string rejects;
  bool dry_run = false;
  bool json = false;
};

// JSON Lines: one object per line; a null or missing member is an absent cell, numbers and
// booleans are their JSON text.
class JsonLinesSource final : public RecordSource {
 public:
  JsonLinesSource(std::istream& in, std::vector<std::string> columns)
      : in_(in), columns_(std::move(columns)) {}
  Result<bool> Next(ImportRecord& record) override {
    record = ImportRecord{};
    std::string line;
    do {
      if (!std::getline(in_, line)) return false;
      ++line_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
    } while (line.empty());
    record.line = line_;
    Result<Poco::Dynamic::Var> v = ParseStrictJson(line);
    if (!v.ok()) {
      record.error = "not JSON: " + v.status().message();
      return true;
    }
    if (v->type() != typeid(Poco::JSON::Object::Ptr)) {
      record.error = "not a JSON object";
      return true;
    }
    const Poco::JSON::Object::Ptr o = v->extract<Poco::JSON::Object::Ptr>();
    for (const auto& [key, value] : *o) {
      if (std::find(columns_.begin(), columns_.end(), key) == columns_.end()) {
        record.error = "unknown member '" + key + "'";
        return true;
      }
      if (value.isEmpty()) continue;
      if (value.isString() || value.isNumeric() || value.isBoolean()) {
        record.values[key] = value.convert<std::string>();
      } else {
        record.error = "member '" + key + "' must be a string, a number, a boolean or null";
        return true;
      }
    }
    return true;
  }

 private:
  std::istream& in_;
  std::vector<std::string> columns_;
  int64_t line_ = 0;
};

// Every stored programme version, parsed once: the one in force at an instant.
class ProgramHistory {
 public:
  Status Load(Store& store) {
    LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, store.OpenSession());
    int64_t before = 0;
    for (;;) {
      LOYALTY_ASSIGN_OR_RETURN(std::vector<ProgramVersion> rows,
                               s->ListProgramVersions(before, 100));
      for (ProgramVersion& v : rows) {
        LOYALTY_ASSIGN_OR_RETURN(Program p, ParseProgramJson(v.program_json));
        versions_.push_back({v.effective_at_us, std::make_unique<Program>(std::move(p))});
        before = v.version;
      }
      if (rows.size() < 100) break;
    }
    return Status::Ok();
  }
  const Program* At(Micros at_us) const {  // versions_ newest first
    for (const auto& [effective, p] : versions_) {
      if (effective <= at_us) return p.get();
    }
    return nullptr;
  }

 private:
  std::vector<std::pair<Micros, std::unique_ptr<Program>>> versions_;
};

int Import(const ImportOptionsCli& o) {
  const bool customers = o.kind == "customers";
  std::vector<std::string> columns, required;
  if (customers) {
    columns.assign(std::begin(kCustomerColumns), std::end(kCustomerColumns));
    required = {"customer_id"};
  } else {
    columns.assign(std::begin(kOrderColumns), std::end(kOrderColumns));
    required = {"order_id", "customer_id", "placed_at", "amount_won"};
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.file != "-") {
    file.open(o.file, std::ios::binary);
    if (!file) return Fail(Status(Code::kNotFound, "cannot read " + o.file));
    in = &file;
  }
  const std::string format =
      o.format != "auto" ? o.format
      : (o.file.size() > 6 && (o.file.ends_with(".jsonl") || o.file.ends_with(".ndjson"))) ? "jsonl"
                                                                                           : "csv";
  std::unique_ptr<RecordSource> source;
  if (format == "jsonl") {
    source = std::make_unique<JsonLinesSource>(*in, columns);
  } else {
    auto csv = CsvRecordSource(*in, columns, required);
    if (!csv.ok()) return Fail(csv.status());
    source = std::move(csv).value();
  }

  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  SystemClock clock;
  auto now = RequireProgramInForce(**store, clock.NowMicros());
  if (!now.ok()) return Fail(now.status());
  ProgramHistory history;
  if (Status st = history.Load(**store); !st.ok()) return Fail(st);

  std::FILE* rejects = nullptr;
  if (!o.rejects.empty()) {
    rejects = std::fopen(o.rejects.c_str(), "w");
    if (rejects == nullptr) return Fail(Status(Code::kNotFound, "cannot write " + o.rejects));
    std::fprintf(rejects, "line,column,reason\n");
  }
  int64_t shown = 0;
  ImportOptions io;
  io.dry_run = o.dry_run;
  char id[40];
  std::snprintf(id, sizeof id, "imp_%lld", static_cast<long long>(clock.NowMicros()));
  io.import_id = id;
  io.on_reject = [&](const ImportReject& r) {
    if (rejects != nullptr) {
      std::fprintf(rejects, "%lld,%s,%s\n", static_cast<long long>(r.line),
                   CsvField(r.column).c_str(), CsvField(r.reason).c_str());
    } else if (shown++ < 20) {
      std::fprintf(stderr, "line %lld%s%s: %s\n", static_cast<long long>(r.line),
                   r.column.empty() ? "" : ", ", r.column.c_str(), r.reason.c_str());
    }
  };
  ProgressPrinter progress;
  io.on_progress = [&](int64_t rows) { progress({"import", rows, 0}); };
  Importer importer(
      **store, now->program, [&](Micros t) { return history.At(t); }, clock);
  auto sum = customers ? importer.Customers(*source, io) : importer.Orders(*source, io);
  progress.EndLine();
  if (rejects != nullptr) std::fclose(rejects);
  if (!sum.ok()) return Fail(sum.status());
  if (o.json) {
    std::printf("%s\n", sum->ToJson().c_str());
  } else {
    std::printf("%s", sum->ToText().c_str());
    if (sum->rejected > 0 && rejects == nullptr && shown > 20) {
      std::printf("  (the first 20 rejected rows are above; --rejects FILE lists them all)\n");
    }
  }
  return sum->rejected > 0 ? kExitFailed : kExitOk;
}

void AddImport(CLI::App& parent, Runner& run, const std::string& kind, const std::string& what) {
  auto o = std::make_shared<ImportOptionsCli>();
  o->kind = kind;
  CLI::App* cmd = parent.add_subcommand(kind, what);
  cmd->add_option("FILE", o->file, "CSV with a header row, or JSON Lines (.jsonl); - = stdin")
      ->required();
  cmd->add_option("--format", o->format, "csv, jsonl or auto (default: by the file's name)")
      ->check(CLI::IsMember({"auto", "csv", "jsonl"}));
  cmd->add_option("--rejects", o->rejects, "write every rejected row (line, column, reason) here")
      ->type_name("FILE");
  cmd->add_flag("--dry-run", o->dry_run, "check every row and write nothing");
  cmd->add_flag("--json", o->json, "print the summary as one JSON object");
  AddDbOptions(*cmd, o->db, /*writes=*/true);
  cmd->footer(
      "Exit status 1 when a row was rejected (the others are imported). Importing the same file\n"
      "again changes nothing. docs/import-export.md lists the columns.");
  cmd->callback([&run, o] { run = [o] { return Import(*o); }; });
}

}  // namespace

void AddImportCommand(CLI::App& parent, Runner& run) {
  CLI::App* import = parent.add_subcommand("import", "bring in a shop's customers and orders");
  import->require_subcommand(1);
  AddImport(*import, run, "customers",
            "customers with consents, opening balances (with expiry) and tiers");
  AddImport(*import, run, "orders",
            "orders with their placement, confirmation, refund and cancellation times, replayed "
            "in time order");
}

}  // namespace loyalty::cli
