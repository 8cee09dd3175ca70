#include "api/program_watch.h"

#include <optional>
#include <string>
#include <utility>

namespace loyalty {

ProgramWatch::ProgramWatch(ProgramVersion served, Micros check_interval_us)
    : served_(std::move(served)), check_interval_us_(check_interval_us) {
  LOYALTY_CHECK(served_.version > 0);
  LOYALTY_CHECK(check_interval_us_ > 0);
}

Status ProgramWatch::Check(ReadPool& readers, Micros now_us) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!checked_ || now_us - checked_at_us_ >= check_interval_us_ || now_us < checked_at_us_) {
    last_ = Read(readers, now_us);
    checked_ = true;
    checked_at_us_ = now_us;
  }
  return last_;
}

Status ProgramWatch::Read(ReadPool& readers, Micros now_us) const {
  Result<std::optional<ProgramVersion>> in_force =
      readers.Read([now_us](Session& s) { return s.FindProgramInForce(now_us); });
  if (!in_force.ok()) {
    return Status(Code::kUnavailable, "programme not readable: " + in_force.status().message());
  }
  if (in_force->has_value() && (*in_force)->version == served_.version &&
      (*in_force)->hash == served_.hash) {
    return Status::Ok();
  }
  const std::string now = in_force->has_value()
                              ? "v" + std::to_string((*in_force)->version) + " is in force"
                              : "the database has no programme in force";
  return Status(Code::kUnavailable, "programme changed: restart (this node serves v" +
                                        std::to_string(served_.version) + ", " + now + ")");
}

}  // namespace loyalty
