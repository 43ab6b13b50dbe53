// Shared main of every benchmark binary: `--device=auto|cpu|cuda` and `--threads=N` pick
// the session's device; the measured copy bandwidth goes into the JSON context.
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "recon/kernels/config.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/host_clones.hpp"
#include "roofline.hpp"

int main(int argc, char** argv) {
  std::string device = "auto";
  int threads = 0;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strncmp(argv[i], "--device=", 9) == 0)
      device = argv[i] + 9;
    else if (std::strncmp(argv[i], "--threads=", 10) == 0)
      threads = std::atoi(argv[i] + 10);
    else
      rest.push_back(argv[i]);
  }
  int rest_argc = static_cast<int>(rest.size());
  try {
    recon::bench::init_session(device, threads);
  } catch (const recon::Error& e) {
    std::cerr << argv[0] << ": error: " << e.what() << "\n";
    return 1;
  }
  const auto& s = recon::bench::session();
  benchmark::AddCustomContext("recon_version", RECON_VERSION_STRING);
  benchmark::AddCustomContext("recon_host_arch", RECON_HOST_ARCH[0] ? RECON_HOST_ARCH : "default");
  benchmark::AddCustomContext("recon_host_clone", recon::host_clone_level());
  benchmark::AddCustomContext("recon_device", recon::to_string(s.ctx.device()));
  benchmark::AddCustomContext("recon_device_name", s.device_name);
  // Host and device figures must never be mixed up: the multiprocessor count (host: hardware
  // threads) and compute capability (0 on the host) say which machine each file is from.
  benchmark::AddCustomContext("recon_multiprocessors", std::to_string(s.ctx.info().multiprocessors));
  benchmark::AddCustomContext("recon_compute_capability", std::to_string(s.ctx.info().compute_capability));
  benchmark::AddCustomContext("recon_host_threads", std::to_string(s.ctx.host_threads()));
  benchmark::AddCustomContext("recon_copy_bandwidth_gbps", std::to_string(s.copy_gbps));
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
