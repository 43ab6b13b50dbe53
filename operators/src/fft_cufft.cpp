// cuFFT backend of the internal FFT layer (CUDA builds only). One plan per (context, kind,
// shape), cached in the context and bound to its stream before each execution.
#include <cuda_runtime.h>
#include <cufft.h>

#include <memory>
#include <string>

#include "fft.hpp"
#include "recon/kernels/error.hpp"

namespace recon::detail {
namespace {

void check_cufft(cufftResult r, const char* call) {
  if (r == CUFFT_SUCCESS) return;
  const std::string msg =
      std::string("cuFFT call ") + call + " failed with status " + std::to_string(static_cast<int>(r));
  if (r == CUFFT_ALLOC_FAILED) throw OutOfMemory(msg);
  throw DeviceError(msg);
}

template <class T>
struct Cufft;
template <>
struct Cufft<float> {
  static constexpr cufftType r2c = CUFFT_R2C, c2r = CUFFT_C2R, c2c = CUFFT_C2C;
  static cufftResult exec_r2c(cufftHandle p, float* i, float* o) {
    return cufftExecR2C(p, i, reinterpret_cast<cufftComplex*>(o));
  }
  static cufftResult exec_c2r(cufftHandle p, float* i, float* o) {
    return cufftExecC2R(p, reinterpret_cast<cufftComplex*>(i), o);
  }
  static cufftResult exec_c2c(cufftHandle p, float* i, float* o, int dir) {
    return cufftExecC2C(p, reinterpret_cast<cufftComplex*>(i), reinterpret_cast<cufftComplex*>(o), dir);
  }
};
template <>
struct Cufft<double> {
  static constexpr cufftType r2c = CUFFT_D2Z, c2r = CUFFT_Z2D, c2c = CUFFT_Z2Z;
  static cufftResult exec_r2c(cufftHandle p, double* i, double* o) {
    return cufftExecD2Z(p, i, reinterpret_cast<cufftDoubleComplex*>(o));
  }
  static cufftResult exec_c2r(cufftHandle p, double* i, double* o) {
    return cufftExecZ2D(p, reinterpret_cast<cufftDoubleComplex*>(i), o);
  }
  static cufftResult exec_c2c(cufftHandle p, double* i, double* o, int dir) {
    return cufftExecZ2Z(p, reinterpret_cast<cufftDoubleComplex*>(i), reinterpret_cast<cufftDoubleComplex*>(o),
                        dir);
  }
};

cufftHandle cached_plan(const Context& ctx, cufftType type, const FftShape& s) {
  std::string key = "cufft/" + std::to_string(static_cast<int>(type)) + "/" + std::to_string(s.batch);
  for (int a = 0; a < s.rank; ++a) key += "x" + std::to_string(s.n[a]);
  auto holder = ctx.cached(key, [&]() -> std::shared_ptr<void> {
    long long n[3];
    for (int a = 0; a < s.rank; ++a) n[a] = s.n[a];
    const bool to_half = type == CUFFT_R2C || type == CUFFT_D2Z;
    const bool from_half = type == CUFFT_C2R || type == CUFFT_Z2D;
    const long long idist = from_half ? s.half_size() : s.real_size();
    const long long odist = to_half ? s.half_size() : s.real_size();
    cufftHandle plan;
    check_cufft(cufftCreate(&plan), "cufftCreate");
    std::size_t work = 0;
    const cufftResult r = cufftMakePlanMany64(plan, s.rank, n, nullptr, 1, idist, nullptr, 1, odist, type,
                                              static_cast<long long>(s.batch), &work);
    if (r != CUFFT_SUCCESS) cufftDestroy(plan);
    check_cufft(r, "cufftMakePlanMany64");
    return std::shared_ptr<void>(new cufftHandle(plan), [](void* p) {
      cufftDestroy(*static_cast<cufftHandle*>(p));
      delete static_cast<cufftHandle*>(p);
    });
  });
  const cufftHandle plan = *static_cast<cufftHandle*>(holder.get());
  check_cufft(cufftSetStream(plan, static_cast<cudaStream_t>(ctx.stream())), "cufftSetStream");
  return plan;
}

}  // namespace

template <class T>
void cufft_r2c(const Context& ctx, const FftShape& s, const T* in, T* out) {
  check_cufft(Cufft<T>::exec_r2c(cached_plan(ctx, Cufft<T>::r2c, s), const_cast<T*>(in), out), "exec r2c");
}

template <class T>
void cufft_c2r(const Context& ctx, const FftShape& s, T* in, T* out) {
  check_cufft(Cufft<T>::exec_c2r(cached_plan(ctx, Cufft<T>::c2r, s), in, out), "exec c2r");
}

template <class T>
void cufft_c2c(const Context& ctx, const FftShape& s, const T* in, T* out, bool inverse) {
  check_cufft(Cufft<T>::exec_c2c(cached_plan(ctx, Cufft<T>::c2c, s), const_cast<T*>(in), out,
                                 inverse ? CUFFT_INVERSE : CUFFT_FORWARD),
              "exec c2c");
}

#define RECON_INSTANTIATE_CUFFT(T)                                           \
  template void cufft_r2c<T>(const Context&, const FftShape&, const T*, T*); \
  template void cufft_c2r<T>(const Context&, const FftShape&, T*, T*);       \
  template void cufft_c2c<T>(const Context&, const FftShape&, const T*, T*, bool);
RECON_INSTANTIATE_CUFFT(float)
RECON_INSTANTIATE_CUFFT(double)

}  // namespace recon::detail
