// Projection onto the l2 ball {x : norm2(x - c) <= r} over a whole array (MATH.md 1.3):
// radial, out = c + (x - c) * r / norm2(x - c) outside the ball, x inside.
#include <cmath>
#include <string>

#include "launch.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/reduce.hpp"

namespace recon::penalties {

template <class T>
void project_l2_ball(const Context& ctx, View<const T> center, double r, View<const T> in, View<T> out) {
  if (!(r >= 0 && std::isfinite(r)))
    throw InvalidArgument("project_l2_ball: radius r = " + std::to_string(r) + " must be finite and >= 0");
  const index_t n = in.size();
  recon::detail::check_operand(ctx, "project_l2_ball", "in", in, n);
  recon::detail::check_operand(ctx, "project_l2_ball", "out", out, n);
  const T* c = center.data();
  if (c) recon::detail::check_operand(ctx, "project_l2_ball", "center", center, n);
  const T* x = in.data();
  T* y = out.data();
  const double dist = std::sqrt(transform_sum(ctx, n, [=] RECON_HD(index_t i) {
    const double d = static_cast<double>(x[i]) - (c ? static_cast<double>(c[i]) : 0.0);
    return d * d;
  }));
  if (dist <= r) {
    if (x != y) parallel_for(ctx, n, [=] RECON_HD(index_t i) { y[i] = x[i]; });
    return;
  }
  const double s = r / dist;
  parallel_for(ctx, n, [=] RECON_HD(index_t i) {
    const double ci = c ? static_cast<double>(c[i]) : 0.0;
    y[i] = static_cast<T>(ci + (static_cast<double>(x[i]) - ci) * s);
  });
}

template void project_l2_ball<float>(const Context&, View<const float>, double, View<const float>,
                                     View<float>);
template void project_l2_ball<double>(const Context&, View<const double>, double, View<const double>,
                                      View<double>);

}  // namespace recon::penalties
