#include "input_files.hpp"

#include <string>

#include "recon/io/output_set.hpp"

namespace recon::cli {

namespace {

// Every name under which a command takes a file to read.
constexpr const char* kInputNames[] = {"IN",       "SINO",       "A",           "B",
                                       "NOISY",    "REFERENCE",  "Y",           "--geometry",
                                       "--params", "--operator", "--reference", "--volume"};

// Every name under which a command takes a file to write.
constexpr const char* kOutputNames[] = {"OUT",     "--out",    "--log",      "--json",
                                        "--truth", "--save-y", "--save-spec"};

}  // namespace

void record_input_files(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    for (const char* name : kInputNames) {
      if (!option->check_name(name)) continue;
      option->each([](const std::string& path) { io::note_input(path); });
      break;
    }
    for (const char* name : kOutputNames) {
      if (!option->check_name(name)) continue;
      option->each([](const std::string& path) { io::note_output(path); });
      break;
    }
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) record_input_files(*sub);
}

}  // namespace recon::cli
