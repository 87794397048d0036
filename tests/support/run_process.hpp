// Runs a program the way a user's shell would and captures what it printed, for CLI tests.
//
// stdin, stdout and stderr go through temporary files rather than pipes, so a child that writes
// a lot before reading (or never reads) cannot deadlock the test. Header-only; POSIX.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace floatscope::test {

struct ProcResult {
  int exit_code = -1;  // the child's exit status; 128 + signal number if it was killed
  std::string out, err;
};

namespace detail {

// A temporary file removed when the object goes away.
class TempFile {
 public:
  explicit TempFile(const std::string& content = "") {
    const char* dir = std::getenv("TMPDIR");
    std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/floatscope_test_XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    const int fd = ::mkstemp(buf.data());
    if (fd < 0) throw std::runtime_error("mkstemp failed: " + std::string(std::strerror(errno)));
    path_ = buf.data();
    std::size_t done = 0;
    while (done < content.size()) {
      const ssize_t w = ::write(fd, content.data() + done, content.size() - done);
      if (w <= 0) {
        ::close(fd);
        throw std::runtime_error("writing " + path_ + " failed");
      }
      done += static_cast<std::size_t>(w);
    }
    ::close(fd);
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }
  std::string read() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string path_;
};

}  // namespace detail

// Runs `program args...` with stdin_text as its standard input; waits for it to finish.
inline ProcResult run_process(const std::string& program, const std::vector<std::string>& args,
                              const std::string& stdin_text = "") {
  detail::TempFile in(stdin_text), out, err;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in.path().c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out.path().c_str(), O_WRONLY | O_TRUNC, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err.path().c_str(), O_WRONLY | O_TRUNC, 0);
  std::vector<std::string> argv_s{program};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, program.c_str(), &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start " + program + ": " + std::strerror(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed for " + program);
  }
  ProcResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = out.read();
  r.err = err.read();
  return r;
}

#ifdef FLOATSCOPE_CLI_PATH
// Runs the floatscope program built with the tests.
inline ProcResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = "") {
  return run_process(FLOATSCOPE_CLI_PATH, args, stdin_text);
}
#endif

// Lines of a text, without their '\n' (a final newline does not add an empty line).
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::size_t end = nl == std::string::npos ? text.size() : nl;
    lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return lines;
}

// Starts `program args...` in the background with stdout and stderr in files (for tests that run
// two processes at once or signal one); -1 when it could not start.
inline pid_t spawn_process(const std::string& program, const std::vector<std::string>& args,
                           const std::string& out_path, const std::string& err_path) {
  std::vector<std::string> all = {program};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  return rc == 0 ? pid : -1;
}

// The exit code of a spawned process; 128 + the signal when a signal ended it.
inline int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace floatscope::test

// The names CLI tests use unqualified.
using floatscope::test::ProcResult;
using floatscope::test::run_process;
#ifdef FLOATSCOPE_CLI_PATH
using floatscope::test::run_cli;
#endif
