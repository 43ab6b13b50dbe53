// libFuzzer harness: the raw + JSON sidecar reader (io/src/raw.cpp). The input's bytes up to
// the first NUL are the sidecar NAME.json, the bytes after it the samples NAME.raw (no NUL:
// an empty .raw), so the fuzzer varies the JSON and the data size together.
#include <algorithm>

#include "harness.hpp"
#include "recon/io/raw.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::uint8_t* nul = std::find(data, data + size, std::uint8_t{0});
  const std::size_t json_size = static_cast<std::size_t>(nul - data);
  const std::size_t raw_offset = std::min(size, json_size + 1);
  recon::fuzz::write_scratch_file("input.json", data, json_size);
  const std::string raw = recon::fuzz::write_scratch_file("input.raw", data + raw_offset, size - raw_offset);
  static const recon::Context host = recon::Context::host(1);
  recon::fuzz::expect_only_recon_errors([&] { recon::io::read_raw<float>(host, raw); });
  return 0;
}
