// .npy reading and writing: round trips, other dtypes, and every malformed-file error.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "recon/io/npy.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {
namespace {

namespace fs = std::filesystem;

class NpyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("recon_npy_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // A hand-made .npy file: header dict text, then raw payload bytes.
  std::string make_file(const std::string& name, const std::string& dict, const std::string& payload) const {
    std::string header = dict;
    const size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header.push_back('\n');
    std::ofstream out(path(name), std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const char len[2] = {static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
    out.write(len, 2);
    out << header << payload;
    return path(name);
  }

  fs::path dir_;
  Context ctx_ = Context::host();
};

TEST_F(NpyTest, RoundTripsFloatAndDouble) {
  const std::vector<float> f = {1.5f, -2.f, 3.25f, 0.f, 1e-30f, 7.f};
  write_npy(path("f.npy"), Shape{2, 3}, f);
  const auto a = read_npy<float>(ctx_, path("f.npy"));
  EXPECT_EQ(a.shape(), (Shape{2, 3}));
  EXPECT_EQ(a.to_host_vector(), f);
  const std::vector<double> d = {1.0 / 3.0, -1e300};
  write_npy(path("d.npy"), Shape{2}, d);
  EXPECT_EQ(read_npy<double>(ctx_, path("d.npy")).to_host_vector(), d);
  EXPECT_EQ(read_npy_header(path("d.npy")).dtype, "<f8");
  EXPECT_EQ(fs::file_size(path("d.npy")) % 16, 0u);  // 64-byte aligned header + 16 bytes
}

TEST_F(NpyTest, PartsAreTheWholeArraysValues) {
  // (3 views, 4 rows, 5 cols): a block of views (one run) and a band of rows of every view (one
  // run per view), as the ranks of a split CT run read them.
  std::vector<double> whole(60);
  for (std::size_t i = 0; i < whole.size(); ++i) whole[i] = 0.5 * static_cast<double>(i) - 7;
  write_npy(path("p.npy"), Shape{3, 4, 5}, whole);
  const auto views = read_npy_part<float>(ctx_, path("p.npy"), NpyPart{20, 40, 1, 0}, Shape{2, 4, 5});
  EXPECT_EQ(views.to_host_vector(), std::vector<float>(whole.begin() + 20, whole.end()));
  const auto band = read_npy_part<double>(ctx_, path("p.npy"), NpyPart{5, 10, 3, 20}, Shape{3, 2, 5});
  std::vector<double> want;
  for (int v = 0; v < 3; ++v)
    want.insert(want.end(), whole.begin() + 20 * v + 5, whole.begin() + 20 * v + 15);
  EXPECT_EQ(band.to_host_vector(), want);
  const auto last_value = read_npy_part<double>(ctx_, path("p.npy"), NpyPart{59, 1, 1, 0}, Shape{1});
  EXPECT_EQ(last_value.to_host_vector(), std::vector<double>{whole.back()});
  const std::string u8 = make_file("u8.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }",
                                   std::string("\x01\x02\x03\xff", 4));
  EXPECT_EQ(read_npy_part<float>(ctx_, u8, NpyPart{1, 1, 2, 2}, Shape{2}).to_host_vector(),
            (std::vector<float>{2.f, 255.f}));
}

TEST_F(NpyTest, PartsOutsideTheDataAreRefused) {
  write_npy(path("p.npy"), Shape{3, 4}, std::vector<float>(12, 1.f));
  const auto refused = [&](const NpyPart& part, const Shape& shape) {
    try {
      read_npy_part<float>(ctx_, path("p.npy"), part, shape);
    } catch (const IoError& e) {
      EXPECT_NE(std::string(e.what()).find("reaches past its 12 values (shape (3, 4))"), std::string::npos)
          << e.what();
      return true;
    }
    return false;
  };
  EXPECT_TRUE(refused(NpyPart{8, 5, 1, 0}, Shape{5}));
  EXPECT_TRUE(refused(NpyPart{0, 4, 3, 5}, Shape{12}));  // the third run ends at 14
  EXPECT_TRUE(refused(NpyPart{-1, 2, 1, 0}, Shape{2}));
  EXPECT_THROW(read_npy_part<float>(ctx_, path("p.npy"), NpyPart{0, 4, 1, 0}, Shape{5}), ShapeMismatch);
  // The whole file's checks come first: a truncated file is refused for any part.
  const std::string cut = make_file("cut.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
                                    std::string(12, '\0'));
  EXPECT_THROW(read_npy_part<float>(ctx_, cut, NpyPart{0, 1, 1, 0}, Shape{1}), IoError);
}

// The bytes of a file.
std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(NpyTest, AFileWrittenInPartsIsTheWholeWrite) {
  std::vector<float> whole(60);
  for (std::size_t i = 0; i < whole.size(); ++i) whole[i] = 0.25f * static_cast<float>(i) - 3;
  write_npy(path("whole.npy"), Shape{3, 4, 5}, whole);
  // Blocks of views: (1 view) and (2 views); bands of rows of every view: rows [0, 1) and [1, 4).
  create_npy<float>(path("views.npy"), Shape{3, 4, 5});
  write_npy_part<float>(path("views.npy"), NpyPart{20, 40, 1, 0}, {whole.begin() + 20, whole.end()});
  write_npy_part<float>(path("views.npy"), NpyPart{0, 20, 1, 0}, {whole.begin(), whole.begin() + 20});
  EXPECT_EQ(bytes_of(path("views.npy")), bytes_of(path("whole.npy")));
  create_npy<float>(path("bands.npy"), Shape{3, 4, 5});
  for (const auto& [first, rows] : {std::pair<index_t, index_t>{0, 1}, {1, 3}}) {
    std::vector<float> band;
    for (index_t v = 0; v < 3; ++v)
      band.insert(band.end(), whole.begin() + 20 * v + 5 * first,
                  whole.begin() + 20 * v + 5 * (first + rows));
    write_npy_part<float>(path("bands.npy"), NpyPart{5 * first, 5 * rows, 3, 20}, band);
  }
  EXPECT_EQ(bytes_of(path("bands.npy")), bytes_of(path("whole.npy")));
  EXPECT_EQ(read_npy<float>(ctx_, path("bands.npy")).to_host_vector(), whole);
}

TEST_F(NpyTest, PartsThatDoNotFitTheFileAreRefused) {
  create_npy<double>(path("d.npy"), Shape{2, 3});
  EXPECT_THROW(write_npy_part<float>(path("d.npy"), NpyPart{0, 2, 1, 0}, {1.f, 2.f}), IoError);  // <f8
  EXPECT_THROW(write_npy_part<double>(path("d.npy"), NpyPart{5, 2, 1, 0}, {1.0, 2.0}), IoError);
  EXPECT_THROW(write_npy_part<double>(path("d.npy"), NpyPart{0, 2, 1, 0}, {1.0}), ShapeMismatch);
  EXPECT_THROW(create_npy<float>(path("missing/x.npy"), Shape{2}), IoError);
}

TEST_F(NpyTest, ConvertsIntegerDtypes) {
  const std::string u8 = make_file("u8.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                                   std::string("\x00\x7f\xff", 3));
  EXPECT_EQ(read_npy<float>(ctx_, u8).to_host_vector(), (std::vector<float>{0, 127, 255}));
  const std::string i16 = make_file("i16.npy", "{'descr': '<i2', 'fortran_order': False, 'shape': (1, 2), }",
                                    std::string("\xff\xff\x10\x00", 4));
  EXPECT_EQ(read_npy<double>(ctx_, i16).to_host_vector(), (std::vector<double>{-1, 16}));
}

void expect_io_error(const std::string& file, const std::string& fragment) {
  try {
    read_npy<float>(Context::host(), file);
    FAIL() << "no error for " << file;
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(file), std::string::npos)
        << "message must name the file: " << e.what();
  }
}

TEST_F(NpyTest, RejectsMalformedFiles) {
  expect_io_error(path("missing.npy"), "cannot open");
  { std::ofstream(path("text.npy")) << "hello world, not numpy"; }
  expect_io_error(path("text.npy"), "magic");
  expect_io_error(make_file("fortran.npy", "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }",
                            std::string(16, '\0')),
                  "Fortran-order");
  expect_io_error(
      make_file("big.npy", "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", std::string(8, '\0')),
      "dtype '>f4' is not supported");
  expect_io_error(make_file("short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }",
                            std::string(7, '\0')),
                  "truncated data");
  expect_io_error(make_file("noshape.npy", "{'descr': '<f4', 'fortran_order': False, }", ""), "no 'shape'");
}

TEST_F(NpyTest, FailedWriteLeavesNoFile) {
  EXPECT_THROW(write_npy(path("nodir/x.npy"), Shape{1}, std::vector<float>{1.f}), IoError);
  EXPECT_FALSE(fs::exists(path("nodir/x.npy")));
  EXPECT_THROW(write_npy(path("bad.npy"), Shape{3}, std::vector<float>{1.f}), ShapeMismatch);
  EXPECT_FALSE(fs::exists(path("bad.npy")));
  // No temporaries are left behind either.
  for (const auto& entry : fs::directory_iterator(dir_)) ADD_FAILURE() << "left behind: " << entry.path();
}

}  // namespace
}  // namespace recon::io
