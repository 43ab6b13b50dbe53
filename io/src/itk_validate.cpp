// Checks before ITK reads a file, for the cases where ITK's readers accept a damaged file
// silently (they print to the console and return partial data) or leak on it: a truncated
// TIFF (libtiff errors), NIfTI (.nii or .nii.gz: the decoded size against the header),
// MetaImage and NRRD (the data size against the header).
#include "itk_validate.hpp"

#include <fcntl.h>
#include <tiffio.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "recon/kernels/error.hpp"

namespace recon::io::detail {

namespace {

[[noreturn]] void truncated(const std::string& path, std::uint64_t need, std::uint64_t have) {
  throw IoError("cannot read '" + path + "': truncated data (the header needs " + std::to_string(need) +
                " bytes, the file holds " + std::to_string(have) + ")");
}

// libtiff reports through process-wide handlers: warnings are dropped and the first error of
// the current check is kept for the message.
thread_local std::string tiff_error;
void on_tiff_error(const char* module, const char* fmt, va_list ap) {
  if (!tiff_error.empty()) return;
  char buf[512];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  tiff_error = std::string(module ? module : "libtiff") + ": " + buf;
}
void on_tiff_warning(const char*, const char*, va_list) {}

void check_tiff(const std::string& path) {
  tiff_error.clear();
  TIFF* tif = TIFFOpen(path.c_str(), "r");
  if (!tif) throw IoError("cannot read '" + path + "': not a readable TIFF file (" + tiff_error + ")");
  std::vector<unsigned char> buf(static_cast<std::size_t>(TIFFIsTiled(tif) ? TIFFTileSize(tif) : TIFFStripSize(tif)));
  do {
    const bool tiled = TIFFIsTiled(tif);
    const std::size_t size = static_cast<std::size_t>(tiled ? TIFFTileSize(tif) : TIFFStripSize(tif));
    if (buf.size() < size) buf.resize(size);
    const std::uint32_t n = tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    for (std::uint32_t k = 0; k < n && tiff_error.empty(); ++k) {
      const tmsize_t got = tiled ? TIFFReadEncodedTile(tif, k, buf.data(), static_cast<tmsize_t>(size))
                                 : TIFFReadEncodedStrip(tif, k, buf.data(), static_cast<tmsize_t>(size));
      if (got < 0 && tiff_error.empty()) tiff_error = "cannot decode strip or tile " + std::to_string(k);
    }
  } while (tiff_error.empty() && TIFFReadDirectory(tif));
  TIFFClose(tif);
  if (!tiff_error.empty()) throw IoError("cannot read '" + path + "': damaged TIFF (" + tiff_error + ")");
}

// Bytes that gzip-decoding the file from `offset` yields (plain data is passed through
// unchanged); the first `head_size` of them are copied to `head`. IoError for damaged data.
std::uint64_t decoded_size(const std::string& path, std::uint64_t offset, unsigned char* head, unsigned head_size) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0 || ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
    if (fd >= 0) ::close(fd);
    throw IoError("cannot read '" + path + "': " + std::strerror(errno));
  }
  gzFile f = gzdopen(fd, "rb");
  if (!f) {
    ::close(fd);
    throw IoError("cannot read '" + path + "': out of memory");
  }
  const int got = head_size ? gzread(f, head, head_size) : 0;
  std::uint64_t total = got > 0 ? static_cast<std::uint64_t>(got) : 0;
  std::vector<char> chunk(1 << 16);
  for (int n; (n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0;) total += static_cast<unsigned>(n);
  int err = Z_OK;
  const std::string zmsg = gzerror(f, &err);
  gzclose(f);  // closes fd
  if (err != Z_OK && err != Z_STREAM_END)
    throw IoError("cannot read '" + path + "': damaged compressed data (" + zmsg + ")");
  return total;
}

// NIfTI-1: sizeof_hdr (348) at 0, dim[8] at 40, bitpix at 72, vox_offset at 108.
void check_nifti(const std::string& path) {
  unsigned char h[348];
  const std::uint64_t total = decoded_size(path, 0, h, sizeof h);
  if (total < sizeof h) return;  // not NIfTI-1: ITK reports it
  std::int32_t sizeof_hdr;
  std::memcpy(&sizeof_hdr, h, 4);
  const bool swap = sizeof_hdr != 348;
  if (swap && __builtin_bswap32(static_cast<std::uint32_t>(sizeof_hdr)) != 348u) return;
  const auto i16 = [&](int off) {
    std::uint16_t v;
    std::memcpy(&v, h + off, 2);
    return static_cast<std::int16_t>(swap ? __builtin_bswap16(v) : v);
  };
  std::uint32_t bits;
  std::memcpy(&bits, h + 108, 4);
  if (swap) bits = __builtin_bswap32(bits);
  float vox_offset;
  std::memcpy(&vox_offset, &bits, 4);
  const int ndim = i16(40);
  if (ndim < 1 || ndim > 7 || i16(72) <= 0 || !(vox_offset >= 0)) return;
  std::uint64_t need = static_cast<std::uint64_t>(i16(72)) / 8;
  for (int a = 1; a <= ndim; ++a) need *= static_cast<std::uint64_t>(i16(40 + 2 * a) > 0 ? i16(40 + 2 * a) : 1);
  need += static_cast<std::uint64_t>(vox_offset);
  if (total < need) truncated(path, need, total);
}

std::uint64_t met_type_size(const std::string& t) {
  static const std::map<std::string, std::uint64_t> sizes = {
      {"MET_CHAR", 1},  {"MET_UCHAR", 1}, {"MET_SHORT", 2},     {"MET_USHORT", 2},     {"MET_INT", 4},
      {"MET_UINT", 4},  {"MET_LONG", 4},  {"MET_ULONG", 4},     {"MET_LONG_LONG", 8},  {"MET_ULONG_LONG", 8},
      {"MET_FLOAT", 4}, {"MET_DOUBLE", 8}};
  const auto it = sizes.find(t);
  return it == sizes.end() ? 0 : it->second;
}

void check_metaimage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read '" + path + "': " + std::strerror(errno));
  std::map<std::string, std::string> keys;
  std::string line;
  while (std::getline(in, line) && line.size() < 4096) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) return;  // not a MetaImage header: ITK reports it
    const auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t\r"));
      s.erase(s.find_last_not_of(" \t\r") + 1);
      return s;
    };
    const std::string key = trim(line.substr(0, eq));
    keys[key] = trim(line.substr(eq + 1));
    if (key == "ElementDataFile") break;
  }
  if (!keys.count("ElementDataFile") || keys.count("HeaderSize")) return;
  std::uint64_t need = 0;
  if (keys["CompressedData"] == "True") {
    if (!keys.count("CompressedDataSize")) return;
    need = std::stoull(keys["CompressedDataSize"]);
  } else {
    need = met_type_size(keys["ElementType"]);
    std::istringstream dims(keys["DimSize"]);
    for (std::uint64_t d; dims >> d;) need *= d;
    if (keys.count("ElementNumberOfChannels")) need *= std::stoull(keys["ElementNumberOfChannels"]);
  }
  std::uint64_t have = 0;
  const std::string& data = keys["ElementDataFile"];
  if (data == "LOCAL") {
    const std::uint64_t header = static_cast<std::uint64_t>(in.tellg());
    have = std::filesystem::file_size(path) - header;
  } else if (data.find_first_of(" %") == std::string::npos && data != "LIST") {
    const auto file = std::filesystem::path(path).parent_path() / data;
    std::error_code ec;
    have = std::filesystem::file_size(file, ec);
    if (ec) throw IoError("cannot read '" + path + "': its data file '" + file.string() + "' is missing");
  } else {
    return;
  }
  if (have < need) truncated(path, need, have);
}

std::uint64_t nrrd_type_size(const std::string& t) {
  static const std::map<std::string, std::uint64_t> sizes = {
      {"signed char", 1}, {"int8", 1}, {"int8_t", 1}, {"uchar", 1}, {"unsigned char", 1}, {"uint8", 1},
      {"uint8_t", 1}, {"short", 2}, {"short int", 2}, {"signed short", 2}, {"int16", 2}, {"int16_t", 2},
      {"ushort", 2}, {"unsigned short", 2}, {"uint16", 2}, {"uint16_t", 2}, {"int", 4}, {"signed int", 4},
      {"int32", 4}, {"int32_t", 4}, {"uint", 4}, {"unsigned int", 4}, {"uint32", 4}, {"uint32_t", 4},
      {"longlong", 8}, {"long long", 8}, {"int64", 8}, {"int64_t", 8}, {"ulonglong", 8},
      {"unsigned long long", 8}, {"uint64", 8}, {"uint64_t", 8}, {"float", 4}, {"double", 8}};
  const auto it = sizes.find(t);
  return it == sizes.end() ? 0 : it->second;
}

// Attached NRRD: text header up to an empty line, then raw or gzip data. (ITK's reader
// leaks memory on a truncated gzip stream, so truncation is caught here first.)
void check_nrrd(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read '" + path + "': " + std::strerror(errno));
  std::string line;
  if (!std::getline(in, line) || line.rfind("NRRD000", 0) != 0) return;  // ITK reports it
  std::map<std::string, std::string> fields;
  while (std::getline(in, line) && !line.empty() && line != "\r") {
    const auto colon = line.find(": ");
    if (line[0] != '#' && colon != std::string::npos) fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  if (!in || fields.count("data file") || fields.count("datafile") || fields.count("line skip") ||
      fields.count("byte skip"))
    return;
  std::uint64_t need = nrrd_type_size(fields["type"]);
  std::istringstream sizes(fields["sizes"]);
  for (std::uint64_t d; sizes >> d;) need *= d;
  const std::uint64_t offset = static_cast<std::uint64_t>(in.tellg());
  const std::string& encoding = fields["encoding"];
  std::uint64_t have = 0;
  if (encoding == "raw") have = std::filesystem::file_size(path) - offset;
  else if (encoding == "gzip" || encoding == "gz") have = decoded_size(path, offset, nullptr, 0);
  else return;
  if (need > 0 && have < need) truncated(path, need, have);
}

void install_tiff_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    TIFFSetErrorHandler(on_tiff_error);
    TIFFSetWarningHandler(on_tiff_warning);
  });
}

}  // namespace

void check_before_itk(const std::string& path, Format format) {
  install_tiff_handlers();
  try {
    if (format == Format::Tiff) check_tiff(path);
    if (format == Format::Nifti) check_nifti(path);
    if (format == Format::MetaImage) check_metaimage(path);
    if (format == Format::Nrrd) check_nrrd(path);
  } catch (const std::invalid_argument&) {
    throw IoError("cannot read '" + path + "': malformed number in the header");
  } catch (const std::out_of_range&) {
    throw IoError("cannot read '" + path + "': number out of range in the header");
  }
}

}  // namespace recon::io::detail
