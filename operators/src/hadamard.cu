// Fast Walsh-Hadamard transform kernels (formulas and layout in hadamard.hpp).
#include "recon/operators/hadamard.hpp"

#include <cmath>
#include <string>

#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon {

namespace detail {

// In-place unnormalised butterflies on one contiguous row of n = 2^k, then scaling.
template <class T>
struct WhtRows {
  T* p;
  index_t n;
  T scale;
  RECON_HD void operator()(index_t r) const {
    T* row = p + r * n;
    for (index_t h = 1; h < n; h *= 2)
      for (index_t b = 0; b < n; b += 2 * h)
        for (index_t j = b; j < b + h; ++j) {
          const T u = row[j], v = row[j + h];
          row[j] = u + v;
          row[j + h] = u - v;
        }
    for (index_t j = 0; j < n; ++j) row[j] *= scale;
  }
};

// The same along a strided axis: task t transforms `chunk` neighbouring columns of one
// (n x inner) block, so every butterfly touches contiguous memory.
template <class T>
struct WhtColumns {
  T* p;
  index_t n, inner, chunk;
  T scale;
  RECON_HD void operator()(index_t t) const {
    const index_t chunks = (inner + chunk - 1) / chunk;
    const index_t o = t / chunks, i0 = (t % chunks) * chunk;
    const index_t i1 = i0 + chunk < inner ? i0 + chunk : inner;
    T* blk = p + o * n * inner;
    for (index_t h = 1; h < n; h *= 2)
      for (index_t b = 0; b < n; b += 2 * h)
        for (index_t j = b; j < b + h; ++j) {
          T* u = blk + j * inner;
          T* v = blk + (j + h) * inner;
          for (index_t i = i0; i < i1; ++i) {
            const T a = u[i], c = v[i];
            u[i] = a + c;
            v[i] = a - c;
          }
        }
    for (index_t j = 0; j < n; ++j)
      for (index_t i = i0; i < i1; ++i) blk[j * inner + i] *= scale;
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
// One block per row (grid-stride): the row is loaded into shared memory once, all log2(n)
// stages run there, and it is written back scaled.
template <class T>
__global__ void wht_rows_shared(T* p, index_t rows, int n, T scale) {
  extern __shared__ __align__(16) unsigned char smem_raw[];
  T* s = reinterpret_cast<T*>(smem_raw);
  for (index_t r = blockIdx.x; r < rows; r += gridDim.x) {
    T* row = p + r * n;
    for (int i = threadIdx.x; i < n; i += blockDim.x) s[i] = row[i];
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
    for (int i = threadIdx.x; i < n; i += blockDim.x) row[i] = s[i] * scale;
    __syncthreads();
  }
}
constexpr index_t kSharedRowBytes = 32 * 1024;
#endif

// In-place orthonormal transform of p along one axis (n entries, stride inner).
template <class T>
void wht_axis(const Context& ctx, T* p, index_t total, index_t n, index_t inner) {
  if (n == 1) return;
  const T scale = static_cast<T>(1.0 / std::sqrt(static_cast<double>(n)));
  if (!ctx.is_cuda()) {
    if (inner == 1) {
      parallel_for(ctx, total / n, WhtRows<T>{p, n, scale});
    } else {
      const index_t chunk = 64, chunks = (inner + chunk - 1) / chunk;
      parallel_for(ctx, total / (n * inner) * chunks, WhtColumns<T>{p, n, inner, chunk, scale});
    }
    return;
  }
#if defined(__CUDACC__)
  if (inner == 1 && n * static_cast<index_t>(sizeof(T)) <= kSharedRowBytes) {
    const index_t rows = total / n;
    const int threads = static_cast<int>(n / 2 < 512 ? (n / 2 < 32 ? 32 : n / 2) : 512);
    const index_t blocks = rows < cuda_grid_limit(ctx) ? rows : cuda_grid_limit(ctx);
    wht_rows_shared<T>
        <<<static_cast<unsigned>(blocks), threads, n * sizeof(T), static_cast<cudaStream_t>(ctx.stream())>>>(
            p, rows, static_cast<int>(n), scale);
    RECON_CUDA_CHECK(cudaGetLastError());
    return;
  }
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

template <class T>
void wht_all_axes(const Context& ctx, const Shape& shape, int rank, T* p) {
  index_t inner = 1;
  for (int a = shape.ndim() - 1; a >= shape.ndim() - rank; --a) {
    wht_axis(ctx, p, shape.size(), shape[a], inner);
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
    copy<T>(ctx, x, y);
    detail::wht_all_axes(ctx, s, rank_, y.data());
    return;
  }
  View<T> tmp = this->scratch(ctx, 1, s);
  copy<T>(ctx, x, tmp);
  detail::wht_all_axes(ctx, s, rank_, tmp.data());
  detail::sequency_permute<T>(ctx, s, rank_, tmp.data(), y.data(), true);
}

template <class T>
void HadamardOperator<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  const Shape& s = this->domain();
  if (order_ == HadamardOrder::Natural)
    copy<T>(ctx, y, x);
  else
    detail::sequency_permute<T>(ctx, s, rank_, y.data(), x.data(), false);
  detail::wht_all_axes(ctx, s, rank_, x.data());
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
