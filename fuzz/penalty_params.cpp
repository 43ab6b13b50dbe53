// libFuzzer harness: the penalty/loss text of `--penalty NAME --param k=v,... [--param ...]`
// (apps/recon/function_options.cpp, then the penalty library's make_function). The input's
// first line is NAME, each further line the value of one --param.
#include <string>
#include <vector>

#include "cli_harness.hpp"
#include "function_options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  recon::cli::FunctionFlags flags;
  std::size_t start = 0;
  for (bool first = true;; first = false) {
    const auto newline = text.find('\n', start);
    const std::string line =
        text.substr(start, newline == std::string::npos ? std::string::npos : newline - start);
    if (first)
      flags.name = line;
    else
      flags.params.push_back(line);
    if (newline == std::string::npos) break;
    start = newline + 1;
  }
  recon::fuzz::expect_only_recon_or_usage_errors([&] { recon::cli::make_function(flags); });
  return 0;
}
