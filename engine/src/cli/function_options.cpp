#include "function_options.hpp"

#include <cstdlib>
#include <map>

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
      for (const auto& o : sig.optional) ps += (ps.empty() ? "" : ",") + o.first + "=" + CLI::detail::to_string(o.second);
      names += "(" + ps + ")";
    }
  }
  auto* opt = cmd.add_option("--" + option, flags.name, "function: " + names);
  if (required) opt->required();
  cmd.add_option("--" + param_option, flags.params,
                 "parameters of --" + option + " as key=value, repeatable or comma-separated (a=1,b=0.5)")
      ->delimiter(',');
}

penalties::Function make_function(const FunctionFlags& flags) {
  std::map<std::string, double> params;
  for (const std::string& kv : flags.params) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw InvalidArgument("--" + flags.param_option + " '" + kv + "': expected key=value, e.g. --" +
                            flags.param_option + " theta=3");
    const std::string key = kv.substr(0, eq), text = kv.substr(eq + 1);
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0')
      throw InvalidArgument("--" + flags.param_option + " '" + kv + "': the value '" + text + "' is not a number");
    if (!params.emplace(key, value).second)
      throw InvalidArgument("--" + flags.param_option + " '" + key + "' is given twice");
  }
  return penalties::make_function(flags.name, params);
}

}  // namespace recon::cli
