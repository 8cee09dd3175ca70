#include "core/executor.h"

#include <future>

namespace loyalty {

struct CommandExecutor::Pending {
  Command command;
  Status result;        // outcome of the command itself (set per attempt)
  std::promise<Status> done;
};

const std::vector<int>& CommandExecutor::BatchBucketBounds() {
  static const std::vector<int> kBounds = {1, 2, 4, 8, 16, 32, 64, 128, 256};
  return kBounds;
}

CommandExecutor::CommandExecutor(std::vector<std::unique_ptr<Session>> writers,
                                 ExecutorOptions options)
    : options_(options), sessions_(std::move(writers)) {
  LOYALTY_CHECK(!sessions_.empty());
  LOYALTY_CHECK(options_.max_batch >= 1 && options_.max_queue >= 1);
  for (auto& s : sessions_) threads_.emplace_back([this, p = s.get()] { WriterLoop(p); });
}

CommandExecutor::~CommandExecutor() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : threads_) t.join();
}

Status CommandExecutor::Submit(Command command) {
  auto p = std::make_shared<Pending>();
  p->command = std::move(command);
  std::future<Status> f = p->done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status(Code::kUnavailable, "the server is shutting down");
    if (static_cast<int>(queue_.size()) >= options_.max_queue) {
      return Status(Code::kUnavailable, "write queue is full; retry shortly");
    }
    queue_.push_back(p);
  }
  work_cv_.notify_one();
  return f.get();
}

ExecutorStats CommandExecutor::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

int CommandExecutor::QueueDepth() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(queue_.size());
}

void CommandExecutor::WriterLoop(Session* session) {
  for (;;) {
    std::vector<std::shared_ptr<Pending>> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty() && static_cast<int>(batch.size()) < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    RunBatch(*session, batch);
  }
}


void CommandExecutor::RunBatch(Session& session, std::vector<std::shared_ptr<Pending>>& batch) {
  Status commit_status;
  int attempt = 0;
  for (;; ++attempt) {
    commit_status = session.Begin();
    bool retry = false;
    if (commit_status.ok()) {
      for (auto& p : batch) {
        Status sp = session.Savepoint();
        if (!sp.ok()) {
          commit_status = sp;
          break;
        }
        p->result = p->command(session);
        if (p->result.code() == Code::kRetry) {  // deadlock inside a command: redo the batch
          commit_status = p->result;
          break;
        }
        Status end = p->result.ok() ? session.ReleaseSavepoint() : session.RollbackToSavepoint();
        if (!end.ok()) {
          commit_status = end;
          break;
        }
      }
      if (commit_status.ok()) commit_status = session.Commit();
    }
    if (!commit_status.ok()) session.Rollback();
    retry = commit_status.code() == Code::kRetry && attempt < options_.max_retries;
    if (!retry) break;
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.retries;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (commit_status.ok()) {
      ++stats_.commits;
      stats_.commands += static_cast<int64_t>(batch.size());
      const auto& bounds = BatchBucketBounds();
      size_t b = 0;
      while (b < bounds.size() && static_cast<int>(batch.size()) > bounds[b]) ++b;
      ++stats_.batch_size_buckets[b];
    } else {
      ++stats_.failed_commits;
    }
  }
  for (auto& p : batch) {
    if (!commit_status.ok()) {
      Code c = commit_status.code() == Code::kRetry ? Code::kUnavailable : commit_status.code();
      p->done.set_value(Status(c, "write not committed: " + commit_status.message()));
    } else {
      p->done.set_value(p->result);
    }
  }
}

}  // namespace loyalty
