// The group-commit executor over a real SQLite store.
#include "core/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::TempDir;
using testing::TestProgram;

class ExecutorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = SqliteStore::Open(dir_.File("x.db")).value();
    ASSERT_TRUE(store_->Migrate().ok());
    std::vector<std::unique_ptr<Session>> writers;
    writers.push_back(store_->OpenSession().value());
    executor_ = std::make_unique<CommandExecutor>(std::move(writers), ExecutorOptions{});
    reader_ = store_->OpenSession().value();
  }

  CommandExecutor::Command AddCustomer(const std::string& id) {
    return [this, id](Session& s) {
      CustomerInput in;
      in.customer_id = id;
      auto r = UpsertCustomer(s, in, Ctx{program_, Kst(2026, 1, 1), Actor{}});
      return r.ok() ? Status::Ok() : r.status();
    };
  }

  bool Exists(const std::string& id) { return reader_->FindCustomer(id).value().has_value(); }

  TempDir dir_;
  Program program_ = TestProgram();
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<CommandExecutor> executor_;
  std::unique_ptr<Session> reader_;
};

TEST_F(ExecutorTest, QueuedCommandsShareOneCommitAndAFailureRollsBackOnlyItself) {
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  // The first command holds the writer until 31 more commands are queued behind it.
  std::promise<void> started;
  std::thread first([&] {
    EXPECT_TRUE(executor_
                    ->Submit([&, open](Session& s) {
                      started.set_value();
                      open.wait();
                      return AddCustomer("first")(s);
                    })
                    .ok());
  });
  started.get_future().wait();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, failed{0};
  for (int i = 0; i < 31; ++i) {
    threads.emplace_back([&, i] {
      Status s = i == 7 ? executor_->Submit([this](Session& s) {
        EXPECT_TRUE(AddCustomer("doomed")(s).ok());  // writes, then fails
        return Status(Code::kInsufficientPoints, "business failure");
      })
                        : executor_->Submit(AddCustomer("c" + std::to_string(i)));
      (s.ok() ? ok : failed)++;
    });
  }
  while (executor_->QueueDepth() < 31) std::this_thread::yield();
  gate.set_value();
  first.join();
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 30);
  EXPECT_EQ(failed.load(), 1);
  EXPECT_FALSE(Exists("doomed"));  // its savepoint was rolled back
  EXPECT_TRUE(Exists("c0"));
  EXPECT_TRUE(Exists("c30"));
  ExecutorStats stats = executor_->Snapshot();
  EXPECT_EQ(stats.commits, 2);  // "first" alone, then the other 31 together
  EXPECT_EQ(stats.commands, 32);
  EXPECT_EQ(stats.batch_size_buckets[0], 1);  // size 1
  EXPECT_EQ(stats.batch_size_buckets[5], 1);  // size 17..32
}

TEST_F(ExecutorTest, CallerIsAnsweredAfterTheCommitIsVisible) {
  ASSERT_TRUE(executor_->Submit(AddCustomer("durable")).ok());
  EXPECT_TRUE(Exists("durable"));  // another connection sees it at once
}

TEST_F(ExecutorTest, ACommandFailingWithRetryReRunsTheBatch) {
  int attempts = 0;
  Status s = executor_->Submit([&](Session& s) {
    if (++attempts < 3) return Status(Code::kRetry, "deadlock");
    return AddCustomer("retried")(s);
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(attempts, 3);
  EXPECT_TRUE(Exists("retried"));
  EXPECT_EQ(executor_->Snapshot().retries, 2);
}

TEST_F(ExecutorTest, ADeadlockInABatchReRunsEveryCommandAloneAndAllCommit) {
  std::promise<void> gate;
  std::shared_future<void> open = gate.get_future().share();
  std::promise<void> started;
  std::thread first([&] {
    EXPECT_TRUE(executor_
                    ->Submit([&, open](Session& s) {
                      started.set_value();
                      open.wait();
                      return AddCustomer("first")(s);
                    })
                    .ok());
  });
  started.get_future().wait();
  // Eight commands queue behind "first" and run as one batch; the fourth deadlocks once.
  std::atomic<int> deadlocks{0};
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      Status st = executor_->Submit([&, i](Session& s) {
        if (i == 3 && deadlocks.fetch_add(1) == 0) return Status(Code::kRetry, "deadlock");
        return AddCustomer("b" + std::to_string(i))(s);
      });
      EXPECT_TRUE(st.ok()) << st.ToString();
      if (st.ok()) ++ok;
    });
  }
  while (executor_->QueueDepth() < 8) std::this_thread::yield();
  gate.set_value();
  first.join();
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8);
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(Exists("b" + std::to_string(i))) << i;
  ExecutorStats stats = executor_->Snapshot();
  EXPECT_EQ(stats.retries, 1);
  // "first", then the failed batch, then each of the eight alone (no batch of eight committed).
  EXPECT_EQ(stats.commits, 9);
  EXPECT_EQ(stats.batch_size_buckets[0], 9);
}

TEST_F(ExecutorTest, RetriesAreBounded) {
  int attempts = 0;
  Status s = executor_->Submit([&](Session&) {
    ++attempts;
    return Status(Code::kRetry, "deadlock forever");
  });
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_EQ(attempts, ExecutorOptions{}.max_retries + 1);
}

}  // namespace
}  // namespace loyalty
