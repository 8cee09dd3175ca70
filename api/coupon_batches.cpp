#include "api/coupon_batches.h"

#include <spdlog/spdlog.h>

#include "core/ledger.h"

namespace loyalty {

CouponBatchWorker::~CouponBatchWorker() { Stop(); }

Status CouponBatchWorker::Start() {
  auto ids = env_.readers.Read([](Session& s) { return s.ListUnfinishedCouponBatches(); });
  if (!ids.ok()) {  // e.g. not migrated yet: /readyz says so; new batches still queue
    spdlog::warn("cannot resume coupon batches: {}", ids.status().ToString());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
    if (ids.ok()) {
      for (std::string& id : *ids) queue_.push_back(std::move(id));
    }
  }
  thread_ = std::thread([this] { Loop(); });
  return Status::Ok();
}

void CouponBatchWorker::Enqueue(const std::string& batch_id) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(batch_id);
  }
  cv_.notify_all();
}

void CouponBatchWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CouponBatchWorker::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    const std::string batch_id = queue_.front();
    lock.unlock();
    bool more = true;
    while (more) {
      int64_t issued = 0;
      const Ctx ctx{env_.program, env_.clock.NowMicros(), Actor{"coupon-batches", "system"},
                    env_.random};
      Status st = env_.executor.Submit([&](Session& s) -> Status {
        LOYALTY_ASSIGN_OR_RETURN(issued, ProcessCouponBatch(s, batch_id, kCouponBatchChunk, ctx));
        return Status::Ok();
      });
      if (!st.ok()) {
        spdlog::warn("coupon batch {} chunk failed: {}", batch_id, st.ToString());
        break;  // resumed on the next start
      }
      more = issued > 0;
      std::lock_guard<std::mutex> check(mu_);
      if (stopping_) return;
    }
    lock.lock();
    queue_.pop_front();
  }
}

}  // namespace loyalty
