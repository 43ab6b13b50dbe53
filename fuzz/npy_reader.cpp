// libFuzzer harness: the .npy reader, header and data (io/src/npy.cpp), on bytes written to a
// scratch file, read as float32 and as float64.
#include "harness.hpp"
#include "recon/io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = recon::fuzz::write_scratch_file("input.npy", data, size);
  static const recon::Context host = recon::Context::host(1);
  recon::fuzz::expect_only_recon_errors([&] { recon::io::read_npy_header(path); });
  recon::fuzz::expect_only_recon_errors([&] { recon::io::read_npy<float>(host, path); });
  recon::fuzz::expect_only_recon_errors([&] { recon::io::read_npy<double>(host, path); });
  return 0;
}
