// Vectorisable log, log1p, exp and pow in float and double for the host's certified prox fast
// path (fast_prox.hpp). libm's calls keep GCC from vectorising a loop (without -ffast-math),
// so these are written branch-free in plain arithmetic and bit operations that AVX2 has
// (32-bit shifts, logical 64-bit shifts, no int64 <-> double conversions). Errors are about
// 1-2 ulps on the stated ranges; the fast path certifies its results with margins that allow
// for them and never relies on them outside those ranges (out-of-range arguments give NaN or
// the limits documented per function, which its certificates reject or handle).
// The series loops are unrolled explicitly (RECON_UNROLL_FULLY): the vectoriser only takes loop
// bodies without inner loops. Host-only: no RECON_HD.
// Tests: tests/penalties/test_vector_math.cpp (VectorMath accuracy against std::).
#pragma once

#include <cstdint>
#include <cstring>
#include <limits>

// nvcc's front end does not know GCC's unroll pragma (and warns); there the loops are only
// unrolled as the host compiler sees fit.
#if defined(__CUDACC__)
#define RECON_UNROLL_FULLY
#else
#define RECON_UNROLL_FULLY _Pragma("GCC unroll 16")
#endif

namespace recon::penalties::vmath {

// Per-type constants: the integer type of the same width, the float layout, ln 2 in two parts.
template <class T>
struct Layout;
template <>
struct Layout<float> {
  using U = std::uint32_t;
  static constexpr int mantissa = 23, bias = 127;
  static constexpr U sqrt_half = 0x3f3504f3u;  // bits of sqrt(1/2)
  // ln 2 split so that n * ln2_hi is exact for |n| < 2^9 (Cody & Waite).
  static constexpr float ln2_hi = 0.693145751953125f, ln2_lo = 1.428606765330187e-06f;
  static constexpr float exp_lo = -87.0f, exp_hi = 88.0f;  // exp is normal and finite between
};
template <>
struct Layout<double> {
  using U = std::uint64_t;
  static constexpr int mantissa = 52, bias = 1023;
  static constexpr U sqrt_half = 0x3fe6a09e667f3bcdull;
  static constexpr double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  static constexpr double exp_lo = -708.0, exp_hi = 709.0;
};

template <class T>
inline typename Layout<T>::U bits(T x) {
  typename Layout<T>::U u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
template <class T>
inline T from_bits(typename Layout<T>::U u) {
  T x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

template <class T>
inline T abs(T x) {
  return x < T(0) ? -x : x;
}

constexpr double inverse_factorial(int k) {
  double f = 1;
  for (int i = 2; i <= k; ++i) f *= i;
  return 1 / f;
}

// log(m) for m in [sqrt(1/2), sqrt(2)) as 2 atanh(f), f = (m - 1)/(m + 1), |f| <= 0.1716: the
// odd series sum f^(2k+1)/(2k+1) converges by f^2 <= 0.0295 per term, so 6 terms (up to f^11) reach
// float's precision and 12 double's (Taylor coefficients, no fitted minimax constants to get wrong).
template <class T>
inline T log_reduced(T m) {
  const T f = (m - 1) / (m + 1), f2 = f * f;
  constexpr int terms = sizeof(T) == 4 ? 5 : 11;
  T s = T(1) / T(2 * terms + 1);
  RECON_UNROLL_FULLY
  for (int k = terms - 1; k >= 1; --k) s = s * f2 + T(1) / T(2 * k + 1);
  return 2 * f + 2 * f * (f2 * s);
}

// Natural log of a normal, finite x > 0; NaN for x < the smallest normal (incl. 0, negatives, NaN).
// x = 2^e m with m in [sqrt(1/2), sqrt(2)); the exponent is taken from the bits after
// subtracting those of sqrt(1/2), offset so the shift stays logical (no int64 arithmetic shift in AVX2).
template <class T>
inline T log(T x) {
  using L = Layout<T>;
  using U = typename L::U;
  const U b = bits(x);
  const U k = (b - L::sqrt_half + (U(L::bias) << L::mantissa)) >> L::mantissa;  // e + bias
  const T m = from_bits<T>(b - ((k - U(L::bias)) << L::mantissa));
  // k as T through the bits of 2^mantissa + k (exact, and vectorisable without int64 conversions).
  const T two_m = T(U(1) << L::mantissa);
  const T e = (from_bits<T>(bits(two_m) | k) - two_m) - T(L::bias);
  const T r = e * T(L::ln2_hi) + (e * T(L::ln2_lo) + log_reduced(m));
  return x >= std::numeric_limits<T>::min() ? r : std::numeric_limits<T>::quiet_NaN();
}

// log(1 + v) for v > -1 with 1 + v normal and finite: log(u), u = 1 + v, corrected by the
// rounding of u, (v - (u - 1))/u, so small v keep their relative accuracy.
template <class T>
inline T log1p(T v) {
  const T u = 1 + v;
  return log(u) + (v - (u - 1)) / u;
}

// e^x: 0 below Layout::exp_lo (where the result would be subnormal), +inf above exp_hi, NaN for
// NaN. x = n ln 2 + r, |r| <= ln(2)/2, e^r by its Taylor series (8 terms for float, 14 for double).
template <class T>
inline T exp(T x) {
  using L = Layout<T>;
  using U = typename L::U;
  const T xc = x < T(L::exp_lo) ? T(L::exp_lo) : (x > T(L::exp_hi) ? T(L::exp_hi) : x);
  // n = round(x / ln 2) by the 1.5 * 2^mantissa trick: n sits in the low bits of `shifted`.
  const T magic = T(3) * T(U(1) << (L::mantissa - 1));
  const T shifted = xc * T(1.4426950408889634073599) + magic;
  const T n = shifted - magic;
  const T r = (xc - n * T(L::ln2_hi)) - n * T(L::ln2_lo);
  constexpr int terms = sizeof(T) == 4 ? 7 : 13;
  T p = T(inverse_factorial(terms));
  RECON_UNROLL_FULLY
  for (int k = terms - 1; k >= 0; --k) p = p * r + T(inverse_factorial(k));
  const T y = from_bits<T>(bits(p) + (bits(shifted) << L::mantissa));  // times 2^n
  const T limited = x < T(L::exp_lo) ? T(0) : (x > T(L::exp_hi) ? std::numeric_limits<T>::infinity() : y);
  return x == x ? limited : x;
}

// e^x - 1 with relative accuracy near 0: for |x| < ln(2)/2 the series x sum x^k/(k+1)! without
// the leading 1 (whose cancellation would lose the small result), else e^x - 1 (no cancellation
// beyond a bit or two there).
template <class T>
inline T expm1(T x) {
  constexpr int terms = sizeof(T) == 4 ? 7 : 13;
  T p = T(inverse_factorial(terms + 1));
  RECON_UNROLL_FULLY
  for (int k = terms - 1; k >= 0; --k) p = p * x + T(inverse_factorial(k + 1));
  return abs(x) < T(0.34657359027997264) ? x * p : exp(x) - 1;
}

// x^y = e^(y log x) for normal, finite x > 0 (NaN otherwise). The error of y log x grows with
// its size: relative error about (1 + |y log x|) ulps.
template <class T>
inline T pow(T x, T y) {
  return exp(y * log(x));
}

}  // namespace recon::penalties::vmath
