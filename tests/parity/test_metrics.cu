// Parity of the image metrics (engine/metrics.hpp). Every metric converts the T inputs to
// double (exactly) and computes in double, SSIM's moment filters included, so the bound is
// double's whatever T: 1e-9 relative to the value (sums of 1e4-1e5 terms, one FMA-contraction
// difference per term, the SSIM map's variances E[x^2] - E[x]^2 cancelling by a factor ~4).
#include <cmath>

#include "parity.hpp"
#include "recon/engine/metrics.hpp"

namespace recon::parity {
namespace {

template <class T>
class ParityMetrics : public ParityTest<T> {};
TYPED_TEST_SUITE(ParityMetrics, ParityTypes, TypeName);

constexpr double kBound = 1e-9;

TYPED_TEST(ParityMetrics, ErrorsPsnrSsimF1) {
  using T = TypeParam;
  for (const Shape& s : {Shape{61, 70}, Shape{14, 19, 23}, Shape{176, 181}}) {
    const auto ref = random_values<T>(s.size(), 91, 0, 1);
    auto test = ref;
    const auto noise = random_values<T>(s.size(), 92, -0.1, 0.1);
    for (std::size_t i = 0; i < test.size(); ++i) test[i] = static_cast<T>(test[i] + noise[i]);
    const auto metric = [&](auto f) {
      return [&, f](const Context& c) {
        const auto a = Array<T>::from_host(c, s, ref), b = Array<T>::from_host(c, s, test);
        return f(c, a.view(), b.view());
      };
    };
    using V = View<const T>;
    const auto check = [&](const std::string& what, auto f) {
      const double value = metric(f)(this->host());
      this->expect_same_scalar(s.str() + " " + what, metric(f), kBound * std::fabs(value));
    };
    check("mse", [](const Context& c, V a, V b) { return mse<T>(c, a, b); });
    check("rmse", [](const Context& c, V a, V b) { return rmse<T>(c, a, b); });
    check("mae", [](const Context& c, V a, V b) { return mae<T>(c, a, b); });
    check("psnr", [](const Context& c, V a, V b) { return psnr<T>(c, a, b, 1.0); });
    check("ssim", [](const Context& c, V a, V b) { return ssim<T>(c, a, b, 1.0); });
    if (s.ndim() == 2 && s[0] >= kMsSsimMinExtent)
      check("ms_ssim", [](const Context& c, V a, V b) { return ms_ssim<T>(c, a, b, 1.0); });
    // Counts of threshold tests on identical values: exact.
    this->expect_same_scalar(s.str() + " support_f1",
                             metric([](const Context& c, V a, V b) { return support_f1<T>(c, a, b, 0.5); }),
                             0.0);
  }
}

}  // namespace
}  // namespace recon::parity
