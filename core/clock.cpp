#include "core/clock.h"

#include <chrono>

namespace loyalty {

Micros SystemClock::NowMicros() const {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace loyalty
