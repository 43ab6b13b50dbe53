// Output integrity: a write that fails part-way (RLIMIT_FSIZE makes write(2) fail with EFBIG,
// as a full disk fails it with ENOSPC) throws IoError in every format and leaves no file; an
// existing file survives a failed replacement; the output transaction (output_set.hpp) renames
// a command's outputs only on commit, removes them on abort, and refuses to replace an input.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "io_test_dir.hpp"
#include "recon/io/atomic_file.hpp"
#include "recon/io/image.hpp"
#include "recon/io/npy.hpp"
#include "recon/io/output_set.hpp"
#include "recon/io/raw.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {
namespace {

namespace fs = std::filesystem;

// Lowers the soft file size limit for this process while in scope.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    std::signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit lower = saved_;
    lower.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &lower);
  }
  ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
};

class WritesTest : public TempDirTest {
 protected:
  // Random-looking values: no format compresses them below the limits used here.
  Array<float> noise(const Shape& s) const {
    std::vector<float> v(static_cast<std::size_t>(s.size()));
    std::uint32_t state = 12345;
    for (float& x : v) {
      state = state * 1664525u + 1013904223u;
      x = static_cast<float>(state >> 8) / 16777216.0f;
    }
    return Array<float>::from_host(Context::host(), s, v);
  }
  std::string contents(const std::string& p) const {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

TEST_F(WritesTest, EveryFormatFailsCleanlyPastTheFileSizeLimit) {
  std::vector<std::string> formats = {"npy", "raw"};
  if (itk_available())
    formats.insert(formats.end(), {"png", "tif", "nii", "nii.gz", "mha", "mhd", "nrrd", "nhdr"});
  const Array<float> x = noise(Shape{128, 128});
  for (const rlim_t limit : {rlim_t(0), rlim_t(200), rlim_t(9000)}) {
    for (const std::string& f : formats) {
      SCOPED_TRACE(f + " with a limit of " + std::to_string(limit) + " bytes");
      const std::string out = path("out." + f);
      {
        FileSizeLimit small(limit);
        EXPECT_THROW(write_image(out, x), IoError);
      }
      EXPECT_EQ(entries(), 0u);
    }
  }
}

TEST_F(WritesTest, SixteenBitPngPastTheLimitIsAnError) {
  if (!itk_available()) GTEST_SKIP() << "this build has RECON_ITK=OFF";
  for (const PixelType pixel : {PixelType::UInt8, PixelType::UInt16}) {
    {
      FileSizeLimit small(3000);
      EXPECT_THROW(write_image(path("p.png"), noise(Shape{128, 128}), {}, {pixel, {}}), IoError);
    }
    EXPECT_EQ(entries(), 0u);
  }
}

TEST_F(WritesTest, AFailedReplacementKeepsTheOldFile) {
  write_bytes(path("out.nii.gz"), "old");
  write_bytes(path("out.npy"), "old");
  {
    FileSizeLimit small(4096);
    if (itk_available()) EXPECT_THROW(write_image(path("out.nii.gz"), noise(Shape{64, 64})), IoError);
    EXPECT_THROW(write_npy(path("out.npy"), noise(Shape{64, 64})), IoError);
  }
  if (itk_available()) EXPECT_EQ(contents(path("out.nii.gz")), "old");
  EXPECT_EQ(contents(path("out.npy")), "old");
  EXPECT_EQ(entries(), 2u);
}

TEST_F(WritesTest, WritesStillWorkWithinTheLimit) {
  FileSizeLimit roomy(1 << 20);
  const Array<float> x = noise(Shape{32, 32});
  write_npy(path("a.npy"), x);
  EXPECT_EQ(read_npy<float>(Context::host(), path("a.npy")).to_host_vector(), x.to_host_vector());
  if (itk_available()) {
    write_image(path("a.nii.gz"), x);
    EXPECT_EQ(read_image<float>(Context::host(), path("a.nii.gz")).data.to_host_vector(), x.to_host_vector());
  } else {  // RECON_ITK=OFF (the GPU bundle): only .npy and .raw are written, the rest refused
    EXPECT_THROW(write_image(path("a.nii.gz"), x), IoError);
    EXPECT_FALSE(fs::exists(path("a.nii.gz")));
  }
}

TEST_F(WritesTest, AThrowingWriterLeavesNothing) {
  EXPECT_THROW(write_file_atomically(path("x.json"),
                                     [](std::ostream& out) {
                                       out << "half";
                                       throw IoError("stop");
                                     }),
               IoError);
  EXPECT_EQ(entries(), 0u);
}

TEST_F(WritesTest, TransactionRenamesOnCommitOnly) {
  write_bytes(path("b.json"), "old");
  begin_outputs();
  write_file_atomically(path("a.json"), [](std::ostream& out) { out << "first"; });
  write_file_atomically(path("b.json"), [](std::ostream& out) { out << "new"; });
  write_file_atomically(path("a.json"),
                        [](std::ostream& out) { out << "second"; });  // replaces the staged one
  EXPECT_FALSE(fs::exists(path("a.json")));
  EXPECT_EQ(contents(path("b.json")), "old");
  commit_outputs();
  EXPECT_EQ(contents(path("a.json")), "second");
  EXPECT_EQ(contents(path("b.json")), "new");
  EXPECT_EQ(entries(), 2u);
}

TEST_F(WritesTest, TransactionAbortRemovesEverything) {
  write_bytes(path("keep.npy"), "old");
  {
    OutputTransaction outputs;
    write_npy(path("keep.npy"), noise(Shape{4, 4}));
    write_raw(path("r.raw"), noise(Shape{4, 4}));
    if (itk_available()) write_image(path("v.mhd"), noise(Shape{3, 4, 4}));
  }
  EXPECT_EQ(contents(path("keep.npy")), "old");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(WritesTest, RelativePathsAndTheCurrentDirectory) {
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_);
  write_npy("here.npy", noise(Shape{2, 2}));
  fs::create_directory("sub");
  write_raw("sub/../there.raw", noise(Shape{2, 2}));
  fs::current_path(cwd);
  EXPECT_TRUE(fs::exists(path("here.npy")));
  EXPECT_TRUE(fs::exists(path("there.raw")));
  EXPECT_TRUE(fs::exists(path("there.json")));
  EXPECT_EQ(entries(), 4u);
}

TEST_F(WritesTest, AnInputOrItsSidecarIsNeverAnOutput) {
  write_bytes(path("g.json"), "{}");
  fs::create_directory(path("sub"));
  OutputTransaction outputs;
  note_input(path("g.json"));
  try {
    write_raw(path("g.raw"), noise(Shape{2, 2}));
    FAIL() << "expected IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("would overwrite"), std::string::npos) << e.what();
  }
  EXPECT_THROW(write_file_atomically(path("sub/../g.json"), [](std::ostream& out) { out << "x"; }), IoError);
  EXPECT_EQ(contents(path("g.json")), "{}");
  EXPECT_EQ(entries(), 2u);
}

TEST_F(WritesTest, PlannedOutputsAreCheckedAgainstInputsInEitherOrder) {
  OutputTransaction outputs;
  note_input(path("g.json"));
  EXPECT_THROW(note_output(path("g.raw")), IoError);  // its sidecar is g.json
  note_output(path("out.npy"));
  EXPECT_THROW(note_input(path("out.npy")), IoError);
  note_output(path("other.raw"));
  EXPECT_THROW(note_input(path("other.json")), IoError);
  EXPECT_THROW(note_output(path("other.json")), IoError);  // the sidecar of other.raw
  EXPECT_THROW(note_output(path("sub/../out.npy")), IoError);
}

TEST_F(WritesTest, WritingThroughASymlinkUpdatesItsTarget) {
  write_bytes(path("real.npy"), "old");
  fs::create_symlink("real.npy", path("link.npy"));
  write_npy(path("link.npy"), noise(Shape{2, 2}));
  EXPECT_TRUE(fs::is_symlink(path("link.npy")));
  EXPECT_EQ(read_npy<float>(Context::host(), path("real.npy")).shape(), (Shape{2, 2}));
  if (itk_available()) {
    write_bytes(path("real.nii.gz"), "old");
    fs::create_symlink("real.nii.gz", path("link.nii.gz"));
    write_image(path("link.nii.gz"), noise(Shape{2, 2}));
    EXPECT_TRUE(fs::is_symlink(path("link.nii.gz")));
    EXPECT_EQ(read_image<float>(Context::host(), path("real.nii.gz")).data.shape(), (Shape{2, 2}));
  }
}

TEST_F(WritesTest, ReadingOutsideATransactionRecordsNothing) {
  write_npy(path("a.npy"), noise(Shape{2, 2}));
  const Array<float> a = read_npy<float>(Context::host(), path("a.npy"));
  write_image(path("a.npy"), read_image<float>(Context::host(), path("a.npy")).data);
  EXPECT_EQ(read_npy<float>(Context::host(), path("a.npy")).to_host_vector(), a.to_host_vector());
}

}  // namespace
}  // namespace recon::io
