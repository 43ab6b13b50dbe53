// `recon`: the command-line tool. Every error becomes one line on stderr and exit code 1
// (2 for bad usage); nothing aborts with a stack trace.
#include <iostream>
#include <new>

#include "commands.hpp"
#include "input_files.hpp"
#include "option_checks.hpp"
#include "recon/io/output_set.hpp"
#include "recon/kernels/config.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/memory_budget.hpp"

namespace {

// "ct simulate": the subcommands chosen on the command line, for messages that have no option
// or file to name.
std::string command_name(const CLI::App& app) {
  std::string name;
  for (const CLI::App* sub = &app; !sub->get_subcommands().empty();) {
    sub = sub->get_subcommands().front();
    name += (name.empty() ? "" : " ") + sub->get_name();
  }
  return name.empty() ? "recon" : name;
}

// "unknown command 'bogus' (expected one of ...)" when a word was given where a subcommand was
// required; CLI11 itself only says that a subcommand is required.
std::string unknown_command(const CLI::App& app) {
  const CLI::App* deepest = &app;
  while (!deepest->get_subcommands().empty()) deepest = deepest->get_subcommands().front();
  const std::vector<std::string> extra = deepest->remaining();
  if (extra.empty() || deepest->get_subcommands({}).empty()) return "";
  std::string names;
  for (const CLI::App* sub : deepest->get_subcommands({}))
    names += (names.empty() ? "" : ", ") + sub->get_name();
  const std::string where = deepest == &app ? "" : command_name(app) + ": ";
  return where + "unknown command '" + extra.front() + "'; expected one of " + names;
}

// The contract allows one line on stderr.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"recon " RECON_VERSION_STRING ": sparse-regularised image reconstruction on GPUs"};
  app.require_subcommand(1);
  recon::cli::GlobalOptions global;
  app.add_option("--device", global.device, "where to run: auto (CUDA when present), cpu, cuda or cuda:N")
      ->check(CLI::Validator(
          [](const std::string& text) {
            return recon::is_device_choice(text) ? std::string()
                                                 : "expected auto, cpu, cuda or cuda:N, got " + text;
          },
          "auto|cpu|cuda|cuda:N"))
      ->capture_default_str();
  // More threads than any host has would only make OpenMP fail to create them.
  app.add_option("--threads", global.threads, "host threads (0: all)")
      ->check(recon::cli::number_check({0, 4096, false, false, true}));
  app.add_option("--device-memory-limit", global.device_memory_limit,
                 "cap on the device memory used, e.g. 4GiB or 512MiB (0: none); CT data beyond it are "
                 "streamed through the device in pieces")
      ->check([](const std::string& text) {
        try {
          recon::parse_memory_size(text, "--device-memory-limit");
          return std::string();
        } catch (const recon::InvalidArgument& e) {  // CLI11 names the option itself
          const std::string message = e.what();
          return message.substr(message.find(": ") + 2);
        }
      })
      ->capture_default_str();
  app.add_flag(
      "--progress", global.progress,
      "print one line per stage of the long commands with an estimate of the time left (a progress bar "
      "is shown on a terminal anyway)");
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
  recon::cli::record_input_files(app);
  // All outputs of the command appear together when it succeeds; none when it fails or a
  // signal stops it (recon/io/output_set.hpp).
  recon::io::install_cleanup_on_signals();
  recon::io::OutputTransaction outputs;
  try {
    app.parse(argc, argv);
    // The JSON summary is part of the result: a full disk or closed pipe on stdout fails the command.
    if (!std::cout.flush())
      throw recon::IoError(
          "cannot write the summary to standard output (a full disk or a closed pipe); "
          "expected a writable stdout");
    recon::io::commit_outputs();
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // A bad value already says what was expected; other usage errors point at the help.
    const bool has_hint = dynamic_cast<const CLI::ValidationError*>(&e) != nullptr;
    const std::string unknown = dynamic_cast<const CLI::RequiredError*>(&e) ? unknown_command(app) : "";
    std::cerr << "recon: error: " << one_line(unknown.empty() ? e.what() : unknown)
              << (has_hint ? ""
                           : " (see recon " + (command_name(app) == "recon" ? "" : command_name(app) + " ") +
                                 "--help)")
              << "\n";
    return 2;
  } catch (const recon::OutOfMemory& e) {
    std::cerr << "recon: error: " << command_name(app) << ": " << one_line(e.what()) << "\n";
    return 1;
  } catch (const recon::Error& e) {
    std::cerr << "recon: error: " << one_line(e.what()) << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    // Every input is checked against the memory available before allocating; this is the
    // last resort (another process took the memory meanwhile).
    std::cerr << "recon: error: " << command_name(app) << ": out of host memory ("
              << recon::format_bytes(static_cast<double>(recon::available_host_bytes()))
              << " available); expected a smaller input\n";
    return 1;
  } catch (const std::exception&) {
    // Input is validated before it reaches the library, so this is a bug; a library's own
    // text (addresses, temporary paths) would tell the user nothing.
    std::cerr << "recon: error: " << command_name(app)
              << ": an unexpected internal failure (a bug in recon; please report the command line)\n";
    return 1;
  }
  return 0;
}
