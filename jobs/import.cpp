#include "jobs/import.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <set>
#include <utility>

#include "core/business_time.h"
#include "core/json_writer.h"
#include "core/ledger.h"
#include "core/limits.h"
#include "core/sha256.h"
#include "core/tiers.h"
#include "jobs/csv_reader.h"
#include "jobs/daily_job.h"

namespace loyalty {

namespace {

constexpr int64_t kMaxImportAmount = 1'000'000'000'000;  // ₩1조: beyond any one order or balance

// ---- parsing one cell; the errors name the column (Status field) ----

const std::string* Cell(const ImportRecord& r, const std::string& column) {
  auto it = r.values.find(column);
  return it == r.values.end() || it->second.empty() ? nullptr : &it->second;
}

Result<int64_t> IntCell(const ImportRecord& r, const std::string& column, int64_t if_absent) {
  const std::string* v = Cell(r, column);
  if (v == nullptr) return if_absent;
  if (v->size() > 15 ||
      !std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Status::Invalid(column, "must be a whole number from 0, got '" + *v + "'");
  }
  const int64_t n = std::stoll(*v);
  if (n > kMaxImportAmount) return Status::Invalid(column, "is above 1,000,000,000,000");
  return n;
}

Result<std::optional<bool>> BoolCell(const ImportRecord& r, const std::string& column) {
  const std::string* v = Cell(r, column);
  if (v == nullptr) return std::optional<bool>();
  if (*v == "true" || *v == "1") return std::optional<bool>(true);
  if (*v == "false" || *v == "0") return std::optional<bool>(false);
  return Status::Invalid(column, "must be true, false, 1 or 0, got '" + *v + "'");
}

// RFC 3339, or a date: the start of that business day in the programme's zone.
Result<std::optional<Micros>> TimeCell(const ImportRecord& r, const std::string& column,
                                       const std::string& zone) {
  const std::string* v = Cell(r, column);
  if (v == nullptr) return std::optional<Micros>();
  if (Result<LocalDate> d = ParseLocalDate(*v); d.ok()) {
    return std::optional<Micros>(StartOfDay(*d, zone));
  }
  Result<Micros> at = ParseInstant(*v);
  if (!at.ok()) {
    return Status::Invalid(column,
                           "must be an RFC 3339 instant or a date YYYY-MM-DD, got '" + *v + "'");
  }
  return std::optional<Micros>(*at);
}

// A required id cell, by the ledger's own rule for ids.
Status IdCell(const ImportRecord& r, const std::string& column, std::string* out) {
  const std::string* v = Cell(r, column);
  LOYALTY_RETURN_IF_ERROR(CheckId(column, v != nullptr ? *v : std::string()));
  *out = *v;
  return Status::Ok();
}

// The row's values as one text, every column of the format in order: import_rows keeps its
// SHA-256 to tell "the same row again" from "the same id with other values".
std::string Canonical(const ImportRecord& r, const char* const* columns, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    const std::string* v = Cell(r, columns[i]);
    out += std::string(columns[i]) + "=" + (v != nullptr ? *v : "") + "\n";
  }
  return out;
}

// An id derived from another (refund ids of an imported order), kept within kMaxIdLength.
std::string DerivedId(const std::string& prefix, const std::string& id) {
  if (prefix.size() + id.size() <= kMaxIdLength) return prefix + id;
  uint64_t h = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : id) h = (h ^ c) * 1099511628211ULL;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  const size_t keep = kMaxIdLength - prefix.size() - 17;
  return prefix + hex + "-" + id.substr(id.size() - keep);
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Transactions of a batch of rows, each row in a savepoint (a refused row changes nothing).
class Batch {
 public:
  Batch(Session& s, bool dry_run, int size) : s_(s), dry_run_(dry_run), size_(size) {}
  Status Begin() { return s_.Begin(); }
  // After a row: commits every `size` rows (never in a dry run: one transaction, rolled back).
  Status Count() {
    if (dry_run_ || ++n_ < size_) return Status::Ok();
    n_ = 0;
    LOYALTY_RETURN_IF_ERROR(s_.Commit());
    return s_.Begin();
  }
  Status End() {
    if (dry_run_) {
      s_.Rollback();
      return Status::Ok();
    }
    return s_.Commit();
  }
  // Runs one row's writes in a savepoint: its error, after undoing them.
  Status Row(const std::function<Status()>& fn) {
    LOYALTY_RETURN_IF_ERROR(s_.Savepoint());
    Status st = fn();
    if (st.ok()) return s_.ReleaseSavepoint();
    LOYALTY_RETURN_IF_ERROR(s_.RollbackToSavepoint());
    return st;
  }

 private:
  Session& s_;
  bool dry_run_;
  int size_;
  int n_ = 0;
};

// Errors of the environment end the import (the rerun resumes); the others refuse the row.
bool Fatal(const Status& st) {
  return st.code() == Code::kUnavailable || st.code() == Code::kRetry ||
         st.code() == Code::kInternal;
}

class RejectCounter {
 public:
  RejectCounter(const ImportOptions& o, ImportSummary& s) : o_(o), s_(s) {}
  void operator()(int64_t line, const std::string& column, const std::string& reason) {
    ++s_.rejected;
    if (o_.on_reject) o_.on_reject({line, column, reason});
  }
  void operator()(int64_t line, const Status& st) { (*this)(line, st.field(), st.message()); }

 private:
  const ImportOptions& o_;
  ImportSummary& s_;
};

// CSV with a header row checked against the format's columns.
class CsvSource final : public RecordSource {
 public:
  CsvSource(std::istream& in) : reader_(in) {}
  Status ReadHeader(const std::vector<std::string>& columns,
                    const std::vector<std::string>& required) {
    Result<bool> got = reader_.Next(header_);
    if (!got.ok()) return Status::Invalid("header", got.status().message());
    if (!*got) return Status::Invalid("header", "the file is empty: a header row is required");
    std::set<std::string> seen;
    for (const std::string& h : header_) {
      if (std::find(columns.begin(), columns.end(), h) == columns.end()) {
        return Status::Invalid("header", "unknown column '" + h + "'");
      }
      if (!seen.insert(h).second) return Status::Invalid("header", "column '" + h + "' twice");
    }
    for (const std::string& r : required) {
      if (!seen.contains(r)) return Status::Invalid("header", "column '" + r + "' is missing");
    }
    return Status::Ok();
  }
  Result<bool> Next(ImportRecord& record) override {
    record = ImportRecord{};
    Result<bool> got = reader_.Next(fields_);
    record.line = reader_.line();
    if (!got.ok()) {
      const std::string& m = got.status().message();
      record.error = m.substr(m.find(": ") == std::string::npos ? 0 : m.find(": ") + 2);
      return !fields_.empty() || record.line > 0;
    }
    if (!*got) return false;
    if (fields_.size() != header_.size()) {
      record.error = "has " + std::to_string(fields_.size()) + " fields, the header " +
                     std::to_string(header_.size());
      return true;
    }
    for (size_t i = 0; i < header_.size(); ++i) record.values[header_[i]] = std::move(fields_[i]);
    return true;
  }

 private:
  CsvReader reader_;
  std::vector<std::string> header_, fields_;
};

// The row id seen before: kAlreadyExists "unchanged" for the same values, Invalid on `column` for
// other values; OK when the id is new to the imports.
Status CheckImportedBefore(Session& s, const std::string& kind, const std::string& id,
                           const std::string& hash, const std::string& column) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<ImportRow> prior, s.FindImportRow(kind, id));
  if (!prior) return Status::Ok();
  if (prior->hash == hash) return Status(Code::kAlreadyExists, "unchanged");
  return Status::Invalid(column, "was imported before with other values (line " +
                                     std::to_string(prior->line) + " of " + prior->import_id + ")");
}

}  // namespace

Result<std::unique_ptr<RecordSource>> CsvRecordSource(std::istream& in,
                                                      const std::vector<std::string>& columns,
                                                      const std::vector<std::string>& required) {
  auto source = std::make_unique<CsvSource>(in);
  LOYALTY_RETURN_IF_ERROR(source->ReadHeader(columns, required));
  return std::unique_ptr<RecordSource>(std::move(source));
}

std::string ImportSummary::ToText() const {
  char line[256];
  std::snprintf(line, sizeof line,
                "%simport %s: %lld rows, %lld imported, %lld unchanged, %lld rejected (%.1f s, "
                "%.0f rows/s)\n",
                dry_run ? "DRY RUN (nothing written): " : "", kind.c_str(),
                static_cast<long long>(rows), static_cast<long long>(imported),
                static_cast<long long>(unchanged), static_cast<long long>(rejected), seconds,
                seconds > 0 ? static_cast<double>(rows) / seconds : 0.0);
  std::string out = line;
  if (!first_date.empty()) {
    out += "  history " + first_date + " to " + last_date + ", daily job run for " +
           std::to_string(dates_run) + " dates (history mode)\n";
  }
  return out;
}

std::string ImportSummary::ToJson() const {
  return JsonWriter()
      .Str("kind", kind)
      .Bool("dry_run", dry_run)
      .Int("rows", rows)
      .Int("imported", imported)
      .Int("unchanged", unchanged)
      .Int("rejected", rejected)
      .Str("first_date", first_date)
      .Str("last_date", last_date)
      .Int("dates_run", dates_run)
      .Finish();
}

Result<ImportSummary> Importer::Customers(RecordSource& rows, const ImportOptions& o) {
  LOYALTY_CHECK(!o.import_id.empty());
  const auto t0 = std::chrono::steady_clock::now();
  const Micros now_us = clock_.NowMicros();
  const Ctx ctx{now_, now_us, Actor{o.import_id, "import"}, nullptr, nullptr, true};
  ImportSummary sum;
  sum.kind = "customers";
  sum.dry_run = o.dry_run;
  RejectCounter reject(o, sum);
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, store_.OpenSession());
  Batch batch(*s, o.dry_run, o.batch_rows);
  LOYALTY_RETURN_IF_ERROR(batch.Begin());
  ImportRecord r;
  for (;;) {
    Result<bool> more = rows.Next(r);
    if (!more.ok()) {
      s->Rollback();
      return more.status();
    }
    if (!*more) break;
    ++sum.rows;
    if (o.on_progress && sum.rows % 1000 == 0) o.on_progress(sum.rows);
    if (!r.error.empty()) {
      reject(r.line, "", r.error);
      continue;
    }
    // The row's values, each checked before anything is written.
    std::string id;
    Status st = IdCell(r, "customer_id", &id);
    CustomerInput in;
    in.customer_id = id;
    Points opening = 0;
    Micros expires_at_us = 0, tier_since_us = 0;
    const std::string* tier = Cell(r, "tier");
    if (st.ok()) {
      if (const std::string* b = Cell(r, "birth_date")) {
        if (!ParseLocalDate(*b).ok()) {
          st = Status::Invalid("birth_date", "must be a date YYYY-MM-DD, got '" + *b + "'");
        }
        in.birth_date = std::optional<std::string>(*b);
      }
    }
    if (st.ok()) {
      Result<std::optional<bool>> m = BoolCell(r, "marketing_consent");
      Result<std::optional<bool>> n = BoolCell(r, "night_consent");
      st = !m.ok() ? m.status() : n.status();
      if (st.ok()) {
        in.marketing_consent = *m;
        in.night_consent = *n;
      }
    }
    if (st.ok()) {
      Result<int64_t> p = IntCell(r, "opening_points", 0);
      st = p.status();
      if (st.ok()) opening = *p;
    }
    if (st.ok() && opening > 0) {
      const std::string* e = Cell(r, "opening_points_expire_on");
      if (e != nullptr) {
        Result<LocalDate> d = ParseLocalDate(*e);
        if (!d.ok()) {
          st = Status::Invalid("opening_points_expire_on", "must be a date YYYY-MM-DD");
        } else {
          expires_at_us = StartOfDay(AddDays(*d, 1), now_.time_zone);  // valid through that day
          if (expires_at_us <= now_us) {
            st = Status::Invalid("opening_points_expire_on",
                                 "is in the past: those points have expired already");
          }
        }
      }
    } else if (st.ok() && Cell(r, "opening_points_expire_on") != nullptr) {
      st = Status::Invalid("opening_points_expire_on", "is given without opening_points");
    }
    if (st.ok() && tier != nullptr && now_.FindTier(*tier) == nullptr) {
      st = Status::Invalid("tier", "'" + *tier + "' is not a tier of the programme");
    }
    if (st.ok()) {
      Result<std::optional<Micros>> since = TimeCell(r, "tier_since", now_.time_zone);
      st = since.status();
      if (st.ok() && since->has_value()) {
        tier_since_us = **since;
        if (tier == nullptr) st = Status::Invalid("tier_since", "is given without tier");
        if (st.ok() && tier_since_us > now_us)
          st = Status::Invalid("tier_since", "is in the future");
      }
      if (st.ok() && tier != nullptr && tier_since_us == 0) tier_since_us = now_us;
    }
    if (!st.ok()) {
      reject(r.line, st);
      continue;
    }
    const std::string canonical =
        Sha256HexOf(Canonical(r, kCustomerColumns, std::size(kCustomerColumns)));
    Status row = batch.Row([&]() -> Status {
      LOYALTY_RETURN_IF_ERROR(CheckImportedBefore(*s, "customer", id, canonical, "customer_id"));
      LOYALTY_ASSIGN_OR_RETURN(std::optional<Customer> exists, s->FindCustomer(id));
      if (exists) return Status::Invalid("customer_id", "already exists in the engine");
      LOYALTY_RETURN_IF_ERROR(UpsertCustomer(*s, in, ctx).status());
      if (opening > 0) {
        AdjustRequest a;
        a.adjustment_id = DerivedId("import:", id);
        a.customer_id = id;
        a.points = opening;
        a.expires_at_us = expires_at_us;
        a.reason_code = "import_opening";
        a.note = "opening balance imported by " + o.import_id;
        a.request_hash = canonical;
        LOYALTY_RETURN_IF_ERROR(AdjustPoints(*s, a, ctx).status());
      }
      if (tier != nullptr) {
        LOYALTY_RETURN_IF_ERROR(ImportTier(*s, id, *tier, tier_since_us, ctx).status());
      }
      return s->InsertImportRow({"customer", id, canonical, o.import_id, r.line, now_us});
    });
    if (row.code() == Code::kAlreadyExists && row.message() == "unchanged") {
      ++sum.unchanged;
    } else if (!row.ok()) {
      if (Fatal(row)) {
        s->Rollback();
        return row;
      }
      reject(r.line, row);
    } else {
      ++sum.imported;
    }
    LOYALTY_RETURN_IF_ERROR(batch.Count());
  }
  LOYALTY_RETURN_IF_ERROR(batch.End());
  if (o.on_progress) o.on_progress(sum.rows);
  sum.seconds = SecondsSince(t0);
  return sum;
}

Result<ImportSummary> Importer::Orders(RecordSource& rows, const ImportOptions& o) {
  LOYALTY_CHECK(!o.import_id.empty());
  const auto t0 = std::chrono::steady_clock::now();
  const Micros now_us = clock_.NowMicros();
  const std::string& zone = now_.time_zone;
  ImportSummary sum;
  sum.kind = "orders";
  sum.dry_run = o.dry_run;
  RejectCounter reject(o, sum);
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<Session> s, store_.OpenSession());

  // Dates the daily job has run are decided: history must come before them.
  std::optional<LocalDate> last_run;
  {
    LOYALTY_ASSIGN_OR_RETURN(std::vector<JobRun> runs, s->ListJobRunsOfStep(kJobRunStep));
    for (const JobRun& j : runs) {
      if (j.shards == 1 && (!last_run || FromDateKey(j.business_date) > *last_run) &&
          j.summary_json.find("\"history\":true") == std::string::npos) {
        last_run = FromDateKey(j.business_date);
      }
    }
  }

  // ---- pass 1: check every row and stage its events
  Batch batch(*s, o.dry_run, o.batch_rows);
  LOYALTY_RETURN_IF_ERROR(batch.Begin());
  ImportRecord r;
  for (;;) {
    Result<bool> more = rows.Next(r);
    if (!more.ok()) {
      s->Rollback();
      return more.status();
    }
    if (!*more) break;
    ++sum.rows;
    if (o.on_progress && sum.rows % 1000 == 0) o.on_progress(sum.rows);
    if (!r.error.empty()) {
      reject(r.line, "", r.error);
      continue;
    }
    std::string id, customer;
    Status st = IdCell(r, "order_id", &id);
    if (st.ok()) st = IdCell(r, "customer_id", &customer);
    std::optional<Micros> placed, confirmed, cancelled, refunded_at;
    int64_t amount = 0, shipping = 0, points = 0, refunded = 0;
    auto time = [&](const char* column, std::optional<Micros>* out) {
      if (!st.ok()) return;
      Result<std::optional<Micros>> t = TimeCell(r, column, zone);
      st = t.status();
      if (!st.ok()) return;
      *out = *t;
      if (out->has_value() && **out > now_us) st = Status::Invalid(column, "is in the future");
      if (st.ok() && out->has_value() && placed && **out < *placed) {
        st = Status::Invalid(column, "is before placed_at");
      }
    };
    auto number = [&](const char* column, int64_t* out, bool required) {
      if (!st.ok()) return;
      if (required && Cell(r, column) == nullptr) {
        st = Status::Invalid(column, "is required");
        return;
      }
      Result<int64_t> n = IntCell(r, column, 0);
      st = n.status();
      if (st.ok()) *out = *n;
    };
    time("placed_at", &placed);
    if (st.ok() && !placed) st = Status::Invalid("placed_at", "is required");
    time("confirmed_at", &confirmed);
    time("cancelled_at", &cancelled);
    time("refunded_at", &refunded_at);
    number("amount_won", &amount, true);
    number("shipping_won", &shipping, false);
    number("points_redeemed", &points, false);
    number("refunded_won", &refunded, false);
    if (st.ok() && amount == 0) st = Status::Invalid("amount_won", "must be a positive amount");
    if (st.ok() && refunded > amount) {
      st = Status::Invalid("refunded_won", "is above amount_won (" + std::to_string(amount) + ")");
    }
    if (st.ok() && (refunded > 0) != refunded_at.has_value()) {
      st = Status::Invalid(refunded > 0 ? "refunded_at" : "refunded_won",
                           "refunded_won and refunded_at go together");
    }
    if (st.ok() && refunded_at && cancelled && *refunded_at > *cancelled) {
      st = Status::Invalid("refunded_at", "is after cancelled_at");
    }
    const Program* then = st.ok() ? at_(*placed) : nullptr;
    if (st.ok() && then == nullptr) {
      st = Status::Invalid("placed_at",
                           "no programme version was in force then (before the programme's "
                           "effective date)");
    }
    if (st.ok() && last_run && !(*last_run < BusinessDate(*placed, zone))) {
      st = Status::Invalid("placed_at", "is on or before " + FormatLocalDate(*last_run) +
                                            ", which the daily job has run already: history "
                                            "comes before the engine goes live");
    }
    if (!st.ok()) {
      reject(r.line, st);
      continue;
    }
    const std::string canonical =
        Sha256HexOf(Canonical(r, kOrderColumns, std::size(kOrderColumns)));
    Status row = batch.Row([&]() -> Status {
      LOYALTY_RETURN_IF_ERROR(CheckImportedBefore(*s, "order", id, canonical, "order_id"));
      LOYALTY_ASSIGN_OR_RETURN(std::optional<Order> exists, s->FindOrder(id));
      if (exists) return Status::Invalid("order_id", "already exists in the engine");
      LOYALTY_ASSIGN_OR_RETURN(std::optional<Customer> c, s->FindCustomer(customer));
      if (!c) return Status::Invalid("customer_id", "unknown customer (import customers first)");
      ImportEvent e;
      e.import_id = o.import_id;
      e.order_id = id;
      e.customer_id = customer;
      e.line = r.line;
      auto stage = [&](ImportEventKind kind, Micros at_us, Won won) {
        e.kind = kind;
        e.at_us = at_us;
        e.seq = r.line * 4 + static_cast<int>(kind) - 1;
        e.amount_won = won;
        return s->InsertImportEvent(e);
      };
      e.shipping_won = shipping;
      e.points = points;
      e.hash = canonical;
      Status placed_st = stage(ImportEventKind::kPlaced, *placed, amount);
      if (placed_st.code() == Code::kAlreadyExists) {
        LOYALTY_ASSIGN_OR_RETURN(std::optional<ImportEvent> twin,
                                 s->FindImportEvent(o.import_id, id, ImportEventKind::kPlaced));
        if (twin && twin->hash == canonical) return Status(Code::kAlreadyExists, "unchanged");
        return Status::Invalid("order_id", "appears twice in the file with other values (line " +
                                               std::to_string(twin ? twin->line : 0) + ")");
      }
      LOYALTY_RETURN_IF_ERROR(placed_st);
      e.shipping_won = e.points = 0;
      e.hash.clear();
      if (confirmed) LOYALTY_RETURN_IF_ERROR(stage(ImportEventKind::kConfirmed, *confirmed, 0));
      if (refunded_at) {
        LOYALTY_RETURN_IF_ERROR(stage(ImportEventKind::kRefunded, *refunded_at, refunded));
      }
      if (cancelled) LOYALTY_RETURN_IF_ERROR(stage(ImportEventKind::kCancelled, *cancelled, 0));
      return Status::Ok();
    });
    if (row.code() == Code::kAlreadyExists && row.message() == "unchanged") {
      ++sum.unchanged;
    } else if (!row.ok()) {
      if (Fatal(row)) {
        s->Rollback();
        return row;
      }
      reject(r.line, row);
    }
    LOYALTY_RETURN_IF_ERROR(batch.Count());
  }
  if (o.dry_run) {
    // What a real run would import: every row staged (the replay's own refusals aside).
    sum.imported = sum.rows - sum.unchanged - sum.rejected;
    LOYALTY_RETURN_IF_ERROR(batch.End());
    sum.seconds = SecondsSince(t0);
    return sum;
  }
  LOYALTY_RETURN_IF_ERROR(batch.End());

  // ---- pass 2: replay the events in time order, the daily job between the days
  const LocalDate today = BusinessDate(now_us, zone);
  auto run_days = [&](LocalDate from, LocalDate to) -> Status {
    for (LocalDate d = from; !(to < d) && d < today; d = AddDays(d, 1)) {
      const Micros end_us = StartOfDay(AddDays(d, 1), zone);
      const Program* p = at_(end_us - 1);
      if (p == nullptr) continue;  // before the first version: nothing can be due
      FakeClock clock(end_us);
      DailyJob job(store_, *p, clock);
      DailyJobOptions jo;
      jo.date = d;
      jo.history = true;
      jo.holder = DerivedId("import:", o.import_id);
      LOYALTY_ASSIGN_OR_RETURN(DailySummary js, job.Run(jo));
      if (!js.already_done) ++sum.dates_run;
    }
    return Status::Ok();
  };
  std::optional<LocalDate> cur;
  std::set<std::string> failed;  // orders whose placement was refused: their later events too
  Micros after_at = -1;
  int64_t after_seq = -1;
  Batch apply(*s, false, o.batch_rows);
  LOYALTY_RETURN_IF_ERROR(apply.Begin());
  for (;;) {
    LOYALTY_ASSIGN_OR_RETURN(std::vector<ImportEvent> page,
                             s->ListImportEvents(o.import_id, after_at, after_seq, kMaxPageSize));
    for (const ImportEvent& e : page) {
      after_at = e.at_us;
      after_seq = e.seq;
      const LocalDate d = BusinessDate(e.at_us, zone);
      if (!cur) sum.first_date = FormatLocalDate(d);
      sum.last_date = FormatLocalDate(d);
      if (cur && *cur < d) {
        LOYALTY_RETURN_IF_ERROR(apply.End());
        LOYALTY_RETURN_IF_ERROR(run_days(*cur, AddDays(d, -1)));
        LOYALTY_RETURN_IF_ERROR(apply.Begin());
      }
      cur = d;
      if (failed.contains(e.order_id)) continue;
      const Program* p = at_(e.at_us);
      LOYALTY_CHECK(p != nullptr);  // checked when staged
      const Ctx ctx{*p, e.at_us, Actor{o.import_id, "import"}, nullptr, nullptr, true};
      Status st = apply.Row([&]() -> Status {
        switch (e.kind) {
          case ImportEventKind::kPlaced: {
            OrderRequest q;
            q.order_id = e.order_id;
            q.customer_id = e.customer_id;
            q.amount_won = e.amount_won;
            q.shipping_won = e.shipping_won;
            q.points_to_redeem = e.points;
            q.request_hash = e.hash;
            LOYALTY_RETURN_IF_ERROR(CreateOrder(*s, q, ctx).status());
            return s->InsertImportRow({"order", e.order_id, e.hash, o.import_id, e.line, now_us});
          }
          case ImportEventKind::kConfirmed:
            return ConfirmOrder(*s, e.order_id, ctx).status();
          case ImportEventKind::kRefunded:
          case ImportEventKind::kCancelled: {
            RefundRequest q;
            q.order_id = e.order_id;
            const bool cancel = e.kind == ImportEventKind::kCancelled;
            q.refund_id = DerivedId(cancel ? "import-cancel:" : "import-refund:", e.order_id);
            q.amount_won = e.amount_won;
            q.cancel = cancel;
            q.request_hash = q.refund_id + ":" + std::to_string(e.amount_won);
            return RefundOrder(*s, q, ctx).status();
          }
        }
        return Status(Code::kInternal, "unknown import event kind");
      });
      if (!st.ok()) {
        if (Fatal(st)) {
          s->Rollback();
          return st;
        }
        if (e.kind == ImportEventKind::kPlaced) {
          failed.insert(e.order_id);
          reject(e.line, st);
        } else {
          // The order is in (from its placement on); this later event of it is not.
          reject(
              e.line, st.field(),
              "the order was imported, but not its " +
                  std::string(e.kind == ImportEventKind::kConfirmed ? "confirmation" : "refund") +
                  ": " + st.message());
        }
      } else if (e.kind == ImportEventKind::kPlaced) {
        ++sum.imported;
        if (o.on_progress && sum.imported % 1000 == 0) o.on_progress(sum.rows);
      }
      LOYALTY_RETURN_IF_ERROR(apply.Count());
    }
    if (static_cast<int>(page.size()) < kMaxPageSize) break;
  }
  LOYALTY_RETURN_IF_ERROR(apply.End());
  if (cur) LOYALTY_RETURN_IF_ERROR(run_days(*cur, *cur));
  LOYALTY_RETURN_IF_ERROR(s->Begin());
  LOYALTY_RETURN_IF_ERROR(s->DeleteImportEvents(o.import_id));
  LOYALTY_RETURN_IF_ERROR(s->Commit());
  if (o.on_progress) o.on_progress(sum.rows);
  sum.seconds = SecondsSince(t0);
  return sum;
}

}  // namespace loyalty
