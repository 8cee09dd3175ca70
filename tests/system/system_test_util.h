// Shared by the system tests: real `loyalty` processes (the binary built by CMake,
// LOYALTY_BINARY) on a fresh MySQL database of the server named by $LOYALTY_TEST_MYSQL_URL.
// The password reaches the processes through $LOYALTY_DB_PASSWORD, never on a command line.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "store/mysql/mysql_store.h"
#include "tests/api/api_test_util.h"
#include "tests/store/mysql_test_backend.h"

namespace loyalty::systest {

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Starts `args` (args[0] is the program) with stdout and stderr into files; returns its pid.
inline pid_t Spawn(const std::vector<std::string>& args, const std::string& out_file,
                   const std::string& err_file) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  const int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (out < 0 || err < 0) _exit(127);
  dup2(out, 1);
  dup2(err, 2);
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  _exit(127);
}

// Runs `loyalty <args...>` to completion; returns its exit status, stdout in *out.
inline int RunLoyalty(const std::vector<std::string>& args, const std::string& dir,
                      std::string* out) {
  std::vector<std::string> argv = {LOYALTY_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  const pid_t pid = Spawn(argv, dir + "/cli.out", dir + "/cli.err");
  int status = 0;
  waitpid(pid, &status, 0);
  *out = ReadFile(dir + "/cli.out");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) *out += ReadFile(dir + "/cli.err");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

// One `loyalty serve` process on a free port; stopped (SIGTERM, then SIGKILL) on destruction.
class Node {
 public:
  Node(const std::string& db_url, const std::string& dir, const std::string& name)
      : out_(dir + "/" + name + ".out"), err_(dir + "/" + name + ".err") {
    pid_ = Spawn({LOYALTY_BINARY, "serve", "--db", db_url, "--port", "0", "--threads", "64"}, out_,
                 err_);
    const std::regex serving("serving http://127\\.0\\.0\\.1:([0-9]+)");
    for (int i = 0; i < 200 && port_ == 0; ++i) {  // up to 10 s
      std::smatch m;
      const std::string text = ReadFile(out_);
      if (std::regex_search(text, m, serving)) {
        port_ = std::stoi(m[1]);
        break;
      }
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~Node() { Stop(); }
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  int port() const { return port_; }  // 0: it did not start (see log())
  std::string log() const { return ReadFile(out_) + ReadFile(err_); }
  void Stop() {
    if (pid_ == 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

 private:
  std::string out_, err_;
  pid_t pid_ = 0;
  int port_ = 0;
};

// A fresh database with the schema, API keys and a URL (password via the environment).
class MysqlSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<MysqlConfig> config = testing::TestMysqlConfig();
    if (!config) GTEST_SKIP() << testing::MysqlSkipReason();
    auto store = testing::OpenMysqlTestStore(dir_.File("db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    setenv("LOYALTY_DB_PASSWORD", store_->config().password.c_str(), 1);
    url_ = DescribeMysql(store_->config());  // no password in it
    std::string out;
    ASSERT_EQ(RunLoyalty({"migrate", "--db", url_}, dir_.File(""), &out), 0) << out;
    // `serve` serves the database's programme: the built-in demo one, as version 1.
    ASSERT_EQ(RunLoyalty({"program", "apply", "demo", "--db", url_}, dir_.File(""), &out), 0)
        << out;
    for (const char* role : {"checkout", "cs_supervisor", "messaging"}) {
      ASSERT_EQ(RunLoyalty({"keys", "create", "--role", role, "--name", std::string("t-") + role,
                            "--db", url_},
                           dir_.File(""), &out),
                0)
          << out;
      tokens_[role] = out.substr(0, out.find('\n'));
    }
  }

  // `loyalty check` over the whole database: exit status and report.
  int Check(std::string* report) {
    return RunLoyalty({"check", "--db", url_}, dir_.File(""), report);
  }

  apitest::TempDir dir_;
  std::unique_ptr<MysqlStore> store_;
  std::string url_;
  std::map<std::string, std::string> tokens_;
};

// The JSON body of an order creation.
inline std::string OrderBody(const std::string& order_id, const std::string& customer_id,
                             int64_t amount_won, int64_t redeem_points) {
  return R"({"order_id":")" + order_id + R"(","customer_id":")" + customer_id +
         R"(","amount_won":)" + std::to_string(amount_won) + R"(,"points_to_redeem":)" +
         std::to_string(redeem_points) + "}";
}

}  // namespace loyalty::systest
