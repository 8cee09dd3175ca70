#include "core/executor.h"

#include <algorithm>
#include <chrono>
#include <future>

namespace loyalty {

struct CommandExecutor::Pending {
  Command command;
  Status result;  // outcome of the command itself (set per attempt)
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

// One transaction over `cmds`, a savepoint per command. Returns the transaction's status; each
// command's own outcome is left in its `result`.
Status CommandExecutor::RunOnce(Session& session, const std::vector<Pending*>& cmds) {
  Status status = session.Begin();
  if (status.ok()) {
    for (Pending* p : cmds) {
      Status sp = session.Savepoint();
      if (!sp.ok()) {
        status = sp;
        break;
      }
      p->result = p->command(session);
      if (p->result.code() == Code::kRetry) {  // deadlock inside a command: the tx is doomed
        status = p->result;
        break;
      }
      Status end = p->result.ok() ? session.ReleaseSavepoint() : session.RollbackToSavepoint();
      if (!end.ok()) {
        status = end;
        break;
      }
    }
    if (status.ok()) status = session.Commit();
  }
  if (!status.ok()) session.Rollback();
  RecordCommit(status, cmds.size());
  return status;
}

void CommandExecutor::RecordCommit(const Status& status, size_t commands) {
  std::lock_guard<std::mutex> lock(mu_);
  if (status.ok()) {
    ++stats_.commits;
    stats_.commands += static_cast<int64_t>(commands);
    const auto& bounds = BatchBucketBounds();
    size_t b = 0;
    while (b < bounds.size() && static_cast<int>(commands) > bounds[b]) ++b;
    ++stats_.batch_size_buckets[b];
  } else {
    ++stats_.failed_commits;
    if (status.code() == Code::kRetry) ++stats_.retries;
  }
}

// Sleeps before re-running after a deadlock: exponential with full jitter, so that two nodes
// (or two writers) that just deadlocked do not collide again in lockstep.
void CommandExecutor::Backoff(int attempt) {
  const int64_t cap_us =
      std::min<int64_t>(options_.max_backoff_us, options_.base_backoff_us << std::min(attempt, 16));
  if (cap_us <= 0) return;
  int64_t wait_us;
  {
    std::lock_guard<std::mutex> lock(mu_);
    wait_us = std::uniform_int_distribution<int64_t>(cap_us / 2, cap_us)(jitter_);
  }
  std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
}

void CommandExecutor::Answer(Pending& p, const Status& commit_status) {
  if (commit_status.ok()) {
    p.done.set_value(p.result);
    return;
  }
  Code c = commit_status.code() == Code::kRetry ? Code::kUnavailable : commit_status.code();
  p.done.set_value(Status(c, "write not committed: " + commit_status.message()));
}

// The batch runs as one transaction. If it dies of a deadlock (kRetry), group commit has made
// things worse: every command of the batch held its locks while the others ran. So each command
// is then re-run ALONE, in its own transaction, with jittered backoff between attempts, up to
// max_retries times. A command deadlocks alone only with a command whose own lock order conflicts
// with it, which is rare; the loss of batching lasts for this batch only.
void CommandExecutor::RunBatch(Session& session, std::vector<std::shared_ptr<Pending>>& batch) {
  std::vector<Pending*> all;
  all.reserve(batch.size());
  for (auto& p : batch) all.push_back(p.get());
  Status status = RunOnce(session, all);
  if (status.code() != Code::kRetry) {
    for (Pending* p : all) Answer(*p, status);
    return;
  }
  for (Pending* p : all) {
    Status solo = status;
    for (int attempt = 0; attempt < options_.max_retries && solo.code() == Code::kRetry;
         ++attempt) {
      Backoff(attempt);
      solo = RunOnce(session, {p});
    }
    Answer(*p, solo);
  }
}

}  // namespace loyalty
