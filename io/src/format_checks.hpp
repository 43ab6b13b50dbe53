// Internal to io/: the parsers and structure checks that every reader runs on a file's bytes
// before trusting them (or before a third-party library sees them). Each is a plain function
// of bytes, so it can be unit-tested and fuzzed without files; each throws IoError naming
// `path`, saying what is wrong and what was expected, on one line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "recon/io/npy.hpp"
#include "recon/kernels/shape.hpp"

namespace recon::io::detail {

// The .npy header dict, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }:
// a bounded parser of this Python literal (keys in any order, any whitespace, trailing
// commas). Sets dtype and shape; the data offset is the caller's.
NpyHeader parse_npy_header(const std::string& path, std::string_view header);
// Bytes per element of a supported dtype ("<f4", "|u1", ...), 0 for any other.
std::size_t npy_item_size(std::string_view dtype);

// The raw format's JSON sidecar (raw.hpp): a float32 little-endian C-order array.
struct RawSidecar {
  Shape shape;
  std::vector<double> spacing;  // empty, or one positive finite value per axis
  std::vector<double> origin;   // empty, or one finite value per axis
};
RawSidecar parse_raw_sidecar(const std::string& sidecar_path, std::string_view text);

// PNG: signature, IHDR first with a sane size, bit depth and colour type, every chunk inside
// the file with a correct CRC, at least one IDAT, IEND last, and the IDAT zlib stream inflating
// to exactly the size the IHDR implies. (libpng aborts the process on these under ITK.)
void validate_png_bytes(const std::string& path, std::string_view bytes);
void validate_png(const std::string& path);

// DICOM: the 128-byte preamble, "DICM", and a parsable group 0002 (file meta) element list
// whose lengths stay inside the file. (GDCM asserts, and so aborts, on such files.)
void validate_dicom_bytes(const std::string& path, std::string_view bytes);
void validate_dicom(const std::string& path);

// The whole of a regular file, at most `max_bytes` long; IoError naming `path` otherwise
// (missing, a directory, unreadable, too large).
std::string read_small_file(const std::string& path, std::uint64_t max_bytes, const std::string& what);

}  // namespace recon::io::detail
