// Benchmark support: the session's device, its measured copy bandwidth, and a timing loop
// that reports every benchmark against that roofline.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <string>

#include "recon/kernels/context.hpp"

namespace recon::bench {

struct Session {
  Context ctx = Context::host();
  std::string device_name;
  double copy_gbps = 0;  // measured, bytes read + written
};

// Set up once by bench_main before any benchmark runs.
const Session& session();
void init_session(const std::string& device_choice, int threads);

// Times step() per iteration (synchronising the device, so each time is the whole work)
// and sets the counters: bytes per iteration, GB/s and pct_copy_bw of the measured copy.
template <class Step>
void run_timed(benchmark::State& state, double bytes_per_iteration, Step step) {
  const Session& s = session();
  step();  // warm-up: plans, caches, first-touch
  s.ctx.synchronize();
  double total = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    step();
    s.ctx.synchronize();
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(dt);
    total += dt;
  }
  const double gbps = bytes_per_iteration * static_cast<double>(state.iterations()) / total / 1e9;
  state.counters["bytes"] = bytes_per_iteration;
  state.counters["GB/s"] = gbps;
  state.counters["pct_copy_bw"] = 100.0 * gbps / s.copy_gbps;
}

}  // namespace recon::bench
