// NumPy .npy files (format versions 1.0-3.0). Reading accepts little-endian float32,
// float64, uint8, uint16, int16 and int32 in C order and converts values to T; Fortran
// order, big-endian data, other dtypes, empty arrays and shapes whose data the file does not
// hold (checked before anything is allocated) are rejected with an IoError naming the file.
// Writing stores T (float32 or float64) in C order, atomically.
#pragma once

#include <string>
#include <vector>

#include "recon/kernels/array.hpp"

namespace recon::io {

struct NpyHeader {
  std::string dtype;  // NumPy descr, e.g. "<f4"
  Shape shape;
  std::size_t data_offset = 0;
};

// Parses and checks the header only (also used by `recon info`-style inspection).
NpyHeader read_npy_header(const std::string& path);

template <class T>
Array<T> read_npy(const Context& ctx, const std::string& path);

// A part of a .npy file's C-ordered data: `count` runs of `run` elements, run i starting at
// element `first + i * stride`. A block of rows along axis 0 is one run; a band of detector rows of
// every view (a z-slab's projections, docs/distributed.md) is one run per view. Each MPI rank
// reads its own part this way instead of rank 0 reading the whole file.
struct NpyPart {
  index_t first = 0, run = 0, count = 1, stride = 0;
};

// The part's values as an array of `shape` (shape.size() == run * count), converted to T as
// read_npy does, after the same checks of the whole file (header, dtype, truncation); IoError
// naming the file for a part outside its data.
template <class T>
Array<T> read_npy_part(const Context& ctx, const std::string& path, const NpyPart& part, const Shape& shape);

// Writing a .npy in parts, each MPI rank its own (docs/distributed.md): create_npy writes the
// header of a T array of `shape` at `path` (a temporary of write_files_atomically) and sizes the
// file to hold its data; write_npy_part writes `values` (the part's run * count values) at the
// part's places of such a file, in place. IoError naming the file when a write fails, the file
// holds another dtype or the part reaches outside its data.
template <class T>
void create_npy(const std::string& path, const Shape& shape);
template <class T>
void write_npy_part(const std::string& path, const NpyPart& part, const std::vector<T>& values);

// x may live on any device; it is copied to the host first.
template <class T>
void write_npy(const std::string& path, const Array<T>& x);

// Host values with a shape, for writers that already hold host data.
template <class T>
void write_npy(const std::string& path, const Shape& shape, const std::vector<T>& values);

}  // namespace recon::io
