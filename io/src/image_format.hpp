// Internal to io/: the host-side image every reader and writer exchanges, the file formats
// known by extension, and the ITK entry points (itk_io.cpp, or itk_missing.cpp when the
// build has RECON_ITK=OFF).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "recon/io/image.hpp"

namespace recon::io::detail {

struct HostImage {
  Shape shape;
  std::vector<float> values;
  ImageMetadata meta;
  std::vector<double> position;  // ITK origin of every stored axis (x first), to stack DICOM slices
};

enum class Format { Npy, Raw, Png, Tiff, Nifti, MetaImage, Nrrd, Dicom, DicomSeries };

// The format a path names (a directory is a DICOM series); IoError for unknown extensions.
Format format_of(const std::string& path);

// .raw + .json sidecar (raw.cpp).
HostImage read_raw_host(const std::string& raw_path);
void write_raw_host(const std::string& raw_path, const HostImage& image);

// x copied to the host as float32, with meta checked against x's number of axes.
template <class T>
HostImage to_host_image(const std::string& path, const Array<T>& x, const ImageMetadata& meta);

// Reads an ITK-format file (everything but Npy and Raw).
HostImage itk_read(const std::string& path, Format format, const ReadOptions& options);

// Writes with the given sample type; integer types map window [lo, hi] to [0, max].
void itk_write(const std::string& path, Format format, const HostImage& image, PixelType pixel,
               std::pair<double, double> window);

}  // namespace recon::io::detail
