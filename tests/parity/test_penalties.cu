// Parity of every function of the penalty and loss registry (function_signatures(), with the
// parameter sets of tests/penalties/cases.hpp): element-wise prox (scalar and per-element
// gamma), gradient, value sums, the group forms and the l2-ball projection.
#include <algorithm>
#include <cmath>

#include "cases.hpp"
#include "parity.hpp"
#include "recon/kernels/penalties/apply.hpp"

namespace recon::parity {
namespace {

namespace pn = recon::penalties;

template <class T>
class ParityPenalties : public ParityTest<T> {
 protected:
  // A nonconvex prox jumps where two minimisers tie (l0's hard threshold, lp, log, mcp, ...):
  // there a last-bit difference may pick either. So each device element must match the host
  // at the same input or at the input scaled by 1 -+ unit<T>() (the device's output is the
  // host's for an input perturbed by no more than the tolerance); run(ctx, input).
  template <class Run>
  void expect_stable(const std::string& what, const std::vector<T>& input, Run run) const {
    const auto h = as_double(run(this->host(), input)), d = as_double(run(this->device(), input));
    std::vector<T> lo = input, hi = input;
    for (auto& v : lo) v = static_cast<T>(v * (1 - unit<T>()));
    for (auto& v : hi) v = static_cast<T>(v * (1 + unit<T>()));
    const auto hl = as_double(run(this->host(), lo)), hh = as_double(run(this->host(), hi));
    std::vector<double> nearest = h;
    for (std::size_t i = 0; i < d.size() && i < h.size(); ++i)
      for (double cand : {hl[i], hh[i]})
        if (std::fabs(cand - d[i]) < std::fabs(nearest[i] - d[i])) nearest[i] = cand;
    EXPECT_TRUE(agree(nearest, d, elementwise<T>())) << what;
  }
};
TYPED_TEST_SUITE(ParityPenalties, ParityTypes, TypeName);

constexpr index_t kN = 6007;

std::vector<pn::Function> registry_functions() {
  std::vector<pn::Function> out;
  for (const auto& sig : pn::function_signatures()) {
    const auto fns = recon::testing::functions_named(sig.name);
    EXPECT_FALSE(fns.empty()) << sig.name << " has no parameter set in tests/penalties/cases.hpp";
    out.insert(out.end(), fns.begin(), fns.end());
  }
  return out;
}

TYPED_TEST(ParityPenalties, ProxGradientValue) {
  using T = TypeParam;
  const Shape s{kN};
  const auto x = random_values<T>(kN, 31, -4, 4);
  // Per-element weights, a few <= 0 (passed through unchanged).
  auto w = random_values<T>(kN, 32, -0.2, 2);
  for (const auto& fn : registry_functions()) {
    const std::string name = pn::describe(fn);
    this->expect_stable(name + " prox", x, [&](const Context& c, const std::vector<T>& in) {
      const auto a = Array<T>::from_host(c, s, in);
      auto out = poisoned<T>(c, s);
      pn::prox<T>(c, fn, T(0.8), a.view(), out.view());
      return out.to_host_vector();
    });
    this->expect_stable(name + " prox, per-element gamma", x,
                        [&](const Context& c, const std::vector<T>& in) {
                          const auto a = Array<T>::from_host(c, s, in), g = Array<T>::from_host(c, s, w);
                          auto out = poisoned<T>(c, s);
                          pn::prox<T>(c, fn, g.view(), a.view(), out.view());
                          return out.to_host_vector();
                        });
    bool has_gradient = true;
    try {
      Array<T> a(this->host(), s), g(this->host(), s);
      pn::gradient<T>(this->host(), fn, a.cview(), g.view());
    } catch (const InvalidArgument&) {
      has_gradient = false;
    }
    if (has_gradient)
      this->expect_stable(name + " gradient", x, [&](const Context& c, const std::vector<T>& in) {
        const auto a = Array<T>::from_host(c, s, in);
        auto out = poisoned<T>(c, s);
        pn::gradient<T>(c, fn, a.view(), out.view());
        return out.to_host_vector();
      });
    const double value = pn::value_sum<T>(this->host(), fn, Array<T>::from_host(this->host(), s, x).cview());
    this->expect_same_scalar(
        name + " value_sum",
        [&](const Context& c) { return pn::value_sum<T>(c, fn, Array<T>::from_host(c, s, x).cview()); },
        reduction_bound<T>(kN, std::fabs(value)));
    const auto positive = random_values<T>(kN, 33, 0.1, 2);
    const double weighted =
        pn::value_sum<T>(this->host(), fn, Array<T>::from_host(this->host(), s, positive).cview(),
                         Array<T>::from_host(this->host(), s, x).cview());
    this->expect_same_scalar(
        name + " weighted value_sum",
        [&](const Context& c) {
          return pn::value_sum<T>(c, fn, Array<T>::from_host(c, s, positive).cview(),
                                  Array<T>::from_host(c, s, x).cview());
        },
        reduction_bound<T>(kN, std::fabs(weighted)));
  }
}

// Groups along a leading axis of 3 components (the 3D gradient's layout).
TYPED_TEST(ParityPenalties, GroupForms) {
  using T = TypeParam;
  const index_t groups = 7001;
  const Shape s{3, groups};
  const auto x = random_values<T>(s.size(), 41, -3, 3);
  const auto w = random_values<T>(groups, 42, -0.2, 2);
  for (const auto& fn : registry_functions()) {
    if (!pn::properties_of(fn).even) continue;  // only even functions have group forms
    const std::string name = pn::describe(fn);
    this->expect_stable(name + " prox_group", x, [&](const Context& c, const std::vector<T>& in) {
      const auto a = Array<T>::from_host(c, s, in);
      auto out = poisoned<T>(c, s);
      pn::prox_group<T>(c, fn, T(0.8), a.view(), out.view());
      return out.to_host_vector();
    });
    this->expect_stable(
        name + " prox_group, per-group gamma", x, [&](const Context& c, const std::vector<T>& in) {
          const auto a = Array<T>::from_host(c, s, in), g = Array<T>::from_host(c, Shape{groups}, w);
          auto out = poisoned<T>(c, s);
          pn::prox_group<T>(c, fn, g.view(), a.view(), out.view());
          return out.to_host_vector();
        });
    bool has_gradient = true;
    try {
      Array<T> a(this->host(), s), g(this->host(), s);
      pn::gradient_group<T>(this->host(), fn, a.cview(), g.view());
    } catch (const InvalidArgument&) {
      has_gradient = false;
    }
    if (has_gradient)
      this->expect_stable(name + " gradient_group", x, [&](const Context& c, const std::vector<T>& in) {
        const auto a = Array<T>::from_host(c, s, in);
        auto out = poisoned<T>(c, s);
        pn::gradient_group<T>(c, fn, a.view(), out.view());
        return out.to_host_vector();
      });
    const double value =
        pn::value_sum_group<T>(this->host(), fn, Array<T>::from_host(this->host(), s, x).cview());
    this->expect_same_scalar(
        name + " value_sum_group",
        [&](const Context& c) { return pn::value_sum_group<T>(c, fn, Array<T>::from_host(c, s, x).cview()); },
        reduction_bound<T>(s.size(), std::fabs(value)));
  }
}

// The radius is half the distance, so every element moves; the scale factor comes from a
// reduction (norm2 bound), then each element is one multiply-add.
TYPED_TEST(ParityPenalties, L2BallProjection) {
  using T = TypeParam;
  const Shape s{kN};
  const auto x = random_values<T>(kN, 51), center = random_values<T>(kN, 52);
  double dist = 0;
  for (index_t i = 0; i < kN; ++i) dist += (double(x[i]) - center[i]) * (double(x[i]) - center[i]);
  this->expect_same(
      "project_l2_ball",
      [&](const Context& c) {
        const auto a = Array<T>::from_host(c, s, x), b = Array<T>::from_host(c, s, center);
        auto out = poisoned<T>(c, s);
        penalties::project_l2_ball<T>(c, b.view(), 0.5 * std::sqrt(dist), a.view(), out.view());
        return out.to_host_vector();
      },
      elementwise<T>(2));
}

}  // namespace
}  // namespace recon::parity
