// Runtime choice of a penalty or loss: a std::variant of the scalar structs, built from a
// name and named parameters exactly as MATH.md sections 1-2 list them (penalties and losses
// share one namespace of names). The array-level functions visit it once, outside the
// kernel, so each kernel is instantiated per function.
// Tests: tests/penalties/test_functions.cpp (PenaltyRegistry.NamesParametersAndErrors,
// PenaltyCounterexamples.DomainsAreEnforced, PenaltyProperties).
#pragma once

#include <map>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "recon/kernels/penalties/barron.hpp"
#include "recon/kernels/penalties/constraints.hpp"
#include "recon/kernels/penalties/convex.hpp"
#include "recon/kernels/penalties/folded_concave.hpp"
#include "recon/kernels/penalties/log.hpp"
#include "recon/kernels/penalties/robust_losses.hpp"
#include "recon/kernels/penalties/sparse.hpp"
#include "recon/kernels/penalties/weep.hpp"

namespace recon::penalties {

using Function = std::variant<L1, L0, Lp, LogPenalty, Mcp, Scad, CappedL1, CappedLog, Weep, Huber, SqL2,
                              Cauchy, GemanMcClure, Welsch, Barron, Eq8, Tukey, Box, NonNeg, L2Ball>;

// Builds and validates a function: make_function("mcp", {{"mu", 0.5}, {"theta", 3}}).
// Unknown names, unknown or missing parameters and values outside the domain throw
// InvalidArgument naming the function, the parameter and what is expected.
Function make_function(const std::string& name, const std::map<std::string, double>& params = {});

struct FunctionSignature {
  std::string name;
  std::vector<std::string> required;                     // parameter names in MATH.md's order
  std::vector<std::pair<std::string, double>> optional;  // with their defaults
};
// Every name make_function knows, with its parameters.
const std::vector<FunctionSignature>& function_signatures();

// "mcp(mu=0.5, theta=3, weight=1)".
std::string describe(const Function& fn);
const char* name_of(const Function& fn);
Properties properties_of(const Function& fn);
// properties_of(fn).kind without building the rest (F::kind of the held struct).
inline FunctionKind kind_of(const Function& fn) {
  return std::visit([](const auto& f) { return std::decay_t<decltype(f)>::kind; }, fn);
}
inline void validate(const Function& fn) {
  std::visit([](const auto& f) { f.validate(); }, fn);
}

}  // namespace recon::penalties
