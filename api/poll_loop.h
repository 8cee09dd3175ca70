// The thread of a delivery worker (api/webhook_worker.h, api/event_hook_worker.h): it wakes every
// interval, or at once on Wake(), and runs rounds while a round says there is more and no Stop()
// came. Stop() interrupts the wait, lets the round in progress finish and joins.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace loyalty {

class PollLoop {
 public:
  PollLoop() = default;
  PollLoop(const PollLoop&) = delete;
  PollLoop& operator=(const PollLoop&) = delete;
  ~PollLoop() { Stop(); }

  // `round` returns true when it left work undone (run it again at once). The first round runs
  // without waiting.
  void Start(int interval_ms, std::function<bool()> round) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = false;
      woken_ = true;
    }
    thread_ =
        std::thread([this, interval_ms, round = std::move(round)] { Run(interval_ms, round); });
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void Wake() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      woken_ = true;
    }
    cv_.notify_all();
  }

  // Whether Stop() was called: a long round checks it between items.
  bool stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopping_;
  }

 private:
  void Run(int interval_ms, const std::function<bool()>& round) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      cv_.wait_for(lock, std::chrono::milliseconds(interval_ms),
                   [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
      lock.unlock();
      while (round() && !stopping()) {
      }
      lock.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace loyalty
