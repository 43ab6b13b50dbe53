// The `recon` options and positionals that name files a command reads or writes. Each value is
// recorded (io::note_input, io::note_output) while the command line is parsed, so an output
// that would overwrite an input or its sidecar is refused before the command runs
// (recon/io/output_set.hpp).
#pragma once

#include <CLI/CLI.hpp>

namespace recon::cli {

// Hooks every input and output option of `app` and its subcommands, at any depth.
void record_input_files(CLI::App& app);

}  // namespace recon::cli
