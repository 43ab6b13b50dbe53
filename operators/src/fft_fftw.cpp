// FFTW backend of the internal FFT layer. Plans are made once per (context, kind, shape,
// in-place, alignment) with FFTW_ESTIMATE (which never touches the arrays) and the context's
// thread count, then run on any arrays through FFTW's new-array execute functions. The planner
// is not thread-safe: planning and plan destruction hold one process-wide mutex.
#include <fftw3.h>
#include <omp.h>

#include <memory>
#include <mutex>
#include <string>

#include "fft.hpp"
#include "recon/kernels/error.hpp"

namespace recon::detail {
namespace {

std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

template <class T>
struct Fftw;
template <>
struct Fftw<float> {
  using plan = fftwf_plan;
  using cpx = fftwf_complex;
  static void init_threads() { fftwf_init_threads(); }
  static void plan_with_nthreads(int n) { fftwf_plan_with_nthreads(n); }
  static int alignment_of(float* p) { return fftwf_alignment_of(p); }
  static plan r2c(int r, const int* n, int b, float* i, cpx* o, int di, int dout, unsigned f) {
    return fftwf_plan_many_dft_r2c(r, n, b, i, nullptr, 1, di, o, nullptr, 1, dout, f);
  }
  static plan c2r(int r, const int* n, int b, cpx* i, float* o, int di, int dout, unsigned f) {
    return fftwf_plan_many_dft_c2r(r, n, b, i, nullptr, 1, di, o, nullptr, 1, dout, f);
  }
  static plan c2c(int r, const int* n, int b, cpx* i, cpx* o, int d, int sign, unsigned f) {
    return fftwf_plan_many_dft(r, n, b, i, nullptr, 1, d, o, nullptr, 1, d, sign, f);
  }
  static void exec_r2c(plan p, float* i, cpx* o) { fftwf_execute_dft_r2c(p, i, o); }
  static void exec_c2r(plan p, cpx* i, float* o) { fftwf_execute_dft_c2r(p, i, o); }
  static void exec_c2c(plan p, cpx* i, cpx* o) { fftwf_execute_dft(p, i, o); }
  static plan r2r(int r, const int* n, float* i, float* o, const fftw_r2r_kind* k, unsigned f) {
    return fftwf_plan_r2r(r, n, i, o, k, f);
  }
  static void exec_r2r(plan p, float* i, float* o) { fftwf_execute_r2r(p, i, o); }
  static void destroy(plan p) { fftwf_destroy_plan(p); }
};
template <>
struct Fftw<double> {
  using plan = fftw_plan;
  using cpx = fftw_complex;
  static void init_threads() { fftw_init_threads(); }
  static void plan_with_nthreads(int n) { fftw_plan_with_nthreads(n); }
  static int alignment_of(double* p) { return fftw_alignment_of(p); }
  static plan r2c(int r, const int* n, int b, double* i, cpx* o, int di, int dout, unsigned f) {
    return fftw_plan_many_dft_r2c(r, n, b, i, nullptr, 1, di, o, nullptr, 1, dout, f);
  }
  static plan c2r(int r, const int* n, int b, cpx* i, double* o, int di, int dout, unsigned f) {
    return fftw_plan_many_dft_c2r(r, n, b, i, nullptr, 1, di, o, nullptr, 1, dout, f);
  }
  static plan c2c(int r, const int* n, int b, cpx* i, cpx* o, int d, int sign, unsigned f) {
    return fftw_plan_many_dft(r, n, b, i, nullptr, 1, d, o, nullptr, 1, d, sign, f);
  }
  static void exec_r2c(plan p, double* i, cpx* o) { fftw_execute_dft_r2c(p, i, o); }
  static void exec_c2r(plan p, cpx* i, double* o) { fftw_execute_dft_c2r(p, i, o); }
  static void exec_c2c(plan p, cpx* i, cpx* o) { fftw_execute_dft(p, i, o); }
  static plan r2r(int r, const int* n, double* i, double* o, const fftw_r2r_kind* k, unsigned f) {
    return fftw_plan_r2r(r, n, i, o, k, f);
  }
  static void exec_r2r(plan p, double* i, double* o) { fftw_execute_r2r(p, i, o); }
  static void destroy(plan p) { fftw_destroy_plan(p); }
};

enum class Kind { R2C, C2R, C2C_FORWARD, C2C_INVERSE, DCT2, DCT3 };

// The cached plan of one transform; `make` runs under the planner mutex.
template <class T, class Make>
typename Fftw<T>::plan cached_plan(const Context& ctx, Kind kind, const FftShape& s, T* in, T* out,
                                   Make make) {
  const bool in_place = static_cast<void*>(in) == static_cast<void*>(out);
  const bool aligned = Fftw<T>::alignment_of(in) == 0 && Fftw<T>::alignment_of(out) == 0;
  std::string key = std::string("fftw/") + (sizeof(T) == 4 ? "f" : "d") + "/" +
                    std::to_string(static_cast<int>(kind)) + "/" + std::to_string(s.batch);
  for (int a = 0; a < s.rank; ++a) key += "x" + std::to_string(s.n[a]);
  key += in_place ? "/inplace" : "/outofplace";
  key += aligned ? "/aligned" : "/unaligned";
  auto holder = ctx.cached(key, [&]() -> std::shared_ptr<void> {
    std::lock_guard<std::mutex> lock(planner_mutex());
    static const bool threads_ready = (Fftw<T>::init_threads(), true);
    (void)threads_ready;
    int n[3];
    index_t total = s.batch;
    for (int a = 0; a < s.rank; ++a) {
      n[a] = static_cast<int>(s.n[a]);
      total *= s.n[a];
    }
    // Threads only pay off on large transforms; on small ones (the iterations of a 1D or
    // small-image solver) waking them costs more than the transform, badly so on a busy CPU.
    Fftw<T>::plan_with_nthreads(total >= (index_t(1) << 16) ? ctx.host_threads() : 1);
    const unsigned flags = FFTW_ESTIMATE | (aligned ? 0u : FFTW_UNALIGNED);
    typename Fftw<T>::plan p = make(n, flags);
    if (!p) throw Error("FFTW could not plan the transform " + key);
    return std::shared_ptr<void>(p, [](void* q) {
      std::lock_guard<std::mutex> lock(planner_mutex());
      Fftw<T>::destroy(static_cast<typename Fftw<T>::plan>(q));
    });
  });
  return static_cast<typename Fftw<T>::plan>(holder.get());
}

template <class T>
typename Fftw<T>::cpx* as_complex(T* p) {
  return reinterpret_cast<typename Fftw<T>::cpx*>(p);
}

int as_int(index_t v) { return static_cast<int>(v); }

}  // namespace

template <class T>
void fftw_r2c(const Context& ctx, const FftShape& s, const T* in, T* out) {
  // Out-of-place r2c never writes its input (FFTW_PRESERVE_INPUT is its default).
  T* src = const_cast<T*>(in);
  auto plan = cached_plan<T>(ctx, Kind::R2C, s, src, out, [&](const int* n, unsigned flags) {
    return Fftw<T>::r2c(s.rank, n, as_int(s.batch), src, as_complex(out), as_int(s.real_size()),
                        as_int(s.half_size()), flags);
  });
  Fftw<T>::exec_r2c(plan, src, as_complex(out));
}

template <class T>
void fftw_c2r(const Context& ctx, const FftShape& s, T* in, T* out) {
  auto plan = cached_plan<T>(ctx, Kind::C2R, s, in, out, [&](const int* n, unsigned flags) {
    return Fftw<T>::c2r(s.rank, n, as_int(s.batch), as_complex(in), out, as_int(s.half_size()),
                        as_int(s.real_size()), flags);
  });
  Fftw<T>::exec_c2r(plan, as_complex(in), out);
}

template <class T>
void fftw_c2c(const Context& ctx, const FftShape& s, const T* in, T* out, bool inverse) {
  T* src = const_cast<T*>(in);  // out-of-place c2c preserves its input
  auto plan = cached_plan<T>(
      ctx, inverse ? Kind::C2C_INVERSE : Kind::C2C_FORWARD, s, src, out, [&](const int* n, unsigned flags) {
        return Fftw<T>::c2c(s.rank, n, as_int(s.batch), as_complex(src), as_complex(out),
                            as_int(s.real_size()), inverse ? FFTW_BACKWARD : FFTW_FORWARD, flags);
      });
  Fftw<T>::exec_c2c(plan, as_complex(src), as_complex(out));
}

template <class T>
void fftw_dct(const Context& ctx, const FftShape& s, bool inverse, const T* in, T* out) {
  if (s.batch != 1) throw InvalidArgument("fftw_dct: batched transforms are not supported");
  const fftw_r2r_kind kind = inverse ? FFTW_REDFT01 : FFTW_REDFT10;
  const fftw_r2r_kind k[3] = {kind, kind, kind};
  T* src = const_cast<T*>(in);  // out-of-place r2r preserves its input
  auto plan = cached_plan<T>(
      ctx, inverse ? Kind::DCT3 : Kind::DCT2, s, src, out,
      [&](const int* n, unsigned flags) { return Fftw<T>::r2r(s.rank, n, src, out, k, flags); });
  Fftw<T>::exec_r2r(plan, src, out);
}

#define RECON_INSTANTIATE_FFTW(T)                                                 \
  template void fftw_r2c<T>(const Context&, const FftShape&, const T*, T*);       \
  template void fftw_c2r<T>(const Context&, const FftShape&, T*, T*);             \
  template void fftw_c2c<T>(const Context&, const FftShape&, const T*, T*, bool); \
  template void fftw_dct<T>(const Context&, const FftShape&, bool, const T*, T*);
RECON_INSTANTIATE_FFTW(float)
RECON_INSTANTIATE_FFTW(double)

}  // namespace recon::detail
