// Chunked projection with host-resident projections equals the whole operator: A x exactly,
// A^T y up to the order of float additions; bad arguments are rejected.
#include <gtest/gtest.h>

#include <cmath>

#include "backends.hpp"
#include "ct_geometries.hpp"
#include "recon/operators/ct/chunked.hpp"
#include "recon/operators/ct/projector.hpp"

namespace recon::testing {
namespace {

template <class B>
class CtChunked : public BackendTest<B> {};
TYPED_TEST_SUITE(CtChunked, AllBackends, BackendName);

TYPED_TEST(CtChunked, MatchesTheWholeOperator) {
  using T = typename TypeParam::value_type;
  const Context& ctx = this->ctx();
  const Context host = Context::host();
  for (const auto& [name, g] : ct_test_geometries()) {
    SCOPED_TRACE(name);
    ct::JosephProjector<T> op(g);
    const auto x = Array<T>::from_host(ctx, op.domain(), random_values<T>(op.domain().size(), 1));
    const auto y = Array<T>::from_host(host, op.range(), random_values<T>(op.range().size(), 2));
    Array<T> whole(ctx, op.range()), chunked(host, op.range());
    op.apply(ctx, x.view(), whole.view());
    ct::project_chunked<T>(ctx, g, x.view(), chunked.view(), 4);
    EXPECT_EQ(whole.to_host_vector(), chunked.to_host_vector());

    const Array<T> y_dev = y.to(ctx);
    Array<T> back_whole(ctx, op.domain()), back_chunked(ctx, op.domain());
    op.adjoint(ctx, y_dev.view(), back_whole.view());
    ct::backproject_chunked<T>(ctx, g, y.view(), back_chunked.view(), 3);
    const std::vector<T> a = back_whole.to_host_vector(), b = back_chunked.to_host_vector();
    double peak = 0, diff = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      peak = std::max(peak, std::fabs(static_cast<double>(a[i])));
      diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    }
    EXPECT_LE(diff, (sizeof(T) == 4 ? 1e-5 : 1e-13) * peak);
  }
}

TEST(CtChunkedHost, RejectsBadArguments) {
  const Context ctx = Context::host();
  const ct::Geometry g{ct::volume2d(8, 8), ct::parallel2d(10, 1, ct::uniform_angles(6, 0, M_PI))};
  Array<float> x(ctx, g.volume.shape), y(ctx, g.projection.shape()), wrong(ctx, Shape{5, 10});
  EXPECT_THROW(ct::project_chunked<float>(ctx, g, x.view(), y.view(), 0), InvalidArgument);
  EXPECT_THROW(ct::project_chunked<float>(ctx, g, x.view(), wrong.view(), 2), ShapeMismatch);
  EXPECT_THROW(ct::backproject_chunked<float>(ctx, g, wrong.view(), x.view(), 2), ShapeMismatch);
}

}  // namespace
}  // namespace recon::testing
