// The parameter sets the penalty tests sweep, per function name (MATH.md sections 1-2),
// chosen to span each domain: p near 0 and 1, eps tiny and large, theta/a near their limits.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "recon/kernels/penalties/function.hpp"

namespace recon::testing {

using penalties::Function;
using penalties::make_function;
using Params = std::map<std::string, double>;

inline const std::vector<std::pair<std::string, std::vector<Params>>>& parameter_sets() {
  static const std::vector<std::pair<std::string, std::vector<Params>>> sets = {
      {"l1", {{}}},
      {"l0", {{}}},
      {"lp",
       {{{"p", 0.01}}, {{"p", 0.1}}, {{"p", 0.3}}, {{"p", 0.5}}, {{"p", 0.7}}, {{"p", 0.9}}, {{"p", 0.999}}}},
      {"log",
       {{{"p", 0.5}, {"eps", 1e-9}},
        {{"p", 0.5}, {"eps", 1e-3}},
        {{"p", 0.5}, {"eps", 1}},
        {{"p", 1}, {"eps", 0.1}},
        {{"p", 0.05}, {"eps", 1e-2}},
        {{"p", 0.95}, {"eps", 0.5}},
        {{"p", 0.3}, {"eps", 10}}}},
      {"mcp",
       {{{"mu", 1}, {"theta", 2}},
        {{"mu", 0.5}, {"theta", 3}},
        {{"mu", 0.5}, {"theta", 3}, {"weight", 0.5}},
        {{"mu", 2}, {"theta", 0.5}},
        {{"mu", 1}, {"theta", 1.01}},
        {{"mu", 0.1}, {"theta", 10}}}},
      {"scad",
       {{{"mu", 1}, {"a", 3.7}},
        {{"mu", 0.5}, {"a", 2.01}},
        {{"mu", 2}, {"a", 5}},
        {{"mu", 1}, {"a", 2.5}, {"weight", 2}}}},
      {"capped-l1", {{{"theta", 0.1}}, {{"theta", 1}}, {{"theta", 10}}}},
      {"capped-log",
       {{{"p", 0.5}, {"eps", 1e-3}, {"theta", 1}},
        {{"p", 1}, {"eps", 0.1}, {"theta", 0.5}},
        {{"p", 0.3}, {"eps", 1e-2}, {"theta", 3}}}},
      {"weep",
       {{{"a", 1}, {"b", 0.5}},
        {{"a", 10}, {"b", 0.1}},
        {{"a", 2}, {"b", 0}},
        {{"a", 0.5}, {"b", 0.99}},
        {{"a", 100}, {"b", 14}}}},
      {"huber", {{{"delta", 0.01}}, {{"delta", 1}}, {{"delta", 100}}}},
      {"sq-l2", {{}}},
      {"cauchy", {{{"delta", 0.1}}, {{"delta", 1}}, {{"delta", 10}}}},
      {"geman-mcclure", {{{"delta", 0.1}}, {{"delta", 1}}, {{"delta", 10}}}},
      {"welsch", {{{"delta", 0.1}}, {{"delta", 1}}, {{"delta", 10}}}},
      {"barron",
       {{{"alpha", 0}, {"c", 1}},
        {{"alpha", 1}, {"c", 1}},
        {{"alpha", 1.99}, {"c", 0.5}},
        {{"alpha", -2}, {"c", 1}},
        {{"alpha", 0.5}, {"c", 2}},
        {{"alpha", 2}, {"c", 1}},
        {{"alpha", -10}, {"c", 0.3}}}},
      {"eq8", {{}}},
      {"tukey", {{{"c", 0.5}}, {{"c", 4.685}}}},
      {"box", {{{"lo", -1}, {"hi", 2}}}},
      {"nonneg", {{}}},
      {"l2-ball", {{{"r", 0.5}}}},
  };
  return sets;
}

inline std::vector<Function> functions_named(const std::string& name) {
  for (const auto& [n, sets] : parameter_sets())
    if (n == name) {
      std::vector<Function> fns;
      for (const Params& p : sets) fns.push_back(make_function(n, p));
      return fns;
    }
  return {};
}

inline std::vector<std::string> function_names() {
  std::vector<std::string> names;
  for (const auto& entry : parameter_sets()) names.push_back(entry.first);
  return names;
}

}  // namespace recon::testing
