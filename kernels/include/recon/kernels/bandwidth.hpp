// The device's measured copy bandwidth: the roofline that every benchmark reports against.
#pragma once

#include <cstddef>

#include "recon/kernels/array.hpp"
#include "recon/kernels/context.hpp"

namespace recon {

struct CopyBandwidth {
  double gbytes_per_s = 0;  // bytes read + bytes written, per second, / 1e9
  double seconds = 0;       // median time of one copy
  std::size_t bytes = 0;    // size of the copied buffer
};

// Median over `repeats` copies y = x of a float buffer of `bytes` with the library's own
// parallel_for (so it measures the path every kernel uses), after a warm-up.
CopyBandwidth measure_copy_bandwidth(const Context& ctx, std::size_t bytes, int repeats = 20);

// The same with the caller's buffers (to = from, equal sizes, on ctx's device), no warm-up: for
// measurements repeated beside each benchmark, where the bandwidth of a shared host drifts.
CopyBandwidth measure_copy_bandwidth(const Context& ctx, View<const float> from, View<float> to, int repeats);

}  // namespace recon
