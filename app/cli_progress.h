// Progress of a long CLI command on stderr: a redrawn bar with counts and rate on a terminal,
// plain lines (at most one every 5 s per step, and one when a step ends) otherwise.
#pragma once

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "jobs/daily_job.h"

namespace loyalty {

class ProgressPrinter {
 public:
  ProgressPrinter() : tty_(isatty(STDERR_FILENO) == 1) {}

  void operator()(const JobProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (p.step != step_) {
      EndLine();
      step_ = p.step;
      start_ = now;
      last_ = now - std::chrono::hours(1);
    }
    double secs = std::chrono::duration<double>(now - start_).count();
    double rate = secs > 0 ? p.done / secs : 0;
    bool finished = p.total > 0 && p.done >= p.total;
    if (tty_) {
      if (now - last_ < std::chrono::milliseconds(100) && !finished) return;
      int width = 30, filled = 0;
      if (p.total > 0) {
        filled = static_cast<int>(width * std::min<double>(1.0, double(p.done) / p.total));
      }
      std::string bar =
          p.total > 0 ? "[" + std::string(filled, '#') + std::string(width - filled, '.') + "]"
                      : "[" + std::string(width, '~') + "]";
      std::fprintf(stderr, "\r%-9s %s %lld%s  %.0f/s   ", p.step.c_str(), bar.c_str(),
                   static_cast<long long>(p.done),
                   p.total > 0 ? ("/" + std::to_string(p.total)).c_str() : "", rate);
      open_line_ = true;
    } else {
      if (now - last_ < std::chrono::seconds(5) && !finished) return;
      std::fprintf(stderr, "%s: %lld done%s, %.0f/s\n", p.step.c_str(),
                   static_cast<long long>(p.done),
                   p.total > 0 ? (" of " + std::to_string(p.total)).c_str() : "", rate);
    }
    last_ = now;
  }

  void EndLine() {
    if (open_line_) std::fprintf(stderr, "\n");
    open_line_ = false;
  }

 private:
  bool tty_;
  bool open_line_ = false;
  std::string step_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace loyalty
