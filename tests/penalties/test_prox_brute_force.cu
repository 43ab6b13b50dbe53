// prox = the GLOBAL minimiser: every function's array-level prox (per-element gamma, and scalar
// gamma: ScalarGammaMatchesGlobalMinimiser) against
// the long-double brute force of brute_force.hpp, over >= 10^4 (z, gamma, parameter)
// combinations per function on each backend and in float and double. z spans tiny to huge
// magnitudes and both sides of every threshold of MATH.md; gamma spans 1e-3..1e3 and the
// single-valuedness limit 1/rho. Inputs are float values, so float and double see the same
// problems and share one reference.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <random>
#include <sstream>
#include <type_traits>

#include "backends.hpp"
#include "brute_force.hpp"
#include "cases.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/penalties/prox_fallbacks.hpp"

namespace recon::testing {
namespace {

namespace pn = penalties;

// Thresholds of z where the prox changes branch, from MATH.md's formulas (z >= 0).
std::vector<double> critical_points(const Function& fn, double t) {
  return std::visit(
      [t](const auto& f) -> std::vector<double> {
        using F = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<F, pn::L1>) return {t};
        if constexpr (std::is_same_v<F, pn::L0>) return {std::sqrt(2 * t)};
        if constexpr (std::is_same_v<F, pn::Lp>) {
          const double beta = std::pow(2 * t * (1 - f.p), 1 / (2 - f.p));
          return {beta, beta + t * f.p * std::pow(beta, f.p - 1)};
        }
        if constexpr (std::is_same_v<F, pn::Mcp>) return {t * f.weight * f.mu, f.theta * f.mu};
        if constexpr (std::is_same_v<F, pn::Scad>)
          return {t * f.weight * f.mu, (1 + t * f.weight) * f.mu, f.a * f.mu};
        if constexpr (std::is_same_v<F, pn::CappedL1>) return {t, f.theta, f.theta + t / 2};
        if constexpr (std::is_same_v<F, pn::Weep>)
          return {(1 + t * f.a) * f.x1, (1 - t) * f.x2 + t * f.m, f.x1, f.x2, f.m};
        if constexpr (std::is_same_v<F, pn::Huber>) return {f.delta * (1 + t)};
        if constexpr (std::is_same_v<F, pn::Tukey>) return {f.c};
        if constexpr (std::is_same_v<F, pn::CappedLog>) return {f.cap};
        return {};
      },
      fn);
}

struct Problem {
  std::vector<float> z, t;
  std::vector<Reference> ref;
};

// The (z, gamma) grid for one function; values are floats (exact in double too).
Problem make_problem(const Function& fn, int per_function_target, int n_functions, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  const double rho = pn::properties_of(fn).weak_convexity;
  std::vector<double> ts;
  for (int k = 0; k < 14; ++k) ts.push_back(std::pow(10.0, -3 + 6.0 * k / 13));
  if (rho > 0 && std::isfinite(rho))
    for (double f : {1 - 1e-3, 1 - 1e-6, 1.0, 1 + 1e-3}) ts.push_back(f / rho);
  ts.push_back(1.0);
  Problem pb;
  const int per_t = per_function_target / (n_functions * static_cast<int>(ts.size())) + 1;
  for (double t : ts) {
    std::vector<double> zs = {0, 1e-38, 1e-30, 1e30, 3e38};
    for (double c : critical_points(fn, t))
      for (double r : {1 - 1e-3, 1 - 1e-6, 1.0, 1 + 1e-6, 1 + 1e-3}) zs.push_back(c * r);
    while (static_cast<int>(zs.size()) < per_t) zs.push_back(std::pow(10.0, -4 + 8 * unit(gen)));
    for (double z : zs) {
      pb.z.push_back(static_cast<float>(unit(gen) < 0.5 ? -z : z));
      pb.t.push_back(static_cast<float>(t));
    }
  }
  pb.ref.resize(pb.z.size());
  std::visit(
      [&](const auto& f) {
#pragma omp parallel for schedule(dynamic, 16)
        for (long i = 0; i < static_cast<long>(pb.z.size()); ++i)
          pb.ref[i] = brute_force(f, pb.z[i], pb.t[i]);
      },
      fn);
  return pb;
}

// prox of pb's z at its gammas: per element, or (scalar_gamma) one scalar-gamma call per run of
// equal gammas (the problem is laid out gamma by gamma), the host's certified fast path, whose
// tiers `path` picks (automatic: by size).
template <class T>
std::vector<T> run_prox(const Context& ctx, const Function& fn, const Problem& pb, bool scalar_gamma,
                        pn::detail::FastPath path) {
  const index_t n = static_cast<index_t>(pb.z.size());
  const auto z = Array<T>::from_host(ctx, Shape{n}, std::vector<T>(pb.z.begin(), pb.z.end()));
  Array<T> out(ctx, Shape{n});
  if (!scalar_gamma) {
    const auto t = Array<T>::from_host(ctx, Shape{n}, std::vector<T>(pb.t.begin(), pb.t.end()));
    pn::prox<T>(ctx, fn, t, z, out);
    return out.to_host_vector();
  }
  std::vector<T> got;
  for (index_t b = 0, e = 0; b < n; b = e) {
    for (e = b; e < n && pb.t[e] == pb.t[b];) ++e;
    const auto zb =
        Array<T>::from_host(ctx, Shape{e - b}, std::vector<T>(pb.z.begin() + b, pb.z.begin() + e));
    Array<T> ob(ctx, Shape{e - b});
    if (path == pn::detail::FastPath::automatic)
      pn::prox<T>(ctx, fn, T(pb.t[b]), zb, ob);
    else
      pn::detail::prox_fallbacks<T>(ctx, fn, T(pb.t[b]), zb, ob, path);
    const auto part = ob.to_host_vector();
    got.insert(got.end(), part.begin(), part.end());
  }
  return got;
}

// Returns a description of every disagreement (empty when all pass).
template <class T>
std::vector<std::string> check(const Context& ctx, const Function& fn, const Problem& pb,
                               bool scalar_gamma = false,
                               pn::detail::FastPath path = pn::detail::FastPath::automatic) {
  const index_t n = static_cast<index_t>(pb.z.size());
  const auto got = run_prox<T>(ctx, fn, pb, scalar_gamma, path);
  const long double eps = std::numeric_limits<T>::epsilon();
  std::vector<std::string> bad;
  std::visit(
      [&](const auto& f) {
        for (index_t i = 0; i < n; ++i) {
          const long double zi = pb.z[i], ti = pb.t[i], x = got[i];
          const Reference& r = pb.ref[i];
          const long double s = std::max(std::fabs(zi), std::fabs(r.x));
          // Rounding of T in the candidates' objectives: relative to F(0) and t*phi.
          const long double scale = zi * zi / 2 + ti * std::fabs(f.template value<long double>(r.x));
          const long double tol_f = 32 * eps * scale + 1e-300L;
          const long double fx = std::isfinite(x) ? objective(f, x, zi, ti) : INFINITY;
          bool ok = fx <= r.objective + tol_f;
          // Where the minimiser is unique, the argument too, to the precision its curvature k
          // allows both for us (a root found to eps, amplified by 1/k) and for the brute force
          // (the objective resolved to long double's eps: sqrt(eps_ld * scale / k)).
          if (ok && r.second - r.objective > 1000 * tol_f && std::fabs(fx - r.objective) <= tol_f) {
            const long double k = std::max(r.curvature, 1e-30L);
            // F within tol_f of a k-convex minimum bounds |x - x*| by sqrt(2 tol_f / k) (T's
            // rounding of near-equal candidate objectives can use that slack).
            const long double tol_x = std::max(64 * eps * (s + std::fabs(zi)) / k, std::sqrt(2 * tol_f / k)) +
                                      8 * std::numeric_limits<T>::denorm_min() +
                                      8 * std::sqrt(std::numeric_limits<long double>::epsilon() * scale / k);
            ok = std::fabs(x - r.x) <= tol_x;
          }
          if (!ok) {
            std::ostringstream msg;
            msg.precision(10);
            msg << pn::describe(fn) << ": z=" << pb.z[i] << " gamma=" << pb.t[i]
                << " prox=" << static_cast<double>(x) << " F=" << static_cast<double>(fx)
                << "; brute force x=" << static_cast<double>(r.x) << " F=" << static_cast<double>(r.objective)
                << " (tol " << static_cast<double>(tol_f) << ")";
            bad.push_back(msg.str());
          }
        }
      },
      fn);
  return bad;
}

class ProxBruteForce : public ::testing::TestWithParam<std::string> {};

TEST_P(ProxBruteForce, MatchesGlobalMinimiser) {
  const std::vector<Function> fns = functions_named(GetParam());
  ASSERT_FALSE(fns.empty());
  std::vector<Context> contexts = {Context::host()};
  if (cuda_available()) contexts.push_back(Context::cuda());
  int combos = 0;
  for (size_t k = 0; k < fns.size(); ++k) {
    const Problem pb =
        make_problem(fns[k], 10000, static_cast<int>(fns.size()), 1234u + static_cast<unsigned>(k));
    combos += static_cast<int>(pb.z.size());
    for (const Context& ctx : contexts) {
      for (const auto& bad : {check<float>(ctx, fns[k], pb), check<double>(ctx, fns[k], pb)}) {
        for (size_t j = 0; j < bad.size() && j < 8; ++j)
          ADD_FAILURE() << to_string(ctx.device()) << ": " << bad[j];
        EXPECT_EQ(bad.size(), 0u) << to_string(ctx.device()) << ": " << bad.size() << " disagreements";
      }
    }
  }
  EXPECT_GE(combos, 10000);
}

// The same grid through the scalar-gamma prox, whose host path is the certified fast one
// (fast_prox.hpp) for the iterative functions.
TEST_P(ProxBruteForce, ScalarGammaMatchesGlobalMinimiser) {
  const std::vector<Function> fns = functions_named(GetParam());
  ASSERT_FALSE(fns.empty());
  std::vector<Context> contexts = {Context::host()};
  if (cuda_available()) contexts.push_back(Context::cuda());
  for (size_t k = 0; k < fns.size(); ++k) {
    const Problem pb =
        make_problem(fns[k], 10000, static_cast<int>(fns.size()), 1234u + static_cast<unsigned>(k));
    for (const Context& ctx : contexts) {
      for (const auto& bad : {check<float>(ctx, fns[k], pb, true), check<double>(ctx, fns[k], pb, true)}) {
        for (size_t j = 0; j < bad.size() && j < 8; ++j)
          ADD_FAILURE() << to_string(ctx.device()) << ": " << bad[j];
        EXPECT_EQ(bad.size(), 0u) << to_string(ctx.device()) << ": " << bad.size() << " disagreements";
      }
    }
  }
}

// The same through the host's prox table (prox_table.hpp) in float, built for every call
// whatever its size.
TEST_P(ProxBruteForce, TableMatchesGlobalMinimiser) {
  const std::vector<Function> fns = functions_named(GetParam());
  for (size_t k = 0; k < fns.size(); ++k) {
    const Problem pb =
        make_problem(fns[k], 10000, static_cast<int>(fns.size()), 1234u + static_cast<unsigned>(k));
    const auto bad = check<float>(Context::host(), fns[k], pb, true, pn::detail::FastPath::table);
    for (size_t j = 0; j < bad.size() && j < 8; ++j) ADD_FAILURE() << bad[j];
    EXPECT_EQ(bad.size(), 0u) << bad.size() << " disagreements";
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

// The indicators' prox (a projection) is checked exactly in test_prox_structure.
std::vector<std::string> brute_force_names() {
  std::vector<std::string> names;
  for (const auto& n : function_names())
    if (n != "box" && n != "nonneg" && n != "l2-ball") names.push_back(n);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Penalties, ProxBruteForce, ::testing::ValuesIn(brute_force_names()), test_name);

}  // namespace
}  // namespace recon::testing
