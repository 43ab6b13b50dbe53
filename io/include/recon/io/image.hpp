// Images and volumes in and out, with the format chosen by the file name:
//   .npy                      NumPy (see npy.hpp)
//   .raw                      raw little-endian float32 + JSON sidecar (see raw.hpp)
//   .png .tif .tiff           2D images; TIFF also multi-page stacks (3D volumes)
//   .nii .nii.gz .mha .mhd .nrrd .nhdr   2D/3D volumes with spacing and origin
//   .dcm, or a directory      DICOM: one file, or a series sorted by slice position (read only)
// Every format but .npy/.raw goes through ITK and needs a build with RECON_ITK=ON; without
// it those calls throw IoError saying so.
//
// Pixel scaling on reading (PixelScaling::Auto, documented in docs and `recon convert --help`):
// unsigned 8/16-bit PNG and TIFF pixels are divided by 255 / 65535, so display images live in
// [0, 1] like scikit-image's img_as_float; every other format and pixel type keeps its stored
// values converted to float (DICOM after rescale slope/intercept, e.g. Hounsfield units).
// RGB(A) pixels become gray as 0.2125 R + 0.7154 G + 0.0721 B (scikit-image rgb2gray), alpha
// dropped. Shapes are NumPy order (z, y, x); spacing and origin follow the same order.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "recon/kernels/array.hpp"

namespace recon::io {

// Physical geometry, one entry per axis in NumPy order; empty means unit spacing / zero origin.
struct ImageMetadata {
  std::vector<double> spacing;
  std::vector<double> origin;
};

template <class T>
struct Image {
  Array<T> data;
  ImageMetadata meta;
};

enum class PixelScaling {
  Auto,    // unit range for unsigned-integer PNG/TIFF, stored values otherwise (see above)
  Unit,    // unsigned integer types divided by their maximum, whatever the format
  Stored,  // values as stored
};

struct ReadOptions {
  PixelScaling scaling = PixelScaling::Auto;
};

// Sample type written to the file.
enum class PixelType { Auto, Float32, UInt8, UInt16 };

// How float values map to 8/16-bit integers: [lo, hi] -> [0, max], clipped.
struct Window {
  enum class Kind {
    Range,       // lo, hi as given
    MinMax,      // the data's minimum and maximum
    Percentile,  // lo, hi are percentiles in [0, 100] of the data
  };
  Kind kind = Kind::Range;
  double lo = 0.0;
  double hi = 1.0;
};

struct WriteOptions {
  // Auto: UInt8 for PNG, Float32 for every other format.
  PixelType pixel = PixelType::Auto;
  // Used for integer pixel types only; the default [0, 1] inverts Auto scaling on reading.
  Window window;
};

// True when this build reads and writes the ITK formats.
bool itk_available();

// True when `path` names a .npy file by the extension read_image and write_image go by.
bool is_npy_path(const std::string& path);

template <class T>
Image<T> read_image(const Context& ctx, const std::string& path, const ReadOptions& options = {});

// x may live on any device. meta may be empty; otherwise its sizes must equal x's ndim.
// .npy and TIFF do not keep spacing/origin (TIFF at most a resolution). DICOM is read-only.
template <class T>
void write_image(const std::string& path, const Array<T>& x, const ImageMetadata& meta = {},
                 const WriteOptions& options = {});

// The [lo, hi] a window resolves to on these values (Range: as given).
std::pair<double, double> resolve_window(const Window& w, const std::vector<float>& values);

}  // namespace recon::io
