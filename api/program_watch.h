// The programme version a node serves (read from the database when `loyalty serve` started) and
// the check /readyz makes that it is still the version in force: a node left on an older
// version after a newer one took effect answers 503 "programme changed: restart", so balancers
// take it out until it is restarted (docs/operations.md, "Upgrading the programme").
// Thread-safe.
#pragma once

#include <mutex>

#include "api/service.h"
#include "core/status.h"
#include "core/store.h"

namespace loyalty {

class ProgramWatch {
 public:
  ProgramWatch(ProgramVersion served, Micros check_interval_us);

  const ProgramVersion& served() const { return served_; }

  // OK while the database's version in force at now_us is the one served; kUnavailable
  // otherwise, or when the database cannot be read. Reads at most once per interval; in
  // between, the last answer.
  Status Check(ReadPool& readers, Micros now_us);

 private:
  Status Read(ReadPool& readers, Micros now_us) const;

  const ProgramVersion served_;
  const Micros check_interval_us_;
  std::mutex mu_;
  bool checked_ = false;
  Micros checked_at_us_ = 0;
  Status last_;
};

}  // namespace loyalty
