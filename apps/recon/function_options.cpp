#include "function_options.hpp"

#include <cstdlib>
#include <map>

#include "option_checks.hpp"
#include "recon/kernels/error.hpp"

namespace recon::cli {

void add_function_flags(CLI::App& cmd, FunctionFlags& flags, const std::string& option, bool required,
                        const std::string& param_option) {
  flags.param_option = param_option;
  std::string names;
  for (const auto& sig : penalties::function_signatures()) {
    names += (names.empty() ? "" : ", ") + sig.name;
    if (!sig.required.empty() || !sig.optional.empty()) {
      std::string ps;
      for (const auto& r : sig.required) ps += (ps.empty() ? "" : ",") + r;
      for (const auto& o : sig.optional)
        ps += (ps.empty() ? "" : ",") + o.first + "=" + CLI::detail::to_string(o.second);
      names += "(" + ps + ")";
    }
  }
  auto* opt = cmd.add_option("--" + option, flags.name, "function: " + names);
  if (required) opt->required();
  cmd.add_option("--" + param_option, flags.params,
                 "parameters of --" + option + " as key=value, repeatable or comma-separated (a=1,b=0.5)");
}

penalties::Function make_function(const FunctionFlags& flags) {
  const std::string option = "--" + flags.param_option;
  std::map<std::string, double> params;
  // Split here rather than by CLI11, which drops empty items ("a=1,,b=2").
  for (const std::string& given : flags.params)
    for (const std::string& kv : split_list(given, ',', option)) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos || eq == 0)
        usage_error(option + " '" + kv + "': expected key=value, e.g. " + option + " theta=3");
      const std::string key = kv.substr(0, eq);
      const double value = parse_number(kv.substr(eq + 1), option + " '" + kv + "'");
      if (!params.emplace(key, value).second)
        usage_error(option + " '" + key + "' is given twice; expected it once");
    }
  return penalties::make_function(flags.name, params);
}

}  // namespace recon::cli
