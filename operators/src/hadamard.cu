// Fast Walsh-Hadamard transform kernels (formulas and layout in hadamard.hpp).
#include "recon/operators/hadamard.hpp"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "recon/kernels/host_clones.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {

namespace detail {

// Host kernels. A butterfly pass touches every element once (a load and a store from cache),
// so the host transform is limited by how many passes it makes over a row: the passes below
// do 3 stages each (radix 8, Fino & Algazi 1976 "Unified matrix treatment of the fast
// Walsh-Hadamard transform": H_n factors into any grouping of its log2(n) stages), and the
// first one does the 3 stages inside a 32-byte vector with shuffles plus 3 across vectors.
// Main memory is read and written once per element (the first pass reads the source, the
// rest stay in L1/L2): 8 bytes per float, as a copy.

// Radix-R butterflies across R segments of w contiguous elements, segment k at base + k * step
// (w <= step); with Scaled the outputs are multiplied by scale.
template <int R, bool Scaled, class T>
inline void butterfly_segments(T* base, index_t step, index_t w, T scale) {
  T* __restrict p0 = base;
  T* __restrict p1 = base + step;
  if constexpr (R == 2) {
#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#pragma GCC ivdep
#endif
    for (index_t i = 0; i < w; ++i) {
      const T a0 = p0[i], a1 = p1[i];
      p0[i] = Scaled ? (a0 + a1) * scale : a0 + a1;
      p1[i] = Scaled ? (a0 - a1) * scale : a0 - a1;
    }
  } else if constexpr (R == 4) {
    T* __restrict p2 = base + 2 * step;
    T* __restrict p3 = base + 3 * step;
#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#pragma GCC ivdep
#endif
    for (index_t i = 0; i < w; ++i) {
      const T a0 = p0[i], a1 = p1[i], a2 = p2[i], a3 = p3[i];
      const T b0 = a0 + a1, b1 = a0 - a1, b2 = a2 + a3, b3 = a2 - a3;
      const T s = Scaled ? scale : T(1);
      p0[i] = (b0 + b2) * s;
      p1[i] = (b1 + b3) * s;
      p2[i] = (b0 - b2) * s;
      p3[i] = (b1 - b3) * s;
    }
  } else {
    static_assert(R == 8, "radix 2, 4 or 8");
    T* __restrict p2 = base + 2 * step;
    T* __restrict p3 = base + 3 * step;
    T* __restrict p4 = base + 4 * step;
    T* __restrict p5 = base + 5 * step;
    T* __restrict p6 = base + 6 * step;
    T* __restrict p7 = base + 7 * step;
#if defined(__GNUC__) && !defined(__clang__) && !defined(__CUDACC__)
#pragma GCC ivdep
#endif
    for (index_t i = 0; i < w; ++i) {
      const T a0 = p0[i], a1 = p1[i], a2 = p2[i], a3 = p3[i], a4 = p4[i], a5 = p5[i], a6 = p6[i], a7 = p7[i];
      const T b0 = a0 + a1, b1 = a0 - a1, b2 = a2 + a3, b3 = a2 - a3;
      const T b4 = a4 + a5, b5 = a4 - a5, b6 = a6 + a7, b7 = a6 - a7;
      const T c0 = b0 + b2, c1 = b1 + b3, c2 = b0 - b2, c3 = b1 - b3;
      const T c4 = b4 + b6, c5 = b5 + b7, c6 = b4 - b6, c7 = b5 - b7;
      const T s = Scaled ? scale : T(1);
      p0[i] = (c0 + c4) * s;
      p1[i] = (c1 + c5) * s;
      p2[i] = (c2 + c6) * s;
      p3[i] = (c3 + c7) * s;
      p4[i] = (c0 - c4) * s;
      p5[i] = (c1 - c5) * s;
      p6[i] = (c2 - c6) * s;
      p7[i] = (c3 - c7) * s;
    }
  }
}

// The stages of half-width h, 2h, ... (`stages` of them, at most 3) in one pass over `lines`
// lines of an axis: line m starts at p + m * stride and has w contiguous elements.
template <bool Scaled, class T>
inline void radix_pass(T* p, index_t lines, index_t stride, index_t w, index_t h, int stages, T scale) {
  const index_t r = index_t{1} << stages;
  // Packed lines (stride == w): the h lines of a segment are one contiguous run of h * w.
  const bool packed = stride == w;
  const index_t seg = packed ? h * w : w;
  for (index_t b = 0; b < lines; b += r * h)
    for (index_t j = b; j < (packed ? b + 1 : b + h); ++j) {
      T* base = p + j * stride;
      if (stages == 3)
        butterfly_segments<8, Scaled>(base, h * stride, seg, scale);
      else if (stages == 2)
        butterfly_segments<4, Scaled>(base, h * stride, seg, scale);
      else
        butterfly_segments<2, Scaled>(base, h * stride, seg, scale);
    }
}

// Stages h = first, 2 first, ... < lines in passes of at most 3 (never a lone one after a
// radix-8 pass when two radix-4 passes do), the last scaled.
template <class T>
inline void radix_passes(T* p, index_t lines, index_t stride, index_t w, index_t first, T scale) {
  int left = 0;
  for (index_t h = first; h < lines; h *= 2) ++left;
  for (index_t h = first; left > 0;) {
    const int stages = left >= 5 || left == 3 ? 3 : (left == 4 ? 2 : left);
    left -= stages;
    if (left == 0)
      radix_pass<true>(p, lines, stride, w, h, stages, scale);
    else
      radix_pass<false>(p, lines, stride, w, h, stages, scale);
    h <<= stages;
  }
}

// One row of n = 2^k from src to dst (src == dst allowed), orthonormal. Host only (the device
// transforms a row in a thread block, wht_rows_shared). Rows of at least 8 vectors: the first
// pass takes 8 vectors of 32 bytes from src, does the in-vector stages with shuffles (GCC/Clang
// vector extensions: SSE2 pairs or one AVX2 register per host clone) and 3 stages across the
// 8 vectors, and writes them to dst; radix_passes does the rest in cache.
template <class T>
RECON_HOST_CLONED void wht_row_host(const T* src, T* dst, index_t n, T scale) {
  constexpr index_t W = 32 / sizeof(T);
  if (n < 8 * W) {
    for (index_t i = 0; i < n; ++i) dst[i] = src[i];
    radix_passes(dst, n, 1, 1, 1, scale);
    if (n == 1) dst[0] *= scale;
    return;
  }
  typedef T V __attribute__((vector_size(32)));
  const bool last = n == 8 * W;
  const T s1 = last ? scale : T(1);
  for (index_t b = 0; b < n; b += 8 * W) {
    V v[8];
    for (int q = 0; q < 8; ++q) std::memcpy(&v[q], src + b + q * W, sizeof(V));
    for (int q = 0; q < 8; ++q) {
      // Stage h inside a vector: x[i] + x[i ^ h], or x[i ^ h] - x[i] where bit h of i is set.
      if constexpr (W == 8) {
        const V m1 = {1, -1, 1, -1, 1, -1, 1, -1}, m2 = {1, 1, -1, -1, 1, 1, -1, -1},
                m4 = {1, 1, 1, 1, -1, -1, -1, -1};
        v[q] = __builtin_shufflevector(v[q], v[q], 1, 0, 3, 2, 5, 4, 7, 6) + m1 * v[q];
        v[q] = __builtin_shufflevector(v[q], v[q], 2, 3, 0, 1, 6, 7, 4, 5) + m2 * v[q];
        v[q] = __builtin_shufflevector(v[q], v[q], 4, 5, 6, 7, 0, 1, 2, 3) + m4 * v[q];
      } else {
        static_assert(W == 4, "float or double");
        const V m1 = {1, -1, 1, -1}, m2 = {1, 1, -1, -1};
        v[q] = __builtin_shufflevector(v[q], v[q], 1, 0, 3, 2) + m1 * v[q];
        v[q] = __builtin_shufflevector(v[q], v[q], 2, 3, 0, 1) + m2 * v[q];
      }
    }
    for (int s = 1; s < 8; s *= 2)
      for (int q = 0; q < 8; ++q)
        if (!(q & s)) {
          const V u = v[q], t = v[q + s];
          v[q] = u + t;
          v[q + s] = u - t;
        }
    for (int q = 0; q < 8; ++q) {
      const V out = v[q] * s1;
      std::memcpy(dst + b + q * W, &out, sizeof(V));
    }
  }
  if (!last) radix_passes(dst, n, 1, 1, 8 * W, scale);
}

// Lines j0, j0 + ls, ..., j0 + (cnt - 1) ls (stride inner) of one block, columns [i0, i0 + w):
// the stages of half-width ls, ..., ls cnt / 2 of the axis, in place. Lines a power of two apart
// share a few cache sets and would evict each other, so a strip that is not one contiguous
// run is packed into a per-thread buffer (long contiguous pieces, whole cache lines) first.
template <class T>
RECON_HOST_CLONED void wht_lines_host(T* blk, index_t inner, index_t j0, index_t ls, index_t cnt, index_t i0,
                                      index_t w, T scale) {
  if (ls == 1 && w == inner) {
    radix_passes(blk + j0 * inner, cnt, inner, inner, 1, scale);
    return;
  }
  thread_local std::vector<T> buffer;
  if (static_cast<index_t>(buffer.size()) < cnt * w) buffer.resize(static_cast<std::size_t>(cnt * w));
  T* buf = buffer.data();
  for (index_t m = 0; m < cnt; ++m) std::memcpy(buf + m * w, blk + (j0 + m * ls) * inner + i0, sizeof(T) * w);
  radix_passes(buf, cnt, w, w, 1, scale);
  for (index_t m = 0; m < cnt; ++m) std::memcpy(blk + (j0 + m * ls) * inner + i0, buf + m * w, sizeof(T) * w);
}

// Task r: row r of src into row r of dst (host only).
template <class T>
struct WhtRowsHost {
  const T* src;
  T* dst;
  index_t n;
  T scale;
  RECON_HD void operator()(index_t r) const {
#if !defined(__CUDA_ARCH__)
    wht_row_host(src + r * n, dst + r * n, n, scale);
#endif
  }
};

// One phase of a strided axis (n, stride inner) on the host: task t takes line set g of one
// (n x inner) block (lines g-th run of cnt at spacing ls) and a strip of w columns.
template <class T>
struct WhtLinesHost {
  T* p;
  index_t n, inner, ls, cnt, w;
  T scale;
  RECON_HD void operator()(index_t t) const {
#if !defined(__CUDA_ARCH__)
    const index_t strips = (inner + w - 1) / w, sets = n / cnt;
    const index_t c = t % strips, g = (t / strips) % sets, o = t / (strips * sets);
    const index_t j0 = (g / ls) * ls * cnt + g % ls, i0 = c * w;
    wht_lines_host(p + o * n * inner, inner, j0, ls, cnt, i0, i0 + w < inner ? w : inner - i0, scale);
#endif
  }
};

// One butterfly stage of half-width h along an axis (n, stride inner) over all pairs; the
// last stage also applies the scale. For the device when a row does not fit on chip.
template <class T>
struct WhtStage {
  T* p;
  index_t n, inner, h;
  T scale;
  RECON_HD void operator()(index_t q) const {
    const index_t i = q % inner, t = q / inner;
    const index_t half = n / 2, jp = t % half, o = t / half;
    const index_t j = (jp / h) * 2 * h + jp % h;
    T* a = p + (o * n + j) * inner + i;
    T* b = a + h * inner;
    const T u = *a, v = *b;
    *a = (u + v) * scale;
    *b = (u - v) * scale;
  }
};

#if defined(__CUDACC__)
// Device counterpart of wht_row_host (a different kernel: on the GPU a row is shared by a
// thread block, not held by one core's cache). One block per row (grid-stride): the row is
// read from src into shared memory once, all log2(n) stages run there, and it is written to
// dst scaled: 8 bytes of main memory per float, as a copy (src == dst allowed).
template <class T>
__global__ void wht_rows_shared(const T* src, T* dst, index_t rows, int n, T scale) {
  extern __shared__ __align__(16) unsigned char smem_raw[];
  T* s = reinterpret_cast<T*>(smem_raw);
  for (index_t r = blockIdx.x; r < rows; r += gridDim.x) {
    for (int i = threadIdx.x; i < n; i += blockDim.x) s[i] = src[r * n + i];
    __syncthreads();
    for (int h = 1; h < n; h <<= 1) {
      for (int q = threadIdx.x; q < n / 2; q += blockDim.x) {
        const int j = (q / h) * 2 * h + q % h;
        const T u = s[j], v = s[j + h];
        s[j] = u + v;
        s[j + h] = u - v;
      }
      __syncthreads();
    }
    for (int i = threadIdx.x; i < n; i += blockDim.x) dst[r * n + i] = s[i] * scale;
    __syncthreads();
  }
}
constexpr index_t kSharedRowBytes = 32 * 1024;

// Rows of n that fit in shared memory, src into dst; false (nothing done) for longer rows.
template <class T>
bool wht_rows_device(const Context& ctx, const T* src, T* dst, index_t rows, index_t n, T scale) {
  if (n * static_cast<index_t>(sizeof(T)) > kSharedRowBytes) return false;
  const int threads = static_cast<int>(n / 2 < 512 ? (n / 2 < 32 ? 32 : n / 2) : 512);
  const index_t blocks = rows < cuda_grid_limit(ctx) ? rows : cuda_grid_limit(ctx);
  wht_rows_shared<T>
      <<<static_cast<unsigned>(blocks), threads, n * sizeof(T), static_cast<cudaStream_t>(ctx.stream())>>>(
          src, dst, rows, static_cast<int>(n), scale);
  RECON_CUDA_CHECK(cudaGetLastError());
  return true;
}
#endif

inline int ilog2(index_t n) {
  int k = 0;
  while ((index_t{1} << (k + 1)) <= n) ++k;
  return k;
}

template <class T>
T wht_scale(index_t n) {
  return static_cast<T>(1.0 / std::sqrt(static_cast<double>(n)));
}

// In-place orthonormal transform of p along one axis (n entries, stride inner).
template <class T>
void wht_axis(const Context& ctx, T* p, index_t total, index_t n, index_t inner) {
  if (n == 1) return;
  const T scale = wht_scale<T>(n);
  if (!ctx.is_cuda()) {
    if (inner == 1) {
      parallel_for(ctx, total / n, WhtRowsHost<T>{p, p, n, scale}, n);
    } else {
      // Up to 64 lines the whole axis in one pass; longer ones in two (Fino & Algazi's
      // factorisation H_n = (H_n2 (x) I_n1)(I_n2 (x) H_n1)): first the n1 neighbouring lines of
      // each run, then lines n1 apart, so that each strip holds few lines of long contiguous
      // pieces. The buffer stays within 256 KiB (half of L2 on common hosts).
      const index_t n1 = n <= 64 ? n : index_t{1} << (ilog2(n) / 2);
      const index_t budget = (index_t{256} << 10) / static_cast<index_t>(sizeof(T));
      const index_t outer = total / (n * inner);
      for (int phase = 0; phase < 2; ++phase) {
        const index_t cnt = phase == 0 ? n1 : n / n1, ls = phase == 0 ? 1 : n1;
        if (cnt == 1) continue;
        index_t w = budget / cnt;
        w = w < 16 ? 16 : w;
        if (w > inner) w = inner;
        const bool last = phase == 1 || n1 == n;
        const index_t tasks = outer * (n / cnt) * ((inner + w - 1) / w);
        parallel_for(ctx, tasks, WhtLinesHost<T>{p, n, inner, ls, cnt, w, last ? scale : T(1)}, cnt * w);
      }
    }
    return;
  }
#if defined(__CUDACC__)
  if (inner == 1 && wht_rows_device(ctx, p, p, total / n, n, scale)) return;
#endif
  for (index_t h = 1; h < n; h *= 2)
    parallel_for(ctx, total / 2, WhtStage<T>{p, n, inner, h, 2 * h == n ? scale : T(1)});
}

namespace {
// Natural row of sequency s: bitrev(gray(s)); and its inverse gray^-1(bitrev(i)).
RECON_HD inline index_t bit_reverse(index_t v, int bits) {
  index_t r = 0;
  for (int b = 0; b < bits; ++b) r |= ((v >> b) & 1) << (bits - 1 - b);
  return r;
}
RECON_HD inline index_t natural_of_sequency(index_t s, int bits) { return bit_reverse(s ^ (s >> 1), bits); }
RECON_HD inline index_t sequency_of_natural(index_t i, int bits) {
  index_t g = bit_reverse(i, bits);
  for (int shift = 1; shift < 64; shift *= 2) g ^= g >> shift;
  return g;
}
}  // namespace

// dst[..., s_1, ..., s_r] = src[..., f(s_1), ..., f(s_r)] over the last r (<= 3) axes, with
// f = natural_of_sequency (to_sequency) or sequency_of_natural.
template <class T>
struct SequencyPermute {
  const T* src;
  T* dst;
  index_t n[3];
  int bits[3];
  int rank;
  bool to_sequency;
  RECON_HD void operator()(index_t e) const {
    index_t rest = e, src_index = 0, stride = 1;
    for (int a = rank - 1; a >= 0; --a) {
      const index_t s = rest % n[a];
      rest /= n[a];
      src_index += stride * (to_sequency ? natural_of_sequency(s, bits[a]) : sequency_of_natural(s, bits[a]));
      stride *= n[a];
    }
    dst[e] = src[src_index + rest * stride];
  }
};

// dst = transform of src (dst == src allowed). The last axis is transformed on the way from src
// to dst (no separate copy pass; on the device for rows that fit in shared memory); the other
// axes in place.
template <class T>
void wht_all_axes(const Context& ctx, const Shape& shape, int rank, View<const T> src, View<T> dst) {
  const index_t n = shape[shape.ndim() - 1];
  bool done = false;
  if (!ctx.is_cuda() && n > 1) {
    parallel_for(ctx, shape.size() / n, WhtRowsHost<T>{src.data(), dst.data(), n, wht_scale<T>(n)}, n);
    done = true;
  }
#if defined(__CUDACC__)
  if (ctx.is_cuda() && n > 1)
    done = wht_rows_device(ctx, src.data(), dst.data(), shape.size() / n, n, wht_scale<T>(n));
#endif
  if (!done) {
    if (src.data() != dst.data()) copy<T>(ctx, src, dst);
    wht_axis(ctx, dst.data(), shape.size(), n, 1);
  }
  index_t inner = n;
  for (int a = shape.ndim() - 2; a >= shape.ndim() - rank; --a) {
    wht_axis(ctx, dst.data(), shape.size(), shape[a], inner);
    inner *= shape[a];
  }
}

template <class T>
void sequency_permute(const Context& ctx, const Shape& shape, int rank, const T* src, T* dst,
                      bool to_sequency) {
  SequencyPermute<T> f{src, dst, {1, 1, 1}, {0, 0, 0}, rank, to_sequency};
  for (int a = 0; a < rank; ++a) {
    f.n[a] = shape[shape.ndim() - rank + a];
    while ((index_t{1} << f.bits[a]) < f.n[a]) ++f.bits[a];
  }
  parallel_for(ctx, shape.size(), f);
}

}  // namespace detail

namespace {
int validated_rank(const Shape& shape, int rank) {
  if (rank == 0) rank = shape.ndim();
  if (rank < 1 || rank > 3 || rank > shape.ndim())
    throw InvalidArgument("WalshHadamard: transforms 1 to 3 trailing axes, asked for " +
                          std::to_string(rank) + " of the shape " + shape.str());
  for (int a = shape.ndim() - rank; a < shape.ndim(); ++a)
    if (shape[a] < 1 || (shape[a] & (shape[a] - 1)) != 0)
      throw InvalidArgument("WalshHadamard: axis " + std::to_string(a) + " of " + shape.str() +
                            " has length " + std::to_string(shape[a]) + ", expected a power of two");
  return rank;
}
}  // namespace

template <class T>
HadamardOperator<T>::HadamardOperator(const Shape& shape, int rank, HadamardOrder order)
    : IsometryOperator<T>("WalshHadamard", shape, shape), rank_(validated_rank(shape, rank)), order_(order) {}

template <class T>
void HadamardOperator<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  const Shape& s = this->domain();
  if (order_ == HadamardOrder::Natural) {
    detail::wht_all_axes<T>(ctx, s, rank_, x, y);
    return;
  }
  View<T> tmp = this->scratch(ctx, 1, s);
  detail::wht_all_axes<T>(ctx, s, rank_, x, tmp);
  detail::sequency_permute<T>(ctx, s, rank_, tmp.data(), y.data(), true);
}

template <class T>
void HadamardOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  const Shape& s = this->domain();
  if (order_ == HadamardOrder::Natural) {
    detail::wht_all_axes<T>(ctx, s, rank_, y, x);
    return;
  }
  detail::sequency_permute<T>(ctx, s, rank_, y.data(), x.data(), false);
  detail::wht_all_axes<T>(ctx, s, rank_, x, x);
}

template <class T>
Operator<T> walsh_hadamard(const Shape& shape, int rank, HadamardOrder order) {
  return Operator<T>(std::make_shared<HadamardOperator<T>>(shape, rank, order));
}

template class HadamardOperator<float>;
template class HadamardOperator<double>;
template Operator<float> walsh_hadamard<float>(const Shape&, int, HadamardOrder);
template Operator<double> walsh_hadamard<double>(const Shape&, int, HadamardOrder);

}  // namespace recon
