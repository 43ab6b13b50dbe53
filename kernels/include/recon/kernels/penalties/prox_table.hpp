// The host's first tier for the prox of the iterative penalties and losses at a scalar step t
// in float: a table of the prox map x(z) = prox_{t f}(z), built per call from the exact routine.
// The Newton path (fast_prox.hpp) spends a chain of dependent transcendental evaluations on
// every element; the map itself is a smooth monotone function of |z| between a few breakpoints
// (thresholds, jumps), so a piecewise cubic reproduces it to float accuracy at the cost of one
// table lookup, which on the host runs near the copy bandwidth.
//
// Segments: 2^bits per octave of |z|, indexed by the float's bit pattern (the exponent and the
// mantissa's top bits), so a segment spans a fixed fraction of its z. In a segment,
// u = (mantissa - 1.5) in [-0.5, 0.5) is exact in float and x = c0 + u (c1 + u (c2 + u c3)), the
// cubic interpolating the exact routine (in double) at the four Chebyshev points of u. A segment
// is accepted only if at kChecks floats spread over it, the first and last included, the float
// evaluation (the kernel's own arithmetic) is within kTableUlps of the exact routine in double;
// a breakpoint or a turning point of the map fails it (every breakpoint has a
// check on either side, and the map is monotone: what a jump or kink moves stays moved). Runs
// of rejected segments get a finer table each (2^kRefineBits times the segments), for steep
// stretches of the map; what is rejected there too, and every |z| outside the octaves built,
// maps to an entry of NaNs: those elements go on to the Newton path and, failing its
// certificate, to the exact routine.
// Between check points the table relies on the interpolation error of a smooth function; the
// sweep of ProxScalarGamma compares it with the exact routine at 20,000 points per function.
// Host-only. Tests: tests/penalties/test_prox_scalar_gamma.cu.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "recon/kernels/array.hpp"
#include "recon/kernels/penalties/vector_math.hpp"

namespace recon::penalties::fast {

constexpr int kSegmentBits = 5;                 // 32 segments per octave
constexpr int kRefineBits = 4;                  // finer tables: 16 times as many
constexpr int kMaxRefined = 64;                 // rejected segments refined at most
constexpr int kMaxOctaves = 24;                 // built below the sampled largest |z|
constexpr int kChecks = 12;                     // validation floats per segment
constexpr double kTableUlps = 3;                // against the exact routine in double
constexpr index_t kTableMinElements = 1 << 18;  // below, building costs more than it saves

// The segment's local coordinate of a positive float, exact: the mantissa bits below the
// segment index, as a mantissa in [1, 2), minus 1.5.
inline float segment_u(std::uint32_t x, int bits) {
  return vmath::from_bits<float>(((x << bits) & 0x7fffffu) | 0x3f800000u) - 1.5f;
}

// The cubic in the kernel's float arithmetic (fused multiply-adds, as the AVX2 loop).
inline float cubic(const float* c, float u) {
  return std::fma(std::fma(std::fma(c[3], u, c[2]), u, c[1]), u, c[0]);
}

struct ProxTable {
  // Entry 0 is NaN (misses); segment g (float bits >> (23 - bits)) is entry g - first + 1.
  int bits = kSegmentBits;
  std::int32_t first = 0, count = 0;
  std::vector<float> coef;         // 4 per entry
  std::vector<ProxTable> refined;  // finer tables over runs of rejected segments

  // out[j] = this table's x for in[j]; where it has none, out[j] = in[j] and j is appended to
  // misses. Returns the number of misses. in may alias out. The refined tables are separate.
  index_t evaluate(const float* in, float* out, index_t m, std::int32_t* misses) const;
  // The same without AVX2 (what hosts without it run; evaluate's AVX2 loop must agree bitwise).
  index_t evaluate_portable(const float* in, float* out, index_t m, std::int32_t* misses) const;
};

namespace table_detail {

// The octaves [lo, hi] (unbiased exponents) to build, from a sample of the data: up to
// kMaxOctaves below the largest finite |z|; false when the sample has no finite nonzero value.
bool octave_range(const float* in, index_t n, int& lo, int& hi);

// z at coordinate u of segment g, in double.
inline double segment_z(std::int32_t g, double u, int bits) {
  const int e = (g >> bits) - 127;
  const double frac = (g & ((1 << bits) - 1)) + u + 0.5;
  return std::ldexp(1 + frac / (1 << bits), e);
}

// The cubic through (u_i, y_i) at the four Chebyshev points, rounded to float.
void fit_cubic(const double y[4], float c[4]);
extern const double kChebyshevU[4];

// The kChecks floats of segment g, its first and last included.
void check_floats(std::int32_t g, int bits, float z[kChecks]);

inline bool close(double approx, double exact, double ulps, double eps) {
  return std::fabs(approx - exact) <= ulps * eps * std::fabs(exact);
}

// Fits and checks every segment of `table` (bits, first and count set); rejected ones stay NaN.
template <class F>
void fill_segments(const F& f, double t, ProxTable& table, int threads) {
  table.coef.assign(4 * (std::size_t(table.count) + 1), std::numeric_limits<float>::quiet_NaN());
  const double eps = std::numeric_limits<float>::epsilon();
#pragma omp parallel for num_threads(threads) schedule(dynamic, 16)
  for (std::int32_t s = 0; s < table.count; ++s) {
    const std::int32_t g = table.first + s;
    double y[4];
    for (int i = 0; i < 4; ++i) y[i] = f.prox(segment_z(g, kChebyshevU[i], table.bits), t);
    float c[4];
    fit_cubic(y, c);
    float z[kChecks];
    check_floats(g, table.bits, z);
    bool ok = true;
    for (int k = 0; k < kChecks && ok; ++k)
      ok =
          close(cubic(c, segment_u(vmath::bits(z[k]), table.bits)), f.prox(double(z[k]), t), kTableUlps, eps);
    if (ok) std::copy(c, c + 4, table.coef.begin() + 4 * (std::size_t(s) + 1));
  }
}

inline bool rejected(const ProxTable& table, std::int32_t s) {
  return std::isnan(table.coef[4 * (std::size_t(s) + 1)]);
}

}  // namespace table_detail

// Builds the table of prox_{t f} over the octaves [lo, hi] of |z| and its refinements, segments
// in parallel on `threads` threads.
template <class F>
ProxTable build_prox_table(const F& f, float t, int lo, int hi, int threads) {
  using namespace table_detail;
  ProxTable table;
  table.first = (lo + 127) << kSegmentBits;
  table.count = (hi - lo + 1) << kSegmentBits;
  fill_segments(f, double(t), table, threads);
  int refined = 0;
  for (std::int32_t s = 0; s < table.count && refined < kMaxRefined; ++s) {
    if (!rejected(table, s)) continue;
    std::int32_t end = s + 1;
    while (end < table.count && rejected(table, end) && refined + (end - s) < kMaxRefined) ++end;
    ProxTable fine;
    fine.bits = kSegmentBits + kRefineBits;
    fine.first = (table.first + s) << kRefineBits;
    fine.count = (end - s) << kRefineBits;
    fill_segments(f, double(t), fine, threads);
    table.refined.push_back(std::move(fine));
    refined += end - s;
    s = end;
  }
  return table;
}

// The same for the data in[0, n), sampled for the octaves it spans; an empty table (count 0)
// when the sample has no finite nonzero value.
template <class F>
ProxTable build_prox_table(const F& f, float t, const float* in, index_t n, int threads) {
  int lo, hi;
  if (!table_detail::octave_range(in, n, lo, hi)) return ProxTable{};
  return build_prox_table(f, t, lo, hi, threads);
}

}  // namespace recon::penalties::fast
