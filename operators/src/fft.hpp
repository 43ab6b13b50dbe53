// Internal FFT layer shared by Fourier, Convolution and the spectral Laplacian solve: FFTW on
// a Host context, cuFFT on a Cuda context, plans created once per (context, shape, kind) and
// kept in ctx.cached(...). Transforms are unnormalised and act on the last `rank` axes of
// `batch` contiguous arrays; complex data is interleaved (re, im), r2c keeps n_last/2 + 1
// bins on the last axis. c2r overwrites its input (both libraries may).
#pragma once

#include "recon/kernels/context.hpp"
#include "recon/kernels/shape.hpp"

namespace recon::detail {

struct FftShape {
  int rank = 1;              // 1..3
  index_t n[3] = {1, 1, 1};  // transform extents, slowest first (n[rank-1] is the fastest)
  index_t batch = 1;         // contiguous transforms

  index_t real_size() const;  // elements of one real array
  index_t half_size() const;  // complex bins of one r2c output
};

// The transform over the last `rank` axes of `shape`, batched over the leading ones.
FftShape fft_shape(const Shape& shape, int rank, const char* where);

template <class T>
void fft_r2c(const Context& ctx, const FftShape& s, const T* in, T* out);
template <class T>
void fft_c2r(const Context& ctx, const FftShape& s, T* in, T* out);
// Forward (e^{-i}) or inverse (e^{+i}); in may equal out.
template <class T>
void fft_c2c(const Context& ctx, const FftShape& s, const T* in, T* out, bool inverse);

// Real-to-real transforms (FFTW only, host) over every axis: the DCT-II (FFTW_REDFT10) or its
// inverse up to 2n per axis, the DCT-III (FFTW_REDFT01).
template <class T>
void fftw_dct(const Context& ctx, const FftShape& s, bool inverse, const T* in, T* out);

// Backend entry points behind the dispatch in fft.cpp.
template <class T>
void fftw_r2c(const Context& ctx, const FftShape& s, const T* in, T* out);
template <class T>
void fftw_c2r(const Context& ctx, const FftShape& s, T* in, T* out);
template <class T>
void fftw_c2c(const Context& ctx, const FftShape& s, const T* in, T* out, bool inverse);
template <class T>
void cufft_r2c(const Context& ctx, const FftShape& s, const T* in, T* out);
template <class T>
void cufft_c2r(const Context& ctx, const FftShape& s, T* in, T* out);
template <class T>
void cufft_c2c(const Context& ctx, const FftShape& s, const T* in, T* out, bool inverse);

}  // namespace recon::detail
