// The comparisons of parity.hpp fail where they must: a difference beyond the tolerance, a
// NaN (a poisoned element never written), a size mismatch; equal infinities pass. These run
// without a device (no context is involved).
#include "parity.hpp"

namespace recon::parity {
namespace {

TEST(ParityHelper, ComparisonsFailWhereTheyMust) {
  const std::vector<double> h{1.0, -2.0, 4.0, HUGE_VAL};
  EXPECT_TRUE(agree(h, h, {0, 0}));
  EXPECT_TRUE(agree(h, {1.0 + 1e-6, -2.0, 4.0, HUGE_VAL}, {1e-5, 0}));
  EXPECT_FALSE(agree(h, {1.0 + 1e-4, -2.0, 4.0, HUGE_VAL}, {1e-5, 0}));
  // The floor scales with the finite peak (4): 1e-5 x 4 absolute.
  EXPECT_TRUE(agree(h, {1.0 + 3e-5, -2.0, 4.0, HUGE_VAL}, {0, 1e-5}));
  EXPECT_FALSE(agree(h, {1.0 + 5e-5, -2.0, 4.0, HUGE_VAL}, {0, 1e-5}));
  EXPECT_FALSE(agree(h, {1.0, std::nan(""), 4.0, HUGE_VAL}, {1, 1}));
  EXPECT_FALSE(agree(h, {1.0, -2.0, 4.0}, {1, 1}));
  EXPECT_TRUE(agree_normwise({3, 4}, {3, 4 + 4e-6}, 1e-6));
  EXPECT_FALSE(agree_normwise({3, 4}, {3, 4 + 6e-6}, 1e-6));
  EXPECT_FALSE(agree_normwise({3, 4}, {3, std::nan("")}, 1));
  EXPECT_TRUE(agree_scalar(HUGE_VAL, HUGE_VAL, 0));
  EXPECT_TRUE(agree_scalar(1.0, 1.0 + 1e-9, 2e-9));
  EXPECT_FALSE(agree_scalar(1.0, 1.0 + 1e-9, 0.5e-9));
  EXPECT_FALSE(agree_scalar(std::nan(""), std::nan(""), 1));
}

}  // namespace
}  // namespace recon::parity
