// Runs the real `loyalty` binary (LOYALTY_BINARY) as a user would: in a directory of its own,
// with a clean environment, capturing stdout, stderr and the exit status, killed if it does not
// end in time (a command that should have been refused but started serving).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace loyalty::clitest {

// A fresh directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "loyalty-cli-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every entry under `dir`, relative, sorted: what a command created.
inline std::vector<std::string> Listing(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    names.push_back(std::filesystem::relative(e.path(), dir).string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

struct CliRun {
  int exit_code = -1;  // -1: killed (it did not end in time) or did not exit normally
  std::string out;
  std::string err;
  std::string all() const { return out + err; }
};

// `loyalty args...` in `cwd`. The environment holds PATH, HOME and TZ only, plus `env`
// (LOYALTY_DB and the password variables are never inherited). stdout and stderr go to files in
// a directory of their own, so that `cwd` holds only what the command made. A command that runs
// until stopped (serve) gets `stop_signal` once `stop_when` holds for what it printed on stdout;
// `after_signal` then runs with that output while the process drains.
inline CliRun RunLoyalty(const std::vector<std::string>& args, const std::string& cwd,
                         const std::map<std::string, std::string>& env = {}, int timeout_s = 30,
                         const std::function<bool(const std::string&)>& stop_when = {},
                         int stop_signal = SIGTERM,
                         const std::function<void(const std::string&)>& after_signal = {}) {
  TempDir capture;
  const std::string out_file = capture.File("out"), err_file = capture.File("err");
  std::vector<std::string> argv_s = {LOYALTY_BINARY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s;
  for (const char* keep : {"PATH", "HOME", "TZ"}) {
    if (const char* v = std::getenv(keep); v != nullptr) {
      env_s.push_back(std::string(keep) + "=" + v);
    }
  }
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (std::string& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid == 0) {
    const int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int in = open("/dev/null", O_RDONLY);
    if (out < 0 || err < 0 || in < 0 || chdir(cwd.c_str()) != 0) _exit(127);
    dup2(in, 0);
    dup2(out, 1);
    dup2(err, 2);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  CliRun r;
  if (pid < 0) return r;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  bool ended = false, stopped = false;
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      ended = true;
      break;
    }
    if (stop_when && !stopped && stop_when(ReadFile(out_file))) {
      kill(pid, stop_signal);
      stopped = true;
      if (after_signal) after_signal(ReadFile(out_file));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!ended) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  r.exit_code = ended && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadFile(out_file);
  r.err = ReadFile(err_file);
  return r;
}

}  // namespace loyalty::clitest
