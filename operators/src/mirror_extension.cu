// The mirrored extension and its restriction (mirror_extension.hpp), instantiated here only.
#include "mirror_extension.hpp"

namespace recon::detail {
inline namespace RECON_LAUNCH_NS {

template <class T>
void mirror_extend(const Context& ctx, Dims3 n, Dims3 m, const T* b, T* ext, index_t batch) {
  parallel_for(ctx, Extent3{batch * m.n[0], m.n[1], m.n[2]}, [=] RECON_HD(index_t bz, index_t y, index_t x) {
    const index_t i = bz / m.n[0], z = bz % m.n[0];
    ext[(bz * m.n[1] + y) * m.n[2] + x] =
        b[((i * n.n[0] + mirror(z, n.n[0])) * n.n[1] + mirror(y, n.n[1])) * n.n[2] + mirror(x, n.n[2])];
  });
}

template <class T>
void restrict_to_domain(const Context& ctx, Dims3 n, Dims3 m, const T* ext, T* x, index_t batch) {
  parallel_for(ctx, Extent3{batch * n.n[0], n.n[1], n.n[2]}, [=] RECON_HD(index_t bz, index_t y, index_t x_) {
    const index_t i = bz / n.n[0], z = bz % n.n[0];
    x[(bz * n.n[1] + y) * n.n[2] + x_] = ext[((i * m.n[0] + z) * m.n[1] + y) * m.n[2] + x_];
  });
}

template void mirror_extend<float>(const Context&, Dims3, Dims3, const float*, float*, index_t);
template void mirror_extend<double>(const Context&, Dims3, Dims3, const double*, double*, index_t);
template void restrict_to_domain<float>(const Context&, Dims3, Dims3, const float*, float*, index_t);
template void restrict_to_domain<double>(const Context&, Dims3, Dims3, const double*, double*, index_t);

}  // namespace RECON_LAUNCH_NS
}  // namespace recon::detail
