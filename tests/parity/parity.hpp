// Host/device parity: one computation run on a Host context and on a Cuda context, outputs
// compared element by element to a stated tolerance, the worst element reported. Without a
// GPU every case skips, unless RECON_PARITY_REHEARSE=1: then the "device" side is a second
// Host context with one thread, so shapes, calls and tolerances are exercised on any machine.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "backends.hpp"
#include "recon/kernels/kernels.hpp"

namespace recon::parity {

using recon::testing::random_values;

inline bool rehearsal() {
  const char* e = std::getenv("RECON_PARITY_REHEARSE");
  return e != nullptr && std::string(e) == "1";
}

// The element-wise unit of T: a few ulps of float (6e-8) and of double (1.1e-16) after FMA
// contraction and the device's own transcendental functions, with a wide margin.
template <class T>
constexpr double unit() {
  return sizeof(T) == 4 ? 1e-5 : 1e-12;
}

// |host - device| <= rel |host| + floor * peak, peak = max |host| over the output: the floor
// ties the absolute slack to the data's scale, for elements that cancel to near zero.
struct Tolerance {
  double rel;
  double floor;
};
template <class T>
Tolerance elementwise(double factor = 1) {
  return {factor * unit<T>(), factor * unit<T>()};
}

// Bound for a sum of n terms of total magnitude sum_abs: reduce.hpp accumulates in double on
// both sides, in fixed blocks on the host and in Thrust's tree on the device, so the order
// alone costs at most (n - 1) u_double sum_abs (Higham, "Accuracy and Stability of Numerical
// Algorithms", 2nd ed., eq. 4.4); each term is computed in T (a few ulps of T when the device
// contracts to FMA): unit<T>() sum_abs. Factor 4 on the order term as a margin.
template <class T>
double reduction_bound(double n, double sum_abs) {
  return (unit<T>() + 4 * n * std::numeric_limits<double>::epsilon()) * sum_abs;
}

template <class V>
std::vector<double> as_double(const std::vector<V>& v) {
  return std::vector<double>(v.begin(), v.end());
}

// Element-wise comparison; equal values pass (so +inf of an indicator matches +inf), a NaN on
// either side fails (outputs are poisoned with NaN, so an element never written shows up).
inline ::testing::AssertionResult agree(const std::vector<double>& h, const std::vector<double>& d,
                                        Tolerance tol) {
  if (h.size() != d.size())
    return ::testing::AssertionFailure() << "sizes differ: host " << h.size() << ", device " << d.size();
  if (h.empty()) return ::testing::AssertionFailure() << "empty output";
  double peak = 0;
  for (double v : h)
    if (std::isfinite(v)) peak = std::max(peak, std::fabs(v));
  std::size_t bad = 0, worst = 0;
  double worst_ratio = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (h[i] == d[i]) continue;
    const double allowed = tol.rel * std::fabs(h[i]) + tol.floor * peak;
    const double ratio =
        (std::isfinite(h[i]) && std::isfinite(d[i])) ? std::fabs(h[i] - d[i]) / allowed : HUGE_VAL;
    if (!(ratio <= 1)) ++bad;
    if (!(ratio <= worst_ratio)) worst_ratio = ratio, worst = i;
  }
  std::ostringstream msg;
  msg.precision(17);
  msg << "worst element " << worst << " of " << h.size() << ": host " << h[worst] << ", device " << d[worst]
      << ", |diff| / allowed = " << worst_ratio << " (rel " << tol.rel << ", floor " << tol.floor
      << " x peak " << peak << ")";
  if (bad == 0) return ::testing::AssertionSuccess() << msg.str();
  return ::testing::AssertionFailure() << bad << " elements outside the tolerance; " << msg.str();
}

// Normwise: ||host - device||_2 <= rel ||host||_2 (and every element finite), for transforms
// whose rounding is bounded in norm (FFT: Higham, "Accuracy and Stability of Numerical
// Algorithms", Thm. 24.2: c log2(N) u ||x||), reported with the worst element.
inline ::testing::AssertionResult agree_normwise(const std::vector<double>& h, const std::vector<double>& d,
                                                 double rel) {
  if (h.size() != d.size() || h.empty())
    return ::testing::AssertionFailure() << "sizes: host " << h.size() << ", device " << d.size();
  double diff2 = 0, norm2 = 0, worst = -1;
  std::size_t at = 0;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const double e = std::fabs(h[i] - d[i]);
    if (!std::isfinite(h[i]) || !std::isfinite(d[i]))
      return ::testing::AssertionFailure()
             << "element " << i << " not finite: host " << h[i] << ", device " << d[i];
    diff2 += e * e;
    norm2 += h[i] * h[i];
    if (e > worst) worst = e, at = i;
  }
  std::ostringstream msg;
  msg.precision(17);
  msg << "||diff|| / ||host|| = " << std::sqrt(diff2 / norm2) << " (bound " << rel << "); worst element "
      << at << ": host " << h[at] << ", device " << d[at];
  if (std::sqrt(diff2) <= rel * std::sqrt(norm2)) return ::testing::AssertionSuccess() << msg.str();
  return ::testing::AssertionFailure() << msg.str();
}

// Scalars (reductions, metrics, objective values): |host - device| <= bound.
inline ::testing::AssertionResult agree_scalar(double h, double d, double bound) {
  if (h == d) return ::testing::AssertionSuccess();
  if (std::isfinite(h) && std::isfinite(d) && std::fabs(h - d) <= bound) return ::testing::AssertionSuccess();
  std::ostringstream msg;
  msg.precision(17);
  msg << "host " << h << ", device " << d << ", |diff| " << std::fabs(h - d) << " > bound " << bound;
  return ::testing::AssertionFailure() << msg.str();
}

// An output array on ctx filled with NaN, so that elements a kernel fails to write differ.
template <class T>
Array<T> poisoned(const Context& ctx, const Shape& shape) {
  Array<T> a(ctx, shape);
  fill<T>(ctx, a.view(), std::numeric_limits<T>::quiet_NaN());
  return a;
}

// Fixture typed over float and double: host() and device() are the two sides.
template <class T>
class ParityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!rehearsal() && !cuda_available()) GTEST_SKIP() << "no CUDA device";
    host_.emplace(Context::host());
    device_.emplace(rehearsal() ? Context::host(1) : Context::cuda());
  }
  const Context& host() const { return *host_; }
  const Context& device() const { return *device_; }

  // run(ctx) -> std::vector of outputs (any arithmetic type), called on both sides.
  template <class Run>
  void expect_same(const std::string& what, Run run, Tolerance tol) const {
    const auto h = as_double(run(host())), d = as_double(run(device()));
    EXPECT_TRUE(agree(h, d, tol)) << what;
  }
  template <class Run>
  void expect_same_normwise(const std::string& what, Run run, double rel) const {
    const auto h = as_double(run(host())), d = as_double(run(device()));
    EXPECT_TRUE(agree_normwise(h, d, rel)) << what;
  }
  // run(ctx) -> double, called on both sides.
  template <class Run>
  void expect_same_scalar(const std::string& what, Run run, double bound) const {
    EXPECT_TRUE(agree_scalar(run(host()), run(device()), bound)) << what;
  }

 private:
  std::optional<Context> host_, device_;
};

using ParityTypes = ::testing::Types<float, double>;

struct TypeName {
  template <class T>
  static std::string GetName(int) {
    return sizeof(T) == 4 ? "float" : "double";
  }
};

}  // namespace recon::parity
