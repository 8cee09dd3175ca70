// CouponBatchWorker: issues the coupons of large batches (POST /v1/coupon-batches above the
// synchronous limit) in the background, one chunk per executor command, so that orders keep
// flowing between chunks and GET /v1/coupon-batches/{id} shows the progress. Batches left
// unfinished by a stop are resumed by the next Start (each chunk is idempotent: positions in
// the batch are dedupe keys).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "api/service.h"
#include "core/limits.h"

namespace loyalty {

class CouponBatchWorker {
 public:
  explicit CouponBatchWorker(ServiceEnv& env) : env_(env) {}
  ~CouponBatchWorker();  // Stop()
  // Starts the thread and queues the unfinished batches of the store.
  Status Start();
  void Enqueue(const std::string& batch_id);
  void Stop();  // finishes the chunk in flight, leaves the rest for the next Start

 private:
  void Loop();
  ServiceEnv& env_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace loyalty
