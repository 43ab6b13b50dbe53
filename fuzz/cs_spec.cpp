// libFuzzer harness: the CS operator spec that `recon cs recover --operator SPEC` reads
// (engine/src/cli/cs.cpp, then cs::validate). The spec reader is internal to the subcommand, so
// the harness runs the subcommand itself with a measurements file that does not exist: a spec
// that parses and validates then ends in the IoError for the missing Y, before any solve.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cli_harness.hpp"
#include "commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string spec = recon::fuzz::write_scratch_file("spec.json", data, size);
  const std::string missing_y = recon::fuzz::scratch_path("missing-y.npy");
  const std::string out = recon::fuzz::scratch_path("out.npy");
  recon::cli::GlobalOptions global;
  global.device = "cpu";
  global.threads = 1;
  CLI::App app{"recon"};
  recon::cli::add_cs_command(app, global);
  std::vector<std::string> args = {"recon", "cs", "recover", "--operator", spec, missing_y, out};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  recon::fuzz::expect_only_recon_or_usage_errors(
      [&] { app.parse(static_cast<int>(argv.size()), argv.data()); });
  return 0;
}
