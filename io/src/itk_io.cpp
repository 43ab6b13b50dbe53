// The ITK formats (DESIGN.md section 1: only io/ includes ITK). Each format's ImageIO is
// created directly, so no factory registration is needed; files are read as raw buffers of
// their stored component type and converted to float here, which keeps ITK's templates out
// of the build and the scaling rules in one place (image.hpp documents them).
#include <itkGDCMImageIO.h>
#include <itkGDCMSeriesFileNames.h>
#include <itkImageIOBase.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>
#include <itkPNGImageIO.h>
#include <itkTIFFImageIO.h>

#include <fcntl.h>
#include <unistd.h>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <mutex>
#include <new>

#include "format_checks.hpp"
#include "image_format.hpp"
#include "isolated_call.hpp"
#include "itk_messages.hpp"
#include "itk_validate.hpp"
#include "png_write.hpp"
#include "quantize.hpp"
#include "recon/io/atomic_file.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {

bool itk_available() { return true; }

namespace detail {

namespace {

using Component = itk::IOComponentEnum;
using PixelKind = itk::IOPixelEnum;

// At most 2^31 samples: far beyond any test volume, and it stops a corrupt header from
// asking for terabytes.
constexpr std::uint64_t kMaxSamples = std::uint64_t(1) << 31;

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

const char* format_label(Format f) {
  switch (f) {
    case Format::Png:
      return "PNG";
    case Format::Tiff:
      return "TIFF";
    case Format::Nifti:
      return "NIfTI";
    case Format::MetaImage:
      return "MetaImage";
    case Format::Nrrd:
      return "NRRD";
    default:
      return "DICOM";
  }
}

itk::ImageIOBase::Pointer make_io(Format f) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { itk::Object::GlobalWarningDisplayOff(); });
  switch (f) {
    case Format::Png:
      return itk::PNGImageIO::New().GetPointer();
    case Format::Tiff:
      return itk::TIFFImageIO::New().GetPointer();
    case Format::Nifti:
      return itk::NiftiImageIO::New().GetPointer();
    case Format::MetaImage:
      return itk::MetaImageIO::New().GetPointer();
    case Format::Nrrd:
      return itk::NrrdImageIO::New().GetPointer();
    default:
      return itk::GDCMImageIO::New().GetPointer();
  }
}

template <class S>
void convert(const char* raw, std::size_t n, std::size_t stride, std::size_t offset, double scale,
             float* out) {
  for (std::size_t i = 0; i < n; ++i) {
    S v;
    std::memcpy(&v, raw + (i * stride + offset) * sizeof(S), sizeof(S));
    out[i] = static_cast<float>(static_cast<double>(v) * scale);
  }
}

// Component `c` of every pixel, times `scale` when the type is an unsigned integer and
// unit scaling applies.
void component_to_float(Component type, const char* raw, std::size_t n, std::size_t ncomp, std::size_t c,
                        bool unit, float* out) {
  switch (type) {
    case Component::UCHAR:
      return convert<std::uint8_t>(raw, n, ncomp, c, unit ? 1.0 / 255 : 1.0, out);
    case Component::CHAR:
      return convert<std::int8_t>(raw, n, ncomp, c, 1.0, out);
    case Component::USHORT:
      return convert<std::uint16_t>(raw, n, ncomp, c, unit ? 1.0 / 65535 : 1.0, out);
    case Component::SHORT:
      return convert<std::int16_t>(raw, n, ncomp, c, 1.0, out);
    case Component::UINT:
      return convert<std::uint32_t>(raw, n, ncomp, c, unit ? 1.0 / 4294967295.0 : 1.0, out);
    case Component::INT:
      return convert<std::int32_t>(raw, n, ncomp, c, 1.0, out);
    case Component::ULONG:
    case Component::ULONGLONG:
      return convert<std::uint64_t>(raw, n, ncomp, c, 1.0, out);
    case Component::LONG:
    case Component::LONGLONG:
      return convert<std::int64_t>(raw, n, ncomp, c, 1.0, out);
    case Component::FLOAT:
      return convert<float>(raw, n, ncomp, c, 1.0, out);
    case Component::DOUBLE:
      return convert<double>(raw, n, ncomp, c, 1.0, out);
    default:
      throw IoError("unsupported pixel component type");
  }
}

bool is_unsigned_integer(Component t) {
  return t == Component::UCHAR || t == Component::USHORT || t == Component::UINT;
}

HostImage read_checked_file(const std::string& path, Format format, const ReadOptions& options) {
  itk::ImageIOBase::Pointer io = make_io(format);
  if (!io->CanReadFile(path.c_str()))
    throw IoError("cannot read '" + path + "': not a readable " + format_label(format) + " file");
  io->SetFileName(path);
  io->ReadImageInformation();

  // ITK counts axes from x; drop trailing (slowest) unit axes beyond the second.
  unsigned ndim = io->GetNumberOfDimensions();
  while (ndim > 2 && io->GetDimensions(ndim - 1) == 1) --ndim;
  if (ndim > 3)
    throw IoError("cannot read '" + path + "': " + std::to_string(ndim) +
                  "-D images are not supported (2D or 3D)");
  itk::ImageIORegion region(io->GetNumberOfDimensions());
  std::uint64_t pixels = 1;
  for (unsigned a = 0; a < io->GetNumberOfDimensions(); ++a) {
    region.SetIndex(a, 0);
    region.SetSize(a, io->GetDimensions(a));
    pixels *= io->GetDimensions(a);
  }
  const std::size_t ncomp = io->GetNumberOfComponents();
  const PixelKind kind = io->GetPixelType();
  if (pixels == 0 || pixels * ncomp > kMaxSamples)
    throw IoError("cannot read '" + path + "': implausible image size in the header");
  if (!(ncomp == 1 || (ncomp == 2 && kind != PixelKind::VECTOR) ||
        ((kind == PixelKind::RGB || kind == PixelKind::RGBA) && (ncomp == 3 || ncomp == 4))))
    throw IoError("cannot read '" + path + "': pixels with " + std::to_string(ncomp) +
                  " components of kind " + itk::ImageIOBase::GetPixelTypeAsString(kind) +
                  " are not supported (gray or RGB(A) only)");
  io->SetIORegion(region);
  std::vector<char> raw(io->GetImageSizeInBytes());
  io->Read(raw.data());

  const Component type = io->GetComponentType();
  const bool unit =
      is_unsigned_integer(type) &&
      (options.scaling == PixelScaling::Unit ||
       (options.scaling == PixelScaling::Auto && (format == Format::Png || format == Format::Tiff)));
  HostImage img;
  for (unsigned a = ndim; a-- > 0;) {
    img.shape.push_back(static_cast<index_t>(io->GetDimensions(a)));
    img.meta.spacing.push_back(io->GetSpacing(a));
    img.meta.origin.push_back(io->GetOrigin(a));
  }
  for (unsigned a = 0; a < io->GetNumberOfDimensions(); ++a) img.position.push_back(io->GetOrigin(a));
  img.values.resize(pixels);
  if (ncomp >= 3) {  // RGB(A) -> gray with scikit-image's rgb2gray weights
    const double w[3] = {0.2125, 0.7154, 0.0721};
    std::vector<float> channel(pixels);
    std::vector<double> gray(pixels, 0.0);
    for (std::size_t c = 0; c < 3; ++c) {
      component_to_float(type, raw.data(), pixels, ncomp, c, unit, channel.data());
      for (std::size_t i = 0; i < pixels; ++i) gray[i] += w[c] * channel[i];
    }
    for (std::size_t i = 0; i < pixels; ++i) img.values[i] = static_cast<float>(gray[i]);
  } else {  // gray, or gray + alpha
    component_to_float(type, raw.data(), pixels, ncomp, 0, unit, img.values.data());
  }
  return img;
}

HostImage read_one(const std::string& path, Format format, const ReadOptions& options) {
  check_before_itk(path, format);  // before any ITK call: some abort on damaged files
  // GDCM's codecs assert on some garbled compressed pixel data that passes every structure check.
  if (format == Format::Dicom && crashes_in_child([&] { read_checked_file(path, format, options); }))
    throw IoError("cannot read '" + path + "': damaged DICOM pixel data (the DICOM decoder aborts on it)");
  return read_checked_file(path, format, options);
}

// Slices of the first series in `dir`, sorted by position (GDCM), stacked along z.
HostImage read_dicom_series(const std::string& dir, const ReadOptions& options) {
  // GDCM parses every file of the directory while it groups them into series, and asserts on
  // some damaged ones: each Part 10 file ("DICM" after the preamble) is checked first.
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    std::error_code type_ec;
    if (!entry.is_regular_file(type_ec)) continue;
    char head[132] = {};
    std::ifstream(entry.path(), std::ios::binary).read(head, sizeof head);
    if (std::memcmp(head + 128, "DICM", 4) == 0) validate_dicom(entry.path().string());
  }
  if (ec) throw IoError("cannot read '" + dir + "': " + ec.message());
  auto names = itk::GDCMSeriesFileNames::New();
  names->SetUseSeriesDetails(true);
  names->SetDirectory(dir);
  const std::vector<std::string>& uids = names->GetSeriesUIDs();
  if (uids.empty()) throw IoError("cannot read '" + dir + "': the directory holds no DICOM series");
  const std::vector<std::string> files = names->GetFileNames(uids.front());
  HostImage volume;
  std::vector<double> first;  // position of the first slice, x first
  double dz = 1.0;
  for (std::size_t k = 0; k < files.size(); ++k) {
    HostImage slice = read_one(files[k], Format::Dicom, options);
    if (slice.shape.ndim() != 2)
      throw IoError("cannot read '" + dir + "': slice '" + files[k] + "' is not a 2D image");
    if (k == 0) {
      volume.shape = Shape{static_cast<index_t>(files.size()), slice.shape[0], slice.shape[1]};
      volume.values.reserve(static_cast<std::size_t>(volume.shape.size()));
      first = slice.position;
      volume.meta = slice.meta;
    } else if (slice.shape != Shape{volume.shape[1], volume.shape[2]}) {
      throw IoError("cannot read '" + dir + "': slice '" + files[k] + "' has shape " + slice.shape.str() +
                    ", the series " + Shape{volume.shape[1], volume.shape[2]}.str());
    }
    if (k == 1) {  // slice spacing = distance between the first two positions
      double d2 = 0;
      for (std::size_t a = 0; a < first.size() && a < slice.position.size(); ++a) {
        const double d = slice.position[a] - first[a];
        d2 += d * d;
      }
      if (d2 > 0) dz = std::sqrt(d2);
    }
    volume.values.insert(volume.values.end(), slice.values.begin(), slice.values.end());
  }
  volume.meta.spacing.insert(volume.meta.spacing.begin(), dz);
  volume.meta.origin.insert(volume.meta.origin.begin(), first.size() > 2 ? first[2] : 0.0);
  return volume;
}

// ITK's readers and their bundled libraries (MetaIO, libpng, libtiff) print warnings and
// errors to the console; the CLI must print one line only, and the checks in
// itk_validate.cpp turn the real problems into errors. So file descriptor 2 points at
// /dev/null while ITK runs (process-wide: another thread's stderr output is lost meanwhile).
class SilenceStderr {
 public:
  SilenceStderr() {
    std::fflush(stderr);
    std::cerr.flush();
    saved_ = ::dup(2);
    const int null_fd = ::open("/dev/null", O_WRONLY);
    if (saved_ >= 0 && null_fd >= 0) ::dup2(null_fd, 2);
    if (null_fd >= 0) ::close(null_fd);
  }
  ~SilenceStderr() {
    std::fflush(stderr);
    std::cerr.flush();
    if (saved_ >= 0) {
      ::dup2(saved_, 2);
      ::close(saved_);
    }
  }
  SilenceStderr(const SilenceStderr&) = delete;
  SilenceStderr& operator=(const SilenceStderr&) = delete;

 private:
  int saved_ = -1;
};

template <class F>
auto translate_itk_errors(const std::string& verb, const std::string& path, F f) -> decltype(f()) {
  SilenceStderr quiet;
  try {
    return f();
  } catch (const itk::ExceptionObject& e) {
    throw IoError("cannot " + verb + " '" + path + "': " + one_line(e.GetDescription()));
  } catch (const std::bad_alloc&) {
    throw IoError("cannot " + verb + " '" + path + "': out of memory");
  }
}

// ITK's writers ignore failed writes (a full disk, a file size limit): the file it left is read
// back, after the integrity checks that keep ITK's readers safe on damaged files, and must hold
// exactly the samples given. A short file is an error, so nothing is renamed into place.
void verify_written(const std::string& tmp, const std::string& path, Format format, Component component,
                    const void* samples, std::size_t bytes) {
  const std::string incomplete =
      "cannot write '" + path +
      "': the file came out incomplete (expected room on the disk and within the file "
      "size limit)";
  std::vector<char> back;
  try {
    check_before_itk(tmp, format);
    itk::ImageIOBase::Pointer io = make_io(format);
    if (!io->CanReadFile(tmp.c_str())) throw IoError(incomplete);
    io->SetFileName(tmp);
    io->ReadImageInformation();
    if (io->GetComponentType() != component || io->GetImageSizeInBytes() != bytes) throw IoError(incomplete);
    itk::ImageIORegion region(io->GetNumberOfDimensions());
    for (unsigned a = 0; a < io->GetNumberOfDimensions(); ++a) {
      region.SetIndex(a, 0);
      region.SetSize(a, io->GetDimensions(a));
    }
    io->SetIORegion(region);
    back.resize(bytes);
    io->Read(back.data());
  } catch (const IoError&) {
    throw IoError(incomplete);
  } catch (const itk::ExceptionObject&) {
    throw IoError(incomplete);
  } catch (const std::bad_alloc&) {
    throw IoError("cannot write '" + path + "': out of memory while checking the file written");
  }
  if (std::memcmp(back.data(), samples, bytes) != 0) throw IoError(incomplete);
}

}  // namespace

HostImage itk_read(const std::string& path, Format format, const ReadOptions& options) {
  SilenceStderr quiet;
  const std::string label = format_label(format == Format::DicomSeries ? Format::Dicom : format);
  try {
    return format == Format::DicomSeries ? read_dicom_series(path, options) : read_one(path, format, options);
  } catch (const Error&) {
    throw;
  } catch (const itk::ExceptionObject& e) {
    throw IoError("cannot read '" + path + "': " + readable_itk_description(e.GetDescription(), label));
  } catch (const std::bad_alloc&) {
    throw IoError("cannot read '" + path + "': out of memory (expected an image that fits in memory)");
  } catch (const std::exception&) {
    throw IoError("cannot read '" + path + "': the " + label +
                  " reader failed (damaged or unsupported file)");
  }
}

void itk_write(const std::string& path, Format format, const HostImage& image, PixelType pixel,
               std::pair<double, double> window) {
  if (format == Format::DicomSeries)  // format_of's name for an existing directory
    throw IoError("cannot write '" + path +
                  "': it is a directory, expected a file name (.npy, .nii.gz, ...)");
  if (format == Format::Dicom)
    throw IoError("cannot write '" + path +
                  "': writing DICOM is not supported (write .nii.gz, .mha or .nrrd)");
  const int ndim = image.shape.ndim();
  if (ndim < 2 || ndim > 3)
    throw IoError("cannot write '" + path + "': shape " + image.shape.str() +
                  " is not a 2D image or 3D volume");
  if (format == Format::Png && ndim != 2)
    throw IoError("cannot write '" + path + "': PNG holds 2D images only, shape " + image.shape.str() +
                  " (write a .tif stack or .nii.gz for volumes)");
  if (format == Format::Png && pixel == PixelType::Float32)
    throw IoError("cannot write '" + path + "': PNG stores 8- or 16-bit integers, not float32");

  std::vector<std::uint8_t> u8;
  std::vector<std::uint16_t> u16;
  const void* buffer = image.values.data();
  Component component = Component::FLOAT;
  if (pixel == PixelType::UInt8) {
    u8 = quantize<std::uint8_t>(image.values, window.first, window.second);
    buffer = u8.data();
    component = Component::UCHAR;
  } else if (pixel == PixelType::UInt16) {
    u16 = quantize<std::uint16_t>(image.values, window.first, window.second);
    buffer = u16.data();
    component = Component::USHORT;
  }
  if (format == Format::Png) {  // not through ITK: see png_write.hpp
    write_files_atomically(path, [&](const std::string& tmp) {
      write_gray_png(tmp, path, buffer, image.shape[0], image.shape[1], pixel == PixelType::UInt8 ? 8 : 16);
    });
    return;
  }
  const std::size_t bytes = image.values.size() * (pixel == PixelType::UInt8    ? 1
                                                   : pixel == PixelType::UInt16 ? 2
                                                                                : sizeof(float));
  SilenceStderr quiet;
  write_files_atomically(path, [&](const std::string& tmp) {
    try {
      itk::ImageIOBase::Pointer io = make_io(format);
      io->SetFileName(tmp);
      io->SetNumberOfDimensions(static_cast<unsigned>(ndim));
      itk::ImageIORegion region(static_cast<unsigned>(ndim));
      for (int a = 0; a < ndim; ++a) {  // ITK axis a is NumPy axis ndim-1-a
        const int np_axis = ndim - 1 - a;
        io->SetDimensions(static_cast<unsigned>(a), static_cast<itk::SizeValueType>(image.shape[np_axis]));
        io->SetSpacing(static_cast<unsigned>(a), image.meta.spacing.empty()
                                                     ? 1.0
                                                     : image.meta.spacing[static_cast<std::size_t>(np_axis)]);
        io->SetOrigin(static_cast<unsigned>(a),
                      image.meta.origin.empty() ? 0.0 : image.meta.origin[static_cast<std::size_t>(np_axis)]);
        std::vector<double> direction(static_cast<std::size_t>(ndim), 0.0);
        direction[static_cast<std::size_t>(a)] = 1.0;
        io->SetDirection(static_cast<unsigned>(a), direction);
        region.SetIndex(static_cast<unsigned>(a), 0);
        region.SetSize(static_cast<unsigned>(a), static_cast<itk::SizeValueType>(image.shape[np_axis]));
      }
      io->SetPixelType(PixelKind::SCALAR);
      io->SetComponentType(component);
      io->SetNumberOfComponents(1);
      io->SetUseCompression(true);
      io->SetIORegion(region);
      io->Write(buffer);
    } catch (const itk::ExceptionObject&) {  // its text names an object's address and the temporary
      throw IoError("cannot write '" + path + "': the " + format_label(format) +
                    " writer failed (expected room on the disk and within the file size limit)");
    } catch (const std::bad_alloc&) {
      throw IoError("cannot write '" + path + "': out of memory");
    }
    verify_written(tmp, path, format, component, buffer, bytes);
  });
}

}  // namespace detail
}  // namespace recon::io
