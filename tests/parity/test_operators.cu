// Parity of the linear operators of operators/: apply, adjoint and, where it exists, the
// closed-form normal_inverse, each operator built on the side's own context (operators that
// hold data keep it on the device they were made for).
#include <cmath>
#include <cstdint>

#include "parity.hpp"
#include "recon/operators/operators.hpp"

namespace recon::parity {
namespace {

template <class T>
class ParityOperators : public ParityTest<T> {
 protected:
  // make(ctx) -> Operator<T>. normwise: compare with agree_normwise at rel = factor unit<T>()
  // (transforms with norm-bounded rounding), else element-wise at elementwise<T>(factor).
  // normal_inverse is compared normwise at inverse_factor unit<T>() (factor when 0).
  template <class Make>
  void expect_operator(const std::string& name, Make make, double factor, bool normwise,
                       double inverse_factor = 0) const {
    const Operator<T> probe = make(this->host());
    const Shape dom = probe.domain(), ran = probe.range();
    const auto x = random_values<T>(dom.size(), 61), y = random_values<T>(ran.size(), 62);
    const auto compare = [&](const std::string& what, auto run) {
      if (normwise)
        this->expect_same_normwise(name + " " + what, run, factor * unit<T>());
      else
        this->expect_same(name + " " + what, run, elementwise<T>(factor));
    };
    compare("apply", [&](const Context& c) {
      const Operator<T> op = make(c);
      const auto a = Array<T>::from_host(c, dom, x);
      auto out = poisoned<T>(c, ran);
      op.apply(c, a.view(), out.view());
      return out.to_host_vector();
    });
    compare("adjoint", [&](const Context& c) {
      const Operator<T> op = make(c);
      const auto a = Array<T>::from_host(c, ran, y);
      auto out = poisoned<T>(c, dom);
      op.adjoint(c, a.view(), out.view());
      return out.to_host_vector();
    });
    if (!probe.has_normal_inverse()) return;
    this->expect_same_normwise(
        name + " normal_inverse",
        [&](const Context& c) {
          const Operator<T> op = make(c);
          const auto a = Array<T>::from_host(c, dom, x);
          auto out = poisoned<T>(c, dom);
          op.normal_inverse(c, T(0.5), a.view(), out.view());
          return out.to_host_vector();
        },
        (inverse_factor > 0 ? inverse_factor : factor) * unit<T>());
  }
};
TYPED_TEST_SUITE(ParityOperators, ParityTypes, TypeName);

// One difference per element: element-wise (the floor covers cancellation). normal_inverse
// goes through a DCT/FFT and a division by eig + lambda <= 4k + lambda: normwise, log2 N times
// the condition number (4k + lambda) / lambda.
TYPED_TEST(ParityOperators, FiniteDifferences) {
  using T = TypeParam;
  for (Boundary b : {Boundary::Neumann, Boundary::Periodic}) {
    const std::string bn = b == Boundary::Neumann ? "neumann" : "periodic";
    const Shape s2{37, 64}, s3{9, 12, 17};
    // log2 N (<= 12 here) times the condition number (4k + lambda) / lambda, lambda = 0.5.
    const auto inverse = [](int k) { return 12 * (4 * k + 0.5) / 0.5; };
    for (int axis : {0, 1})
      this->expect_operator(
          "finite_difference axis " + std::to_string(axis) + " " + bn,
          [&](const Context&) { return finite_difference<T>(s2, axis, b); }, 1, false, inverse(1));
    this->expect_operator(
        "gradient 1d " + bn, [&](const Context&) { return gradient<T>(Shape{1001}, b); }, 1, false,
        inverse(1));
    this->expect_operator(
        "gradient 2d " + bn, [&](const Context&) { return gradient<T>(s2, b); }, 1, false, inverse(2));
    this->expect_operator(
        "gradient 3d " + bn, [&](const Context&) { return gradient<T>(s3, b); }, 1, false, inverse(3));
  }
}

// Butterflies: log2 N stages, normwise. A 64-long row fits the device's shared-memory path,
// 2^15 = 32768 elements (128 KiB in float) exceeds it and takes the staged path.
TYPED_TEST(ParityOperators, WalshHadamard) {
  using T = TypeParam;
  for (HadamardOrder order : {HadamardOrder::Natural, HadamardOrder::Sequency}) {
    const std::string on = order == HadamardOrder::Natural ? " natural" : " sequency";
    this->expect_operator(
        "hadamard 2d batch 3" + on,
        [&](const Context&) {
          return walsh_hadamard<T>(Shape{3, 32, 64}, 2, order);
        },
        16, true);
    this->expect_operator(
        "hadamard 3d" + on,
        [&](const Context&) {
          return walsh_hadamard<T>(Shape{8, 16, 4}, 3, order);
        },
        16, true);
    this->expect_operator(
        "hadamard 1d long row" + on,
        [&](const Context&) {
          return walsh_hadamard<T>(Shape{2, 1 << 15}, 1, order);
        },
        16, true);
  }
}

// cuFFT against FFTW: normwise, c log2 N u ||x|| (Higham Thm. 24.2), c = 4 with unit's margin.
TYPED_TEST(ParityOperators, Fourier) {
  using T = TypeParam;
  for (bool shift : {false, true}) {
    const std::string sn = shift ? " fftshift" : "";
    this->expect_operator(
        "c2c 2d" + sn,
        [&](const Context&) {
          return fourier<T>(Shape{48, 30, 2}, FourierKind::ComplexToComplex, 0, shift);
        },
        4 * 11, true);
    this->expect_operator(
        "c2c 1d batch" + sn,
        [&](const Context&) {
          return fourier<T>(Shape{5, 97, 2}, FourierKind::ComplexToComplex, 1, shift);
        },
        4 * 7, true);
    this->expect_operator(
        "r2c 2d" + sn,
        [&](const Context&) {
          return fourier<T>(Shape{40, 33}, FourierKind::RealToComplex, 0, shift);
        },
        4 * 11, true);
    this->expect_operator(
        "r2c 3d" + sn,
        [&](const Context&) {
          return fourier<T>(Shape{6, 10, 16}, FourierKind::RealToComplex, 0, shift);
        },
        4 * 10, true);
  }
}

// The DCT-II is one r2c FFT of the mirrored extension (2^rank N) and a phase per bin, its
// adjoint one c2r: normwise as Fourier, with log2 of the extended size.
TYPED_TEST(ParityOperators, Dct) {
  using T = TypeParam;
  this->expect_operator(
      "dct 2d",
      [&](const Context&) {
        return dct<T>(Shape{37, 64});
      },
      4 * 14, true);
  this->expect_operator(
      "dct 3d",
      [&](const Context&) {
        return dct<T>(Shape{6, 9, 17});
      },
      4 * 13, true);
  this->expect_operator(
      "dct 1d batch",
      [&](const Context&) {
        return dct<T>(Shape{5, 97}, 1);
      },
      4 * 8, true);
}

// Circular: through the FFT (normwise, as Fourier). Direct stencils: sums of k taps, so an
// element-wise factor k (the floor covers cancellation).
TYPED_TEST(ParityOperators, Convolution) {
  using T = TypeParam;
  const Shape dom{29, 40}, ks{5, 3};
  const auto h = random_values<T>(ks.size(), 65);
  this->expect_operator(
      "convolution circular",
      [&](const Context& c) { return convolution<T>(c, dom, ks, h, ConvolutionBoundary::Circular); }, 4 * 11,
      true);
  for (auto b : {ConvolutionBoundary::Neumann, ConvolutionBoundary::Zero})
    this->expect_operator(
        b == ConvolutionBoundary::Neumann ? "convolution neumann" : "convolution zero",
        [&](const Context& c) { return convolution<T>(c, dom, ks, h, b); }, double(ks.size()), false);
  const Shape dom3{7, 9, 11}, ks3{3, 3, 3};
  const auto h3 = random_values<T>(ks3.size(), 66);
  this->expect_operator(
      "convolution 3d zero",
      [&](const Context& c) { return convolution<T>(c, dom3, ks3, h3, ConvolutionBoundary::Zero); },
      double(ks3.size()), false);
}

// cuBLAS against OpenBLAS: inner products of length n, whose rounding grows like sqrt(n) u
// in practice (Higham & Mary, "A new approach to probabilistic rounding error analysis", 2019);
// normwise at sqrt(n) unit<T>().
TYPED_TEST(ParityOperators, DenseMatrix) {
  using T = TypeParam;
  const index_t m = 150, n = 230;
  const auto values = random_values<T>(m * n, 67);
  const auto make = [&](index_t batch) {
    return [&, batch](const Context& c) {
      return dense_matrix<T>(Array<T>::from_host(c, Shape{m, n}, values), batch);
    };
  };
  this->expect_operator("dense gemv", make(0), std::sqrt(double(n)), true);
  this->expect_operator("dense gemm batch 7", make(7), std::sqrt(double(n)), true);
}

// One multiply or one copy per element: element-wise at unit<T>().
TYPED_TEST(ParityOperators, MaskSubsampleDiagonal) {
  using T = TypeParam;
  const Shape dom{33, 47};
  const auto w = random_values<T>(dom.size(), 68);
  this->expect_operator(
      "diagonal", [&](const Context& c) { return diagonal<T>(Array<T>::from_host(c, dom, w)); }, 1, false);
  std::vector<std::uint8_t> keep(static_cast<std::size_t>(dom.size()));
  std::vector<index_t> indices;
  const auto coin = random_values<double>(keep.size(), 69, 0, 1);
  for (std::size_t i = 0; i < keep.size(); ++i) {
    keep[i] = coin[i] < 0.4;
    if (coin[i] > 0.7) indices.push_back(static_cast<index_t>(keep.size() - 1 - i));  // descending order
  }
  this->expect_operator(
      "mask", [&](const Context& c) { return mask<T>(c, dom, keep); }, 1, false);
  this->expect_operator(
      "subsample", [&](const Context& c) { return subsample<T>(c, dom, indices); }, 1, false);
  this->expect_operator(
      "reshape",
      [&](const Context&) {
        return reshape<T>(dom, Shape{47, 33});
      },
      1, false);
}

}  // namespace
}  // namespace recon::parity
