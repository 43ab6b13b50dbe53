#include "recon/io/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "live_temporaries.hpp"
#include "output_set.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {

namespace {

namespace fs = std::filesystem;

std::string reason(int err) {
  return err != 0 ? std::string(std::strerror(err)) : std::string("write failed");
}

[[noreturn]] void write_failed(const std::string& path, int err) {
  throw IoError("cannot write '" + path + "': " + reason(err) +
                " (nothing was written; expected room on the disk and within the file size limit)");
}

// Where an output's bytes go: `path`, or the file a symbolic link at `path` points to (renaming
// over /dev/stdout, or over a link the user keeps, would replace the link itself).
struct Target {
  fs::path dir;
  fs::path file;
};

// IoError when path's directory is missing or `path` names a directory, a device, a FIFO or a
// socket.
Target resolve_target(const std::string& path) {
  fs::path file(path);
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::error_code ec;
  if (path.empty() || !file.has_filename())
    throw IoError("cannot write '" + path + "': expected a file name");
  if (!fs::is_directory(dir, ec))
    throw IoError("cannot write '" + path + "': directory '" + dir.string() + "' does not exist");
  const fs::file_status st = fs::status(file, ec);
  if (fs::is_directory(st))
    throw IoError("cannot write '" + path + "': it is a directory, expected a file name");
  // The rename would replace a device (/dev/null), FIFO or socket with a plain file.
  if (fs::exists(st) && !fs::is_regular_file(st))
    throw IoError("cannot write '" + path +
                  "': it is not a regular file (a device, FIFO or socket); expected a file name");
  if (fs::is_symlink(fs::symlink_status(file, ec)) && fs::exists(st)) {
    const fs::path real = fs::canonical(file, ec);
    if (!ec) file = real;
  }
  return {file.has_parent_path() ? file.parent_path() : fs::path("."), file};
}

std::string unique_suffix() {
  std::random_device rd;
  return ".tmp" + std::to_string(getpid()) + "-" + std::to_string(rd());
}

// The data reaches the disk before the rename makes it visible (ext4 and XFS may otherwise
// show a renamed file empty after a crash); a deferred write error surfaces here too.
void sync_to_disk(const fs::path& file, const std::string& path) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) write_failed(path, errno);
  const int synced = ::fsync(fd);
  const int err = errno;
  if (::close(fd) != 0 && synced == 0) write_failed(path, errno);
  if (synced != 0 && err != EINVAL && err != EROFS) write_failed(path, err);
}

// A temporary that is removed unless handed on (to finish_output).
class Temporary {
 public:
  Temporary(const fs::path& path, bool directory)
      : t_{"", path.string(), directory,
           detail::track_temporary(
               path.string(), directory ? detail::TemporaryKind::Directory : detail::TemporaryKind::File)} {}
  ~Temporary() {
    if (owned_) detail::discard_temporary(t_);
  }
  Temporary(const Temporary&) = delete;
  Temporary& operator=(const Temporary&) = delete;
  detail::FinishedTemporary release(const std::string& target) {
    owned_ = false;
    t_.target = target;
    return t_;
  }

 private:
  detail::FinishedTemporary t_;
  bool owned_ = true;
};

}  // namespace

void write_files_atomically(const std::string& path,
                            const std::function<void(const std::string& tmp)>& write) {
  const auto [dir, file] = resolve_target(path);
  detail::refuse_input_overwrite(path, path);
  const fs::path name = file.filename();
  const fs::path tmp_dir = dir / ("." + name.string() + unique_suffix());
  Temporary tmp(tmp_dir, true);
  std::error_code ec;
  if (!fs::create_directory(tmp_dir, ec))
    throw IoError("cannot write '" + path + "': cannot create a temporary directory in '" + dir.string() +
                  "' (" + ec.message() + ")");
  write((tmp_dir / name).string());
  if (!fs::is_regular_file(tmp_dir / name, ec))
    throw IoError("cannot write '" + path + "': the writer produced no file");
  for (const fs::directory_entry& e : fs::directory_iterator(tmp_dir, ec)) {
    detail::refuse_input_overwrite(path, (dir / e.path().filename()).string());
    sync_to_disk(e.path(), path);
  }
  if (ec) throw IoError("cannot write '" + path + "': " + ec.message());
  detail::finish_output(tmp.release(file.string()));
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const auto [dir, file] = resolve_target(path);
  detail::refuse_input_overwrite(path, path);
  const fs::path tmp_path = dir / ("." + file.filename().string() + unique_suffix());
  Temporary tmp(tmp_path, false);
  {
    std::ofstream out(tmp_path, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError("cannot write '" + path + "': " + std::strerror(errno));
    errno = 0;
    write(out);
    out.flush();
    if (!out) write_failed(path, errno);
    out.close();
    if (out.fail()) write_failed(path, errno);
  }
  sync_to_disk(tmp_path, path);
  detail::finish_output(tmp.release(file.string()));
}

}  // namespace recon::io
