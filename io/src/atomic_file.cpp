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

namespace {

std::filesystem::path target_directory(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw IoError("cannot write '" + path + "': directory '" + dir.string() + "' does not exist");
  return dir;
}

std::string unique_suffix() {
  std::random_device rd;
  return ".tmp" + std::to_string(getpid()) + "-" + std::to_string(rd());
}

}  // namespace

void write_files_atomically(const std::string& path, const std::function<void(const std::string& tmp)>& write) {
  namespace fs = std::filesystem;
  const fs::path dir = target_directory(path);
  const fs::path name = fs::path(path).filename();
  const fs::path tmp_dir = dir / ("." + name.string() + unique_suffix());
  std::error_code ec;
  try {
    if (!fs::create_directory(tmp_dir, ec))
      throw IoError("cannot write '" + path + "': cannot create a temporary directory (" + ec.message() + ")");
    write((tmp_dir / name).string());
    if (!fs::is_regular_file(tmp_dir / name, ec))
      throw IoError("cannot write '" + path + "': the writer produced no file");
    for (const fs::directory_entry& e : fs::directory_iterator(tmp_dir)) {
      if (e.path().filename() == name) continue;
      fs::rename(e.path(), dir / e.path().filename());
    }
    fs::rename(tmp_dir / name, dir / name);
    fs::remove_all(tmp_dir, ec);
  } catch (const fs::filesystem_error& e) {
    fs::remove_all(tmp_dir, ec);
    throw IoError("cannot write '" + path + "': " + e.code().message());
  } catch (...) {
    fs::remove_all(tmp_dir, ec);
    throw;
  }
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  const fs::path tmp = target_directory(path) / ("." + target.filename().string() + unique_suffix());
  std::error_code ec;
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
