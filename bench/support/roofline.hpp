// Benchmark support: the session's device, its measured copy bandwidth, and a timing loop
// that reports every benchmark against that roofline.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <string>

#include "recon/kernels/array.hpp"
#include "recon/kernels/context.hpp"

namespace recon::bench {

struct Session {
  Context ctx = Context::host();
  std::string device_name;
  double copy_gbps = 0;  // measured at the start, bytes read + written
  Array<float> copy_from;
  mutable Array<float> copy_to;
  // The copy bandwidth now (median of a few copies of copy_from): each benchmark's % of copy is
  // against copies measured just before and after it, since a shared host's memory bandwidth
  // drifts by up to 1.7x over minutes (31-52 GB/s seen on one VM).
  double copy_gbps_now() const;
};

// Set up once by bench_main before any benchmark runs.
const Session& session();
void init_session(const std::string& device_choice, int threads);

// Sets the counters of a benchmark that moved `bytes` in `seconds`: bytes per iteration, GB/s,
// the copy bandwidth measured beside it (copy_GB/s) and pct_copy_bw of that copy.
inline void set_roofline_counters(benchmark::State& state, double bytes_per_iteration, double seconds,
                                  double copy_gbps) {
  const double gbps = bytes_per_iteration * static_cast<double>(state.iterations()) / seconds / 1e9;
  state.counters["bytes"] = bytes_per_iteration;
  state.counters["GB/s"] = gbps;
  state.counters["copy_GB/s"] = copy_gbps;
  state.counters["pct_copy_bw"] = 100.0 * gbps / copy_gbps;
}

// Counts measure() per iteration, the seconds it returns (the work it times, synchronised), and
// sets the roofline counters against copies measured just before and after the loop.
template <class Measure>
void run_measured(benchmark::State& state, double bytes_per_iteration, Measure measure) {
  const Session& s = session();
  const double copy_before = s.copy_gbps_now();
  double total = 0;
  for (auto _ : state) {
    const double dt = measure();
    state.SetIterationTime(dt);
    total += dt;
  }
  set_roofline_counters(state, bytes_per_iteration, total, (copy_before + s.copy_gbps_now()) / 2);
}

// The seconds step() takes, the device synchronised.
template <class Step>
double seconds_of(const Step& step) {
  const auto t0 = std::chrono::steady_clock::now();
  step();
  session().ctx.synchronize();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Times step() per iteration after a warm-up (plans, caches, first touch).
template <class Step>
void run_timed(benchmark::State& state, double bytes_per_iteration, Step step) {
  seconds_of(step);
  run_measured(state, bytes_per_iteration, [&] { return seconds_of(step); });
}

}  // namespace recon::bench
