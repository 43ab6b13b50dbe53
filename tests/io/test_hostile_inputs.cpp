// The readers on hostile bytes: checked shape products, the .npy header parser, the raw
// sidecar parser, and the PNG, DICOM, MetaImage, NRRD and NIfTI structure checks that run
// before ITK. Every failure must be an IoError (or InvalidArgument for Shape) on one line,
// naming the file, with no raw bytes from the file in it.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>

#include "format_checks.hpp"
#include "io_test_dir.hpp"
#include "isolated_call.hpp"
#include "itk_messages.hpp"
#include "quote.hpp"
#include "recon/io/image.hpp"
#include "recon/io/npy.hpp"
#include "recon/kernels/error.hpp"

namespace recon::io {
namespace {

using detail::parse_npy_header;
using detail::parse_raw_sidecar;
using detail::validate_dicom_bytes;
using detail::validate_png_bytes;

// Runs f, which must throw E whose message names `file`, holds `fragment`, and is one line of
// printable text.
template <class E = IoError>
void expect_error(const std::function<void()>& f, const std::string& file, const std::string& fragment) {
  try {
    f();
    ADD_FAILURE() << "no error (expected '" << fragment << "')";
  } catch (const E& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
    EXPECT_NE(msg.find(file), std::string::npos) << "must name the file: " << msg;
    for (char c : msg) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "unprintable byte in: " << msg;
    EXPECT_LT(msg.size(), 600u) << msg;
  }
}

TEST(ShapeTest, ProductsAreCheckedAgainstOverflow) {
  const Shape big{index_t(1) << 32, index_t(1) << 32};
  try {
    (void)big.size();
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()), "shape (4294967296, 4294967296) has more than 2^63 elements");
  }
  EXPECT_THROW((void)Shape({index_t(1) << 31, index_t(1) << 31}).bytes(4), InvalidArgument);
  EXPECT_EQ((Shape{index_t(1) << 31, index_t(1) << 31}).size(), index_t(1) << 62);
  EXPECT_EQ((Shape{3, 4}).bytes(8), 96);
  EXPECT_EQ((Shape{index_t(1) << 40, index_t(1) << 40, 0}).size(), 0);  // empty, whatever the other extents
  EXPECT_EQ(Shape{}.size(), 1);
}

TEST(QuoteTest, EscapesAndShortensFileText) {
  EXPECT_EQ(detail::excerpt("<f4"), "'<f4'");
  EXPECT_EQ(detail::excerpt(std::string("a\nb\0'", 5)), "'a\\x0ab\\x00\\''");
  EXPECT_EQ(detail::excerpt(std::string(1000, 'x'), 5), "'xxxxx...'");
}

TEST(NpyHeaderTest, AcceptsAnyKeyOrderSpacingAndTrailingCommas) {
  for (const char* text :
       {"{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }",
        "{'shape':(3,4),'fortran_order':False,'descr':'<f4'}",
        "  {\n 'fortran_order' : False ,\t'shape' : ( 3 , 4 , ) , 'descr' : \"<f4\" , }   \n",
        "{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 4L), }"}) {
    SCOPED_TRACE(text);
    const NpyHeader h = parse_npy_header("h.npy", text);
    EXPECT_EQ(h.dtype, "<f4");
    EXPECT_EQ(h.shape, (Shape{3, 4}));
  }
  EXPECT_EQ(parse_npy_header("h.npy", "{'descr': '|u1', 'fortran_order': False, 'shape': (), }").shape.ndim(),
            0);
  EXPECT_EQ(parse_npy_header("h.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (7,), }").shape,
            (Shape{7}));
}

TEST(NpyHeaderTest, RejectsEveryMalformedDictOnOneLine) {
  const auto bad = [](const std::string& text, const std::string& fragment) {
    SCOPED_TRACE(detail::excerpt(text, 80));
    expect_error([&] { parse_npy_header("h.npy", text); }, "h.npy", fragment);
  };
  const std::string tail = "'fortran_order': False, 'shape': (2,), }";
  bad("{'descr': '" + std::string(26000, '<') + "', " + tail, "is not supported");
  bad("{'descr': '<f\n4', " + tail, "plain quoted string");
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }", "too large");
  EXPECT_EQ(
      parse_npy_header("h.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (9223372036854775807,)}")
          .shape[0],
      INT64_MAX);
}

TEST(NpyHeaderTest, RejectsStructuralDamage) {
  const auto bad = [](const std::string& text, const std::string& fragment) {
    SCOPED_TRACE(detail::excerpt(text, 80));
    expect_error([&] { parse_npy_header("h.npy", text); }, "h.npy", fragment);
  };
  bad("", "ends early");
  bad("\x01\x02garbage", "expected the header to start with '{'");
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", "unexpected key 'x'");
  bad("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "appears twice");
  bad("{'descr': '<f4', 'fortran_order': True, 'shape': (2,)}", "Fortran-order");
  bad("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "True or False");
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", "non-negative integer");
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}", "',' or ')'");
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", "a tuple");
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1)}", "more than 4 axes");
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", "nothing but padding");
  bad("{'descr': '<f4', 'fortran_order': False, 'shape': (2,", "ends early");
  bad("{'descr': '<f4 , 'fortran_order': False}", "unexpected");
  bad("{'descr': '>f4', 'fortran_order': False, 'shape': (2,)}", "dtype '>f4' is not supported");
  bad("{'fortran_order': False, 'shape': (2,)}", "no 'descr'");
  bad("{'descr': '<f4', 'shape': (2,)}", "no 'fortran_order'");
}

class HostileFileTest : public TempDirTest {
 protected:
  // A version-1.0 .npy file with the given header text and payload.
  std::string npy(const std::string& name, const std::string& dict, const std::string& payload) const {
    std::string header = dict;
    header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
    header.push_back('\n');
    const char len[2] = {static_cast<char>(header.size() & 0xff), static_cast<char>(header.size() >> 8)};
    write_bytes(path(name), std::string("\x93NUMPY\x01\x00", 8) + std::string(len, 2) + header + payload);
    return path(name);
  }
  Context ctx_ = Context::host();
};

TEST_F(HostileFileTest, NpyShapesAreCheckedAgainstTheFileBeforeAllocating) {
  const std::string f4 = "{'descr': '<f4', 'fortran_order': False, 'shape': ";
  const std::string overflow = npy("o.npy", f4 + "(4294967296, 4294967296), }", std::string(16, '\0'));
  expect_error([&] { read_npy<float>(ctx_, overflow); }, overflow, "too large");
  const std::string huge = npy("h.npy", f4 + "(1000000, 1000000), }", std::string(16, '\0'));
  expect_error([&] { read_npy<float>(ctx_, huge); }, huge, "truncated data");
  const std::string empty = npy("e.npy", f4 + "(0,), }", "");
  expect_error([&] { read_npy<float>(ctx_, empty); }, empty,
               "empty array, shape (0,); expected at least one element");
  const std::string empty2 = npy("e2.npy", f4 + "(3, 0), }", "");
  expect_error([&] { read_npy<double>(ctx_, empty2); }, empty2, "shape (3, 0)");
  write_bytes(path("len.npy"), std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff{", 13));
  expect_error([&] { read_npy<float>(ctx_, path("len.npy")); }, path("len.npy"), "header length field");
  write_bytes(path("past.npy"), std::string("\x93NUMPY\x01\x00\xff\x00{'descr'", 18));
  expect_error([&] { read_npy<float>(ctx_, path("past.npy")); }, path("past.npy"), "truncated header");
  std::filesystem::create_directories(path("dir.npy"));
  expect_error([&] { read_npy<float>(ctx_, path("dir.npy")); }, path("dir.npy"), "directory");
}

TEST(RawSidecarTest, ChecksEveryKeyForTypeAndRange) {
  const auto bad = [](const std::string& json, const std::string& fragment) {
    SCOPED_TRACE(json);
    expect_error([&] { parse_raw_sidecar("s.json", json); }, "s.json", fragment);
  };
  const std::string head = R"({"dtype": "float32", "byte_order": "little", )";
  const detail::RawSidecar ok =
      parse_raw_sidecar("s.json", head + R"("shape": [2, 3], "spacing": [0.5, 2], "origin": [-1, 1e3]})");
  EXPECT_EQ(ok.shape, (Shape{2, 3}));
  EXPECT_EQ(ok.spacing, (std::vector<double>{0.5, 2}));
  EXPECT_EQ(ok.origin, (std::vector<double>{-1, 1000}));
  bad(head + R"("shape": [1e400]})", "out of range");
  bad(head + R"("shape": ["3"]})", "\"shape\" entry 0 is a string");
  bad(head + R"("shape": [3, -1]})", "\"shape\" entry 1 is -1");
  bad(head + R"("shape": [2.5]})", "\"shape\" entry 0 is 2.5");
  bad(head + R"("shape": [0, 3]})", "empty");
  bad(head + R"("shape": [18446744073709551615]})", "at most 2^63 - 1");
  bad(head + R"("shape": []})", "an array of 0");
  bad(head + R"("shape": null})", "\"shape\" is null");
  bad(head + R"("spacing": [1], "shape": [2, 3]})", "\"spacing\" is an array of 1");
  bad(head + R"("spacing": [1, 0], "shape": [2, 3]})", "\"spacing\" entry 1 is 0");
  bad(head + R"("origin": [1, "a"], "shape": [2, 3]})", "\"origin\" entry 1 is a string");
  bad(R"({"byte_order": "little", "shape": [2]})", "no \"dtype\"");
  bad(R"({"dtype": "int16", "byte_order": "little", "shape": [2]})", "\"dtype\" is 'int16'");
  bad(R"({"dtype": ["float32"], "byte_order": "little", "shape": [2]})", "\"dtype\" is an array");
  bad(R"({"dtype": "float32", "byte_order": "big", "shape": [2]})", "\"byte_order\" is 'big'");
  bad(R"({"format": "other", "dtype": "float32", "byte_order": "little", "shape": [2]})",
      "\"format\" is 'other'");
  bad("[1, 2]", "holds an array");
  bad("{\"dtype\": \"float32\n", "not valid JSON");
  bad(std::string("\xff\xfe\0\x01", 4), "not valid JSON");
}

TEST_F(HostileFileTest, RawFilesAreSizedBeforeAllocating) {
  write_bytes(path("r.raw"), std::string(64, '\0'));
  write_bytes(path("r.json"),
              R"({"dtype": "float32", "byte_order": "little", "shape": [4294967296, 4294967296]})");
  expect_error([&] { read_image<float>(ctx_, path("r.raw")); }, path("r.raw"), "more than 2^63");
  std::filesystem::remove(path("r.json"));
  std::filesystem::create_directories(path("r.json"));
  expect_error([&] { read_image<float>(ctx_, path("r.raw")); }, path("r.json"), "directory");
}

// A PNG made here, so that each test damages one known field.
std::string chunk(const std::string& type, const std::string& data) {
  const std::string body = type + data;
  const auto crc = static_cast<std::uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size())));
  const auto be = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                       static_cast<char>(v)};
  };
  return be(static_cast<std::uint32_t>(data.size())) + body + be(crc);
}
std::string ihdr(std::uint32_t w, std::uint32_t h, int depth = 8, int color = 0) {
  return chunk("IHDR",
               std::string{static_cast<char>(w >> 24), static_cast<char>(w >> 16), static_cast<char>(w >> 8),
                           static_cast<char>(w), static_cast<char>(h >> 24), static_cast<char>(h >> 16),
                           static_cast<char>(h >> 8), static_cast<char>(h), static_cast<char>(depth),
                           static_cast<char>(color), 0, 0, 0});
}
std::string deflate(const std::string& raw) {
  uLongf n = compressBound(static_cast<uLong>(raw.size()));
  std::string out(n, '\0');
  compress(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(raw.data()),
           static_cast<uLong>(raw.size()));
  out.resize(n);
  return out;
}
const std::string kSig("\x89PNG\r\n\x1a\n", 8);
std::string rows(int w, int h, char filter = 0) {
  std::string r;
  for (int y = 0; y < h; ++y) r += filter + std::string(static_cast<std::size_t>(w), static_cast<char>(y));
  return r;
}
std::string png(int w, int h, const std::string& idat) {
  return kSig + ihdr(static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(h)) + chunk("IDAT", idat) +
         chunk("IEND", "");
}

TEST(PngCheckTest, AcceptsWellFormedFiles) {
  EXPECT_NO_THROW(validate_png_bytes("p.png", png(8, 4, deflate(rows(8, 4)))));
  const std::string data = deflate(rows(8, 4));  // split over two IDAT chunks, with an ancillary chunk
  EXPECT_NO_THROW(validate_png_bytes("p.png", kSig + ihdr(8, 4) + chunk("tEXt", std::string("k\0v", 3)) +
                                                  chunk("IDAT", data.substr(0, 5)) +
                                                  chunk("IDAT", data.substr(5)) + chunk("IEND", "")));
  // Adam7: the seven passes of an 8 x 4 grey image, rows of 1 + width bytes.
  std::string adam7;
  for (const auto& [w, h] :
       std::vector<std::pair<int, int>>{{1, 1}, {1, 1}, {2, 0}, {2, 1}, {4, 1}, {4, 2}, {8, 2}})
    if (w && h) adam7 += rows(w, h);
  const std::string interlaced = chunk("IHDR", std::string("\0\0\0\x08\0\0\0\x04\x08\0\0\0\x01", 13));
  EXPECT_NO_THROW(
      validate_png_bytes("p.png", kSig + interlaced + chunk("IDAT", deflate(adam7)) + chunk("IEND", "")));
}

TEST(PngCheckTest, RejectsWhatLibpngWouldAbortOn) {
  const auto bad = [](const std::string& bytes, const std::string& fragment) {
    expect_error([&] { validate_png_bytes("p.png", bytes); }, "p.png", fragment);
  };
  const std::string good = png(8, 4, deflate(rows(8, 4)));
  bad("", "PNG signature");
  bad(kSig, "without an IEND");
  std::string bad_crc = good;
  bad_crc[8 + 8 + 3] ^= 1;  // a byte of the IHDR's width
  bad(bad_crc, "bad CRC");
  bad(kSig + std::string(100, '\x17'), "bad chunk type");
  bad(good.substr(0, good.size() - 20), "claims");
  bad(kSig + std::string("\xff\xff\xff\xffIHDR", 8) + std::string(20, '\0'), "claims 4294967295 bytes");
  bad(png(8, 4, deflate(rows(8, 4)).substr(0, 10)), "truncated image data");
  bad(png(8, 8, deflate(rows(8, 4))), "truncated image data");
  bad(png(8, 2, deflate(rows(8, 4))), "more than");
  bad(png(8, 4, deflate(rows(8, 4, 7))), "filter type 7");
  bad(png(8, 4, "\x78\x9c\xff\xff\xff\xff garbage"), "zlib stream is damaged");
  bad(png(0, 4, deflate(rows(8, 4))), "0 x 4 pixels");
  bad(kSig + ihdr(8, 4, 3) + chunk("IDAT", deflate(rows(8, 4))) + chunk("IEND", ""), "bit depth 3");
  bad(kSig + ihdr(8, 4, 8, 1) + chunk("IDAT", deflate(rows(8, 4))) + chunk("IEND", ""), "colour type is 1");
  bad(kSig + ihdr(8, 4, 8, 3) + chunk("IDAT", deflate(rows(8, 4))) + chunk("IEND", ""), "without a PLTE");
  bad(kSig + ihdr(8, 4) + chunk("IEND", ""), "no IDAT");
  bad(kSig + chunk("IDAT", deflate(rows(8, 4))) + chunk("IEND", ""), "expected IHDR");
  bad(kSig + ihdr(8, 4) + chunk("QQQQ", "x") + chunk("IDAT", deflate(rows(8, 4))) + chunk("IEND", ""),
      "unknown critical chunk 'QQQQ'");
}

std::string element(std::uint16_t group, std::uint16_t elem, const std::string& vr,
                    const std::string& value) {
  std::string e{static_cast<char>(group & 0xff), static_cast<char>(group >> 8),
                static_cast<char>(elem & 0xff), static_cast<char>(elem >> 8)};
  e += vr;
  const auto n = static_cast<std::uint32_t>(value.size());
  if (vr == "OB" || vr == "OW")
    e += std::string{0,
                     0,
                     static_cast<char>(n & 0xff),
                     static_cast<char>(n >> 8),
                     static_cast<char>(n >> 16),
                     static_cast<char>(n >> 24)};
  else
    e += std::string{static_cast<char>(n & 0xff), static_cast<char>(n >> 8)};
  return e + value;
}

TEST(DicomCheckTest, ChecksPreambleMetaGroupAndFirstElement) {
  const std::string pre = std::string(128, '\0') + "DICM";
  const std::string meta = element(2, 0x10, "UI", std::string("1.2.840.10008.1.2.1\0", 20));
  const std::string data = element(8, 0x60, "CS", "OT");
  EXPECT_NO_THROW(validate_dicom_bytes("d.dcm", pre + meta + data));
  const auto bad = [](const std::string& bytes, const std::string& fragment) {
    expect_error([&] { validate_dicom_bytes("d.dcm", bytes); }, "d.dcm", fragment);
  };
  bad("", "128-byte preamble");
  bad(std::string(131, '\0'), "128-byte preamble");
  bad(pre, "no file meta information");
  bad(pre + std::string("\x02\x00\x10", 3), "ends inside an element header");
  bad(pre +
          std::string("\x02\x00\x10\x00\x01\x02\x04\x00"
                      "1.2",
                      12) +
          std::string(1, '\0') + data,
      "VR");
  bad(pre + element(2, 1, "OB", "\x01\x02") + data, "no Transfer Syntax UID");
  bad(pre + element(2, 0x10, "UI", "1.2\n") + data, "is not a UID");
  bad(pre + meta, "no data set");
  std::string long_meta = pre + element(2, 0x10, "UI", "1.2.840.10008.1.2.1.");
  long_meta[132 + 6] = '\x60';  // the length now runs past the end
  long_meta[132 + 7] = '\xea';
  bad(long_meta, "claims");
  bad(pre + meta +
          std::string("\x08\x00\x60\x00"
                      "CS\x10\x27",
                      8),
      "claims");
  // The whole data set is walked: a truncated last element, a sequence without its delimiter.
  const std::string pixels = element(0x7fe0, 0x10, "OW", std::string(64, '\0'));
  EXPECT_NO_THROW(validate_dicom_bytes("d.dcm", pre + meta + data + pixels));
  bad(pre + meta + data + pixels.substr(0, pixels.size() - 10), "claims");
  const std::string undefined_sq = std::string("\x08\x00\x40\x11SQ\0\0\xff\xff\xff\xff", 12) +
                                   std::string("\xfe\xff\x00\xe0\xff\xff\xff\xff", 8) + data;
  bad(pre + meta + undefined_sq, "without its delimiter");
  EXPECT_NO_THROW(validate_dicom_bytes("d.dcm", pre + meta + undefined_sq +
                                                    std::string("\xfe\xff\x0d\xe0\0\0\0\0", 8) +
                                                    std::string("\xfe\xff\xdd\xe0\0\0\0\0", 8) + pixels));
}

// The ITK formats' headers (a build with ITK only): absurd or inconsistent sizes are refused
// before ITK allocates or reads.
class HostileItkTest : public HostileFileTest {
 protected:
  void SetUp() override {
    HostileFileTest::SetUp();
    if (!itk_available()) GTEST_SKIP() << "this build has RECON_ITK=OFF";
  }
  void expect_read_error(const std::string& name, const std::string& bytes, const std::string& fragment) {
    SCOPED_TRACE(name);
    write_bytes(path(name), bytes);
    expect_error([&] { read_image<float>(ctx_, path(name)); }, path(name), fragment);
  }
  static std::string mha(const std::string& ndims, const std::string& dims, const std::string& data_file) {
    return "ObjectType = Image\nNDims = " + ndims + "\nDimSize = " + dims +
           "\nElementType = MET_FLOAT\nElementDataFile = " + data_file + "\n";
  }
};

TEST_F(HostileItkTest, MetaImageHeadersAreChecked) {
  const std::string data(4 * 64, '\0');
  write_bytes(path("ok.mha"), mha("2", "8 8", "LOCAL") + data);
  EXPECT_EQ(read_image<float>(ctx_, path("ok.mha")).data.shape(), (Shape{8, 8}));
  expect_read_error("n0.mha", mha("0", "8 8", "LOCAL") + data, "'NDims' is '0'");
  expect_read_error("neg.mha", mha("2", "8 -8", "LOCAL") + data, "'DimSize' holds '-8'");
  expect_read_error("ovf.mha", mha("2", "4294967296 4294967296", "LOCAL") + data, "more than 2^31 samples");
  expect_read_error("trunc.mha", mha("2", "8 8", "LOCAL") + data.substr(0, 10), "truncated");
  write_bytes(path("other.mha"), mha("2", "8 8", "LOCAL") + data);
  expect_read_error("ext.mha", mha("2", "8 8", "other.mha"), "is a MetaImage header");
  write_bytes(path("d.raw"), std::string(300, '\0'));
  expect_read_error("size.mha", mha("2", "8 8", "d.raw"), "exactly 256");
  write_bytes(path("d2.raw"), data);
  write_bytes(path("ext_ok.mha"), mha("2", "8 8", "d2.raw"));
  EXPECT_EQ(read_image<float>(ctx_, path("ext_ok.mha")).data.shape(), (Shape{8, 8}));
}

TEST_F(HostileItkTest, NrrdAndNiftiHeadersAreChecked) {
  const std::string data(4 * 64, '\0');
  const auto nrrd = [](const std::string& sizes) {
    return "NRRD0004\ntype: float\ndimension: 2\nsizes: " + sizes + "\nendian: little\nencoding: raw\n\n";
  };
  expect_read_error("neg.nrrd", nrrd("8 -8") + data, "'sizes' holds '-8'");
  expect_read_error("ovf.nrrd", nrrd("4294967295 4294967295") + data, "more than 2^31 samples");
  expect_read_error("trunc.nrrd", nrrd("8 8") + data.substr(0, 100), "truncated");
  std::string nii(352, '\0');
  nii[0] = '\x5c';
  nii[1] = '\x01';  // sizeof_hdr = 348
  const auto set16 = [&](int off, int v) {
    nii[static_cast<std::size_t>(off)] = static_cast<char>(v & 0xff);
    nii[static_cast<std::size_t>(off) + 1] = static_cast<char>((v >> 8) & 0xff);
  };
  set16(40, 2);
  set16(42, 8);
  set16(44, -8);
  set16(70, 16);
  set16(72, 32);
  nii.replace(344, 4, std::string("n+1\0", 4));
  expect_read_error("neg.nii", nii + data, "dim[2] is -8");
  set16(40, 0);
  expect_read_error("zero.nii", nii + data, "dim[0] is 0");
}

TEST(IsolatedCallTest, ReportsCrashSignalsOnly) {
  EXPECT_TRUE(detail::crashes_in_child([] { std::abort(); }));
  EXPECT_FALSE(detail::crashes_in_child([] {}));
  EXPECT_FALSE(detail::crashes_in_child([] { throw IoError("a clean error"); }));
}

TEST(ItkMessageTest, KeepsOnlyShortPlainDescriptions) {
  EXPECT_EQ(detail::readable_itk_description("Unsupported data type\n", "NIfTI"),
            "the NIfTI reader rejected it (Unsupported data type)");
  EXPECT_EQ(detail::readable_itk_description("ITK ERROR: TIFFImageIO(0x55fc75784e50): Unable to read tiff "
                                             "file: Sorry, can not handle images with "
                                             "64-bit samples",
                                             "TIFF"),
            "the TIFF reader rejected it (Unable to read tiff file: Sorry, can not handle images with 64-bit "
            "samples)");
  for (const char* leak : {"Object 0x55d0c0ffee00 failed", "line one\nline two",
                           "cannot open /tmp/.recon-1234.nii", "itk::ERROR: NiftiImageIO(0x1234)"})
    EXPECT_EQ(detail::readable_itk_description(leak, "NIfTI"),
              "the NIfTI reader rejected it (damaged or unsupported file)");
}

}  // namespace
}  // namespace recon::io
