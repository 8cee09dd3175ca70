// `loyalty export customers|ledger|orders`: the tables as CSV or JSON Lines (app/export_format.h),
// streamed in keyset pages (core/store.h ExportQueries) from one read snapshot, to stdout or to
// --out FILE (written as FILE.tmp, renamed once complete: a failed export leaves no file).
// Columns and their meaning: docs/import-export.md, "Export".
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/commands.h"
#include "app/export_format.h"
#include "app/program_source.h"
#include "core/business_time.h"
#include "core/clock.h"
#include "core/limits.h"

namespace loyalty::cli {

namespace {

enum class Table { kCustomers, kLedger, kOrders };

struct ExportOptions {
  DbOptions db;
  std::string format = "csv";
  std::string out;  // "" = stdout
  std::string from;
  std::string to;
  std::string tier;
};

const char* TableName(Table t) {
  switch (t) {
    case Table::kCustomers:
      return "customers";
    case Table::kLedger:
      return "ledger";
    case Table::kOrders:
      return "orders";
  }
  return "";
}

// The import format's columns first (an export can be imported again), then the extra ones.
const std::vector<std::string> kCustomerColumns = {
    "customer_id",   "birth_date",     "marketing_consent",
    "night_consent", "opening_points", "opening_points_expire_on",
    "tier",          "tier_since",     "pending_points",
    "created_at"};
const std::vector<std::string> kOrderColumns = {
    "order_id",        "customer_id",  "placed_at",    "amount_won",   "shipping_won",
    "points_redeemed", "confirmed_at", "cancelled_at", "refunded_won", "refunded_at",
    "status",          "earn_points",  "rule_version", "tier_at_order"};
const std::vector<std::string> kLedgerColumns = {
    "entry_id",        "created_at", "customer_id", "kind",   "pending_delta",
    "available_delta", "order_id",   "ref_id",      "reason", "actor"};

// Where the rows go: stdout, or FILE.tmp renamed to FILE by Finish(). Until then the temporary
// file is removed when the sink goes away, so a failed export leaves nothing behind.
class ExportSink {
 public:
  explicit ExportSink(std::string path) : path_(std::move(path)) {}
  ~ExportSink() {
    if (file_ != nullptr && file_ != stdout) {
      std::fclose(file_);
      std::remove(Temporary().c_str());
    }
  }
  ExportSink(const ExportSink&) = delete;
  ExportSink& operator=(const ExportSink&) = delete;

  Status Open() {
    if (path_.empty()) {
      file_ = stdout;
      return Status::Ok();
    }
    file_ = std::fopen(Temporary().c_str(), "wb");
    if (file_ == nullptr) return Failed("cannot write " + Temporary());
    std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
    return Status::Ok();
  }
  Status Write(const std::string& text) {
    if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) {
      return Failed("cannot write " + Shown());
    }
    return Status::Ok();
  }
  // Flushes (and for a file: syncs, closes and renames it into place).
  Status Finish() {
    if (std::fflush(file_) != 0) return Failed("cannot write " + Shown());
    if (file_ == stdout) return Status::Ok();
    if (fsync(fileno(file_)) != 0) return Failed("cannot write " + Temporary());
    std::FILE* f = file_;
    file_ = nullptr;
    if (std::fclose(f) != 0) {
      std::remove(Temporary().c_str());
      return Failed("cannot write " + Temporary());
    }
    if (std::rename(Temporary().c_str(), path_.c_str()) != 0) {
      Status failed = Failed("cannot rename " + Temporary() + " to " + path_);
      std::remove(Temporary().c_str());
      return failed;
    }
    return Status::Ok();
  }
  std::string Shown() const { return path_.empty() ? "stdout" : path_; }

 private:
  std::string Temporary() const { return path_ + ".tmp"; }
  static Status Failed(const std::string& what) {
    return Status(Code::kUnavailable, what + ": " + std::strerror(errno));
  }

  std::string path_;
  std::FILE* file_ = nullptr;
};

// The instants of a --from / --to range of business dates: [start of from, start of to + 1).
struct Range {
  Micros from_us = 0;    // 0 = no lower bound
  Micros before_us = 0;  // 0 = no upper bound
};

Range RangeOf(const ExportOptions& o, const std::string& tz) {
  Range r;
  if (!o.from.empty()) r.from_us = StartOfDay(*ParseLocalDate(o.from), tz);
  if (!o.to.empty()) r.before_us = StartOfDay(AddDays(*ParseLocalDate(o.to), 1), tz);
  return r;
}

ExportCell Instant(Micros t_us) {
  return t_us == 0 ? ExportCell::Null() : ExportCell::Text(FormatInstant(t_us));
}

// Writes every row of the table, page by page; *rows counts them.
class TableWriter {
 public:
  TableWriter(Session& s, ExportSink& sink, ExportFormat format, const Program& p)
      : s_(s), sink_(sink), format_(format), program_(p) {}

  Status Customers(const Range& range, const std::string& tier, Micros now_us, int64_t* rows) {
    LOYALTY_RETURN_IF_ERROR(sink_.Write(FormatHeader(format_, kCustomerColumns)));
    CustomerPageQuery q;
    q.tier = tier;
    q.created_from_us = range.from_us;
    q.created_before_us = range.before_us;
    q.as_of_us = now_us;
    q.limit = kMaxExportPageSize;
    for (;;) {
      LOYALTY_ASSIGN_OR_RETURN(std::vector<CustomerPageRow> page, s_.ListCustomerPage(q));
      std::string text;
      for (const CustomerPageRow& r : page) text += FormatRow(format_, kCustomerColumns, Cells(r));
      LOYALTY_RETURN_IF_ERROR(sink_.Write(text));
      *rows += static_cast<int64_t>(page.size());
      if (static_cast<int>(page.size()) < q.limit) return Status::Ok();
      q.after_customer_id = page.back().customer.customer_id;
    }
  }

  Status Orders(const Range& range, int64_t* rows) {
    LOYALTY_RETURN_IF_ERROR(sink_.Write(FormatHeader(format_, kOrderColumns)));
    OrderPageQuery q;
    q.placed_from_us = range.from_us;
    q.placed_before_us = range.before_us;
    q.limit = kMaxExportPageSize;
    for (;;) {
      LOYALTY_ASSIGN_OR_RETURN(std::vector<OrderPageRow> page, s_.ListOrderPage(q));
      std::string text;
      for (const OrderPageRow& r : page) text += FormatRow(format_, kOrderColumns, Cells(r));
      LOYALTY_RETURN_IF_ERROR(sink_.Write(text));
      *rows += static_cast<int64_t>(page.size());
      if (static_cast<int>(page.size()) < q.limit) return Status::Ok();
      q.after_order_id = page.back().order.order_id;
    }
  }

  Status Ledger(const Range& range, const std::string& tier, int64_t* rows) {
    LOYALTY_RETURN_IF_ERROR(sink_.Write(FormatHeader(format_, kLedgerColumns)));
    EntryPageQuery q;
    q.tier = tier;
    q.created_from_us = range.from_us;
    q.created_before_us = range.before_us;
    q.limit = kMaxExportPageSize;
    for (;;) {
      LOYALTY_ASSIGN_OR_RETURN(std::vector<Entry> page, s_.ListEntryPage(q));
      std::string text;
      for (const Entry& e : page) text += FormatRow(format_, kLedgerColumns, Cells(e));
      LOYALTY_RETURN_IF_ERROR(sink_.Write(text));
      *rows += static_cast<int64_t>(page.size());
      if (static_cast<int>(page.size()) < q.limit) return Status::Ok();
      q.after_entry_id = page.back().entry_id;
    }
  }

 private:
  std::vector<ExportCell> Cells(const CustomerPageRow& r) const {
    const Customer& c = r.customer;
    // The last business day the soonest live lot can be used (its expiry is exclusive).
    ExportCell expire_on = ExportCell::Null();
    if (r.available_now_points > 0 && r.earliest_expiry_us > 0) {
      expire_on = ExportCell::Text(
          FormatLocalDate(BusinessDate(r.earliest_expiry_us - 1, program_.time_zone)));
    }
    return {ExportCell::Text(c.customer_id),
            c.birth_date ? ExportCell::Text(*c.birth_date) : ExportCell::Null(),
            ExportCell::Bool(c.marketing_consent),
            ExportCell::Bool(c.night_consent),
            ExportCell::Int(r.available_now_points),
            std::move(expire_on),
            ExportCell::Text(c.tier),
            Instant(c.tier_since_us),
            ExportCell::Int(c.pending_points),
            Instant(c.created_at_us)};
  }
  static std::vector<ExportCell> Cells(const OrderPageRow& r) {
    const Order& o = r.order;
    return {ExportCell::Text(o.order_id),
            ExportCell::Text(o.customer_id),
            Instant(o.placed_at_us),
            ExportCell::Int(o.amount_won),
            ExportCell::Int(o.shipping_won),
            ExportCell::Int(o.points_redeemed),
            Instant(o.confirmed_at_us),
            Instant(o.cancelled_at_us),
            ExportCell::Int(o.refunded_won),
            Instant(r.last_refund_at_us),
            ExportCell::Text(OrderStatusName(o.status)),
            ExportCell::Int(o.earn_points),
            ExportCell::Int(o.rule_version),
            ExportCell::Text(o.tier_at_order)};
  }
  static std::vector<ExportCell> Cells(const Entry& e) {
    return {ExportCell::Int(e.entry_id),        Instant(e.created_at_us),
            ExportCell::Text(e.customer_id),    ExportCell::Text(EntryKindName(e.kind)),
            ExportCell::Int(e.pending_delta),   ExportCell::Int(e.available_delta),
            ExportCell::TextOrNull(e.order_id), ExportCell::TextOrNull(e.ref_id),
            ExportCell::Text(e.reason),         ExportCell::Text(e.actor)};
  }

  Session& s_;
  ExportSink& sink_;
  ExportFormat format_;
  const Program& program_;
};

std::string TierCodes(const Program& p) {
  std::string out;
  for (const TierRule& t : p.tiers) out += (out.empty() ? "" : ", ") + t.code;
  return out;
}

// Everything a command line can get wrong that needs no database: exit 2 before anything opens.
int CheckLine(Table table, const ExportOptions& o, const std::string& command) {
  if (table == Table::kOrders && !o.tier.empty()) {
    return Usage(command,
                 "--tier: orders are not filtered by tier (export customers or ledger --tier "
                 "CODE for a tier's customers and their entries)");
  }
  if (!o.from.empty() && !o.to.empty() && *ParseLocalDate(o.to) < *ParseLocalDate(o.from)) {
    return Usage(command, "--to " + o.to + " is before --from " + o.from);
  }
  return kExitOk;
}

int Export(Table table, const ExportOptions& o) {
  const std::string command = std::string("loyalty export ") + TableName(table);
  if (int bad = CheckLine(table, o, command); bad != kExitOk) return bad;
  auto store = OpenStore(o.db, OpenMode::kExisting);
  if (!store.ok()) return FailStore(store.status());
  const Micros now_us = SystemClock().NowMicros();
  auto stored = RequireProgramInForce(**store, now_us);
  if (!stored.ok()) return Fail(stored.status());
  const Program& program = stored->program;
  if (!o.tier.empty() && program.FindTier(o.tier) == nullptr) {
    return Usage(command, "--tier: unknown tier '" + o.tier + "' (the programme in force, " +
                              DescribeProgramVersion(stored->row) + ", has " + TierCodes(program) +
                              ")");
  }
  auto session = (*store)->OpenSession();
  if (!session.ok()) return Fail(session.status());
  ExportSink sink(o.out);
  if (Status opened = sink.Open(); !opened.ok()) return Fail(opened);
  // One snapshot for the whole export: the rows agree with each other however long it takes.
  if (Status read = (*session)->BeginRead(); !read.ok()) return Fail(read);
  const ExportFormat format = o.format == "jsonl" ? ExportFormat::kJsonl : ExportFormat::kCsv;
  TableWriter writer(**session, sink, format, program);
  const Range range = RangeOf(o, program.time_zone);
  int64_t rows = 0;
  Status written;
  switch (table) {
    case Table::kCustomers:
      written = writer.Customers(range, o.tier, now_us, &rows);
      break;
    case Table::kLedger:
      written = writer.Ledger(range, o.tier, &rows);
      break;
    case Table::kOrders:
      written = writer.Orders(range, &rows);
      break;
  }
  (*session)->EndRead();
  if (!written.ok()) return Fail(written);
  if (Status finished = sink.Finish(); !finished.ok()) return Fail(finished);
  std::fprintf(stderr, "exported %lld %s (%s) to %s\n", static_cast<long long>(rows),
               TableName(table), o.format.c_str(), sink.Shown().c_str());
  return kExitOk;
}

CLI::Validator DateOption() {
  return CLI::Validator(
      [](std::string& value) {
        auto d = ParseLocalDate(value);
        return d.ok() ? std::string() : d.status().message();
      },
      "", "date");
}

void AddTableCommand(CLI::App& parent, Runner& run, Table table, const char* description,
                     const char* dated) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = parent.add_subcommand(TableName(table), description);
  cmd->add_option("--format", o->format, "csv (RFC 4180, a header row; default) or jsonl")
      ->type_name("csv|jsonl")
      ->check(CLI::IsMember({"csv", "jsonl"}).description(""));
  cmd->add_option("--out", o->out,
                  "write FILE (as FILE.tmp, renamed when complete) instead of\n"
                  "stdout")
      ->type_name("FILE");
  cmd->add_option("--from", o->from,
                  std::string("only rows whose ") + dated +
                      " is on or after this business\n"
                      "date (the programme's zone)")
      ->type_name("DATE")
      ->check(DateOption());
  cmd->add_option("--to", o->to,
                  std::string("only rows whose ") + dated +
                      " is on or before this business\n"
                      "date")
      ->type_name("DATE")
      ->check(DateOption());
  cmd->add_option("--tier", o->tier,
                  table == Table::kOrders ? "refused: orders are not filtered by tier"
                                          : "only customers whose current tier is CODE (a tier "
                                            "of the\nprogramme in force)")
      ->type_name("CODE");
  AddDbOptions(*cmd, o->db, /*writes=*/false);
  cmd->callback([&run, o, table] { run = [o, table] { return Export(table, *o); }; });
}

}  // namespace

void AddExportCommand(CLI::App& parent, Runner& run) {
  CLI::App* exp = parent.add_subcommand(
      "export", "customers, orders or the ledger as CSV or JSON Lines, streamed");
  exp->require_subcommand(1);
  exp->footer(
      "Reads one snapshot of the database in pages of 1,000 rows (memory does not grow with\n"
      "the table) and writes nothing to it. Times are RFC 3339 UTC instants, dates YYYY-MM-DD.\n"
      "customers: the import format (a re-import gives each customer one lot of its\n"
      "available balance, expiring with its soonest lot), then pending_points, created_at.\n"
      "Exit status 1 when the export failed (no --out file is left behind). Columns:\n"
      "docs/import-export.md, \"Export\".");
  AddTableCommand(*exp, run, Table::kCustomers, "customers with their balance and tier",
                  "created_at");
  AddTableCommand(*exp, run, Table::kOrders, "orders with their refunds and points", "placed_at");
  AddTableCommand(*exp, run, Table::kLedger, "every ledger entry, oldest first", "created_at");
}

}  // namespace loyalty::cli
