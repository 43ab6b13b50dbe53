// Parity of datasets/: phantoms, test signals and noise generators. The code promises the same
// values on both backends (random.hpp: a counter RNG, every draw a pure function of (seed,
// index, stream); signals.hpp: "the same values, up to the last bits of log/cos on the
// device"), so the outputs are compared element by element, not by their statistics.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "parity.hpp"
#include "recon/datasets/datasets.hpp"

namespace recon::parity {
namespace {

template <class T>
class ParityDatasets : public ParityTest<T> {
 protected:
  // Where the code branches on a computed value (a pixel centre on an ellipse's edge, a
  // Poisson sampler's acceptance test), a last-bit difference may flip the branch for an
  // element: at most `fraction` of the elements may then differ by more than tol.
  template <class Run>
  void expect_mostly_same(const std::string& what, Run run, Tolerance tol, double fraction) const {
    const auto h = as_double(run(this->host())), d = as_double(run(this->device()));
    ASSERT_EQ(h.size(), d.size()) << what;
    double peak = 0;
    for (double v : h) peak = std::max(peak, std::fabs(v));
    std::size_t flips = 0;
    for (std::size_t i = 0; i < h.size(); ++i) {
      ASSERT_TRUE(std::isfinite(h[i]) && std::isfinite(d[i]))
          << what << ": element " << i << " host " << h[i] << ", device " << d[i];
      if (std::fabs(h[i] - d[i]) > tol.rel * std::fabs(h[i]) + tol.floor * peak) ++flips;
    }
    EXPECT_LE(double(flips), fraction * double(h.size()))
        << what << ": " << flips << " of " << h.size() << " elements differ; " << agree(h, d, tol).message();
  }
};
TYPED_TEST_SUITE(ParityDatasets, ParityTypes, TypeName);

// Inside tests of ellipse edges: a flip is one pixel of the edge, well under 0.1 % here.
TYPED_TEST(ParityDatasets, Phantoms) {
  using T = TypeParam;
  this->expect_mostly_same(
      "shepp_logan_2d",
      [&](const Context& c) { return datasets::shepp_logan_2d<T>(c, 257).to_host_vector(); },
      elementwise<T>(), 1e-3);
  this->expect_mostly_same(
      "shepp_logan_3d",
      [&](const Context& c) { return datasets::shepp_logan_3d<T>(c, 21, 34, 40).to_host_vector(); },
      elementwise<T>(), 1e-3);
}

// sin, log and cos on the device: 10 unit<T>() element-wise.
TYPED_TEST(ParityDatasets, Signals) {
  using T = TypeParam;
  this->expect_mostly_same(
      "edges_texture_1d",
      [&](const Context& c) { return datasets::edges_texture_1d<T>(c, 5000).to_host_vector(); },
      elementwise<T>(10), 1e-3);
  // The positions come from the host (Floyd's algorithm) on both sides: the support is exact.
  this->expect_same(
      "sparse_vector",
      [&](const Context& c) { return datasets::sparse_vector<T>(c, 4000, 300, 17).to_host_vector(); },
      elementwise<T>(10));
  // Column norms are reductions of m terms in double: inside 10 unit<T>().
  this->expect_same(
      "gaussian_matrix",
      [&](const Context& c) { return datasets::gaussian_matrix<T>(c, 60, 90, 18).to_host_vector(); },
      elementwise<T>(10));
}

TYPED_TEST(ParityDatasets, Noise) {
  using T = TypeParam;
  constexpr index_t n = 30011;
  const Shape s{n};
  const auto base = random_values<T>(n, 101, 0, 2);
  const auto noisy = [&](auto add) {
    return [&, add](const Context& c) {
      auto x = Array<T>::from_host(c, s, base);
      add(c, x.view());
      return x.to_host_vector();
    };
  };
  this->expect_same("gaussian",
                    noisy([](const Context& c, View<T> x) { datasets::add_gaussian_noise<T>(c, x, 0.3, 5); }),
                    elementwise<T>(10));
  // tan(pi (u - 1/2)) near +-pi/2 amplifies the argument's rounding by 1/cos: the large
  // samples carry it, covered by the floor (10 unit<T>() of the largest sample).
  this->expect_same("cauchy",
                    noisy([](const Context& c, View<T> x) { datasets::add_cauchy_noise<T>(c, x, 0.05, 6); }),
                    elementwise<T>(10));
  this->expect_same("impulsive", noisy([](const Context& c, View<T> x) {
                      datasets::add_impulsive_noise<T>(c, x, 0.1, 5.0, 7);
                    }),
                    elementwise<T>());
  // Poisson counts: Knuth's products (rates < 10) and PTRS (>= 10) accept or reject on
  // exp/log values; a last-bit difference can change a count, at most 0.1 % of them.
  const auto rates = random_values<T>(n, 102, 0.5, 40);
  this->expect_mostly_same(
      "sample_poisson",
      [&](const Context& c) {
        const auto r = Array<T>::from_host(c, s, rates);
        auto counts = poisoned<T>(c, s);
        datasets::sample_poisson<T>(c, r.view(), counts.view(), 8);
        return counts.to_host_vector();
      },
      elementwise<T>(), 1e-3);
  this->expect_mostly_same("poisson transmission", noisy([](const Context& c, View<T> x) {
                             datasets::add_poisson_transmission_noise<T>(c, x, 1e4, 9);
                           }),
                           elementwise<T>(10), 1e-3);
}

}  // namespace
}  // namespace recon::parity
