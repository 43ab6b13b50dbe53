// The registry of live temporaries (live_temporaries.hpp).
#include "live_temporaries.hpp"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstring>

#include "recon/kernels/error.hpp"

namespace recon::io::detail {

namespace {

constexpr int kSlots = 64;

struct Slot {
  std::atomic<int> state{0};  // 0 free, 1 being filled, 2 live
  bool directory = false;
  char path[PATH_MAX] = {};
};

Slot slots[kSlots];

// The kernel's directory entry record as getdents64 returns it (linux/dirent.h).
struct Dirent64 {
  unsigned long long ino;
  long long off;
  unsigned short reclen;
  unsigned char type;
  char name[1];
};

void remove_directory(const char* path) noexcept {
  const int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    alignas(8) char buf[4096];
    for (;;) {
      const long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
      if (n <= 0) break;
      for (long at = 0; at < n;) {
        const Dirent64* d = reinterpret_cast<const Dirent64*>(buf + at);
        const bool dot = d->name[0] == '.' && (d->name[1] == 0 || (d->name[1] == '.' && d->name[2] == 0));
        if (!dot) ::unlinkat(fd, d->name, 0);
        at += d->reclen;
      }
    }
    ::close(fd);
  }
  ::rmdir(path);
}

}  // namespace

int track_temporary(const std::string& path, TemporaryKind kind) {
  if (path.size() >= PATH_MAX) throw IoError("cannot write '" + path + "': the path is too long");
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (!slots[i].state.compare_exchange_strong(expected, 1)) continue;
    std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
    slots[i].directory = kind == TemporaryKind::Directory;
    slots[i].state.store(2);
    return i;
  }
  throw IoError("cannot write '" + path + "': more than 64 outputs are being written at once");
}

void forget_temporary(int slot) noexcept {
  if (slot >= 0 && slot < kSlots) slots[slot].state.store(0);
}

void remove_tracked_temporaries() noexcept {
  for (Slot& s : slots) {
    if (s.state.load() != 2) continue;
    if (s.directory)
      remove_directory(s.path);
    else
      ::unlink(s.path);
  }
}

namespace {

std::atomic<int> renaming{0};
std::atomic<int> noted_signal{0};

extern "C" void on_signal(int sig) {
  if (renaming.load() > 0) {
    noted_signal.store(sig);
    return;
  }
  remove_tracked_temporaries();
  ::_exit(128 + sig);
}

// Crashes: the temporaries go, then the signal is raised again under the handler that was there
// before (the default, or a sanitizer's report), so a crash is still reported as one.
constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
struct sigaction previous[sizeof kCrashSignals / sizeof kCrashSignals[0]];

extern "C" void on_crash(int sig) {
  remove_tracked_temporaries();
  for (std::size_t i = 0; i < sizeof kCrashSignals / sizeof kCrashSignals[0]; ++i)
    if (kCrashSignals[i] == sig) ::sigaction(sig, &previous[i], nullptr);
  ::raise(sig);
}

}  // namespace

void install_cleanup_on_signals() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  sigfillset(&action.sa_mask);  // one handler at a time
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(sig, &action, nullptr);
  struct sigaction crash;
  std::memset(&crash, 0, sizeof crash);
  crash.sa_handler = on_crash;
  sigfillset(&crash.sa_mask);
  for (std::size_t i = 0; i < sizeof kCrashSignals / sizeof kCrashSignals[0]; ++i)
    ::sigaction(kCrashSignals[i], &crash, &previous[i]);
  // Past a file size limit (ulimit -f) the kernel's default is to kill the process, leaving its
  // temporaries; ignored, the write fails with EFBIG and is reported like a full disk. A closed
  // stdout (recon ... | head) makes the summary's write fail, not the command.
  std::signal(SIGXFSZ, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
}

RenamePhase::RenamePhase() noexcept { renaming.fetch_add(1); }

RenamePhase::~RenamePhase() {
  if (renaming.fetch_sub(1) == 1 && noted_signal.load() != 0) on_signal(noted_signal.load());
}

}  // namespace recon::io::detail
