// read_small_file (format_checks.hpp): the checks run on whole files, so a reader first makes
// sure that the path is a regular file of bounded size, rather than letting a stream read a
// directory (libstdc++ throws from basic_filebuf::underflow) or a device without end.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "format_checks.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io::detail {

std::string read_small_file(const std::string& path, std::uint64_t max_bytes, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw IoError("cannot read " + what + " '" + path + "': no such file");
  if (!fs::is_regular_file(st))
    throw IoError("cannot read " + what + " '" + path +
                  "': it is a directory or a special file, expected a regular file");
  const std::uint64_t size = fs::file_size(path, ec);
  if (ec) throw IoError("cannot read " + what + " '" + path + "': " + ec.message());
  if (size > max_bytes)
    throw IoError("cannot read " + what + " '" + path + "': it holds " + std::to_string(size) +
                  " bytes, expected at most " + std::to_string(max_bytes));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + what + " '" + path + "': " + std::strerror(errno));
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (static_cast<std::uint64_t>(in.gcount()) != size)
    throw IoError("cannot read " + what + " '" + path + "': read error");
  return bytes;
}

}  // namespace recon::io::detail
