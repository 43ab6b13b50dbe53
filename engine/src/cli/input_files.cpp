#include "input_files.hpp"

#include <string>

#include "recon/io/output_set.hpp"

namespace recon::cli {

namespace {

// Every name under which a command takes a file to read; outputs are OUT, --out, --log,
// --json, --truth, --save-y and --save-spec.
constexpr const char* kInputNames[] = {"IN",       "SINO",       "A",           "B",
                                       "NOISY",    "REFERENCE",  "Y",           "--geometry",
                                       "--params", "--operator", "--reference", "--volume"};

}  // namespace

void record_input_files(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    for (const char* name : kInputNames) {
      if (!option->check_name(name)) continue;
      option->each([](const std::string& path) { io::note_input(path); });
      break;
    }
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) record_input_files(*sub);
}

}  // namespace recon::cli
