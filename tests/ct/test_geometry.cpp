// CT geometry: circular -> vector conversion, JSON round trip, and one clear error for each
// kind of bad input (the message names the field).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "recon/kernels/error.hpp"
#include "recon/operators/ct/geometry.hpp"

namespace recon::ct {
namespace {

TEST(CtGeometry, CircularFanBecomesVectors) {
  const ProjectionGeometry p = fan2d(8, 0.5, {0.0, M_PI / 2}, 10, 5, 1.0);
  ASSERT_EQ(p.views(), 2);
  // theta = 0: source at (0, -10), detector centre at (0, 5) + offset along u = (1, 0).
  EXPECT_NEAR(p.vectors[0].source[1], -10, 1e-12);
  EXPECT_NEAR(p.vectors[0].detector[0], 1.0, 1e-12);
  EXPECT_NEAR(p.vectors[0].detector[1], 5, 1e-12);
  EXPECT_NEAR(p.vectors[0].u[0], 0.5, 1e-12);
  // theta = pi/2: the ray direction is (-1, 0): source at (10, 0).
  EXPECT_NEAR(p.vectors[1].source[0], 10, 1e-12);
  EXPECT_NEAR(p.vectors[1].u[1], 0.5, 1e-12);
  EXPECT_EQ(p.shape(), (Shape{2, 8}));
  EXPECT_EQ(p.type_name(), "fan2d");
}

TEST(CtGeometry, JsonRoundTripCircularAndVector) {
  const Geometry g{volume3d(4, 5, 6, {1, 1.5, 2}, {0.5, 0, -1}),
                   cone(3, 7, 0.8, 0.9, {0.1, 0.2, 0.4}, 50, 20, 1, -1)};
  const Geometry back = geometry_from_json(geometry_to_json(g));
  EXPECT_EQ(back.volume.shape, g.volume.shape);
  EXPECT_EQ(back.volume.voxel_size, g.volume.voxel_size);
  EXPECT_EQ(back.volume.origin, g.volume.origin);
  EXPECT_EQ(back.projection.type_name(), "cone");
  EXPECT_EQ(back.projection.angles, g.projection.angles);
  EXPECT_EQ(back.projection.shape(), g.projection.shape());
  for (size_t v = 0; v < 3; ++v)
    for (int k = 0; k < 3; ++k) {
      EXPECT_DOUBLE_EQ(back.projection.vectors[v].source[k], g.projection.vectors[v].source[k]);
      EXPECT_DOUBLE_EQ(back.projection.vectors[v].v[k], g.projection.vectors[v].v[k]);
    }
  Geometry vec = g;
  vec.projection.circular = false;
  const Geometry vback = geometry_from_json(geometry_to_json(vec));
  EXPECT_EQ(vback.projection.type_name(), "cone_vec");
  EXPECT_DOUBLE_EQ(vback.projection.vectors[2].detector[0], g.projection.vectors[2].detector[0]);
}

TEST(CtGeometry, JsonAngleRange) {
  const Geometry g = geometry_from_json(R"({"volume": {"shape": [8, 8]},
    "projection": {"type": "parallel2d", "detector_shape": [12], "angles": {"start": 0, "stop": 3.0, "count": 6}}})");
  ASSERT_EQ(g.projection.views(), 6);
  EXPECT_DOUBLE_EQ(g.projection.angles[5], 2.5);
}

void expect_error(const std::string& json, const std::string& fragment) {
  try {
    geometry_from_json(json, "g.json");
    ADD_FAILURE() << "no error for " << json;
  } catch (const InvalidArgument& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("g.json: "), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << "message '" << msg << "' lacks '" << fragment << "'";
  }
}

std::string fan(const std::string& volume, const std::string& extra) {
  return R"({"volume": )" + volume + R"(, "projection": {"type": "fan2d", "detector_shape": [16], )" + extra +
         "}}";
}

TEST(CtGeometry, JsonErrorsNameTheField) {
  const std::string vol = R"({"shape": [10, 10]})";
  expect_error("{", "not valid JSON");
  expect_error(R"({"volume": {"shape": [10, 10]}})", "projection: missing");
  expect_error(fan(R"({"shape": [10, 0]})", R"("angles": [0], "source_origin": 20, "origin_detector": 5)"),
               "volume.shape[1]: found 0; expected a positive integer");
  expect_error(fan(R"({"shape": [10, 10], "voxel_size": -1})",
                   R"("angles": [0], "source_origin": 20, "origin_detector": 5)"),
               "voxel_size must be positive");
  expect_error(fan(vol, R"("angles": [], "source_origin": 20, "origin_detector": 5)"), "at least one angle");
  expect_error(fan(vol, R"("angles": [0], "source_origin": 5, "origin_detector": 5)"),
               "source_origin 5.000000 must exceed");
  expect_error(fan(vol, R"("angles": [0], "source_origin": 20)"), "projection.origin_detector: missing");
  expect_error(fan(vol, R"("angles": [0], "source_origin": 20, "origin_detector": 5, "pixelsize": 1)"),
               "projection.pixelsize: unknown key");
  expect_error(fan(vol, R"("angles": [0], "source_origin": "far", "origin_detector": 5)"),
               "projection.source_origin: found the string \"far\"; expected a number");
  expect_error(fan(vol, R"("angles": [0], "source_origin": 20, "origin_detector": 5, "pixel_size": 0)"),
               "pixel size must be positive");
  expect_error(
      R"({"volume": {"shape": [4, 10, 10]}, "projection": {"type": "fan2d", "detector_shape": [16], "angles": [0]}})",
      "is a 2D geometry but volume.shape has 3 axes");
  expect_error(R"({"volume": {"shape": [10, 10]}, "projection": {"type": "helix", "detector_shape": [16]}})",
               "unknown type 'helix'");
  expect_error(
      R"({"volume": {"shape": [4, 10, 10]}, "projection": {"type": "cone_vec", "detector_shape": [4, 16],
               "vectors": [[0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]]}})",
      "must lie outside the volume");
  expect_error(
      R"({"volume": {"shape": [4, 10, 10]}, "projection": {"type": "parallel3d_vec", "detector_shape": [4, 16],
               "vectors": [[0, 1, 0, 0, 0, 0, 1, 0, 0, 2, 0, 0]]}})",
      "not parallel");
  expect_error(
      R"({"volume": {"shape": [10, 10]}, "projection": {"type": "parallel2d_vec", "detector_shape": [16],
               "vectors": [[0, 1, 0, 0, 1]]}})",
      "projection.vectors[0]: found an array of 5 items; expected an array of 6 numbers");
}

TEST(CtGeometry, JsonNumbersAreTypedAndBounded) {
  const std::string vol = R"({"shape": [10, 10]})";
  expect_error(fan(vol, R"("angles": [0], "source_origin": 1e400, "origin_detector": 5)"),
               "too large for a double");
  expect_error(fan(R"({"shape": [10, 2.5]})", R"("angles": [0], "source_origin": 20, "origin_detector": 5)"),
               "volume.shape[1]: found 2.5; expected a positive integer");
  expect_error(fan(R"({"shape": [10, -3]})", R"("angles": [0], "source_origin": 20, "origin_detector": 5)"),
               "volume.shape[1]: found -3");
  expect_error(
      fan(vol,
          R"("angles": {"start": 0, "stop": 1, "count": "many"}, "source_origin": 20, "origin_detector": 5)"),
      "projection.angles.count: found the string \"many\"; expected a positive integer");
  expect_error(fan(vol, R"("angles": [0, "x"], "source_origin": 20, "origin_detector": 5)"),
               "projection.angles[1]: found the string \"x\"; expected a number");
}

// A geometry whose sinogram or volume cannot fit is refused while it is read, before its
// angles or any array are made (1e12 views would otherwise take terabytes of view vectors).
TEST(CtGeometry, JsonRefusesWhatCannotFitInMemory) {
  const auto refused = [](const std::string& json, const std::string& fragment) {
    try {
      geometry_from_json(json, "g.json");
      ADD_FAILURE() << "no error for " << json;
    } catch (const OutOfMemory& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("g.json: "), std::string::npos) << msg;
      EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
      EXPECT_NE(msg.find("available"), std::string::npos) << msg;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  refused(
      fan(R"({"shape": [10, 10]})",
          R"("angles": {"start": 0, "stop": 1, "count": 1000000000000}, "source_origin": 20, "origin_detector": 5)"),
      "(1000000000000, 16)");
  refused(R"({"volume": {"shape": [100000, 100000, 100000]}, "projection": {"type": "parallel3d",
             "detector_shape": [4, 4], "angles": [0]}})",
          "(100000, 100000, 100000)");
}

TEST(CtGeometry, ValidateRejectsMismatchedDimensions) {
  EXPECT_THROW(validate({volume3d(2, 3, 4), parallel2d(5, 1, {0.0})}), InvalidArgument);
  EXPECT_THROW(validate({volume2d(3, 4), parallel2d(0, 1, {0.0})}), InvalidArgument);
  EXPECT_THROW(validate({volume2d(3, 4), parallel2d(5, 1, {})}), InvalidArgument);
  EXPECT_THROW(validate({volume2d(3, 4), parallel2d(5, 1, {std::nan("")})}), InvalidArgument);
  EXPECT_NO_THROW(validate({volume2d(3, 4), parallel2d(5, 1, {0.0})}));
}

}  // namespace
}  // namespace recon::ct
