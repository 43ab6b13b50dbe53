// For the harnesses that drive the `recon` tool's own option and file parsers: besides a
// recon::Error (exit 1), a CLI11 usage error is an allowed answer to bad input, since main.cpp
// turns it into "recon: usage error: ..." and exit 2. A help or version request (exit 0) is not.
#pragma once

#include <CLI/CLI.hpp>

#include "harness.hpp"

namespace recon::fuzz {

template <class F>
void expect_only_recon_or_usage_errors(F&& f) {
  try {
    expect_only_recon_errors(f);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) throw;
  }
}

}  // namespace recon::fuzz
