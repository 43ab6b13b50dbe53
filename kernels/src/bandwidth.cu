// Copy-bandwidth measurement through parallel_for, the roofline every benchmark uses.
#include "recon/kernels/bandwidth.hpp"

#include <algorithm>
#include <chrono>
#include <vector>

#include "recon/kernels/array.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/parallel_for.hpp"

namespace recon {

CopyBandwidth measure_copy_bandwidth(const Context& ctx, View<const float> from, View<float> to,
                                     int repeats) {
  require(repeats >= 1, "measure_copy_bandwidth", "repeats must be >= 1");
  require(from.size() == to.size() && from.size() > 0, "measure_copy_bandwidth",
          "buffers must be nonempty and of one size");
  const index_t n = from.size();
  const float* px = from.data();
  float* py = to.data();
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    parallel_for(ctx, n, [=] RECON_HD(index_t i) { py[i] = px[i]; });
    ctx.synchronize();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(times.begin(), times.begin() + times.size() / 2, times.end());
  CopyBandwidth out;
  out.seconds = times[times.size() / 2];
  out.bytes = static_cast<std::size_t>(n) * sizeof(float);
  out.gbytes_per_s = 2.0 * static_cast<double>(out.bytes) / out.seconds / 1e9;
  return out;
}

CopyBandwidth measure_copy_bandwidth(const Context& ctx, std::size_t bytes, int repeats) {
  require(bytes >= sizeof(float), "measure_copy_bandwidth", "buffer must hold at least one float");
  const index_t n = static_cast<index_t>(bytes / sizeof(float));
  Array<float> x(ctx, Shape{n}), y(ctx, Shape{n});
  float* px = x.data();
  // Real values, not zeros: some memory systems move zeros faster than data.
  parallel_for(ctx, n, [=] RECON_HD(index_t i) { px[i] = static_cast<float>(i % 1021) * 0.5f; });
  measure_copy_bandwidth(ctx, x.cview(), y.view(), 1);  // warm-up
  return measure_copy_bandwidth(ctx, x.cview(), y.view(), repeats);
}

}  // namespace recon
