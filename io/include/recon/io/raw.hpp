// Raw projection stacks and volumes: NAME.raw holds little-endian float32 samples in C order,
// NAME.json the sidecar {"format": "recon-raw", "dtype": "float32", "byte_order": "little",
// "shape": [...], "spacing": [...], "origin": [...]} (NumPy axis order). Both are written
// atomically, the sidecar last; reading checks that the data size matches the sidecar.
#pragma once

#include <string>

#include "recon/io/image.hpp"

namespace recon::io {

// The sidecar path of a .raw path: the extension replaced by .json.
std::string raw_sidecar_path(const std::string& raw_path);

template <class T>
Image<T> read_raw(const Context& ctx, const std::string& raw_path);

template <class T>
void write_raw(const std::string& raw_path, const Array<T>& x, const ImageMetadata& meta = {});

}  // namespace recon::io
