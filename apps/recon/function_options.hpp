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
  std::vector<std::string> params;     // "key=value"
  std::string param_option = "param";  // the option the params came from, for messages
};

// Adds `--<option> NAME` (required when `required`) and `--<param_option> key=value`
// (repeatable; a second function on one command needs its own, e.g. --loss-param).
void add_function_flags(CLI::App& cmd, FunctionFlags& flags, const std::string& option, bool required,
                        const std::string& param_option = "param");

// The validated function; InvalidArgument naming the bad --param text or parameter.
penalties::Function make_function(const FunctionFlags& flags);

}  // namespace recon::cli
