#include "recon/io/npy.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "format_checks.hpp"
#include "recon/io/atomic_file.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
// NumPy writes headers of a few hundred bytes; a larger length field is damage.
constexpr std::uint32_t kMaxHeaderBytes = 1u << 20;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw IoError("'" + path + "' is not a readable .npy file: " + what);
}

// n values of type Src from raw, converted to T and appended to out.
template <class Src, class T>
void convert(const char* raw, std::size_t n, std::vector<T>& out) {
  const std::size_t at = out.size();
  out.resize(at + n);
  for (std::size_t i = 0; i < n; ++i) {
    Src v;
    std::memcpy(&v, raw + i * sizeof(Src), sizeof(Src));
    out[at + i] = static_cast<T>(v);
  }
}

template <class T>
constexpr const char* dtype_of() {
  return sizeof(T) == 4 ? "<f4" : "<f8";
}

std::ifstream open_regular(const std::string& path, std::uint64_t& file_size) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw IoError("cannot open '" + path + "' for reading: no such file");
  if (!fs::is_regular_file(st)) fail(path, "it is a directory or a special file, expected a regular file");
  file_size = fs::file_size(path, ec);
  std::ifstream in(path, std::ios::binary);
  if (ec || !in) throw IoError("cannot open '" + path + "' for reading: " + std::strerror(errno));
  return in;
}

NpyHeader read_header(std::ifstream& in, const std::string& path, std::uint64_t file_size) {
  char magic[6] = {};
  in.read(magic, 6);
  if (!in || std::memcmp(magic, kMagic, 6) != 0) fail(path, "missing the \\x93NUMPY magic string");
  unsigned char version[2] = {};
  in.read(reinterpret_cast<char*>(version), 2);
  if (!in) fail(path, "truncated header (the file ends inside the version field)");
  if (version[0] < 1 || version[0] > 3)
    fail(path, "unsupported format version " + std::to_string(version[0]) + "." + std::to_string(version[1]) +
                   " (expected 1.0, 2.0 or 3.0)");
  std::uint32_t header_len = 0;
  unsigned char b[4] = {};
  const int len_bytes = version[0] == 1 ? 2 : 4;
  in.read(reinterpret_cast<char*>(b), len_bytes);
  if (!in) fail(path, "truncated header (the file ends inside the header length)");
  header_len = b[0] | (b[1] << 8) | (static_cast<std::uint32_t>(b[2]) << 16) |
               (static_cast<std::uint32_t>(b[3]) << 24);
  const std::uint64_t prefix = 8 + static_cast<std::uint64_t>(len_bytes);
  if (header_len > kMaxHeaderBytes)
    fail(path, "the header length field says " + std::to_string(header_len) + " bytes (expected at most " +
                   std::to_string(kMaxHeaderBytes) + ")");
  if (prefix + header_len > file_size)
    fail(path, "truncated header (it needs " + std::to_string(header_len) + " bytes, the file holds " +
                   std::to_string(file_size - prefix) + " after the header length)");
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) fail(path, "read error in the header");
  NpyHeader h = detail::parse_npy_header(path, header);
  h.data_offset = static_cast<std::size_t>(prefix + header_len);
  return h;
}

}  // namespace

NpyHeader read_npy_header(const std::string& path) {
  std::uint64_t file_size = 0;
  std::ifstream in = open_regular(path, file_size);
  return read_header(in, path, file_size);
}

namespace {

// The header of an open file whose data it checks against the file's size: the dtype's bytes of
// the whole shape are there, and the shape is not empty.
NpyHeader checked_header(std::ifstream& in, const std::string& path, std::uint64_t file_size) {
  const NpyHeader h = read_header(in, path, file_size);
  const std::uint64_t have = file_size - h.data_offset;
  index_t bytes = 0;
  try {
    bytes = h.shape.bytes(static_cast<index_t>(detail::npy_item_size(h.dtype)));
  } catch (const InvalidArgument&) {
    fail(path, "shape " + h.shape.str() + " of " + h.dtype +
                   " is too large (more than 2^63 bytes), the file holds " + std::to_string(have) +
                   " bytes of data");
  }
  if (have < static_cast<std::uint64_t>(bytes))
    fail(path, "truncated data: shape " + h.shape.str() + " of " + h.dtype + " needs " +
                   std::to_string(bytes) + " bytes, the file holds " + std::to_string(have));
  if (h.shape.size() == 0)
    fail(path, "holds an empty array, shape " + h.shape.str() + "; expected at least one element");
  return h;
}

// n values of the header's dtype from raw, converted to T and appended to out.
template <class T>
void append_converted(const std::string& dtype, const char* raw, std::size_t n, std::vector<T>& out) {
  if (dtype == "<f4")
    convert<float>(raw, n, out);
  else if (dtype == "<f8")
    convert<double>(raw, n, out);
  else if (dtype == "|u1" || dtype == "<u1")
    convert<std::uint8_t>(raw, n, out);
  else if (dtype == "<u2")
    convert<std::uint16_t>(raw, n, out);
  else if (dtype == "<i2")
    convert<std::int16_t>(raw, n, out);
  else
    convert<std::int32_t>(raw, n, out);
}

// The part's runs of an open file whose header h was checked, converted to T.
template <class T>
Array<T> read_runs(const Context& ctx, std::ifstream& in, const std::string& path, const NpyHeader& h,
                   const NpyPart& part, const Shape& shape) {
  const std::size_t item = detail::npy_item_size(h.dtype);
  std::vector<char> raw(item * static_cast<std::size_t>(part.run));
  std::vector<T> values;
  values.reserve(static_cast<std::size_t>(shape.size()));
  for (index_t i = 0; i < part.count; ++i) {
    in.seekg(static_cast<std::streamoff>(h.data_offset +
                                         item * static_cast<std::size_t>(part.first + i * part.stride)));
    in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
    if (!in) fail(path, "read error in the data");
    append_converted(h.dtype, raw.data(), static_cast<std::size_t>(part.run), values);
  }
  return Array<T>::from_host(ctx, shape, values);
}

// IoError naming the file when the part reaches outside h's data; ShapeMismatch when `shape`
// does not hold the part's values.
void check_part(const std::string& path, const NpyHeader& h, const NpyPart& part, const Shape& shape,
                const char* where) {
  const index_t total = h.shape.size();
  const index_t last = part.count > 0 ? part.first + (part.count - 1) * part.stride + part.run : part.first;
  if (part.first < 0 || part.run < 0 || part.count < 0 || part.stride < 0 || last > total)
    fail(path, "a part of " + std::to_string(part.count) + " runs of " + std::to_string(part.run) +
                   " values from value " + std::to_string(part.first) + " reaches past its " +
                   std::to_string(total) + " values (shape " + h.shape.str() + ")");
  if (shape.size() != part.run * part.count)
    throw ShapeMismatch(std::string(where) + "('" + path + "'): " + std::to_string(part.run * part.count) +
                        " values for shape " + shape.str());
}

// The magic, version, length and dictionary of a C-ordered T array of `shape`, padded so that the
// data starts on a 64-byte boundary, as NumPy does.
template <class T>
std::string npy_header(const Shape& shape) {
  std::string dict = std::string("{'descr': '") + dtype_of<T>() +
                     "', 'fortran_order': False, 'shape': " + shape.str() + ", }";
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict.push_back('\n');
  const char len[2] = {static_cast<char>(dict.size() & 0xff), static_cast<char>(dict.size() >> 8)};
  return std::string(kMagic, 6) + std::string("\x01\x00", 2) + std::string(len, 2) + dict;
}

}  // namespace

template <class T>
Array<T> read_npy(const Context& ctx, const std::string& path) {
  std::uint64_t file_size = 0;
  std::ifstream in = open_regular(path, file_size);
  const NpyHeader h = checked_header(in, path, file_size);
  return read_runs<T>(ctx, in, path, h, NpyPart{0, h.shape.size(), 1, 0}, h.shape);
}

template <class T>
Array<T> read_npy_part(const Context& ctx, const std::string& path, const NpyPart& part, const Shape& shape) {
  std::uint64_t file_size = 0;
  std::ifstream in = open_regular(path, file_size);
  const NpyHeader h = checked_header(in, path, file_size);
  check_part(path, h, part, shape, "read_npy_part");
  return read_runs<T>(ctx, in, path, h, part, shape);
}

template <class T>
void create_npy(const std::string& path, const Shape& shape) {
  const std::string header = npy_header<T>(shape);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.close();
    if (!out) throw IoError("cannot write '" + path + "': " + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::resize_file(path, header.size() + static_cast<std::uintmax_t>(shape.bytes(sizeof(T))), ec);
  if (ec)
    throw IoError("cannot write '" + path + "': " + ec.message() +
                  " (expected room on the disk and within the file size limit)");
}

template <class T>
void write_npy_part(const std::string& path, const NpyPart& part, const std::vector<T>& values) {
  const NpyHeader h = read_npy_header(path);
  if (h.dtype != dtype_of<T>())
    throw IoError("cannot write a part of '" + path + "': it holds " + h.dtype + ", expected " +
                  dtype_of<T>());
  check_part(path, h, part, Shape{static_cast<index_t>(values.size())}, "write_npy_part");
  std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
  for (index_t i = 0; i < part.count && out; ++i) {
    out.seekp(static_cast<std::streamoff>(
        h.data_offset + sizeof(T) * static_cast<std::size_t>(part.first + i * part.stride)));
    out.write(reinterpret_cast<const char*>(values.data() + i * part.run),
              static_cast<std::streamsize>(sizeof(T) * static_cast<std::size_t>(part.run)));
  }
  out.close();
  if (!out) throw IoError("cannot write '" + path + "': " + std::strerror(errno));
}

template <class T>
void write_npy(const std::string& path, const Shape& shape, const std::vector<T>& values) {
  if (static_cast<index_t>(values.size()) != shape.size())
    throw ShapeMismatch("write_npy('" + path + "'): " + std::to_string(values.size()) + " values for shape " +
                        shape.str());
  const std::string header = npy_header<T>(shape);
  write_file_atomically(path, [&](std::ostream& out) {
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(values.data()),
              static_cast<std::streamsize>(values.size() * sizeof(T)));
  });
}

template <class T>
void write_npy(const std::string& path, const Array<T>& x) {
  write_npy(path, x.shape(), x.to_host_vector());
}

template Array<float> read_npy<float>(const Context&, const std::string&);
template Array<double> read_npy<double>(const Context&, const std::string&);
template void create_npy<float>(const std::string&, const Shape&);
template void create_npy<double>(const std::string&, const Shape&);
template void write_npy_part<float>(const std::string&, const NpyPart&, const std::vector<float>&);
template void write_npy_part<double>(const std::string&, const NpyPart&, const std::vector<double>&);
template Array<float> read_npy_part<float>(const Context&, const std::string&, const NpyPart&, const Shape&);
template Array<double> read_npy_part<double>(const Context&, const std::string&, const NpyPart&,
                                             const Shape&);
template void write_npy<float>(const std::string&, const Array<float>&);
template void write_npy<double>(const std::string&, const Array<double>&);
template void write_npy<float>(const std::string&, const Shape&, const std::vector<float>&);
template void write_npy<double>(const std::string&, const Shape&, const std::vector<double>&);

}  // namespace recon::io
