// `recon`: the command-line tool. Every error becomes one line on stderr and exit code 1
// (2 for bad usage); nothing aborts with a stack trace.
#include <iostream>

#include "commands.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/config.hpp"

int main(int argc, char** argv) {
  CLI::App app{"recon " RECON_VERSION_STRING ": sparse-regularised image reconstruction on GPUs"};
  app.require_subcommand(1);
  recon::cli::GlobalOptions global;
  app.add_option("--device", global.device, "where to run: auto (CUDA when present), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  app.add_option("--threads", global.threads, "host threads (0: all)")->check(CLI::NonNegativeNumber);
  app.set_version_flag("--version", RECON_VERSION_STRING);
  recon::cli::add_info_command(app, global);
  recon::cli::add_prox_command(app, global);
  recon::cli::add_denoise_command(app, global);
  recon::cli::add_tune_command(app, global);
  recon::cli::add_ct_command(app, global);
  recon::cli::add_convert_command(app, global);
  recon::cli::add_metrics_command(app, global);
  recon::cli::add_phantom_command(app, global);
  recon::cli::add_noise_command(app, global);
  recon::cli::add_cs_command(app, global);
  recon::cli::add_lpgnet_command(app, global);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "recon: usage error: " << e.what() << " (see recon --help)\n";
    return 2;
  } catch (const recon::Error& e) {
    std::cerr << "recon: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "recon: internal error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
