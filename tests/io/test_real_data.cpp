// The real files of datasets/fetch (Debian's python3-skimage, python3-pydicom and
// insighttoolkit5-examples): read through ITK, compared with scikit-image's own reading of
// the same PNGs, DICOM/NIfTI geometry from their headers, and recon's metrics against
// scikit-image's PSNR/SSIM (and the MS-SSIM reference of tests/support/skimage_reference.py)
// to 1e-4. The data are fetched on first use (cached); the suite skips, saying why, only
// when that is impossible here.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "io_test_dir.hpp"
#include "recon/datasets/noise.hpp"
#include "recon/datasets/phantoms.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/io/image.hpp"
#include "recon/io/npy.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {
namespace {

namespace fs = std::filesystem;

const char* const kSkimageImages[] = {"camera", "brick", "grass", "gravel", "moon", "astronaut"};

std::string data_dir() {
  const char* env = std::getenv("RECON_DATA_DIR");
  return env && *env ? env : RECON_DEFAULT_DATA_DIR;
}

// Output of a shell command, and its exit status.
std::pair<std::string, int> run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return {"", -1};
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0;) out.append(buf, n);
  const int status = pclose(pipe.release());
  return {out, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

class RealDataTest : public TempDirTest {
 protected:
  static void SetUpTestSuite() {
    if (!itk_available()) {
      skip_reason_ = "this build has RECON_ITK=OFF";
      return;
    }
    if (!fs::exists(RECON_FETCH_SCRIPT)) {
      skip_reason_ = std::string("the fetch script ") + RECON_FETCH_SCRIPT + " is not on this machine";
      return;
    }
    const auto [out, rc] = run(std::string(RECON_FETCH_SCRIPT) + " '" + data_dir() + "' 2>&1");
    if (rc == 77)
      skip_reason_ = "real data cannot be fetched here: " + out;
    else if (rc != 0)
      fetch_error_ = "datasets/fetch failed (exit " + std::to_string(rc) + "): " + out;
  }

  void SetUp() override {
    TempDirTest::SetUp();
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    ASSERT_TRUE(fetch_error_.empty()) << fetch_error_;
  }

  static std::string file(const std::string& name) { return data_dir() + "/" + name; }

  // Runs tests/support/skimage_reference.py on a job; skips when scikit-image is missing.
  nlohmann::json reference(const nlohmann::json& job) {
    const auto [probe, probe_rc] = run(std::string(RECON_REFERENCE_PYTHON) + " -c 'import skimage' 2>&1");
    if (probe_rc != 0) {
      ADD_FAILURE() << "scikit-image is not importable by " << RECON_REFERENCE_PYTHON
                    << " (install python3-skimage: scripts/setup-deps): " << probe;
      return {};
    }
    const std::string job_path = path("job.json");
    std::ofstream(job_path) << job.dump();
    const auto [out, rc] =
        run(std::string(RECON_REFERENCE_PYTHON) + " " + RECON_REFERENCE_SCRIPT + " '" + job_path + "'");
    EXPECT_EQ(rc, 0) << out;
    return rc == 0 ? nlohmann::json::parse(out) : nlohmann::json{};
  }

  static std::string skip_reason_, fetch_error_;
  Context ctx_ = Context::host();
};
std::string RealDataTest::skip_reason_, RealDataTest::fetch_error_;

TEST_F(RealDataTest, PngImagesReadLikeScikitImage) {
  nlohmann::json job;
  std::vector<std::string> files;
  for (const char* name : kSkimageImages) files.push_back(file(std::string("skimage/") + name + ".png"));
  files.push_back(file("itk/BrainProtonDensitySlice.png"));
  for (std::size_t k = 0; k < files.size(); ++k)
    job["load"].push_back({files[k], path(std::to_string(k) + ".npy")});
  reference(job);
  for (std::size_t k = 0; k < files.size(); ++k) {
    SCOPED_TRACE(files[k]);
    const auto ours = read_image<float>(ctx_, files[k]).data;
    const auto theirs = read_npy<double>(ctx_, path(std::to_string(k) + ".npy"));
    ASSERT_EQ(ours.shape(), theirs.shape());
    const auto a = ours.to_host_vector();
    const auto b = theirs.to_host_vector();
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
    EXPECT_LT(worst, 1e-6);  // float32 rounding of the same [0, 1] values
  }
}

TEST_F(RealDataTest, DicomFilesCarryTheirHeaderGeometry) {
  const auto ct = read_image<float>(ctx_, file("pydicom/CT_small.dcm"));
  EXPECT_EQ(ct.data.shape(), (Shape{128, 128}));
  EXPECT_NEAR(ct.meta.spacing[0], 0.661468, 1e-6);
  EXPECT_NEAR(ct.meta.spacing[1], 0.661468, 1e-6);
  const auto v = ct.data.to_host_vector();
  // Hounsfield units after rescale: air/lung below -500, bone above +500.
  EXPECT_LT(*std::min_element(v.begin(), v.end()), -500.f);
  EXPECT_GT(*std::max_element(v.begin(), v.end()), 500.f);
  const auto mr = read_image<float>(ctx_, file("pydicom/MR_small.dcm"));
  EXPECT_EQ(mr.data.shape(), (Shape{64, 64}));
  EXPECT_NEAR(mr.meta.spacing[1], 0.3125, 1e-6);

  // A series directory (here one slice) stacks along z with the slice values unchanged.
  fs::create_directories(path("series"));
  fs::copy_file(file("pydicom/CT_small.dcm"), path("series/slice1.dcm"));
  const auto vol = read_image<float>(ctx_, path("series"));
  EXPECT_EQ(vol.data.shape(), (Shape{1, 128, 128}));
  EXPECT_EQ(vol.data.to_host_vector(), v);
  EXPECT_EQ(vol.meta.origin[1], ct.meta.origin[0]);
  fs::create_directories(path("empty"));
  EXPECT_THROW(read_image<float>(ctx_, path("empty")), IoError);
}

TEST_F(RealDataTest, NiftiVolumeKeepsStoredValuesAndGeometryThroughConversion) {
  const auto brain = read_image<float>(ctx_, file("itk/KmeansTest_T1UCharRaw.nii.gz"));
  ASSERT_EQ(brain.data.shape().ndim(), 3);
  const auto v = brain.data.to_host_vector();
  for (float x : v) ASSERT_TRUE(x >= 0 && x <= 255 && x == std::floor(x)) << x;  // unsigned char, unscaled
  EXPECT_GT(*std::max_element(v.begin(), v.end()), 100.f);
  for (const char* name : {"b.mha", "b.nrrd", "b.tif", "b.nii"}) {
    SCOPED_TRACE(name);
    write_image(path(name), brain.data, brain.meta);
    const auto back = read_image<float>(ctx_, path(name));
    EXPECT_EQ(back.data.shape(), brain.data.shape());
    EXPECT_EQ(back.data.to_host_vector(), v);
    if (std::string(name) != "b.tif") {
      for (int a = 0; a < 3; ++a) EXPECT_NEAR(back.meta.spacing[a], brain.meta.spacing[a], 1e-6);
    }
  }
}

// (reference, test, range) triples written as .npy for the reference script.
struct Case {
  std::string name;
  Array<float> reference, test;
  double range;
};

TEST_F(RealDataTest, MetricsAgreeWithScikitImage) {
  std::vector<Case> cases;
  std::uint64_t seed = 1;
  for (const char* name : kSkimageImages) {
    auto clean = read_image<float>(ctx_, file(std::string("skimage/") + name + ".png")).data;
    Array<float> noisy = clean.to(ctx_);
    datasets::add_gaussian_noise(ctx_, noisy.view(), 0.1, seed++);
    cases.push_back({name, std::move(clean), std::move(noisy), 1.0});
  }
  auto brain = read_image<float>(ctx_, file("itk/KmeansTest_T1UCharRaw.nii.gz")).data;
  Array<float> noisy_brain = brain.to(ctx_);
  datasets::add_cauchy_noise(ctx_, noisy_brain.view(), 3.0, seed++);
  cases.push_back({"KmeansTest_T1UCharRaw (3D)", std::move(brain), std::move(noisy_brain), 255.0});
  auto phantom = datasets::shepp_logan_3d<float>(ctx_, 176, 176, 180);
  Array<float> noisy_phantom = phantom.to(ctx_);
  datasets::add_gaussian_noise(ctx_, noisy_phantom.view(), 0.05, seed++);
  cases.push_back(
      {"Shepp-Logan 176x176x180 (3D MS-SSIM)", std::move(phantom), std::move(noisy_phantom), 1.0});

  nlohmann::json job;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    write_npy(path("r" + std::to_string(k) + ".npy"), cases[k].reference);
    write_npy(path("t" + std::to_string(k) + ".npy"), cases[k].test);
    job["metrics"].push_back(
        {path("r" + std::to_string(k) + ".npy"), path("t" + std::to_string(k) + ".npy"), cases[k].range});
  }
  const nlohmann::json ref = reference(job);
  ASSERT_EQ(ref["metrics"].size(), cases.size());
  for (std::size_t k = 0; k < cases.size(); ++k) {
    SCOPED_TRACE(cases[k].name);
    const Case& c = cases[k];
    const nlohmann::json& r = ref["metrics"][k];
    EXPECT_NEAR(psnr<float>(ctx_, c.reference, c.test, c.range), r["psnr"].get<double>(), 1e-4);
    EXPECT_NEAR(ssim<float>(ctx_, c.reference, c.test, c.range), r["ssim"].get<double>(), 1e-4);
    if (r["ms_ssim"].is_null()) {
      EXPECT_THROW(ms_ssim<float>(ctx_, c.reference, c.test, c.range), InvalidArgument);
    } else {
      EXPECT_NEAR(ms_ssim<float>(ctx_, c.reference, c.test, c.range), r["ms_ssim"].get<double>(), 1e-4);
    }
  }
}

}  // namespace
}  // namespace recon::io
