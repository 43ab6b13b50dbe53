// The host's voxel-driven back-projection for 2D parallel beams (voxel_backproject.hpp): the
// same linear interpolation on the detector as the general kernel, to float rounding, without
// its per-lane gathers. In a parallel view the detector coordinate g of pixel (x, y) is affine,
//   g = X(x) c / du + Y(y) s / du + col0,
// so along the image axis where it moves least it advances |step| = min(|c| vx, |s| vy) / du per
// pixel. When |step| <= 1, W neighbours on that axis (one SIMD vector) read W + 1 consecutive
// detector samples or fewer: two contiguous loads and two in-register permutations (AVX2 vpermps)
// fetch both taps of all lanes, where the general kernel issues two gathers (an AVX2 gather costs
// about a cycle per element on recent x86 cores, Agner Fog's instruction tables). Each view is
// therefore vectorised along its own axis, x where |c| vx <= |s| vy and y elsewhere, and a tile
// of the image sums the two sets in separate accumulators. A tile's detector footprint, a few
// cache lines per view, stays in cache while its rows are swept.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "recon/kernels/host_clones.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "voxel_backproject.hpp"

namespace recon::ct::detail {

namespace {

// Pixels per tile side: a multiple of both vector widths.
constexpr index_t kTile = 32;

template <class T>
struct Simd;
// ivec: shuffle masks, of the lanes' size; index: the lanes as int32, which AVX2 converts from
// and to floating point in one instruction (it has no conversion between double and int64).
template <>
struct Simd<float> {
  typedef float vec __attribute__((vector_size(32)));
  typedef std::int32_t ivec __attribute__((vector_size(32)));
  typedef ivec index;
};
template <>
struct Simd<double> {
  typedef double vec __attribute__((vector_size(32)));
  typedef std::int64_t ivec __attribute__((vector_size(32)));
  typedef std::int32_t index __attribute__((vector_size(16)));
};

// One view, vectorised along the axis where its detector coordinate moves least.
template <class T>
struct AxisView {
  T cx, sy, step;  // g = X cx + Y sy + col0; step: g's change per pixel along the axis
  const T* row;    // the view's padded detector row
};

template <class T>
struct Parallel2d {
  index_t nx, ny;
  T vx, vy, x0, y0;             // X(x) = x0 + x vx, Y(y) = y0 + y vy
  T col0, last;                 // g = X cx + Y sy + col0 indexes the padded row; clamped to [0, last]
  const AxisView<T>* along[2];  // the views vectorised along x, along y
  index_t count[2];
  T weight;
};

// sum over the views of axis `a` of the interpolated samples at the W pixels from (X, Y) along
// the axis, into acc. Rows are padded with a zero before and W + 1 after the samples, so that
// g in [0, cols + 1] needs no masks and the loads at k0 and k0 + 1 stay inside the row.
template <class T>
inline void sum_views(const Parallel2d<T>& p, int a, T X, T Y, T* acc) {
  using vec = typename Simd<T>::vec;
  using ivec = typename Simd<T>::ivec;
  constexpr int W = sizeof(vec) / sizeof(T);
  const vec zero = {}, last = zero + p.last;
  vec lane, sum = {};
  for (int t = 0; t < W; ++t) lane[t] = static_cast<T>(t);
  for (index_t j = 0; j < p.count[a]; ++j) {
    const AxisView<T>& v = p.along[a][j];
    vec g = X * v.cx + Y * v.sy + p.col0 + lane * v.step;
    g = g < zero ? zero : g;
    g = g > last ? last : g;
    const auto i = __builtin_convertvector(g, typename Simd<T>::index);  // truncation = floor for g >= 0
    const ivec k = __builtin_convertvector(i, ivec);
    const vec w = g - __builtin_convertvector(i, vec);
    vec lo, hi;
#if !defined(__clang__)  // clang has no variable __builtin_shuffle: it reads lane by lane (fuzz builds)
    const auto k0 = k[0] < k[W - 1] ? k[0] : k[W - 1], k1 = k[0] < k[W - 1] ? k[W - 1] : k[0];
    if (k1 - k0 < W) {  // true unless rounding stretches the span where |step| is about 1
      vec first, second;
      std::memcpy(&first, v.row + k0, sizeof(vec));
      std::memcpy(&second, v.row + k0 + 1, sizeof(vec));
      lo = __builtin_shuffle(first, k - k0);
      hi = __builtin_shuffle(second, k - k0);
    } else
#endif
    {
      for (int t = 0; t < W; ++t) {
        lo[t] = v.row[k[t]];
        hi[t] = v.row[k[t] + 1];
      }
    }
    sum += lo + w * (hi - lo);
  }
  std::memcpy(acc, &sum, sizeof(vec));
}

// The tile of kTile^2 pixels at (ty, tx) (pixels beyond the image are computed and dropped).
template <class T>
RECON_HOST_CLONED void backproject_tile(const Parallel2d<T>& p, index_t ty, index_t tx, T* vol) {
  constexpr index_t W = sizeof(typename Simd<T>::vec) / sizeof(T);
  alignas(32) T along_x[kTile * kTile], along_y[kTile * kTile];  // [y][x] and [x][y]
  const T X = p.x0 + static_cast<T>(tx * kTile) * p.vx, Y = p.y0 + static_cast<T>(ty * kTile) * p.vy;
  for (index_t r = 0; r < kTile; ++r)
    for (index_t c = 0; c < kTile; c += W) {
      sum_views(p, 0, X + static_cast<T>(c) * p.vx, Y + static_cast<T>(r) * p.vy, along_x + r * kTile + c);
      sum_views(p, 1, X + static_cast<T>(r) * p.vx, Y + static_cast<T>(c) * p.vy, along_y + r * kTile + c);
    }
  for (index_t y = 0; y < kTile && ty * kTile + y < p.ny; ++y)
    for (index_t x = 0; x < kTile && tx * kTile + x < p.nx; ++x)
      vol[(ty * kTile + y) * p.nx + tx * kTile + x] =
          p.weight * (along_x[y * kTile + x] + along_y[x * kTile + y]);
}

// Whether this host runs backproject_tile with a fast variable permutation (AVX2's vpermps):
// elsewhere the general kernel is faster.
bool fast_permutations() {
#if defined(__AVX2__)
  return true;
#elif RECON_HOST_CLONES
  return std::strcmp(host_clone_level(), "x86-64-v3") == 0;
#else
  return false;
#endif
}

}  // namespace

template <class T>
bool backproject_parallel2d_host(const Context& ctx, const VoxelGeometry<T>& p, const T* trig, const T* q,
                                 T weight, T* vol) {
  if (ctx.is_cuda() || p.divergent || !p.planar || !fast_permutations()) return false;
  constexpr index_t W = sizeof(typename Simd<T>::vec) / sizeof(T);
  const index_t stride = p.cols + W + 2;
  std::vector<T> padded(static_cast<size_t>(p.views * stride), T(0));
  std::vector<AxisView<T>> along[2];
  for (index_t v = 0; v < p.views; ++v) {
    const T cx = trig[2 * v] / p.du, sy = trig[2 * v + 1] / p.du;
    const bool x = std::fabs(cx * p.vx) <= std::fabs(sy * p.vy);
    const T step = x ? cx * p.vx : sy * p.vy;
    if (std::fabs(step) > T(1)) return false;  // voxels wider than detector pixels
    along[x ? 0 : 1].push_back({cx, sy, step, padded.data() + v * stride});
    std::memcpy(padded.data() + v * stride + 1, q + v * p.cols, static_cast<size_t>(p.cols) * sizeof(T));
  }
  Parallel2d<T> g{};
  g.nx = p.nx;
  g.ny = p.ny;
  g.vx = p.vx;
  g.vy = p.vy;
  g.x0 = p.ox - T(0.5) * static_cast<T>(p.nx - 1) * p.vx;
  g.y0 = p.oy - T(0.5) * static_cast<T>(p.ny - 1) * p.vy;
  g.col0 = T(0.5) * static_cast<T>(p.cols - 1) - p.off_u / p.du + T(1);
  g.last = static_cast<T>(p.cols + 1);
  for (int a = 0; a < 2; ++a) {
    g.along[a] = along[a].data();
    g.count[a] = static_cast<index_t>(along[a].size());
  }
  g.weight = weight;
  const index_t tiles_y = (p.ny + kTile - 1) / kTile, tiles_x = (p.nx + kTile - 1) / kTile;
  parallel_for(
      ctx, Extent2{tiles_y, tiles_x}, [&](index_t ty, index_t tx) { backproject_tile(g, ty, tx, vol); },
      kTile * kTile * p.views);
  return true;
}

template bool backproject_parallel2d_host<float>(const Context&, const VoxelGeometry<float>&, const float*,
                                                 const float*, float, float*);
template bool backproject_parallel2d_host<double>(const Context&, const VoxelGeometry<double>&, const double*,
                                                  const double*, double, double*);

}  // namespace recon::ct::detail
