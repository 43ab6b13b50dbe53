// Internals shared by the array-level penalty kernels: weight accessors (a scalar gamma or
// one per element) and argument checks.
#pragma once

#include <cmath>
#include <string>

#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::penalties::detail {

template <class T>
struct ScalarWeight {
  T gamma;
  RECON_HD T operator()(index_t) const { return gamma; }
};

template <class T>
struct ArrayWeight {
  const T* gamma;
  RECON_HD T operator()(index_t i) const { return gamma[i]; }
};

template <class T>
ScalarWeight<T> scalar_weight(const char* where, T gamma) {
  if (!(gamma >= T(0) && std::isfinite(static_cast<double>(gamma))))
    throw InvalidArgument(std::string(where) + ": gamma = " + std::to_string(static_cast<double>(gamma)) +
                          " must be finite and >= 0");
  return {gamma};
}

template <class T>
ArrayWeight<T> array_weight(const Context& ctx, const char* where, View<const T> gamma, index_t n) {
  recon::detail::check_operand(ctx, where, "gamma", gamma, n);
  return {gamma.data()};
}

// Number of groups of x (shape (k, ...)), after checking that fn has a group form.
inline index_t group_count(const char* where, const Function& fn, const Shape& shape) {
  if (!properties_of(fn).even)
    throw InvalidArgument(std::string(where) + ": " + name_of(fn) +
                          " is not a function of |x| and has no group form");
  if (shape.ndim() == 0 || shape[0] <= 0)
    throw ShapeMismatch(std::string(where) + ": shape " + shape.str() + " has no leading component axis");
  return shape.size() / shape[0];
}

}  // namespace recon::penalties::detail
