// The `recon` subcommands: each registers itself on the CLI11 app and runs when chosen.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "recon/kernels/communicator.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/memory_budget.hpp"

namespace recon::cli {

// Options every subcommand shares.
struct GlobalOptions {
  std::string device = "auto";            // auto | cpu | cuda
  int threads = 0;                        // host threads, 0 = OpenMP default
  bool progress = false;                  // one line per stage with the time left, also off a terminal
  std::string device_memory_limit = "0";  // a cap on the device memory used (parse_memory_size), 0: none
};

// The context the global options ask for (--device, --threads on the host, and
// --device-memory-limit); on several ranks --device cuda or auto picks the rank's GPU.
inline Context make_context(const GlobalOptions& g) {
  // Under mpiexec the ranks of a node spread over its GPUs (communicator.hpp).
  // (The devices are listed only then: a serial run does not query CUDA for this.)
  const dist::Launch launch = dist::launched_as();
  const int cuda_devices = launch.size > 1 ? static_cast<int>(list_devices().size()) - 1 : 0;
  const Context from_choice = Context::from_choice(dist::device_for_rank(g.device, launch, cuda_devices));
  const Context c = from_choice.is_cuda() ? from_choice : Context::host(g.threads);
  c.set_memory_limit(parse_memory_size(g.device_memory_limit, "--device-memory-limit"));
  return c;
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
