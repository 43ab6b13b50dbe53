// libFuzzer harness: the penalty/loss text of `--penalty NAME --param k=v,...`
// (engine/src/cli/function_options.cpp, then the penalty library's make_function). The input's
// first line is NAME, the rest the --param value, split on ',' as CLI11's delimiter splits it.
#include <string>
#include <vector>

#include "function_options.hpp"
#include "harness.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto newline = text.find('\n');
  recon::cli::FunctionFlags flags;
  flags.name = text.substr(0, newline);
  if (newline != std::string::npos) {
    const std::string params = text.substr(newline + 1);
    for (std::size_t start = 0;;) {
      const auto comma = params.find(',', start);
      flags.params.push_back(params.substr(start, comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  recon::fuzz::expect_only_recon_errors([&] { recon::cli::make_function(flags); });
  return 0;
}
