// The scalar functions themselves: values against the textbook formulas of MATH.md written
// out independently, derivatives by finite differences, WEEP's envelope properties, the
// counterexamples MATH.md records against the papers, properties, and the name registry.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <variant>

#include "cases.hpp"
#include "recon/kernels/penalties/apply.hpp"

namespace recon::testing {
namespace {

namespace pn = penalties;
using ld = long double;

// phi(x) straight from the tables of MATH.md sections 1-2.
ld textbook(const Function& fn, ld x) {
  const ld a = std::fabs(x);
  return std::visit(
      [&](const auto& f) -> ld {
        using F = std::decay_t<decltype(f)>;
        auto logpen = [&](ld p, ld eps) {
          return std::log(1 + std::pow(a + eps, p)) - std::log(1 + std::pow(eps, p));
        };
        if constexpr (std::is_same_v<F, pn::L1>) {
          return a;
        } else if constexpr (std::is_same_v<F, pn::L0>)
          return a != 0;
        else if constexpr (std::is_same_v<F, pn::Lp>)
          return std::pow(a, ld(f.p));
        else if constexpr (std::is_same_v<F, pn::LogPenalty>)
          return logpen(f.p, f.eps);
        else if constexpr (std::is_same_v<F, pn::Mcp>)
          return f.weight *
                 (a <= f.theta * f.mu ? f.mu * a - x * x / (2 * f.theta) : f.theta * f.mu * f.mu / 2);
        else if constexpr (std::is_same_v<F, pn::Scad>)
          return f.weight * (a <= f.mu         ? f.mu * a
                             : a <= f.a * f.mu ? (-x * x + 2 * f.a * f.mu * a - f.mu * f.mu) / (2 * (f.a - 1))
                                               : (f.a + 1) * f.mu * f.mu / 2);
        else if constexpr (std::is_same_v<F, pn::CappedL1>)
          return std::min(a, ld(f.theta));
        else if constexpr (std::is_same_v<F, pn::CappedLog>)
          return std::min(logpen(f.log.p, f.log.eps), ld(f.theta));
        else if constexpr (std::is_same_v<F, pn::Huber>)
          return a <= f.delta ? x * x / 2 : f.delta * (a - f.delta / 2);
        else if constexpr (std::is_same_v<F, pn::SqL2>)
          return x * x / 2;
        else if constexpr (std::is_same_v<F, pn::Cauchy>)
          return std::log(1 + x * x / (f.delta * f.delta));
        else if constexpr (std::is_same_v<F, pn::GemanMcClure>)
          return 2 * x * x / (x * x + 4 * f.delta * f.delta);
        else if constexpr (std::is_same_v<F, pn::Welsch>)
          return 1 - std::exp(-x * x / (2 * f.delta * f.delta));
        else if constexpr (std::is_same_v<F, pn::Barron>) {
          const ld r = x / f.c;
          if (f.alpha == 0) return std::log(0.5L * r * r + 1);
          if (f.alpha == 2) return 0.5L * r * r;
          const ld b = std::fabs(f.alpha - 2);
          return b / f.alpha * (std::pow(r * r / b + 1, ld(f.alpha) / 2) - 1);
        } else if constexpr (std::is_same_v<F, pn::Eq8>)
          return std::log(1 + x * x) - x * x / (2 * x * x + 2);
        else if constexpr (std::is_same_v<F, pn::Tukey>) {
          const ld c2 = ld(f.c) * f.c;
          return a <= f.c ? c2 / 6 * (1 - std::pow(1 - x * x / c2, 3)) : c2 / 6;
        } else if constexpr (std::is_same_v<F, pn::Box>)
          return (x >= f.lo && x <= f.hi) ? 0 : INFINITY;
        else if constexpr (std::is_same_v<F, pn::NonNeg>)
          return x >= 0 ? 0 : INFINITY;
        else if constexpr (std::is_same_v<F, pn::L2Ball>)
          return a <= f.r ? 0 : INFINITY;
        else
          return NAN;  // WEEP: checked through its envelope properties below
      },
      fn);
}

// Points where phi is not differentiable (finite differences skip their neighbourhood).
std::vector<double> kinks(const Function& fn) {
  return std::visit(
      [](const auto& f) -> std::vector<double> {
        using F = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<F, pn::Mcp>)
          return {0, f.theta * f.mu};
        else if constexpr (std::is_same_v<F, pn::Scad>)
          return {0, f.mu, f.a * f.mu};
        else if constexpr (std::is_same_v<F, pn::CappedL1>)
          return {0, f.theta};
        else if constexpr (std::is_same_v<F, pn::CappedLog>)
          return {0, f.cap};
        else
          return {0};
      },
      fn);
}

TEST(PenaltyFunctions, ValuesMatchTheTextbookFormulas) {
  std::mt19937 gen(5);
  std::uniform_real_distribution<double> dist(-8, 8);
  for (const auto& name : function_names()) {
    if (name == "weep") continue;
    for (const Function& fn : functions_named(name)) {
      for (int k = 0; k < 2000; ++k) {
        const double x =
            k < 10 ? std::vector<double>{0, 1e-12, -1e-7, 1e-3, 0.5, 1, -2, 30, 1e4, -1e8}[k] : dist(gen);
        const ld want = textbook(fn, x);
        const double got = std::visit([x](const auto& f) { return f.value(x); }, fn);
        if (std::isinf(want)) {
          ASSERT_EQ(got, double(want)) << pn::describe(fn) << " x=" << x;
        } else {
          ASSERT_NEAR(got, double(want), 1e-12 * (1 + std::fabs(double(want))))
              << pn::describe(fn) << " x=" << x;
        }
      }
    }
  }
}

TEST(PenaltyFunctions, GradientsMatchFiniteDifferences) {
  std::mt19937 gen(6);
  std::uniform_real_distribution<double> dist(-8, 8);
  for (const auto& name : function_names()) {
    for (const Function& fn : functions_named(name)) {
      std::visit(
          [&](const auto& f) {
            using F = std::decay_t<decltype(f)>;
            if constexpr (F::has_grad) {
              for (int k = 0; k < 2000; ++k) {
                const double x = dist(gen), h = 1e-6 * std::max(1.0, std::fabs(x));
                bool near_kink = false;
                for (double c : kinks(fn)) near_kink = near_kink || std::fabs(std::fabs(x) - c) < 1e-3;
                if (near_kink) continue;
                const double fd = (f.value(x + h) - f.value(x - h)) / (2 * h);
                ASSERT_NEAR(f.grad(x), fd, 1e-5 * (1 + std::fabs(fd))) << pn::describe(fn) << " x=" << x;
              }
            }
          },
          fn);
    }
  }
}

// MATH.md 1.1: WEEP is the 1-weakly convex envelope of h: below h, equal to it on the outer
// pieces, C1, and WEEP + x^2/2 is convex.
TEST(PenaltyFunctions, WeepIsTheWeaklyConvexEnvelopeOfItsBasePenalty) {
  for (const Function& fn : functions_named("weep")) {
    const auto& f = std::get<pn::Weep>(fn);
    auto h = [&](double x) {
      const double a = std::fabs(x), k = std::sqrt(2 / f.a);
      return a <= k ? f.a / 2 * x * x : f.b * a + 1 - f.b * k;
    };
    const double top = 3 * (f.x2 + 1), step = top / 20000;
    for (double x = -top; x <= top; x += step) {
      ASSERT_LE(f.value(x), h(x) + 1e-12) << pn::describe(fn) << " x=" << x;
      if (std::fabs(x) <= f.x1 || std::fabs(x) >= f.x2) {
        ASSERT_NEAR(f.value(x), h(x), 1e-12 * (1 + h(x))) << pn::describe(fn) << " x=" << x;
      }
      auto e = [&](double y) { return f.value(y) + y * y / 2; };
      ASSERT_GE(e(x + step) + e(x - step) - 2 * e(x), -1e-9) << pn::describe(fn) << " x=" << x;
    }
    for (double k : {f.x1, f.x2})
      EXPECT_NEAR(f.grad(k * (1 - 1e-12)), f.grad(k * (1 + 1e-12)), 1e-9) << pn::describe(fn);
  }
}

TEST(PenaltyCounterexamples, LogPenaltyTable4RowIsWrong) {
  // eps -> 0, lambda = 1, p = 0.5: prox is 0 for |w| < 1.191, then jumps to about 0.926.
  const auto f = std::get<pn::LogPenalty>(make_function("log", {{"p", 0.5}, {"eps", 1e-12}}));
  EXPECT_EQ(f.prox(1.0355, 1.0), 0.0);  // Table 4 gives 0.7152 (objective 0.664 > 0.536 at 0)
  EXPECT_EQ(f.prox(1.18, 1.0), 0.0);
  EXPECT_EQ(f.prox(-1.18, 1.0), 0.0);
  EXPECT_NEAR(f.prox(1.195, 1.0), 0.926, 0.01);
  EXPECT_NEAR(f.prox(-1.195, 1.0), -0.926, 0.01);
  auto obj = [&](double x, double w) { return f.value(x) + 0.5 * (x - w) * (x - w); };
  EXPECT_NEAR(obj(0.7152, 1.0355), 0.664, 1e-3);
  EXPECT_NEAR(obj(0.0, 1.0355), 0.536, 1e-3);
}

TEST(PenaltyCounterexamples, McpZeroRegion) {
  // 003's eq. 9 with lambda = 0.5, theta = 3 at w = 0.2: Table 4 gives -0.45, the minimiser is 0.
  const auto f = std::get<pn::Mcp>(make_function("mcp", {{"mu", 0.5}, {"theta", 3}, {"weight", 0.5}}));
  EXPECT_EQ(f.prox(0.2, 1.0), 0.0);
  EXPECT_EQ(f.prox(-0.2, 1.0), 0.0);
  // Beyond the single-valuedness limit (t >= theta) only 0 and max(z, theta mu) compete.
  const auto g = std::get<pn::Mcp>(make_function("mcp", {{"mu", 1}, {"theta", 2}}));
  EXPECT_EQ(g.prox(1.9, 3.0), 0.0);
  EXPECT_EQ(g.prox(2.5, 3.0), 2.5);
}

TEST(PenaltyCounterexamples, WeepBeyondEq10) {
  // a = 10, b = 0.1, t = 2, z = 2.5: eq. 10 gives 0.119, the global minimiser is 2.3.
  const auto f = std::get<pn::Weep>(make_function("weep", {{"a", 10}, {"b", 0.1}}));
  EXPECT_NEAR(f.prox(2.5, 2.0), 2.3, 1e-12);
  EXPECT_NEAR(f.prox(-2.5f, 2.0f), -2.3f, 1e-6f);
}

TEST(PenaltyCounterexamples, DomainsAreEnforced) {
  auto message = [](const std::string& name, const Params& p) {
    try {
      make_function(name, p);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  // a = 2, b = 4 >= sqrt(2a): the envelope formulas would give 4 at x = 2 where it is 5.
  EXPECT_NE(message("weep", {{"a", 2}, {"b", 4}}).find("weep: parameter b = 4"), std::string::npos);
  EXPECT_NE(message("weep", {{"a", 2}, {"b", 2}}).find("0 <= b < sqrt(2a)"), std::string::npos);
  EXPECT_NE(message("barron", {{"alpha", 2.5}, {"c", 1}}).find("barron: parameter alpha = 2.5"),
            std::string::npos);
  EXPECT_NE(message("lp", {{"p", 1}}).find("expected 0 < p < 1"), std::string::npos);
  EXPECT_NE(message("scad", {{"mu", 1}, {"a", 2}}).find("expected a > 2"), std::string::npos);
  EXPECT_NE(message("log", {{"p", 0.5}, {"eps", 0}}).find("log: parameter eps = 0"), std::string::npos);
  EXPECT_NE(message("capped-log", {{"p", 2}, {"eps", 1}, {"theta", 1}}).find("capped-log: parameter p"),
            std::string::npos);
  EXPECT_NE(message("mcp", {{"mu", 1}, {"theta", NAN}}).find("mcp: parameter theta"), std::string::npos);
  EXPECT_NE(message("box", {{"lo", 2}, {"hi", 1}}).find("expected lo <= hi"), std::string::npos);
  EXPECT_EQ(message("weep", {{"a", 2}, {"b", 1.99}}), "accepted");
  EXPECT_EQ(message("barron", {{"alpha", 2}, {"c", 1}}), "accepted");
}

TEST(PenaltyProperties, SingleValuednessAndModuli) {
  EXPECT_TRUE(pn::properties_of(make_function("mcp", {{"mu", 1}, {"theta", 1.5}})).prox_single_valued(1));
  EXPECT_FALSE(pn::properties_of(make_function("mcp", {{"mu", 1}, {"theta", 1}})).prox_single_valued(1));
  EXPECT_FALSE(pn::properties_of(make_function("mcp", {{"mu", 1}, {"theta", 0.9}})).prox_single_valued(1));
  EXPECT_DOUBLE_EQ(pn::properties_of(make_function("scad", {{"mu", 1}, {"a", 3.7}})).weak_convexity, 1 / 2.7);
  const auto weep = pn::properties_of(make_function("weep", {{"a", 4}, {"b", 1}}));
  EXPECT_TRUE(weep.differentiable);
  EXPECT_EQ(weep.grad_lipschitz, 4);
  EXPECT_TRUE(weep.prox_single_valued(0.99));
  EXPECT_FALSE(weep.prox_single_valued(1));
  EXPECT_FALSE(pn::properties_of(make_function("l0")).prox_single_valued(1e-9));
  EXPECT_FALSE(pn::properties_of(make_function("lp", {{"p", 0.5}})).prox_single_valued(1e-9));
  EXPECT_TRUE(pn::properties_of(make_function("l1")).prox_single_valued(1e9));
  EXPECT_TRUE(pn::properties_of(make_function("barron", {{"alpha", 1}, {"c", 1}})).convex);
  EXPECT_FALSE(pn::properties_of(make_function("box", {{"lo", 0}, {"hi", 1}})).even);
  // rho is the sup of -phi'' (second differences of the values in long double): attained
  // inside for the redescending losses, approached at 0+ for the log penalty.
  for (const auto& name : function_names()) {
    for (const Function& fn : functions_named(name)) {
      const auto props = pn::properties_of(fn);
      if (!std::isfinite(props.weak_convexity) || props.convex || name == "mcp" || name == "scad" ||
          name == "weep")
        continue;
      const bool at_zero = name == "log";
      ld worst = 0;
      std::visit(
          [&](const auto& f) {
            const ld start = at_zero ? 1e-3L * std::get<pn::LogPenalty>(fn).eps : 1e-3L;
            for (ld x = start; x < 200; x *= 1.001L) {
              const ld h = (at_zero ? 1e-2L : 1e-4L) * x;
              worst = std::max(worst, -(f.value(x + h) + f.value(x - h) - 2 * f.value(x)) / (h * h));
            }
          },
          fn);
      if (at_zero) {
        EXPECT_LE(worst, props.weak_convexity * (1 + 1e-4)) << pn::describe(fn);
        EXPECT_GE(worst, props.weak_convexity * 0.99) << pn::describe(fn);
      } else {
        EXPECT_NEAR(double(worst), props.weak_convexity, 2e-3 * props.weak_convexity) << pn::describe(fn);
      }
    }
  }
}

// The kind is a compile-time member (for if constexpr dispatch) and a property; both agree for
// every alternative of Function, and each name has the role MATH.md gives it: section 1
// penalties (l1, huber, sq-l2 included though section 2 also lists them as losses), section 2
// losses, section 1.3 constraints.
static_assert(pn::Mcp::kind == pn::FunctionKind::Penalty);
static_assert(pn::Welsch::kind == pn::FunctionKind::Loss);
static_assert(pn::L2Ball::kind == pn::FunctionKind::Indicator);

template <size_t... I>
void expect_kinds_agree(std::index_sequence<I...>) {
  auto one = [](auto f) {
    using F = decltype(f);
    EXPECT_EQ(f.properties().kind, F::kind) << F::name;
    EXPECT_EQ(pn::kind_of(Function(f)), F::kind) << F::name;
    EXPECT_EQ(pn::properties_of(Function(f)).kind, F::kind) << F::name;
  };
  (one(std::variant_alternative_t<I, Function>{}), ...);
}

TEST(PenaltyProperties, KindOfEveryFunction) {
  expect_kinds_agree(std::make_index_sequence<std::variant_size_v<Function>>{});
  using K = pn::FunctionKind;
  const std::map<std::string, K> expected = {
      {"l1", K::Penalty},         {"l0", K::Penalty},         {"lp", K::Penalty},
      {"log", K::Penalty},        {"mcp", K::Penalty},        {"scad", K::Penalty},
      {"capped-l1", K::Penalty},  {"capped-log", K::Penalty}, {"weep", K::Penalty},
      {"huber", K::Penalty},      {"sq-l2", K::Penalty},      {"cauchy", K::Loss},
      {"geman-mcclure", K::Loss}, {"welsch", K::Loss},        {"barron", K::Loss},
      {"eq8", K::Loss},           {"tukey", K::Loss},         {"box", K::Indicator},
      {"nonneg", K::Indicator},   {"l2-ball", K::Indicator}};
  EXPECT_EQ(expected.size(), pn::function_signatures().size());
  for (const auto& sig : pn::function_signatures()) {
    const auto it = expected.find(sig.name);
    ASSERT_NE(it, expected.end()) << sig.name << " has no expected kind here";
    for (const Function& fn : functions_named(sig.name)) {
      EXPECT_EQ(pn::kind_of(fn), it->second) << pn::describe(fn);
      EXPECT_EQ(pn::properties_of(fn).kind, it->second) << pn::describe(fn);
    }
    EXPECT_FALSE(functions_named(sig.name).empty()) << sig.name;
  }
  EXPECT_STREQ(pn::to_string(K::Loss), "loss");
}

TEST(PenaltyRegistry, NamesParametersAndErrors) {
  std::vector<std::string> tested = function_names();
  for (const auto& sig : pn::function_signatures())
    EXPECT_NE(std::find(tested.begin(), tested.end(), sig.name), tested.end())
        << sig.name << " is not tested";
  EXPECT_EQ(pn::function_signatures().size(), tested.size());
  EXPECT_EQ(pn::describe(make_function("mcp", {{"mu", 0.5}, {"theta", 3}})),
            "mcp(mu=0.5, theta=3, weight=1)");
  EXPECT_EQ(pn::describe(make_function("sq-l2")), "sq-l2()");
  EXPECT_STREQ(pn::name_of(make_function("geman-mcclure", {{"delta", 1}})), "geman-mcclure");
  try {
    make_function("mpc");
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown penalty or loss 'mpc'; known: l1, l0, lp, log, mcp"),
              std::string::npos);
  }
  try {
    make_function("mcp", {{"mu", 1}, {"lambda", 2}});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "mcp: unknown parameter 'lambda'; expected mu, theta, weight");
  }
  try {
    make_function("mcp", {{"mu", 1}});
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_STREQ(e.what(), "mcp: missing parameter 'theta'; expected mu, theta, weight");
  }
}

}  // namespace
}  // namespace recon::testing
