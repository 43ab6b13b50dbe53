// The `recon` subcommands: each registers itself on the CLI11 app and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "recon/kernels/context.hpp"

namespace recon::cli {

// Options every subcommand shares.
struct GlobalOptions {
  std::string device = "auto";  // auto | cpu | cuda
  int threads = 0;              // host threads, 0 = OpenMP default
  bool progress = false;        // one line per stage with the time left, also off a terminal
};

// The context the global options ask for (--device, and --threads on the host).
inline Context make_context(const GlobalOptions& g) {
  const Context c = Context::from_choice(g.device);
  return c.is_cuda() ? c : Context::host(g.threads);
}

void add_info_command(CLI::App& app, const GlobalOptions& global);
void add_prox_command(CLI::App& app, const GlobalOptions& global);
void add_denoise_command(CLI::App& app, const GlobalOptions& global);
void add_tune_command(CLI::App& app, const GlobalOptions& global);
void add_ct_command(CLI::App& app, const GlobalOptions& global);
void add_convert_command(CLI::App& app, const GlobalOptions& global);
void add_metrics_command(CLI::App& app, const GlobalOptions& global);
void add_phantom_command(CLI::App& app, const GlobalOptions& global);
void add_noise_command(CLI::App& app, const GlobalOptions& global);
void add_cs_command(CLI::App& app, const GlobalOptions& global);
void add_lpgnet_command(CLI::App& app, const GlobalOptions& global);

}  // namespace recon::cli
