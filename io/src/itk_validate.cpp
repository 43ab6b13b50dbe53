// Checks before ITK reads a file, for the cases where ITK's readers or their libraries accept
// a damaged file silently (they print to the console and return partial data), leak on it,
// allocate what a corrupt header asks for, or abort the process: PNG and DICOM structure
// (png_check.cpp, dicom_check.cpp), a damaged or absurdly sized TIFF (libtiff errors), NIfTI
// (.nii or .nii.gz: dims and the decoded size against the header), MetaImage and NRRD (the
// header's fields, then the data size against them).
#include "itk_validate.hpp"

#include <fcntl.h>
#include <tiffio.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "format_checks.hpp"
#include "quote.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io::detail {

namespace {

[[noreturn]] void truncated(const std::string& path, std::uint64_t need, std::uint64_t have) {
  throw IoError("cannot read '" + path + "': truncated data (the header needs " + std::to_string(need) +
                " bytes, the file holds " + std::to_string(have) + ")");
}

// ITK's reader stops at 2^31 samples (itk_io.cpp); a header asking for more is damaged.
constexpr std::uint64_t kMaxSamples = std::uint64_t(1) << 31;

[[noreturn]] void bad_header(const std::string& path, const std::string& what) {
  throw IoError("cannot read '" + path + "': bad header (" + what + ")");
}

// a * b, saturating at 2^64 - 1 so that a product of header fields cannot wrap around.
std::uint64_t saturating_mul(std::uint64_t a, std::uint64_t b) {
  return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

void check_sample_count(const std::string& path, std::uint64_t samples, const std::string& sizes) {
  if (samples > kMaxSamples)
    bad_header(path, "the sizes " + sizes + " make more than 2^31 samples, expected a plausible image size");
}

// A whole decimal integer from a header field, overflow-checked; false when the text is not one.
bool parse_int(const std::string& text, std::int64_t& out) {
  const bool negative = !text.empty() && text[0] == '-';
  std::size_t i = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
  if (i == text.size()) return false;
  std::int64_t v = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    if (v > (INT64_MAX - (text[i] - '0')) / 10) return false;
    v = v * 10 + (text[i] - '0');
  }
  out = negative ? -v : v;
  return true;
}

// The positive extents of a whitespace-separated size field ("DimSize", "sizes"), exactly
// `count` of them when count > 0; their product (saturated) in `samples`.
std::vector<std::uint64_t> extents(const std::string& path, const std::string& key, const std::string& text,
                                   std::uint64_t count, std::uint64_t& samples) {
  std::istringstream in(text);
  std::vector<std::uint64_t> out;
  samples = 1;
  for (std::string tok; in >> tok && out.size() <= 16;) {
    std::int64_t v = 0;
    if (!parse_int(tok, v) || v < 1)
      bad_header(path, "'" + key + "' holds " + excerpt(tok) + ", expected positive integer extents");
    out.push_back(static_cast<std::uint64_t>(v));
    samples = saturating_mul(samples, static_cast<std::uint64_t>(v));
  }
  if (out.empty() || (count > 0 && out.size() != count))
    bad_header(path, "'" + key + "' holds " + std::to_string(out.size()) + " extents, expected " +
                         (count > 0 ? std::to_string(count) : std::string("at least one")));
  check_sample_count(path, samples, excerpt(text));
  return out;
}

// A header's dimension field (`dim_key`, 1 to `max_dims`) and its size field (`size_key`) with
// exactly that many positive extents; returns their product (saturated). MetaImage and NRRD
// state their shape this way.
std::uint64_t header_samples(const std::string& path, std::map<std::string, std::string>& fields,
                             const std::string& dim_key, const std::string& size_key, std::int64_t max_dims) {
  std::int64_t dims = 0;
  if (!fields.count(dim_key) || !parse_int(fields[dim_key], dims) || dims < 1 || dims > max_dims)
    bad_header(path, "'" + dim_key + "' is " +
                         (fields.count(dim_key) ? excerpt(fields[dim_key]) : std::string("missing")) +
                         ", expected 1 to " + std::to_string(max_dims));
  if (!fields.count(size_key))
    bad_header(path, "no '" + size_key + "' field, expected " + std::to_string(dims) + " extents");
  std::uint64_t samples = 1;
  extents(path, size_key, fields[size_key], static_cast<std::uint64_t>(dims), samples);
  return samples;
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

// Every directory's size is checked against the cap before a strip or tile buffer is sized
// from it, then every strip or tile is decoded.
void check_tiff(const std::string& path) {
  tiff_error.clear();
  TIFF* tif = TIFFOpen(path.c_str(), "r");
  if (!tif)
    throw IoError("cannot read '" + path + "': not a readable TIFF file (" + excerpt(tiff_error, 120) + ")");
  std::vector<unsigned char> buf;
  std::uint64_t total_samples = 0;
  do {
    std::uint32_t width = 0, height = 0;
    std::uint16_t spp = 1, bps = 1;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &width);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &height);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bps);
    if (width == 0 || height == 0 || spp == 0 || bps == 0 || bps > 64) {
      TIFFClose(tif);
      bad_header(path, "a TIFF directory says " + std::to_string(width) + " x " + std::to_string(height) +
                           " pixels of " + std::to_string(spp) + " samples of " + std::to_string(bps) +
                           " bits, expected positive sizes and at most 64 bits");
    }
    const std::uint64_t samples = saturating_mul(saturating_mul(width, height), spp);
    total_samples = samples + total_samples;
    const bool tiled = TIFFIsTiled(tif);
    const std::uint64_t size = tiled ? TIFFTileSize64(tif) : TIFFStripSize64(tif);
    // A strip holds at most the directory's bytes, a tile that padded to whole tiles: twice the
    // directory (or 16 MiB for a small one) bounds both, so that a header cannot size the decode
    // buffer far beyond its image.
    const std::uint64_t plausible =
        std::max<std::uint64_t>(saturating_mul(saturating_mul(samples, (bps + 7u) / 8u), 2), 1u << 24);
    if (total_samples > kMaxSamples || size == 0 || size > plausible) {
      TIFFClose(tif);
      bad_header(path,
                 "the TIFF directories make more than 2^31 samples or an implausible strip size, "
                 "expected a plausible image size");
    }
    if (buf.size() < size) buf.resize(static_cast<std::size_t>(size));
    const std::uint32_t n = tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
    for (std::uint32_t k = 0; k < n && tiff_error.empty(); ++k) {
      const tmsize_t got = tiled ? TIFFReadEncodedTile(tif, k, buf.data(), static_cast<tmsize_t>(size))
                                 : TIFFReadEncodedStrip(tif, k, buf.data(), static_cast<tmsize_t>(size));
      if (got < 0 && tiff_error.empty()) tiff_error = "cannot decode strip or tile " + std::to_string(k);
    }
  } while (tiff_error.empty() && TIFFReadDirectory(tif));
  TIFFClose(tif);
  if (!tiff_error.empty())
    throw IoError("cannot read '" + path + "': damaged TIFF (" + excerpt(tiff_error, 120) + ")");
}

// Bytes that gzip-decoding the file from `offset` yields (plain data is passed through
// unchanged); the first `head_size` of them are copied to `head`. IoError for damaged data.
std::uint64_t decoded_size(const std::string& path, std::uint64_t offset, unsigned char* head,
                           unsigned head_size) {
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
  for (int n; (n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()))) > 0;)
    total += static_cast<unsigned>(n);
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
  if (ndim < 1 || ndim > 7)
    bad_header(path, "NIfTI dim[0] is " + std::to_string(ndim) + ", expected 1 to 7 axes");
  const int bitpix = i16(72);
  if (bitpix <= 0 || bitpix % 8 != 0 || bitpix > 256)
    bad_header(path, "NIfTI bitpix is " + std::to_string(bitpix) + ", expected a positive multiple of 8");
  if (!(vox_offset >= 0 && vox_offset <= static_cast<float>(total))) {
    std::ostringstream v;
    v << vox_offset;
    bad_header(path, "NIfTI vox_offset is " + v.str() + ", expected 0 to the file's size");
  }
  std::uint64_t samples = 1;
  std::string dims;
  for (int a = 1; a <= ndim; ++a) {
    const int d = i16(40 + 2 * a);
    dims += (a > 1 ? " " : "") + std::to_string(d);
    if (d < 1)
      bad_header(path, "NIfTI dim[" + std::to_string(a) + "] is " + std::to_string(d) +
                           ", expected a positive extent");
    samples = saturating_mul(samples, static_cast<std::uint64_t>(d));
  }
  check_sample_count(path, samples, "(" + dims + ")");
  const std::uint64_t need =
      samples * static_cast<std::uint64_t>(bitpix / 8) + static_cast<std::uint64_t>(vox_offset);
  if (total < need) truncated(path, need, total);
}

std::uint64_t met_type_size(const std::string& t) {
  static const std::map<std::string, std::uint64_t> sizes = {
      {"MET_CHAR", 1},      {"MET_UCHAR", 1},      {"MET_SHORT", 2}, {"MET_USHORT", 2},
      {"MET_INT", 4},       {"MET_UINT", 4},       {"MET_LONG", 4},  {"MET_ULONG", 4},
      {"MET_LONG_LONG", 8}, {"MET_ULONG_LONG", 8}, {"MET_FLOAT", 4}, {"MET_DOUBLE", 8}};
  const auto it = sizes.find(t);
  return it == sizes.end() ? 0 : it->second;
}

// Bytes that inflating `length` bytes of zlib or gzip data at `offset` yields, counting at most
// `limit` + 1 of them (MetaIO inflates with automatic header detection, as here).
std::uint64_t inflated_size(const std::string& path, std::uint64_t offset, std::uint64_t length,
                            std::uint64_t limit) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  z_stream z{};
  if (!in || inflateInit2(&z, 15 + 32) != Z_OK)
    throw IoError("cannot read '" + path + "': cannot start zlib");
  std::vector<unsigned char> input(1 << 16), output(1 << 16);
  std::uint64_t produced = 0;
  int rc = Z_OK;
  while (rc != Z_STREAM_END && length > 0 && produced <= limit) {
    in.read(reinterpret_cast<char*>(input.data()),
            static_cast<std::streamsize>(std::min<std::uint64_t>(length, input.size())));
    const auto got = static_cast<std::uint64_t>(in.gcount());
    if (got == 0) break;
    length -= got;
    z.next_in = input.data();
    z.avail_in = static_cast<uInt>(got);
    do {
      z.next_out = output.data();
      z.avail_out = static_cast<uInt>(output.size());
      rc = inflate(&z, Z_NO_FLUSH);
      produced += output.size() - z.avail_out;
    } while (rc == Z_OK && z.avail_out == 0 && produced <= limit);
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      inflateEnd(&z);
      throw IoError("cannot read '" + path + "': damaged compressed data (" +
                    excerpt(z.msg ? z.msg : "inflate error", 80) + ")");
    }
  }
  inflateEnd(&z);
  return produced;
}

bool looks_like_metaimage_header(const std::filesystem::path& file) {
  std::string ext = file.extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".mha" || ext == ".mhd") return true;
  std::ifstream in(file, std::ios::binary);
  char head[16] = {};
  in.read(head, sizeof head);
  const std::string_view h(head, static_cast<std::size_t>(in.gcount()));
  return h.rfind("ObjectType", 0) == 0 || h.rfind("NDims", 0) == 0;
}

// MetaImage: "Key = Value" lines up to ElementDataFile, which is LOCAL (data follows) or the
// name of one raw data file beside the header.
void check_metaimage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read '" + path + "': " + std::strerror(errno));
  std::map<std::string, std::string> keys;
  std::string line;
  const auto trim = [](std::string s) {
    s.erase(0, s.find_first_not_of(" \t\r"));
    s.erase(s.find_last_not_of(" \t\r") + 1);
    return s;
  };
  for (int lines = 0; lines < 1000 && std::getline(in, line); ++lines) {
    if (line.size() > 4096) bad_header(path, "a MetaImage header line longer than 4096 bytes");
    const auto eq = line.find('=');
    if (eq == std::string::npos) {
      if (trim(line).empty()) continue;
      bad_header(path, "the MetaImage line " + excerpt(line) + " is not 'Key = Value'");
    }
    const std::string key = trim(line.substr(0, eq));
    keys[key] = trim(line.substr(eq + 1));
    if (key == "ElementDataFile") break;
  }
  if (!keys.count("ElementDataFile"))
    bad_header(path, "no 'ElementDataFile' line, expected one ending the MetaImage header");
  const std::uint64_t samples = header_samples(path, keys, "NDims", "DimSize", 4);
  const std::uint64_t type_size = met_type_size(keys["ElementType"]);
  if (type_size == 0)
    bad_header(path, "'ElementType' is " + excerpt(keys["ElementType"]) +
                         ", expected MET_UCHAR, MET_CHAR, MET_USHORT, MET_SHORT, MET_UINT, MET_INT, "
                         "MET_FLOAT or MET_DOUBLE");
  std::int64_t channels = 1;
  if (keys.count("ElementNumberOfChannels") &&
      (!parse_int(keys["ElementNumberOfChannels"], channels) || channels < 1 || channels > 4))
    bad_header(path, "'ElementNumberOfChannels' is " + excerpt(keys["ElementNumberOfChannels"]) +
                         ", expected 1 to 4");
  check_sample_count(path, samples * static_cast<std::uint64_t>(channels), excerpt(keys["DimSize"]));
  const std::uint64_t need = samples * static_cast<std::uint64_t>(channels) * type_size;
  std::int64_t header_size = 0;
  if (keys.count("HeaderSize") && (!parse_int(keys["HeaderSize"], header_size) || header_size < -1))
    bad_header(path, "'HeaderSize' is " + excerpt(keys["HeaderSize"]) + ", expected -1 or a byte count");
  const bool compressed = keys["CompressedData"] == "True";

  namespace fs = std::filesystem;
  const std::string& data = keys["ElementDataFile"];
  std::string file = path;
  std::uint64_t offset = static_cast<std::uint64_t>(in.tellg());
  if (data != "LOCAL") {
    if (data.empty() || data == "LIST" || data.find_first_of(" %") != std::string::npos)
      bad_header(
          path,
          "'ElementDataFile' is " + excerpt(data) +
              ", expected LOCAL or the name of one raw data file (lists and patterns are not supported)");
    const fs::path p = fs::path(data).is_absolute() ? fs::path(data) : fs::path(path).parent_path() / data;
    file = p.string();
    std::error_code ec;
    if (!fs::is_regular_file(p, ec))
      throw IoError("cannot read '" + path + "': its data file " + excerpt(file, 200) +
                    " is missing or not a regular file");
    if (looks_like_metaimage_header(p))
      throw IoError("cannot read '" + path + "': its data file " + excerpt(file, 200) +
                    " is a MetaImage header, expected a raw data file");
    offset = 0;
  }
  std::error_code ec;
  const std::uint64_t size = fs::file_size(file, ec);
  if (ec || size < offset) throw IoError("cannot read '" + path + "': cannot size its data");
  std::uint64_t have = size - offset;
  if (header_size > 0) {
    if (static_cast<std::uint64_t>(header_size) > have)
      truncated(path, static_cast<std::uint64_t>(header_size), have);
    offset += static_cast<std::uint64_t>(header_size);
    have -= static_cast<std::uint64_t>(header_size);
  }
  if (compressed) {
    std::int64_t csize = static_cast<std::int64_t>(have);
    if (keys.count("CompressedDataSize") && (!parse_int(keys["CompressedDataSize"], csize) || csize < 1))
      bad_header(
          path, "'CompressedDataSize' is " + excerpt(keys["CompressedDataSize"]) + ", expected a byte count");
    if (static_cast<std::uint64_t>(csize) > have) truncated(path, static_cast<std::uint64_t>(csize), have);
    const std::uint64_t decoded = inflated_size(file, offset, static_cast<std::uint64_t>(csize), need);
    if (decoded != need)
      throw IoError("cannot read '" + path + "': its compressed data inflates to " +
                    (decoded > need ? "more than " + std::to_string(need) : std::to_string(decoded)) +
                    " bytes, the header needs " + std::to_string(need));
    return;
  }
  if (have < need) truncated(path, need, have);
  if (data != "LOCAL" && header_size >= 0 && have != need)
    throw IoError("cannot read '" + path + "': its data file " + excerpt(file, 200) + " holds " +
                  std::to_string(have) + " bytes of data, the header needs exactly " + std::to_string(need));
}

std::uint64_t nrrd_type_size(const std::string& t) {
  static const std::map<std::string, std::uint64_t> sizes = {{"signed char", 1},   {"int8", 1},
                                                             {"int8_t", 1},        {"uchar", 1},
                                                             {"unsigned char", 1}, {"uint8", 1},
                                                             {"uint8_t", 1},       {"short", 2},
                                                             {"short int", 2},     {"signed short", 2},
                                                             {"int16", 2},         {"int16_t", 2},
                                                             {"ushort", 2},        {"unsigned short", 2},
                                                             {"uint16", 2},        {"uint16_t", 2},
                                                             {"int", 4},           {"signed int", 4},
                                                             {"int32", 4},         {"int32_t", 4},
                                                             {"uint", 4},          {"unsigned int", 4},
                                                             {"uint32", 4},        {"uint32_t", 4},
                                                             {"longlong", 8},      {"long long", 8},
                                                             {"int64", 8},         {"int64_t", 8},
                                                             {"ulonglong", 8},     {"unsigned long long", 8},
                                                             {"uint64", 8},        {"uint64_t", 8},
                                                             {"float", 4},         {"double", 8}};
  const auto it = sizes.find(t);
  return it == sizes.end() ? 0 : it->second;
}

// NRRD: a text header up to an empty line, then raw, text or gzip data, attached or in one
// detached data file. (ITK's reader leaks memory on a truncated gzip stream, and allocates
// whatever the sizes ask for, so both are checked here first.)
void check_nrrd(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read '" + path + "': " + std::strerror(errno));
  std::string line;
  if (!std::getline(in, line) || line.rfind("NRRD000", 0) != 0) return;  // ITK reports it
  std::map<std::string, std::string> fields;
  for (int lines = 0; std::getline(in, line) && !line.empty() && line != "\r"; ++lines) {
    if (lines > 1000 || line.size() > 4096)
      bad_header(path, "a NRRD header of more than 1000 lines or 4096-byte lines");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(": ");
    if (line[0] != '#' && colon != std::string::npos) fields[line.substr(0, colon)] = line.substr(colon + 2);
  }
  const bool attached = !fields.count("data file") && !fields.count("datafile");
  if (attached && !in) bad_header(path, "the NRRD header does not end with an empty line before the data");
  const std::uint64_t samples = header_samples(path, fields, "dimension", "sizes", 16);
  const std::uint64_t type_size = nrrd_type_size(fields["type"]);
  if (type_size == 0)
    bad_header(path, "'type' is " + excerpt(fields["type"]) + ", expected a NRRD scalar type");
  if (fields.count("line skip") || fields.count("byte skip")) return;  // offsets ITK applies itself
  const std::uint64_t need = samples * type_size;

  namespace fs = std::filesystem;
  std::string file = path;
  std::uint64_t offset = static_cast<std::uint64_t>(in.tellg());
  if (!attached) {
    const std::string& data = fields.count("data file") ? fields["data file"] : fields["datafile"];
    if (data.empty() || data.rfind("LIST", 0) == 0 || data.find_first_of(" %") != std::string::npos)
      bad_header(path, "'data file' is " + excerpt(data) +
                           ", expected the name of one data file (lists and patterns are not supported)");
    const fs::path p = fs::path(data).is_absolute() ? fs::path(data) : fs::path(path).parent_path() / data;
    file = p.string();
    std::error_code ec;
    if (!fs::is_regular_file(p, ec))
      throw IoError("cannot read '" + path + "': its data file " + excerpt(file, 200) +
                    " is missing or not a regular file");
    offset = 0;
  }
  std::error_code ec;
  const std::uint64_t size = fs::file_size(file, ec);
  if (ec || size < offset) throw IoError("cannot read '" + path + "': cannot size its data");
  const std::string& encoding = fields["encoding"];
  std::uint64_t have = 0;
  if (encoding == "raw")
    have = size - offset;
  else if (encoding == "gzip" || encoding == "gz")
    have = decoded_size(file, offset, nullptr, 0);
  else if (encoding == "ascii" || encoding == "text" || encoding == "txt") {
    // At least one character per sample: caps what ITK allocates from the sizes.
    if (size - offset < samples) truncated(path, samples, size - offset);
    return;
  } else {
    bad_header(path, "'encoding' is " + excerpt(encoding) + ", expected raw, gzip or ascii");
  }
  if (have < need) truncated(path, need, have);
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
    if (format == Format::Png) validate_png(path);
    if (format == Format::Dicom) validate_dicom(path);
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
