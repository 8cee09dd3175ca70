// Injectable clock: nothing in core reads the wall clock directly, so tests fake "now".
#pragma once

#include <atomic>

#include "core/types.h"

namespace loyalty {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Micros NowMicros() const = 0;
};

class SystemClock final : public Clock {
 public:
  Micros NowMicros() const override;
};

// A clock that only moves when told. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Micros start_us) : now_us_(start_us) {}
  Micros NowMicros() const override { return now_us_.load(); }
  void Set(Micros now_us) { now_us_.store(now_us); }
  void Advance(Micros delta_us) { now_us_.fetch_add(delta_us); }

 private:
  std::atomic<Micros> now_us_;
};

}  // namespace loyalty
