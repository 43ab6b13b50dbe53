// crashes_in_child (isolated_call.hpp).
#include "isolated_call.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <ctime>

namespace recon::io::detail {

bool crashes_in_child(const std::function<void()>& f, int timeout_seconds) {
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    // The parent's handlers (removing its temporaries on SIGINT/SIGTERM/SIGHUP) must not run here.
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL})
      std::signal(sig, SIG_DFL);
    const int null_fd = ::open("/dev/null", O_WRONLY);
    if (null_fd >= 0) {
      ::dup2(null_fd, 1);
      ::dup2(null_fd, 2);
    }
    try {
      f();
    } catch (...) {
    }
    ::_exit(0);
  }
  const std::time_t deadline = std::time(nullptr) + timeout_seconds;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0) return false;
    if (std::time(nullptr) > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return false;
    }
    ::usleep(2000);
  }
  if (!WIFSIGNALED(status)) return false;
  const int sig = WTERMSIG(status);
  return sig == SIGABRT || sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL;
}

}  // namespace recon::io::detail
