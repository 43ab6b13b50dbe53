// Dispatch of the internal FFT layer to FFTW (host) or cuFFT (device).
#include "fft.hpp"

#include <limits>
#include <string>

#include "recon/kernels/error.hpp"

namespace recon::detail {

index_t FftShape::real_size() const {
  index_t s = 1;
  for (int a = 0; a < rank; ++a) s *= n[a];
  return s;
}

index_t FftShape::half_size() const { return real_size() / n[rank - 1] * (n[rank - 1] / 2 + 1); }

FftShape fft_shape(const Shape& shape, int rank, const char* where) {
  if (rank < 1 || rank > 3 || rank > shape.ndim())
    throw InvalidArgument(std::string(where) + ": FFTs run over 1 to 3 trailing axes, asked for " +
                          std::to_string(rank) + " of the shape " + shape.str());
  FftShape s;
  s.rank = rank;
  for (int a = 0; a < rank; ++a) {
    s.n[a] = shape[shape.ndim() - rank + a];
    if (s.n[a] > std::numeric_limits<int>::max())
      throw InvalidArgument(std::string(where) + ": FFT extent " + std::to_string(s.n[a]) + " is too large");
  }
  s.batch = shape.size() / s.real_size();
  return s;
}

template <class T>
void fft_r2c(const Context& ctx, const FftShape& s, const T* in, T* out) {
#if RECON_WITH_CUDA
  if (ctx.is_cuda()) return cufft_r2c(ctx, s, in, out);
#endif
  fftw_r2c(ctx, s, in, out);
}

template <class T>
void fft_c2r(const Context& ctx, const FftShape& s, T* in, T* out) {
#if RECON_WITH_CUDA
  if (ctx.is_cuda()) return cufft_c2r(ctx, s, in, out);
#endif
  fftw_c2r(ctx, s, in, out);
}

template <class T>
void fft_c2c(const Context& ctx, const FftShape& s, const T* in, T* out, bool inverse) {
#if RECON_WITH_CUDA
  if (ctx.is_cuda()) return cufft_c2c(ctx, s, in, out, inverse);
#endif
  fftw_c2c(ctx, s, in, out, inverse);
}

#define RECON_INSTANTIATE_FFT(T)                                           \
  template void fft_r2c<T>(const Context&, const FftShape&, const T*, T*); \
  template void fft_c2r<T>(const Context&, const FftShape&, T*, T*);       \
  template void fft_c2c<T>(const Context&, const FftShape&, const T*, T*, bool);
RECON_INSTANTIATE_FFT(float)
RECON_INSTANTIATE_FFT(double)

}  // namespace recon::detail
