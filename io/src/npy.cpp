#include "recon/io/npy.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

#include "recon/io/atomic_file.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {

namespace {

constexpr char kMagic[] = "\x93NUMPY";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError("'" + path + "' is not a readable .npy file: " + what);
}

std::size_t item_size(const std::string& dtype) {
  if (dtype == "<f4" || dtype == "<i4") return 4;
  if (dtype == "<f8") return 8;
  if (dtype == "|u1" || dtype == "<u1") return 1;
  if (dtype == "<u2" || dtype == "<i2") return 2;
  return 0;
}

template <class Src, class T>
void convert(const char* raw, std::size_t n, std::vector<T>& out) {
  out.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    Src v;
    std::memcpy(&v, raw + i * sizeof(Src), sizeof(Src));
    out[i] = static_cast<T>(v);
  }
}

template <class T>
constexpr const char* dtype_of() {
  return sizeof(T) == 4 ? "<f4" : "<f8";
}

}  // namespace

NpyHeader read_npy_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot open '" + path + "' for reading: " + std::strerror(errno));
  char magic[6] = {};
  in.read(magic, 6);
  if (!in || std::memcmp(magic, kMagic, 6) != 0) fail(path, "missing the \\x93NUMPY magic string");
  unsigned char version[2] = {};
  in.read(reinterpret_cast<char*>(version), 2);
  if (!in || version[0] < 1 || version[0] > 3) fail(path, "unsupported format version");
  std::uint32_t header_len = 0;
  if (version[0] == 1) {
    unsigned char b[2];
    in.read(reinterpret_cast<char*>(b), 2);
    header_len = b[0] | (b[1] << 8);
  } else {
    unsigned char b[4];
    in.read(reinterpret_cast<char*>(b), 4);
    header_len = b[0] | (b[1] << 8) | (b[2] << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  }
  if (!in || header_len > (1u << 20)) fail(path, "truncated or oversized header");
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) fail(path, "truncated header");

  std::smatch m;
  NpyHeader h;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([^']*)')"))) fail(path, "no 'descr' in header");
  h.dtype = m[1];
  if (!std::regex_search(header, m, std::regex(R"('fortran_order'\s*:\s*(True|False))")))
    fail(path, "no 'fortran_order' in header");
  if (m[1] == "True") fail(path, "Fortran-order arrays are not supported (save with C order)");
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))"))) fail(path, "no 'shape' in header");
  std::stringstream dims(m[1]);
  std::string tok;
  while (std::getline(dims, tok, ',')) {
    tok.erase(0, tok.find_first_not_of(" \t"));
    tok.erase(tok.find_last_not_of(" \tL") + 1);
    if (tok.empty()) continue;
    if (tok.find_first_not_of("0123456789") != std::string::npos) fail(path, "bad shape entry '" + tok + "'");
    if (h.shape.ndim() == Shape::kMaxAxes) fail(path, "more than 4 axes");
    h.shape.push_back(std::stoll(tok));
  }
  if (item_size(h.dtype) == 0)
    fail(path, "dtype '" + h.dtype +
                   "' is not supported (expected little-endian float32, float64, uint8, uint16, int16 or int32)");
  h.data_offset = static_cast<std::size_t>(in.tellg());
  return h;
}

template <class T>
Array<T> read_npy(const Context& ctx, const std::string& path) {
  const NpyHeader h = read_npy_header(path);
  const std::size_t n = static_cast<std::size_t>(h.shape.size());
  const std::size_t bytes = n * item_size(h.dtype);
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  const std::size_t file_size = static_cast<std::size_t>(in.tellg());
  if (file_size < h.data_offset + bytes)
    fail(path, "truncated data: shape " + h.shape.str() + " of " + h.dtype + " needs " + std::to_string(bytes) +
                   " bytes, the file holds " + std::to_string(file_size - h.data_offset));
  std::vector<char> raw(bytes);
  in.seekg(static_cast<std::streamoff>(h.data_offset));
  in.read(raw.data(), static_cast<std::streamsize>(bytes));
  if (!in) fail(path, "read error");
  std::vector<T> values;
  if (h.dtype == "<f4") convert<float>(raw.data(), n, values);
  else if (h.dtype == "<f8") convert<double>(raw.data(), n, values);
  else if (h.dtype == "|u1" || h.dtype == "<u1") convert<std::uint8_t>(raw.data(), n, values);
  else if (h.dtype == "<u2") convert<std::uint16_t>(raw.data(), n, values);
  else if (h.dtype == "<i2") convert<std::int16_t>(raw.data(), n, values);
  else convert<std::int32_t>(raw.data(), n, values);
  return Array<T>::from_host(ctx, h.shape, values);
}

template <class T>
void write_npy(const std::string& path, const Shape& shape, const std::vector<T>& values) {
  if (static_cast<index_t>(values.size()) != shape.size())
    throw ShapeMismatch("write_npy('" + path + "'): " + std::to_string(values.size()) + " values for shape " +
                        shape.str());
  std::string header = std::string("{'descr': '") + dtype_of<T>() + "', 'fortran_order': False, 'shape': " +
                       shape.str() + ", }";
  // Pad so that the data starts on a 64-byte boundary, as NumPy does.
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(kMagic, 6);
    const char version[2] = {1, 0};
    out.write(version, 2);
    const unsigned char len[2] = {static_cast<unsigned char>(header.size() & 0xff),
                                  static_cast<unsigned char>(header.size() >> 8)};
    out.write(reinterpret_cast<const char*>(len), 2);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(T)));
  });
}

template <class T>
void write_npy(const std::string& path, const Array<T>& x) {
  write_npy(path, x.shape(), x.to_host_vector());
}

template Array<float> read_npy<float>(const Context&, const std::string&);
template Array<double> read_npy<double>(const Context&, const std::string&);
template void write_npy<float>(const std::string&, const Array<float>&);
template void write_npy<double>(const std::string&, const Array<double>&);
template void write_npy<float>(const std::string&, const Shape&, const std::vector<float>&);
template void write_npy<double>(const std::string&, const Shape&, const std::vector<double>&);

}  // namespace recon::io
