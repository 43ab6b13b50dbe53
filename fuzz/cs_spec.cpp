// libFuzzer harness: the CS operator spec that `recon cs recover --operator SPEC` reads
// (apps/recon/cs.cpp, then cs::validate). The spec reader is internal to the subcommand, so
// the harness runs the subcommand itself with a measurements file that does not exist: a spec
// that parses and validates then ends in the IoError for the missing Y, before any solve.
#include <string>
#include <vector>

#include "cli_harness.hpp"
#include "commands.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The subcommand's options are registered once (most of the time of a run under ASan); a
  // parse starts with CLI11's clear(), and every run gives the same arguments.
  static const recon::cli::GlobalOptions global{"cpu", 1};
  static CLI::App app{"recon"};
  static const bool registered = (recon::cli::add_cs_command(app, global), true);
  (void)registered;
  const std::string spec = recon::fuzz::write_scratch_file("spec.json", data, size);
  std::vector<std::string> args = {"recon",
                                   "cs",
                                   "recover",
                                   "--operator",
                                   spec,
                                   recon::fuzz::scratch_path("missing-y.npy"),
                                   recon::fuzz::scratch_path("out.npy")};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  recon::fuzz::expect_only_recon_or_usage_errors(
      [&] { app.parse(static_cast<int>(argv.size()), argv.data()); });
  return 0;
}
