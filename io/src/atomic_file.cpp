#include "recon/io/atomic_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "recon/kernels/error.hpp"

namespace recon::io {

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw IoError("cannot write '" + path + "': directory '" + dir.string() + "' does not exist");
  std::random_device rd;
  const fs::path tmp = dir / ("." + target.filename().string() + ".tmp" + std::to_string(getpid()) + "-" +
                              std::to_string(rd()));
  try {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw IoError("cannot write '" + path + "': " + std::strerror(errno));
    write(out);
    out.flush();
    if (!out) throw IoError("cannot write '" + path + "': write failed (" + std::strerror(errno) + ")");
    out.close();
    if (std::rename(tmp.c_str(), target.c_str()) != 0)
      throw IoError("cannot write '" + path + "': rename failed (" + std::strerror(errno) + ")");
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
}

}  // namespace recon::io
