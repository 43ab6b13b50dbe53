// Typed-test support: every device-layer suite runs over {float, double} x {Host, Cuda}
// (MatX's pattern). Cuda cases skip when no device is present.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

#include "recon/kernels/kernels.hpp"

namespace recon::testing {

template <class T, Device D>
struct Backend {
  using value_type = T;
  static constexpr Device device = D;
};

using AllBackends = ::testing::Types<Backend<float, Device::Host>, Backend<double, Device::Host>,
                                     Backend<float, Device::Cuda>, Backend<double, Device::Cuda>>;

struct BackendName {
  template <class B>
  static std::string GetName(int) {
    return std::string(B::device == Device::Cuda ? "Cuda" : "Host") +
           (sizeof(typename B::value_type) == 4 ? "_float" : "_double");
  }
};

template <class B>
class BackendTest : public ::testing::Test {
 protected:
  using T = typename B::value_type;
  void SetUp() override {
    if (B::device == Device::Cuda) {
      if (!cuda_available()) GTEST_SKIP() << "no CUDA device on this machine";
      ctx_.emplace(Context::cuda());
    } else {
      ctx_.emplace(Context::host());
    }
  }
  const Context& ctx() const { return *ctx_; }
  // Tolerance for results computed in T and compared with a long double reference.
  static double tol() { return sizeof(T) == 4 ? 1e-5 : 1e-12; }

 private:
  std::optional<Context> ctx_;
};

// Reproducible uniform values in [lo, hi).
template <class T>
std::vector<T> random_values(std::size_t n, unsigned seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(dist(gen));
  return v;
}

}  // namespace recon::testing
