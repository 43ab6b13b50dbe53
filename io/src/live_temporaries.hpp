// Internal to io/: the temporaries an atomic write has on disk right now, kept where a signal
// handler can reach them. Storage is a fixed array of fixed-size paths (no allocation, no
// locks), so removing them is async-signal-safe (POSIX.1-2017, 2.4.3: only open, close, unlink,
// unlinkat, rmdir, getdents64, sigaction, raise and _exit are called).
#pragma once

#include <string>

namespace recon::io::detail {

// A temporary file, or a temporary directory whose files are removed with it.
enum class TemporaryKind { File, Directory };

// Tracks `path` (registered before it is created, so a signal can never miss it); returns the
// slot to pass to forget_temporary. IoError when every slot is taken or the path is too long.
int track_temporary(const std::string& path, TemporaryKind kind);

// The temporary became an output (renamed) or was removed by its owner.
void forget_temporary(int slot) noexcept;

// Removes every tracked temporary (a directory with the files in it). Async-signal-safe.
void remove_tracked_temporaries() noexcept;

// Handlers for SIGINT, SIGTERM and SIGHUP that remove every tracked temporary and exit with
// 128 + the signal's number, as a shell reports a process killed by it; SIGXFSZ and SIGPIPE
// ignored, so that a file size limit or a closed stdout is an error, not a kill. A crash
// (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) removes the temporaries too, then is re-raised
// under the previous handler, so it still reports as the crash it is.
void install_cleanup_on_signals();

// While in scope, a signal only is noted: renaming a set of files into place is never cut
// half-way (a header renamed without its data file). When the scope ends the noted signal is
// handled (the outputs renamed so far stay: the command had finished).
class RenamePhase {
 public:
  RenamePhase() noexcept;
  ~RenamePhase();
  RenamePhase(const RenamePhase&) = delete;
  RenamePhase& operator=(const RenamePhase&) = delete;
};

}  // namespace recon::io::detail
