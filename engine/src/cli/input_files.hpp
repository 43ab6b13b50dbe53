// The `recon` options and positionals that name files a command reads. Each value is recorded
// with io::note_input while the command line is parsed, before the command runs, so that no
// output can overwrite an input or its sidecar (recon/io/output_set.hpp).
#pragma once

#include <CLI/CLI.hpp>

namespace recon::cli {

// Hooks every input option of `app` and its subcommands, at any depth.
void record_input_files(CLI::App& app);

}  // namespace recon::cli
