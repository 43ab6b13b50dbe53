// The host's certified fast prox (float, scalar gamma; fast_prox.hpp) against the exact routine
// it falls back to (reached through a per-element gamma of the same value): equal to a few ulps
// of the result on a dense sweep of z for every parameter set of cases.hpp and a range of steps;
// few fallbacks on the benchmark's data (bench/bench_prox.cu: uniform in [-3, 3], gamma = 0.5). The
// brute-force check of the same path is ProxBruteForce.ScalarGammaMatchesGlobalMinimiser.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cases.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/penalties/prox_fallbacks.hpp"
#include "recon/kernels/penalties/prox_table.hpp"
#include "recon/kernels/penalties/prox_table_cache.hpp"

namespace recon::testing {
namespace {

namespace pn = penalties;

const std::vector<std::string>& iterative_names() {
  static const std::vector<std::string> names = {"lp",     "log", "capped-log", "cauchy", "geman-mcclure",
                                                 "welsch", "eq8", "tukey",      "barron"};
  return names;
}

// z: a uniform sweep of [-8, 8] and a geometric one of 1e-6..1e6 (both signs).
std::vector<double> sweep() {
  std::vector<double> z;
  for (int i = -8000; i <= 8000; ++i) z.push_back(i / 1000.0);
  for (int i = 0; i <= 2400; ++i) {
    const double v = std::pow(10.0, -6 + 12.0 * i / 2400);
    z.push_back(v);
    z.push_back(-v);
  }
  return z;
}

struct Comparison {
  index_t fallbacks = 0, n = 0;
  std::vector<std::string> bad;
};

// fast (scalar gamma, in T) against the exact routine in double (per-element gamma) at the same
// z, rounded to T: agreement to `ulps` of |x|. The Newton path's results are within about half
// an ulp of the true root and the table's within kTableUlps (prox_table.hpp); the exact routine
// in T would not do as the reference: its own rounding error reaches several ulps where x is far
// below z.
constexpr double kUlps = 4;
template <class T>
Comparison compare(const Function& fn, double gamma, const std::vector<double>& zs, double ulps,
                   pn::detail::FastPath path) {
  const Context ctx = Context::host();
  const index_t n = static_cast<index_t>(zs.size());
  std::vector<T> zt(zs.begin(), zs.end());
  const auto z = Array<T>::from_host(ctx, Shape{n}, zt);
  const auto zd = Array<double>::from_host(ctx, Shape{n}, std::vector<double>(zt.begin(), zt.end()));
  const auto g = Array<double>::from_host(ctx, Shape{n}, std::vector<double>(zs.size(), double(T(gamma))));
  Array<T> fast(ctx, Shape{n});
  Array<double> exact(ctx, Shape{n});
  Comparison c;
  c.n = n;
  c.fallbacks = pn::detail::prox_fallbacks<T>(ctx, fn, T(gamma), z, fast, path);
  pn::prox<double>(ctx, fn, g, zd, exact);
  const auto f = fast.to_host_vector();
  const auto e = exact.to_host_vector();
  const double eps = std::numeric_limits<T>::epsilon();
  for (index_t i = 0; i < n; ++i) {
    const double x = double(T(e[i])), tol = ulps * eps * std::fabs(x);
    if (!(std::fabs(double(f[i]) - x) <= tol) && c.bad.size() < 8) {
      std::ostringstream msg;
      msg.precision(10);
      msg << pn::describe(fn) << " gamma=" << gamma << " z=" << double(zt[i]) << ": fast " << double(f[i])
          << ", exact " << double(e[i]);
      c.bad.push_back(msg.str());
    }
  }
  return c;
}

class ProxScalarGamma : public ::testing::TestWithParam<std::string> {};

// Steps from tiny to large, and around 1/rho where the prox turns discontinuous.
std::vector<double> steps(const Function& fn) {
  std::vector<double> ts = {1e-3, 0.1, 0.5, 1, 3, 30};
  const double rho = pn::properties_of(fn).weak_convexity;
  if (rho > 0 && std::isfinite(rho))
    for (double f : {0.5, 0.99, 1.01, 2.0}) ts.push_back(f / rho);
  return ts;
}

// Barron's alpha = 2 is a closed form (z / (1 + t/c^2)), left to the exact routine.
bool has_fast_path(const Function& fn) {
  const auto* barron = std::get_if<pn::Barron>(&fn);
  return !(barron && barron->alpha == 2);
}

const char* path_name(pn::detail::FastPath path) {
  return path == pn::detail::FastPath::table ? "table+newton" : "newton";
}

template <class T>
void check_against_exact(const std::string& name, pn::detail::FastPath path) {
  const std::vector<double> zs = sweep();
  for (const Function& fn : functions_named(name)) {
    if (!has_fast_path(fn)) continue;
    index_t fallbacks = 0, n = 0;
    for (double t : steps(fn)) {
      const Comparison c = compare<T>(fn, t, zs, kUlps, path);
      ASSERT_GE(c.fallbacks, 0) << pn::describe(fn) << ": no fast path";
      for (const auto& b : c.bad) ADD_FAILURE() << b;
      fallbacks += c.fallbacks;
      n += c.n;
    }
    // Fallbacks are for near-ties, near-tangent roots, results far below z or near a turning point
    // of psi (ill-conditioned for the exact routine) and |z| > 2^40 (none here): at most a third of
    // this sweep, which dwells on every threshold at steps up to 30 and around 1/rho.
    EXPECT_LE(fallbacks, n / 3) << pn::describe(fn) << ": " << fallbacks << " of " << n << " fell back";
    std::printf("%-45s %s %-12s fallbacks %ld of %ld\n", pn::describe(fn).c_str(),
                sizeof(T) == 4 ? "float " : "double", path_name(path), long(fallbacks), long(n));
  }
}

// The Newton path alone, and the table (prox_table.hpp) in front of it, built whatever the size.
TEST_P(ProxScalarGamma, FastPathMatchesExactRoutine) {
  check_against_exact<float>(GetParam(), pn::detail::FastPath::newton);
}
TEST_P(ProxScalarGamma, TableMatchesExactRoutine) {
  check_against_exact<float>(GetParam(), pn::detail::FastPath::table);
}

// The benchmark's data (uniform in [-3, 3), gamma = 0.5, float) and parameter sets
// (bench/bench_prox.cu): few fallbacks to the exact routine. On the Newton path alone they are
// near-ties and roots where psi' is small (Tolerance::dmin); Barron with c = 0.2 has a steep
// stretch of the map there (x rises from 0.35 to 1.0 over z in [2.25, 2.45]) where a fifth of the
// elements fail the fixed count of Newton steps. With the table in front (automatic), whose
// refined segments cover that stretch, at most 1 in 1024 elements of any function.
TEST(ProxScalarGammaBenchmark, RarelyFallsBackOnBenchmarkData) {
  std::vector<double> zs;
  for (unsigned i = 0; i < (1u << 18); ++i) {
    const unsigned h = i * 2654435761u;
    zs.push_back(static_cast<float>(h >> 8) * (6.0f / 16777216.0f) - 3.0f);
  }
  const Function steep_barron = make_function("barron", {{"alpha", 0.5}, {"c", 0.2}});
  const std::vector<Function> cases = {
      make_function("lp", {{"p", 0.5}}),
      make_function("log", {{"p", 0.5}, {"eps", 1e-3}}),
      make_function("log", {{"p", 0.5}, {"eps", 1}}),
      make_function("capped-log", {{"p", 0.5}, {"eps", 1e-3}, {"theta", 1}}),
      make_function("cauchy", {{"delta", 1}}),
      make_function("geman-mcclure", {{"delta", 1}}),
      make_function("welsch", {{"delta", 1}}),
      make_function("barron", {{"alpha", 0.5}, {"c", 1}}),
      steep_barron,
      make_function("eq8"),
      make_function("tukey", {{"c", 4.685}}),
  };
  for (const auto path : {pn::detail::FastPath::newton, pn::detail::FastPath::automatic}) {
    for (const auto& fn : cases) {
      const bool newton = path == pn::detail::FastPath::newton;
      const double allowed = !newton                                          ? 1.0 / 1024
                             : pn::describe(fn) == pn::describe(steep_barron) ? 0.25
                                                                              : 1.0 / 64;
      const Comparison c = compare<float>(fn, 0.5, zs, kUlps, path);
      for (const auto& b : c.bad) ADD_FAILURE() << b;
      ASSERT_GE(c.fallbacks, 0) << pn::describe(fn);
      EXPECT_LE(c.fallbacks, allowed * c.n) << pn::describe(fn) << ": " << c.fallbacks << " of " << c.n;
      std::printf("%-45s benchmark data, %-12s fallbacks %ld of %ld\n", pn::describe(fn).c_str(),
                  newton ? "newton" : "automatic", long(c.fallbacks), long(c.n));
    }
  }
}

// Repeated calls with one function and step (as a solver's iterations) build its table once,
// when the elements asked for reach kTableMinElements, and keep agreeing with the exact routine
// before and after; another step is another table.
TEST(ProxTableCache, BuildsOnceForRepeatedCalls) {
  std::vector<double> zs;
  for (unsigned i = 0; i < 4096; ++i)
    zs.push_back(static_cast<float>((i * 2654435761u) >> 8) * (6.0f / 16777216.0f) - 3.0f);
  const Function fn = make_function("cauchy", {{"delta", 0.37}});  // no other test's key
  auto& cache = pn::fast::prox_table_cache();
  const long calls_to_build = long(pn::fast::kTableMinElements / index_t(zs.size()));
  const long before = cache.stats().builds;
  for (long call = 1; call <= calls_to_build + 4; ++call) {
    const Comparison c = compare<float>(fn, 0.5, zs, kUlps, pn::detail::FastPath::automatic);
    for (const auto& b : c.bad) ADD_FAILURE() << "call " << call << ": " << b;
    ASSERT_EQ(cache.stats().builds - before, call < calls_to_build ? 0 : 1) << "call " << call;
  }
  for (long call = 1; call <= calls_to_build; ++call)
    compare<float>(fn, 0.25, zs, kUlps, pn::detail::FastPath::automatic);
  EXPECT_EQ(cache.stats().builds - before, 2);
}

// The table's AVX2 loop and its portable form: the same results bit for bit and the same misses,
// on a sweep that has every regime of Barron with c = 0.2 (refined and rejected segments, zeros,
// tiny and huge |z|, a NaN and infinities).
TEST(ProxTable, VectorLoopMatchesPortableLoop) {
  std::vector<float> z;
  for (double v : sweep()) z.push_back(float(v));
  for (float v : {0.0f, -0.0f, 1e-30f, 3e38f, std::numeric_limits<float>::infinity(),
                  -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN()})
    z.push_back(v);
  const auto fn = std::get<pn::Barron>(make_function("barron", {{"alpha", 0.5}, {"c", 0.2}}));
  const pn::fast::ProxTable table = pn::fast::build_prox_table(fn, 0.5f, z.data(), index_t(z.size()), 2);
  ASSERT_GT(table.count, 0);
  const index_t m = index_t(z.size());
  std::vector<float> a(z.size()), b(z.size());
  std::vector<std::int32_t> ma(z.size()), mb(z.size());
  const index_t ka = table.evaluate(z.data(), a.data(), m, ma.data());
  const index_t kb = table.evaluate_portable(z.data(), b.data(), m, mb.data());
  ASSERT_EQ(ka, kb);
  EXPECT_GT(ka, 0);
  EXPECT_LT(ka, m);
  for (index_t q = 0; q < ka; ++q) ASSERT_EQ(ma[q], mb[q]);
  for (index_t j = 0; j < m; ++j) {
    if (std::isnan(z[j])) continue;
    ASSERT_EQ(pn::vmath::bits(a[j]), pn::vmath::bits(b[j])) << "z=" << z[j];
  }
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string s = info.param;
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

INSTANTIATE_TEST_SUITE_P(Penalties, ProxScalarGamma, ::testing::ValuesIn(iterative_names()), test_name);

// Functions without a fast path report it (-1), so the tests above cannot pass vacuously.
TEST(ProxScalarGammaHook, ClosedFormsHaveNoFastPath) {
  const Context ctx = Context::host();
  const auto z = Array<float>::from_host(ctx, Shape{3}, std::vector<float>{-1, 0, 2});
  Array<float> out(ctx, Shape{3});
  EXPECT_EQ(pn::detail::prox_fallbacks<float>(ctx, make_function("l1"), 0.5f, z, out), -1);
  EXPECT_EQ(pn::detail::prox_fallbacks<float>(ctx, make_function("lp", {{"p", 0.5}}), 0.0f, z, out), -1);
  EXPECT_EQ(
      pn::detail::prox_fallbacks<float>(ctx, make_function("barron", {{"alpha", 2}, {"c", 1}}), 0.5f, z, out),
      -1);
  EXPECT_GE(pn::detail::prox_fallbacks<float>(ctx, make_function("lp", {{"p", 0.5}}), 0.5f, z, out), 0);
  // Double precision has none (its results could not be polished in a wider type).
  const auto zd = Array<double>::from_host(ctx, Shape{3}, std::vector<double>{-1, 0, 2});
  Array<double> outd(ctx, Shape{3});
  EXPECT_EQ(pn::detail::prox_fallbacks<double>(ctx, make_function("lp", {{"p", 0.5}}), 0.5, zd, outd), -1);
}

}  // namespace
}  // namespace recon::testing
