// libFuzzer harness: the CT geometry JSON reader (operators/src/ct/geometry_json.cpp, schema in
// docs/ct-geometry.md); a geometry it accepts must also survive geometry_to_json and a re-read.
#include "harness.hpp"
#include "recon/operators/ct/geometry.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  recon::fuzz::expect_only_recon_errors([&] {
    const recon::ct::Geometry g = recon::ct::geometry_from_json(text, "fuzz geometry");
    recon::ct::geometry_from_json(recon::ct::geometry_to_json(g), "fuzz geometry (written back)");
  });
  return 0;
}
