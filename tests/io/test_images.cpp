// Image formats: a round trip through every writable format (values, shape, spacing,
// origin), 8/16-bit windowing, and clear IoErrors for missing, corrupt, truncated and
// wrong-type files. Needs a build with RECON_ITK=ON except for the .npy/.raw cases.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "io_test_dir.hpp"
#include "recon/io/image.hpp"
#include "recon/io/raw.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {
namespace {

namespace fs = std::filesystem;

class ImageIoTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    if (!itk_available()) GTEST_SKIP() << "this build has RECON_ITK=OFF";
  }

  // Distinct, non-integer values so that axis-order mistakes show.
  Array<float> ramp(const Shape& s) const {
    std::vector<float> v(static_cast<std::size_t>(s.size()));
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = 0.25f * static_cast<float>(i) - 3.5f + 1e-3f * (i % 7);
    return Array<float>::from_host(ctx_, s, v);
  }

  void expect_same(const Array<float>& a, const Image<float>& b) const {
    ASSERT_EQ(b.data.shape(), a.shape());
    EXPECT_EQ(b.data.to_host_vector(), a.to_host_vector());
  }

  // Copies the first half of a file (a truncated download).
  std::string truncated_copy(const std::string& p) const {
    const std::string out = path("cut_" + fs::path(p).filename().string());
    std::ifstream in(p, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    write_bytes(out, bytes.substr(0, bytes.size() / 2));
    return out;
  }

  Context ctx_ = Context::host();
};

TEST_F(ImageIoTest, VolumeFormatsRoundTripValuesSpacingAndOrigin) {
  const Array<float> x = ramp(Shape{3, 4, 5});
  const ImageMetadata meta{{2.5, 0.75, 0.5}, {-10.0, 3.0, 7.25}};
  for (const char* name : {"v.nii", "v.nii.gz", "v.mha", "v.mhd", "v.nrrd", "v.tif", "v.raw"}) {
    SCOPED_TRACE(name);
    write_image(path(name), x, meta);
    const Image<float> y = read_image<float>(ctx_, path(name));
    expect_same(x, y);
    if (std::string(name) == "v.tif") continue;  // TIFF stores no z spacing or origin
    for (int a = 0; a < 3; ++a) {
      EXPECT_NEAR(y.meta.spacing[a], meta.spacing[a], 1e-6) << "axis " << a;
      EXPECT_NEAR(y.meta.origin[a], meta.origin[a], 1e-6) << "axis " << a;
    }
  }
  EXPECT_TRUE(fs::exists(path("v.raw")) && fs::exists(path("v.json")));  // raw + sidecar
}

TEST_F(ImageIoTest, TwoDimensionalFormatsRoundTrip) {
  const Array<float> x = ramp(Shape{6, 9});
  for (const char* name : {"i.tif", "i.nii.gz", "i.mha", "i.nrrd", "i.npy", "i.raw"}) {
    SCOPED_TRACE(name);
    write_image(path(name), x);
    expect_same(x, read_image<float>(ctx_, path(name)));
  }
}

TEST_F(ImageIoTest, EightAndSixteenBitImagesReadBackInUnitRange) {
  // k / max is exactly representable after quantisation, so reading gives the values back.
  std::vector<float> v8, v16;
  for (int k = 0; k < 48; ++k) {
    v8.push_back(static_cast<float>((k * 37) % 256) / 255.0f);
    v16.push_back(static_cast<float>((k * 1361) % 65536) / 65535.0f);
  }
  const auto x8 = Array<float>::from_host(ctx_, Shape{6, 8}, v8);
  const auto x16 = Array<float>::from_host(ctx_, Shape{6, 8}, v16);
  for (const char* name : {"a.png", "a.tif"}) {
    SCOPED_TRACE(name);
    write_image(path(name), x8, {}, {PixelType::UInt8, {}});
    const auto y8 = read_image<float>(ctx_, path(name)).data.to_host_vector();
    write_image(path(name), x16, {}, {PixelType::UInt16, {}});
    const auto y16 = read_image<float>(ctx_, path(name)).data.to_host_vector();
    for (std::size_t i = 0; i < v8.size(); ++i) {
      EXPECT_NEAR(y8[i], v8[i], 1e-6);
      EXPECT_NEAR(y16[i], v16[i], 1e-7);
    }
  }
  // PNG defaults to 8 bits; Stored scaling keeps the raw counts.
  write_image(path("d.png"), x8);
  const auto counts = read_image<float>(ctx_, path("d.png"), {PixelScaling::Stored}).data.to_host_vector();
  for (std::size_t i = 0; i < v8.size(); ++i) EXPECT_EQ(counts[i], std::round(v8[i] * 255.0f));
}

TEST_F(ImageIoTest, WindowsMapTheirRangeToTheFullIntegerScale) {
  const auto x = Array<float>::from_host(ctx_, Shape{2, 3}, {-5.f, 0.f, 5.f, 10.f, 15.f, 20.f});
  write_image(path("mm.png"), x, {}, {PixelType::UInt8, {Window::Kind::MinMax}});
  EXPECT_EQ(read_image<float>(ctx_, path("mm.png"), {PixelScaling::Stored}).data.to_host_vector(),
            (std::vector<float>{0, 51, 102, 153, 204, 255}));
  write_image(path("r.png"), x, {}, {PixelType::UInt8, {Window::Kind::Range, 0.0, 10.0}});
  EXPECT_EQ(read_image<float>(ctx_, path("r.png"), {PixelScaling::Stored}).data.to_host_vector(),
            (std::vector<float>{0, 0, 128, 255, 255, 255}));  // clipped outside [0, 10]
  // Percentiles interpolate linearly between ranks, like numpy.percentile.
  const auto [lo, hi] = resolve_window({Window::Kind::Percentile, 10.0, 90.0}, x.to_host_vector());
  EXPECT_DOUBLE_EQ(lo, -2.5);
  EXPECT_DOUBLE_EQ(hi, 17.5);
  EXPECT_THROW(write_image(path("bad.png"), x, {}, {PixelType::UInt8, {Window::Kind::Range, 1.0, 1.0}}),
               InvalidArgument);
  EXPECT_THROW(resolve_window({Window::Kind::Percentile, 50.0, 120.0}, x.to_host_vector()), InvalidArgument);
}

// Runs f, expecting an IoError whose message names `p` and contains `what`.
template <class F>
void expect_io_error(F f, const std::string& p, const std::string& what) {
  try {
    f();
    ADD_FAILURE() << "no IoError for " << p;
  } catch (const IoError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(p), std::string::npos) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
  }
}

TEST_F(ImageIoTest, MissingAndUnknownFilesAreIoErrors) {
  const std::string missing = path("nothing.png");
  expect_io_error([&] { read_image<float>(ctx_, missing); }, missing, "no such file");
  write_bytes(path("x.jpeg2"), "abc");
  expect_io_error([&] { read_image<float>(ctx_, path("x.jpeg2")); }, path("x.jpeg2"), "unknown image format");
  const Array<float> x = ramp(Shape{4, 4});
  expect_io_error([&] { write_image(path("no/such/dir/x.nii"), x); }, path("no/such/dir/x.nii"),
                  "does not exist");
}

TEST_F(ImageIoTest, CorruptFilesAreIoErrors) {
  for (const char* name : {"c.png", "c.tif", "c.nii", "c.nii.gz", "c.mha", "c.nrrd", "c.dcm"}) {
    SCOPED_TRACE(name);
    write_bytes(path(name), std::string(300, '\x5a') + "not an image");
    expect_io_error([&] { read_image<float>(ctx_, path(name)); }, path(name), "");
  }
}

TEST_F(ImageIoTest, TruncatedFilesAreIoErrors) {
  const Array<float> x = ramp(Shape{16, 20, 24});
  for (const char* name : {"t.nii", "t.nii.gz", "t.mha", "t.nrrd", "t.tif", "t.raw"}) {
    SCOPED_TRACE(name);
    write_image(path(name), x);
    const std::string cut = truncated_copy(path(name));
    if (std::string(name) == "t.raw") fs::copy_file(path("t.json"), path("cut_t.json"));
    expect_io_error([&] { read_image<float>(ctx_, cut); }, cut, "");
  }
  write_image(path("t.png"), ramp(Shape{40, 50}), {}, {PixelType::UInt8, {Window::Kind::MinMax}});
  const std::string cut = truncated_copy(path("t.png"));
  expect_io_error([&] { read_image<float>(ctx_, cut); }, cut, "");
}

TEST_F(ImageIoTest, WrongTypeFilesAreIoErrors) {
  write_image(path("real.png"), ramp(Shape{8, 8}), {}, {PixelType::UInt8, {Window::Kind::MinMax}});
  for (const char* name : {"w.nii", "w.mha", "w.nrrd", "w.tif", "w.dcm", "w.npy"}) {
    SCOPED_TRACE(name);
    fs::copy_file(path("real.png"), path(name));
    expect_io_error([&] { read_image<float>(ctx_, path(name)); }, path(name), "");
  }
}

TEST_F(ImageIoTest, UnwritableRequestsFailWithoutLeavingFiles) {
  const Array<float> vol = ramp(Shape{2, 3, 4});
  expect_io_error([&] { write_image(path("v.png"), vol); }, path("v.png"), "PNG holds 2D images");
  expect_io_error(
      [&] {
        write_image(path("f.png"), ramp(Shape{3, 3}), {}, {PixelType::Float32, {}});
      },
      path("f.png"), "8- or 16-bit");
  expect_io_error([&] { write_image(path("v.dcm"), vol); }, path("v.dcm"), "DICOM");
  EXPECT_THROW(write_image(path("v.npy"), vol, {}, {PixelType::UInt8, {}}), InvalidArgument);
  EXPECT_THROW(write_image(path("v.nii"), vol, ImageMetadata{{1.0, 2.0}, {}}), InvalidArgument);
  EXPECT_EQ(entries(), 0u);
}

// Raw + sidecar needs no ITK.
class RawTest : public TempDirTest {
 protected:
  Context ctx_ = Context::host();
};

TEST_F(RawTest, SidecarProblemsAreIoErrors) {
  write_raw(path("p.raw"), Array<float>::from_host(ctx_, Shape{5, 6}, std::vector<float>(30, 1.5f)));
  EXPECT_EQ(read_raw<float>(ctx_, path("p.raw")).data.to_host_vector(), std::vector<float>(30, 1.5f));
  fs::remove(path("p.json"));
  expect_io_error([&] { read_raw<float>(ctx_, path("p.raw")); }, path("p.raw"), "sidecar");
  write_bytes(path("p.json"), R"({"dtype": "float32", "byte_order": "little", "shape": [5, 7]})");
  expect_io_error([&] { read_raw<float>(ctx_, path("p.raw")); }, path("p.raw"), "needs 140");
  write_bytes(path("p.json"), R"({"dtype": "float64", "byte_order": "little", "shape": [5, 6]})");
  expect_io_error([&] { read_raw<float>(ctx_, path("p.raw")); }, path("p.raw"), "float32");
  write_bytes(path("p.json"), "{ not json");
  expect_io_error([&] { read_raw<float>(ctx_, path("p.raw")); }, path("p.raw"), "not valid JSON");
}

TEST(ImageIoWithoutItk, ImageFormatsSayTheBuildHasNoItk) {
  if (itk_available()) GTEST_SKIP() << "this build has ITK";
  const std::string p = (fs::temp_directory_path() / "recon_no_itk.png").string();
  const auto x = Array<float>::from_host(Context::host(), Shape{2, 2}, {0.f, 1.f, 0.f, 1.f});
  try {
    write_image(p, x);
    ADD_FAILURE() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("no ITK"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(p));
}

}  // namespace
}  // namespace recon::io
