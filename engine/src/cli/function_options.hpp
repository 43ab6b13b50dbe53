// The --penalty/--loss NAME and repeated --param key=value options shared by the subcommands
// that take a function of the penalty library (prox, denoise, ...).
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "recon/kernels/penalties/function.hpp"

namespace recon::cli {

struct FunctionFlags {
  std::string name;
  std::vector<std::string> params;  // "key=value"
};

// Adds `--<option> NAME` (required when `required`) and `--param key=value` (repeatable).
void add_function_flags(CLI::App& cmd, FunctionFlags& flags, const std::string& option, bool required);

// The validated function; InvalidArgument naming the bad --param text or parameter.
penalties::Function make_function(const FunctionFlags& flags);

}  // namespace recon::cli
