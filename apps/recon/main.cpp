// `recon`: the command-line tool. Every error becomes one line on stderr and exit code 1
// (2 for bad usage); nothing aborts with a stack trace. Under mpiexec only rank 0 speaks
// (summary and error line); see QuietRank below.
#include <cstdio>
#include <iostream>
#include <new>
#include <set>
#include <streambuf>

#include "commands.hpp"
#include "input_files.hpp"
#include "option_checks.hpp"
#include "recon/io/output_set.hpp"
#include "recon/kernels/communicator.hpp"
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

// Output of ranks other than 0 of an MPI run: std::cout and std::cerr discard it while this
// lives, so that the JSON summary, progress and the error line appear once. Errors the ranks did
// not agree on (communicator.hpp) are printed by the rank itself before it ends the run.
class QuietRank {
 public:
  explicit QuietRank(bool quiet) {
    if (!quiet) return;
    out_ = std::cout.rdbuf(&discard_);
    err_ = std::cerr.rdbuf(&discard_);
  }
  ~QuietRank() {
    if (out_) std::cout.rdbuf(out_);
    if (err_) std::cerr.rdbuf(err_);
  }
  QuietRank(const QuietRank&) = delete;
  QuietRank& operator=(const QuietRank&) = delete;

 private:
  struct Discard : std::streambuf {
    int overflow(int c) override { return traits_type::not_eof(c); }
  } discard_;
  std::streambuf *out_ = nullptr, *err_ = nullptr;
};

// The commands that run distributed (ct_data.hpp); under mpiexec with several ranks the others
// are refused, since every rank would run and write the whole command.
void refuse_undistributed(const CLI::App& app, const recon::dist::Communicator& world) {
  static const std::set<std::string> distributed = {"ct project", "ct backproject", "ct sirt",
                                                    "ct cgls",    "ct fbp",         "ct fdk",
                                                    "ct recon",   "denoise",        "info"};
  if (world.size() == 1 || distributed.count(command_name(app))) return;
  throw recon::dist::AgreedError<recon::InvalidArgument>(
      command_name(app) + ": does not run distributed (" + std::to_string(world.size()) +
      " ranks); run it without mpiexec, or use ct project, backproject, fbp, fdk, sirt, cgls, recon or "
      "denoise");
}

}  // namespace

int main(int argc, char** argv) {
  const recon::dist::Session mpi(&argc, &argv);
  const auto world = recon::dist::world();
  if (const recon::dist::Launch launch = recon::dist::launched_as(); launch.size > world->size()) {
    if (launch.rank == 0)
      std::cerr << "recon: error: this build of recon has no MPI (RECON_MPI=OFF) but was started on "
                << launch.size << " ranks; run it without mpiexec or rebuild with -DRECON_MPI=ON\n";
    return 1;
  }
  const QuietRank quiet(!world->is_root());
  // The error line; `agreed`: every rank has the same error (communicator.hpp; usage errors
  // too), so rank 0 prints it. An error on this rank alone would leave the others waiting in a
  // collective: it is printed by this rank, whatever its number, and the whole run ends.
  const auto report = [&](const std::string& line, int code, bool agreed) {
    if (world->size() > 1 && !agreed) {
      std::fprintf(stderr, "recon: error: rank %d: %s\n", world->rank(), line.c_str());
      std::fflush(stderr);
      recon::dist::abort_all(*world, code);
    }
    std::cerr << "recon: error: " << line << "\n";
    return code;
  };
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
  app.parse_complete_callback([&] { refuse_undistributed(app, *world); });
  try {
    app.parse(argc, argv);
    // Rank 0 printed the summary and wrote the outputs; every rank learns whether they are out.
    recon::dist::agree(*world, [] {
      // The JSON summary is part of the result: a full disk or closed pipe on stdout fails the command.
      if (!std::cout.flush())
        throw recon::IoError(
            "cannot write the summary to standard output (a full disk or a closed pipe); "
            "expected a writable stdout");
      recon::io::commit_outputs();
    });
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // A bad value already says what was expected; other usage errors point at the help.
    const bool has_hint = dynamic_cast<const CLI::ValidationError*>(&e) != nullptr;
    const std::string unknown = dynamic_cast<const CLI::RequiredError*>(&e) ? unknown_command(app) : "";
    // The command line is the same on every rank: usage errors are agreed.
    return report(
        one_line(unknown.empty() ? e.what() : unknown) +
            (has_hint ? ""
                      : " (see recon " + (command_name(app) == "recon" ? "" : command_name(app) + " ") +
                            "--help)"),
        2, true);
  } catch (const recon::OutOfMemory& e) {
    return report(command_name(app) + ": " + one_line(e.what()), 1, recon::dist::is_agreed(e));
  } catch (const recon::Error& e) {
    return report(one_line(e.what()), 1, recon::dist::is_agreed(e));
  } catch (const std::bad_alloc&) {
    // Every input is checked against the memory available before allocating; this is the
    // last resort (another process took the memory meanwhile).
    return report(command_name(app) + ": out of host memory (" +
                      recon::format_bytes(static_cast<double>(recon::available_host_bytes())) +
                      " available); expected a smaller input",
                  1, false);
  } catch (const std::exception&) {
    // Input is validated before it reaches the library, so this is a bug; a library's own
    // text (addresses, temporary paths) would tell the user nothing.
    return report(command_name(app) +
                      ": an unexpected internal failure (a bug in recon; please report the command line)",
                  1, false);
  }
  return 0;
}
