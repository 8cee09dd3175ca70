// `loyalty import customers|orders` (docs/import-export.md): a shop's history brought in through
// the same ledger rules as live traffic.
//
// Customers: each row creates the customer (birth date, consents), gives the opening balance as
// one available lot with its original expiry (an adjustment with reason import_opening) and sets
// an imported tier since a date. Orders: each row is an order with its placement, confirmation,
// refund and cancellation times. The rows are first checked and staged as events (table
// import_events, so memory does not grow with the file), then replayed in time order, each at its
// own instant, with the programme version in force then: points earn and redeem on their dates,
// upgrades happen when they happened; between the days of the history the daily job runs in
// history mode (activation, expiry; spend and tiers on evaluation dates), so the tiers and the
// tier history equal what the engine would have computed live. Nothing is sent or given for the
// past (Ctx::history: no messages, no coupons).
//
// Idempotent per row id: every applied row is recorded with its canonical values (import_rows);
// the same row again is "unchanged", the same id with other values is rejected. A rejected row
// (line, column, reason) changes nothing; the others are imported. --dry-run checks every row
// against the file rules and the database and writes nothing (an order refused only by the
// replay, such as points not available at its time, shows only in a real run).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/program.h"
#include "core/status.h"
#include "core/store.h"

namespace loyalty {

// One row of the file: its first line and its values by column name (a JSON Lines null and an
// empty CSV cell are both absent). A row the reader could not parse carries `error` instead.
struct ImportRecord {
  int64_t line = 0;
  std::map<std::string, std::string> values;
  std::string error;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // The next record; false at the end. A non-ok status ends the import (an unreadable file).
  virtual Result<bool> Next(ImportRecord& record) = 0;
};

// CSV with a header row (jobs/csv_reader.h). The header is checked against `columns`: an unknown
// column or a missing required one is an error for the whole file, before any row.
Result<std::unique_ptr<RecordSource>> CsvRecordSource(std::istream& in,
                                                      const std::vector<std::string>& columns,
                                                      const std::vector<std::string>& required);

struct ImportReject {
  int64_t line = 0;
  std::string column;  // the column at fault, "" for the row as a whole
  std::string reason;
};

struct ImportOptions {
  bool dry_run = false;
  std::string import_id;  // names the run in import_rows (e.g. imp_<time>); required
  std::function<void(const ImportReject&)> on_reject;
  std::function<void(int64_t rows)> on_progress;  // every few hundred rows and at the end
  int batch_rows = 5000;                          // rows or events per transaction
};

struct ImportSummary {
  std::string kind;  // customers or orders
  bool dry_run = false;
  int64_t rows = 0;
  int64_t imported = 0;
  int64_t unchanged = 0;  // imported before with the same values
  int64_t rejected = 0;
  std::string first_date, last_date;  // orders: the business dates of the history
  int64_t dates_run = 0;              // orders: daily job dates run in history mode
  double seconds = 0;
  std::string ToText() const;
  std::string ToJson() const;
};

// The programme version in force at an instant (the database's history of versions), nullptr
// when none was.
using ProgramAt = std::function<const Program*(Micros at_us)>;

inline constexpr const char* kCustomerColumns[] = {
    "customer_id",   "birth_date",     "marketing_consent",
    "night_consent", "opening_points", "opening_points_expire_on",
    "tier",          "tier_since"};
inline constexpr const char* kOrderColumns[] = {
    "order_id",        "customer_id",  "placed_at",    "amount_won",   "shipping_won",
    "points_redeemed", "confirmed_at", "cancelled_at", "refunded_won", "refunded_at"};

class Importer {
 public:
  // `now` is the programme in force now (customer rows); `at` the version of each order's time.
  Importer(Store& store, const Program& now, ProgramAt at, const Clock& clock)
      : store_(store), now_(now), at_(std::move(at)), clock_(clock) {}

  Result<ImportSummary> Customers(RecordSource& rows, const ImportOptions& o);
  Result<ImportSummary> Orders(RecordSource& rows, const ImportOptions& o);

 private:
  Store& store_;
  const Program& now_;
  ProgramAt at_;
  const Clock& clock_;
};

}  // namespace loyalty
