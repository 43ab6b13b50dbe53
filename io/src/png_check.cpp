// PNG structure check (format_checks.hpp). ITK reads PNG through libpng without an error
// handler, so anything libpng rejects with png_error aborts the process. This walks the chunk
// list as the PNG specification (ISO/IEC 15948, sections 5 and 11) lays it out, checks every
// CRC, and inflates the IDAT stream (bounded memory) to check its size and row filter bytes.
#include <zlib.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "format_checks.hpp"
#include "quote.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io::detail {

namespace {

// libpng's default user limit (PNG_USER_WIDTH_MAX / PNG_USER_HEIGHT_MAX): larger sizes are
// rejected by png_error.
constexpr std::uint32_t kMaxSide = 1000000;
constexpr std::uint64_t kMaxPixels = std::uint64_t(1) << 31;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError("cannot read '" + path + "': damaged PNG file (" + what + ")");
}

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) | (std::uint32_t(p[2]) << 8) | p[3];
}

struct Ihdr {
  std::uint32_t width = 0, height = 0;
  int bit_depth = 0, color_type = 0, interlace = 0;
  int channels() const {
    return color_type == 0 || color_type == 3 ? 1 : color_type == 4 ? 2 : color_type == 2 ? 3 : 4;
  }
  // Bytes of one filtered row of `w` pixels, without its filter-type byte.
  std::uint64_t row_bytes(std::uint64_t w) const {
    return (w * static_cast<std::uint64_t>(channels()) * static_cast<std::uint64_t>(bit_depth) + 7) / 8;
  }
};

void check_ihdr(const std::string& path, const unsigned char* d, std::uint32_t len, Ihdr& h) {
  if (len != 13) fail(path, "the IHDR chunk holds " + std::to_string(len) + " bytes, expected 13");
  h.width = be32(d);
  h.height = be32(d + 4);
  h.bit_depth = d[8];
  h.color_type = d[9];
  h.interlace = d[12];
  if (h.width == 0 || h.height == 0 || h.width > kMaxSide || h.height > kMaxSide ||
      std::uint64_t(h.width) * h.height > kMaxPixels)
    fail(path, "the IHDR says " + std::to_string(h.width) + " x " + std::to_string(h.height) +
                   " pixels, expected 1 to " + std::to_string(kMaxSide) +
                   " per side and at most 2^31 pixels");
  const int b = h.bit_depth;
  bool depth_ok = false;
  switch (h.color_type) {
    case 0:
      depth_ok = b == 1 || b == 2 || b == 4 || b == 8 || b == 16;
      break;
    case 3:
      depth_ok = b == 1 || b == 2 || b == 4 || b == 8;
      break;
    case 2:
    case 4:
    case 6:
      depth_ok = b == 8 || b == 16;
      break;
    default:
      fail(path, "the IHDR's colour type is " + std::to_string(h.color_type) + ", expected 0, 2, 3, 4 or 6");
  }
  if (!depth_ok)
    fail(path, "the IHDR's bit depth " + std::to_string(b) + " is not allowed with colour type " +
                   std::to_string(h.color_type));
  if (d[10] != 0 || d[11] != 0 || h.interlace > 1)
    fail(path, "the IHDR's compression, filter or interlace method is not 0, 0 and 0 or 1");
}

// Lengths of the filtered rows, in stream order, as (row length with its filter byte, count).
std::vector<std::pair<std::uint64_t, std::uint64_t>> row_runs(const Ihdr& h) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;
  if (h.interlace == 0) {
    runs.emplace_back(1 + h.row_bytes(h.width), h.height);
    return runs;
  }
  // Adam7: the seven passes' starting column/row and steps.
  static const int x0[7] = {0, 4, 0, 2, 0, 1, 0}, dx[7] = {8, 8, 4, 4, 2, 2, 1};
  static const int y0[7] = {0, 0, 4, 0, 2, 0, 1}, dy[7] = {8, 8, 8, 4, 4, 2, 2};
  for (int p = 0; p < 7; ++p) {
    const std::uint64_t w = h.width > std::uint32_t(x0[p]) ? (h.width - x0[p] + dx[p] - 1) / dx[p] : 0;
    const std::uint64_t rows = h.height > std::uint32_t(y0[p]) ? (h.height - y0[p] + dy[p] - 1) / dy[p] : 0;
    if (w > 0 && rows > 0) runs.emplace_back(1 + h.row_bytes(w), rows);
  }
  return runs;
}

// Inflates the concatenated IDAT data in fixed-size steps, checking that it yields exactly
// the rows the IHDR implies, each starting with a filter type 0-4.
void check_image_data(const std::string& path, const Ihdr& h, const std::vector<std::string_view>& idat) {
  const auto runs = row_runs(h);
  std::uint64_t expected = 0;
  for (const auto& r : runs) expected += r.first * r.second;
  std::size_t run = 0;
  std::uint64_t row_in_run = 0, next_row_start = 0, produced = 0;

  z_stream z{};
  if (inflateInit(&z) != Z_OK) fail(path, "cannot start zlib");
  std::array<unsigned char, 1 << 16> out;
  int rc = Z_OK;
  std::string problem;
  for (std::size_t k = 0; k < idat.size() && rc != Z_STREAM_END && problem.empty(); ++k) {
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(idat[k].data()));
    z.avail_in = static_cast<uInt>(idat[k].size());
    while (z.avail_in > 0 && rc != Z_STREAM_END && problem.empty()) {
      z.next_out = out.data();
      z.avail_out = static_cast<uInt>(out.size());
      rc = inflate(&z, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        problem = std::string("the IDAT zlib stream is damaged: ") + (z.msg ? z.msg : "inflate error");
        break;
      }
      const std::uint64_t got = out.size() - z.avail_out;
      if (produced + got > expected) {
        problem =
            "the IDAT data inflates to more than the " + std::to_string(expected) + " bytes the IHDR implies";
        break;
      }
      while (run < runs.size() && next_row_start < produced + got) {
        const unsigned filter = out[static_cast<std::size_t>(next_row_start - produced)];
        if (filter > 4) {
          problem = "row filter type " + std::to_string(filter) + " at byte " +
                    std::to_string(next_row_start) + " of the image data, expected 0 to 4";
          break;
        }
        next_row_start += runs[run].first;
        if (++row_in_run == runs[run].second) {
          ++run;
          row_in_run = 0;
        }
      }
      produced += got;
      if (rc == Z_BUF_ERROR && got == 0) break;
    }
  }
  inflateEnd(&z);
  if (!problem.empty()) fail(path, problem);
  if (produced < expected || rc != Z_STREAM_END)
    fail(path, "truncated image data: the IDAT stream inflates to " + std::to_string(produced) + " bytes" +
                   (rc == Z_STREAM_END ? "" : " and does not end") + ", the IHDR's " +
                   std::to_string(h.width) + " x " + std::to_string(h.height) + " pixels need " +
                   std::to_string(expected));
}

}  // namespace

void validate_png_bytes(const std::string& path, std::string_view bytes) {
  static const unsigned char kSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t size = bytes.size();
  if (size < 8 || std::memcmp(p, kSignature, 8) != 0)
    throw IoError("cannot read '" + path +
                  "': not a readable PNG file (it does not start with the 8-byte PNG signature)");
  Ihdr h;
  std::vector<std::string_view> idat;
  bool have_ihdr = false, have_plte = false, idat_done = false, have_iend = false;
  std::size_t pos = 8;
  while (!have_iend) {
    if (size - pos < 12)
      fail(path, pos == size ? "the file ends after " + std::to_string(pos) + " bytes without an IEND chunk"
                             : "the file ends inside a chunk header at byte " + std::to_string(pos));
    const std::uint32_t len = be32(p + pos);
    const std::string_view type = bytes.substr(pos + 4, 4);
    for (char c : type)
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')))
        fail(path, "bad chunk type " + excerpt(type) + " at byte " + std::to_string(pos));
    const std::string name = excerpt(type);
    if (len > 0x7fffffffu || len > size - pos - 12)
      fail(path, "chunk " + name + " at byte " + std::to_string(pos) + " claims " + std::to_string(len) +
                     " bytes, the file has " + std::to_string(size - pos - 12) + " left");
    const unsigned char* data = p + pos + 8;
    const std::uint32_t crc = static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0), p + pos + 4, len + 4));
    if (crc != be32(data + len))
      fail(path, "chunk " + name + " at byte " + std::to_string(pos) + " has a bad CRC");
    if (!have_ihdr && type != "IHDR") fail(path, "the first chunk is " + name + ", expected IHDR");
    if (type == "IHDR") {
      if (have_ihdr) fail(path, "a second IHDR chunk at byte " + std::to_string(pos));
      check_ihdr(path, data, len, h);
      have_ihdr = true;
    } else if (type == "PLTE") {
      if (have_plte || !idat.empty()) fail(path, "a PLTE chunk after IDAT or a second PLTE");
      if (h.color_type == 0 || h.color_type == 4) fail(path, "a PLTE chunk in a grey-scale image");
      if (len == 0 || len % 3 != 0 || len / 3 > (1u << (h.color_type == 3 ? h.bit_depth : 8)))
        fail(path, "the PLTE chunk holds " + std::to_string(len) +
                       " bytes, expected 3 per entry and at most " +
                       std::to_string(1u << (h.color_type == 3 ? h.bit_depth : 8)) + " entries");
      have_plte = true;
    } else if (type == "IDAT") {
      if (idat_done) fail(path, "IDAT chunks that are not consecutive");
      if (h.color_type == 3 && !have_plte) fail(path, "a palette image without a PLTE chunk before its IDAT");
      idat.push_back(bytes.substr(pos + 8, len));
    } else if (type == "IEND") {
      have_iend = true;
    } else if (type[0] >= 'A' && type[0] <= 'Z') {
      fail(path, "unknown critical chunk " + name + " at byte " + std::to_string(pos));
    }
    if (!idat.empty() && type != "IDAT") idat_done = true;
    pos += 12 + len;
  }
  if (idat.empty()) fail(path, "no IDAT chunk, expected at least one holding the image data");
  check_image_data(path, h, idat);
}

void validate_png(const std::string& path) {
  validate_png_bytes(path, read_small_file(path, std::uint64_t(1) << 32, "the PNG file"));
}

}  // namespace recon::io::detail
