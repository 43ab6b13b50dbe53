// One pass over the pixels of a gradient's domain with (D x)_c and (D^T y) evaluated on the fly
// (finite_difference.hpp's formulas): the gradient operator's apply and adjoint and the fused
// TV passes (engine/src/tv/tv_kernels.cuh) run their per-pixel bodies through stencil_pass.
// Only for CUDA translation units (.cu, compiled by g++ in a host-only build).
//
// Device: one thread per pixel, the boundary rule evaluated at every pixel. Host: rows, each
// split into its border pixels (boundary rule) and its interior run, where every difference
// is x[i + inner] - x[i] with no test and the number of components is a compile-time
// constant, so the run is a contiguous SIMD loop (x86-64-v3 clone where the build has them).
// Per pixel, the run's tested, index-decoding form was the bottleneck: the gradient moved 49%
// of the copy bandwidth, the TV PDHG iteration ran at half its memory-traffic limit.
#pragma once

#include <algorithm>
#include <type_traits>

#include "recon/kernels/host_clones.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/streaming_store.hpp"
#include "recon/operators/finite_difference.hpp"

namespace recon {

// The geometry of D: k components over `size` pixels, range element c * size + i; the pixels
// as (z, y, x), the domain padded to 3 axes (a domain of 4 axes, one-axis differences only,
// merges the axes before and after the differenced one), component c along padded axis axis3[c].
template <class T>
struct GradientGeometry {
  GradientEval<T> eval;  // eval.axis[c] describes the difference along component c
  int k = 1;
  index_t size = 0;
  Extent3 extent{1, 1, 1};
  int axis3[3] = {0, 0, 0};

  // (D x)_c and (D^T y) at the flat pixel index i (two integer divisions per component).
  RECON_HD T d(const T* x, int c, index_t i) const {
    DifferenceEval<T> e = eval.axis[c];
    e.x = x;
    return e(i);
  }
  RECON_HD T dt(const T* y, index_t i) const {
    T s = T(0);
    for (int c = 0; c < k; ++c) s += adjoint(y, c)(i);
    return s;
  }
  // The same with coord = {z, y, x} of pixel i: no divisions.
  RECON_HD T d_at(const T* x, int c, index_t i, const index_t* coord) const {
    DifferenceEval<T> e = eval.axis[c];
    e.x = x;
    return e.at(i, coord[axis3[c]]);
  }
  RECON_HD T dt_at(const T* y, index_t i, const index_t* coord) const {
    T s = T(0);
    for (int c = 0; c < k; ++c) s += adjoint(y, c).at(i, coord[axis3[c]]);
    return s;
  }
  RECON_HD DifferenceAdjointEval<T> adjoint(const T* y, int c) const {
    const DifferenceEval<T>& a = eval.axis[c];
    return DifferenceAdjointEval<T>{y + c * size, a.n, a.inner, a.periodic};
  }
};

template <class T>
GradientGeometry<T> gradient_geometry(const DifferenceOperator<T>& op) {
  const Shape& d = op.domain();
  const std::vector<int>& axes = op.axes();
  GradientGeometry<T> g;
  g.eval = op.evaluator(nullptr);
  g.k = static_cast<int>(axes.size());
  g.size = d.size();
  if (d.ndim() <= 3) {
    g.extent = Extent3{d.back(2), d.back(1), d.back(0)};
    for (int c = 0; c < g.k; ++c) g.axis3[c] = axes[c] + 3 - d.ndim();
    return g;
  }
  index_t before = 1, after = 1;
  for (int a = 0; a < axes[0]; ++a) before *= d[a];
  for (int a = axes[0] + 1; a < d.ndim(); ++a) after *= d[a];
  g.extent = Extent3{before, d[axes[0]], after};
  g.axis3[0] = 1;
  return g;
}

// What a pass's body sees at pixel i: d(x, c) = (D x)_c and dt(y) = (D^T y) there. `interior`
// (every component's coordinate away from both ends) drops the boundary rule; the host's row
// runs set it, with k a constant of the run.
template <class T>
struct PixelStencil {
  const GradientGeometry<T>& g;
  index_t i;
  const index_t* coord;  // {z, y, x}, read only at the borders
  int k;
  bool interior;
  RECON_HD T d(const T* x, int c) const {
    if (!interior) return g.d_at(x, c, i, coord);
    DifferenceEval<T> e = g.eval.axis[c];
    e.x = x;
    return e.inside(i);
  }
  RECON_HD T dt(const T* y) const {
    if (!interior) return g.dt_at(y, i, coord);
    T s = T(0);
    for (int c = 0; c < k; ++c) s += g.adjoint(y, c).inside(i);
    return s;
  }
};

// A pass body that writes one array: out[i] = value(i, at). The host's row runs store it in
// blocks through streaming stores where `stream` is set (float arrays beyond the caches:
// streaming_store.hpp), sparing the read of every output line before it is written.
template <class T, class Value>
struct StoreTo {
  T* out;
  Value value;
  bool stream = false;
  RECON_HD void operator()(index_t i, const PixelStencil<T>& at) const { out[i] = value(i, at); }
};

// Whether a float pass on ctx over g streams its stores: output arrays beyond the caches, and
// rows of at least kStreamRow pixels. Short rows (a 256^3 volume's) ran 2-5x slower streamed on
// the hosts measured (each row's unaligned head and tail are plain stores into the lines around
// the streamed blocks); an 8192^2 gradient ran 15% faster (1 + k lines per pixel instead of 1 + 2k).
constexpr index_t kStreamRow = 4096;
template <class T>
bool stream_stencil_stores(const Context& ctx, const GradientGeometry<T>& g) {
  return !ctx.is_cuda() && std::is_same_v<T, float> && g.extent.nx >= kStreamRow &&
         stream_stores_for(static_cast<std::size_t>(g.size) * sizeof(T));
}

namespace detail {

template <class B>
struct IsStoreTo : std::false_type {};
template <class T, class Value>
struct IsStoreTo<StoreTo<T, Value>> : std::true_type {};

template <class T, class Body>
struct StencilPixel {
  GradientGeometry<T> g;
  Body body;
  RECON_HD void operator()(index_t z, index_t y, index_t x) const {
    const index_t coord[3] = {z, y, x};
    const index_t i = (z * g.extent.ny + y) * g.extent.nx + x;
    body(i, PixelStencil<T>{g, i, coord, g.k, false});
  }
};

// Row (z, y) on the host with K components. The interior run is a SIMD loop: a body may read
// and write its own pixel's entries and read arrays that the pass does not write, nothing else.
template <int K, class T, class Body>
RECON_HOST_CLONED void stencil_row_host(const GradientGeometry<T>& g, const Body& body, index_t z,
                                        index_t y) {
  const Extent3 e = g.extent;
  bool inner_row = true, along_x = false;
  for (int c = 0; c < K; ++c) {
    const int a = g.axis3[c];
    if (a == 2)
      along_x = true;
    else if (a == 0)
      inner_row = inner_row && z > 0 && z + 1 < e.nz;
    else
      inner_row = inner_row && y > 0 && y + 1 < e.ny;
  }
  // Pixels [lo, hi) of the row are interior; [0, lo) and [hi, nx) take the boundary rule.
  index_t lo = e.nx, hi = e.nx;
  if (inner_row) {
    lo = along_x ? 1 : 0;
    hi = along_x && e.nx > 1 ? e.nx - 1 : e.nx;
  }
  const index_t row = (z * e.ny + y) * e.nx;
  const StencilPixel<T, Body> edge{g, body};
  for (index_t x = 0; x < lo; ++x) edge(z, y, x);
  index_t x = lo;
  if constexpr (IsStoreTo<Body>::value && std::is_same_v<T, float>) {
    if (body.stream) {
      // Plain stores up to a 16-byte boundary, then blocks computed by a SIMD loop into L1 and
      // streamed out.
      const index_t head = std::min(hi, lo + static_cast<index_t>(to_stream_alignment(body.out + row + lo)));
      for (; x < head; ++x) body(row + x, PixelStencil<T>{g, row + x, nullptr, K, true});
      alignas(16) float block[kStreamBlock];
      for (; x + kStreamBlock <= hi; x += kStreamBlock) {
        const index_t at = row + x;
#pragma omp simd
        for (index_t j = 0; j < kStreamBlock; ++j)
          block[j] = body.value(at + j, PixelStencil<T>{g, at + j, nullptr, K, true});
        stream_block(body.out + at, block);
      }
      stream_fence();  // per row: rows this long make it cheap
    }
  }
#pragma omp simd
  for (index_t xi = x; xi < hi; ++xi) body(row + xi, PixelStencil<T>{g, row + xi, nullptr, K, true});
  for (index_t xe = hi; xe < e.nx; ++xe) edge(z, y, xe);
}

// Row r = z * ny + y. The host passes run over the flat row index: a 2D launch over (z, y) would
// run an image (z = 1) on one thread, its parallel loop being over z.
template <int K, class T, class Body>
struct StencilRows {
  GradientGeometry<T> g;
  Body body;
  RECON_HD void operator()(index_t r) const {
#if !defined(__CUDA_ARCH__)
    stencil_row_host<K>(g, body, r / g.extent.ny, r % g.extent.ny);
#endif
  }
};

template <int K, class T, class Make>
struct StencilComponentRows {
  GradientGeometry<T> g;
  Make make;
  RECON_HD void operator()(index_t r) const {
#if !defined(__CUDA_ARCH__)
    for (int c = 0; c < K; ++c) stencil_row_host<K>(g, make(c), r / g.extent.ny, r % g.extent.ny);
#endif
  }
};

// How many rows (in the (z, y) row order) a pixel's forward differences reach ahead: the
// number of rows a block must wait for before a backward pass may run on its first rows.
template <int K, class T>
index_t stencil_reach(const GradientGeometry<T>& g) {
  index_t reach = 0;
  for (int c = 0; c < K; ++c) {
    const index_t r = g.axis3[c] == 0 ? g.extent.ny : (g.axis3[c] == 1 ? 1 : 0);
    reach = r > reach ? r : reach;
  }
  return reach;
}

template <int K, class T, class First, class Second>
void stencil_pair_host(const Context& ctx, const GradientGeometry<T>& g, const First& first,
                       const Second& second) {
  const Extent3 e = g.extent;
  const index_t rows = e.nz * e.ny, reach = stencil_reach<K>(g);
  // Blocks of rows, one per thread, each at least twice the reach (else fewer blocks).
  index_t blocks = rows * e.nx > recon::detail::kHostParallelThreshold ? ctx.host_threads() : 1;
  if (reach > 0 && rows / blocks < 2 * reach) blocks = rows / (2 * reach) > 1 ? rows / (2 * reach) : 1;
  const auto row = [&](const auto& body, index_t r) { stencil_row_host<K>(g, body, r / e.ny, r % e.ny); };
  // Block b > 0 defers the second body on its first `reach` rows: they read what the first body
  // writes on the rows of block b - 1, and they overwrite what that block's last rows read.
#pragma omp parallel for num_threads(static_cast <int>(blocks)) schedule(static, 1) if (blocks > 1)
  for (index_t b = 0; b < blocks; ++b) {
    const index_t lo = rows * b / blocks, hi = rows * (b + 1) / blocks;
    const index_t deferred = b == 0 ? lo : lo + reach;
    for (index_t r = lo; r < hi; ++r) {
      row(first, r);
      if (r >= deferred) row(second, r);
    }
  }
#pragma omp parallel for num_threads(static_cast <int>(blocks)) schedule(static, 1) if (blocks > 1)
  for (index_t b = 1; b < blocks; ++b) {
    const index_t lo = rows * b / blocks;
    for (index_t r = lo; r < lo + reach; ++r) row(second, r);
  }
}

}  // namespace detail

// first(i, at) for every pixel, then second(i, at) for every pixel, where second reads what
// first writes only at its own pixel and behind it (D^T's backward differences), and
// overwrites what first reads only at its own pixel (D's forward differences look ahead).
// On the host one sweep over the rows, each row's first then its second: the second pass finds
// the row in cache instead of reading the arrays again. On the device, and where a periodic
// boundary makes the last row read the first (and the first the last), two passes.
template <class T, class First, class Second>
void stencil_pass_pair(const Context& ctx, const GradientGeometry<T>& g, First first, Second second) {
  bool periodic = false;
  for (int c = 0; c < g.k; ++c) periodic = periodic || g.eval.axis[c].periodic;
  if (ctx.is_cuda() || periodic) {
    stencil_pass(ctx, g, first);
    stencil_pass(ctx, g, second);
    return;
  }
  if (g.k == 1)
    detail::stencil_pair_host<1>(ctx, g, first, second);
  else if (g.k == 2)
    detail::stencil_pair_host<2>(ctx, g, first, second);
  else
    detail::stencil_pair_host<3>(ctx, g, first, second);
}

// make(c)(i, at) for every component c and pixel i, where make(c) writes component c's array
// only. On the host each row runs the k bodies one after another, so one array is stored at a
// time while the row of the input stays in cache: the gradient's k output arrays lie size
// elements apart, the same low address bits, and a per-pixel body storing all of them reached
// 28% of the copy bandwidth at 8192^2 (53% with a full pass per component). On the device, a
// pass per component.
template <class T, class Make>
void stencil_pass_components(const Context& ctx, const GradientGeometry<T>& g, Make make) {
  if (ctx.is_cuda()) {
    for (int c = 0; c < g.k; ++c) stencil_pass(ctx, g, make(c));
    return;
  }
  const index_t rows = g.extent.nz * g.extent.ny;
  const index_t cost = g.extent.nx * g.k;
  if (g.k == 1)
    parallel_for(ctx, rows, detail::StencilComponentRows<1, T, Make>{g, make}, cost);
  else if (g.k == 2)
    parallel_for(ctx, rows, detail::StencilComponentRows<2, T, Make>{g, make}, cost);
  else
    parallel_for(ctx, rows, detail::StencilComponentRows<3, T, Make>{g, make}, cost);
}

// body(i, at) for every pixel i, at a PixelStencil<T> (a functor or an extended lambda).
template <class T, class Body>
void stencil_pass(const Context& ctx, const GradientGeometry<T>& g, Body body) {
  if (ctx.is_cuda()) return parallel_for(ctx, g.extent, detail::StencilPixel<T, Body>{g, body});
  const index_t rows = g.extent.nz * g.extent.ny;
  if (g.k == 1)
    parallel_for(ctx, rows, detail::StencilRows<1, T, Body>{g, body}, g.extent.nx);
  else if (g.k == 2)
    parallel_for(ctx, rows, detail::StencilRows<2, T, Body>{g, body}, g.extent.nx);
  else
    parallel_for(ctx, rows, detail::StencilRows<3, T, Body>{g, body}, g.extent.nx);
}

}  // namespace recon
