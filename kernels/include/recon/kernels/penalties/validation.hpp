// Host-side parameter checks shared by every validate(): one message naming the function,
// the parameter, its value and the valid range.
// Tests: tests/penalties/test_functions.cpp (PenaltyCounterexamples.DomainsAreEnforced).
#pragma once

#include <cmath>
#include <sstream>
#include <string>

#include "recon/kernels/error.hpp"

namespace recon::penalties::detail {

// Throws InvalidArgument("<fn>: parameter <param> = <value> is out of range; expected <range>").
inline void check_param(bool ok, const char* fn, const char* param, double value, const std::string& range) {
  if (ok && std::isfinite(value)) return;
  std::ostringstream msg;
  msg << fn << ": parameter " << param << " = " << value << " is out of range; expected " << range;
  throw InvalidArgument(msg.str());
}

}  // namespace recon::penalties::detail
