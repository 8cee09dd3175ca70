// CommandExecutor: the single write path (group commit).
//
// Callers submit commands; writer threads (one per write session) take whatever is queued, up
// to max_batch, and run it in ONE database transaction, each command under its own savepoint:
// a command that fails is rolled back to its savepoint and the others still commit. Every caller
// is answered only after the commit, so an acknowledged write is durable. If the commit itself
// fails, every command of the batch fails with that status. On kRetry (deadlock, lock timeout)
// each command of the batch is re-run alone, in its own transaction, after a jittered backoff,
// up to max_retries times. Commands must therefore be pure functions of the database state they
// read (no side effects outside the session).
//
// Thread-safe. Submit() blocks the calling thread until its command has committed or failed.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "core/status.h"
#include "core/store.h"

namespace loyalty {

struct ExecutorOptions {
  int max_batch = 256;              // commands per transaction
  int max_queue = 10000;            // Submit() fails fast with kUnavailable beyond this
  int max_retries = 8;              // re-runs of a command, alone, after its batch hit kRetry
  int64_t base_backoff_us = 500;    // first wait before a re-run; doubles per attempt
  int64_t max_backoff_us = 50'000;  // never waits longer than this between attempts
};

// Counters for /metrics. Read with Snapshot().
struct ExecutorStats {
  int64_t commits = 0;
  int64_t commands = 0;
  int64_t failed_commits = 0;
  int64_t retries = 0;  // transactions that ended in kRetry (deadlock, lock wait timeout)
  // batch size histogram: batches with size <= 1, 2, 4, 8, ... 256, and above
  std::vector<int64_t> batch_size_buckets = std::vector<int64_t>(10, 0);
};

class CommandExecutor {
 public:
  using Command = std::function<Status(Session&)>;

  // Takes ownership of the write sessions; starts one writer thread per session.
  CommandExecutor(std::vector<std::unique_ptr<Session>> writers, ExecutorOptions options);
  ~CommandExecutor();  // drains the queue, then stops the writers
  CommandExecutor(const CommandExecutor&) = delete;
  CommandExecutor& operator=(const CommandExecutor&) = delete;

  // Runs `command` in a write transaction; returns its status once durable (or failed).
  Status Submit(Command command);

  ExecutorStats Snapshot() const;
  int QueueDepth() const;                              // commands waiting for a writer
  static const std::vector<int>& BatchBucketBounds();  // 1, 2, 4, ..., 256

 private:
  struct Pending;
  void WriterLoop(Session* session);
  void RunBatch(Session& session, std::vector<std::shared_ptr<Pending>>& batch);
  Status RunOnce(Session& session, const std::vector<Pending*>& cmds);
  void RecordCommit(const Status& status, size_t commands);
  void Backoff(int attempt);
  static void Answer(Pending& p, const Status& commit_status);

  const ExecutorOptions options_;
  std::vector<std::unique_ptr<Session>> sessions_;
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<std::shared_ptr<Pending>> queue_;
  bool stopping_ = false;
  ExecutorStats stats_;
  std::mt19937_64 jitter_{std::random_device{}()};  // guarded by mu_
};

}  // namespace loyalty
