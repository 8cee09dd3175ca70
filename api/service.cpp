#include "api/service.h"

namespace loyalty {

ReadPool::ReadPool(std::vector<std::unique_ptr<Session>> sessions) : owned_(std::move(sessions)) {
  LOYALTY_CHECK(!owned_.empty());
  for (auto& s : owned_) free_.push_back(s.get());
}

Session* ReadPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  Session* s = free_.back();
  free_.pop_back();
  return s;
}

void ReadPool::Release(Session* session) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(session);
  }
  cv_.notify_one();
}

}  // namespace loyalty
