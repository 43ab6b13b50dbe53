// `recon info`: version, build options and every device with its measured copy bandwidth.
#include <nlohmann/json.hpp>

#include <iostream>

#include "commands.hpp"
#include "json_output.hpp"
#include "recon/engine/build_info.hpp"
#include "recon/kernels/bandwidth.hpp"
#include "recon/kernels/communicator.hpp"
#include "recon/kernels/context.hpp"

namespace recon::cli {

namespace {

nlohmann::json describe(const DeviceInfo& d, bool measure, int threads) {
  nlohmann::json j = {{"device", to_string(d.device)},
                      {"ordinal", d.ordinal},
                      {"name", d.name},
                      {"memory_gib", static_cast<double>(d.total_memory_bytes) / (1024.0 * 1024 * 1024)}};
  if (d.device == Device::Cuda) {
    j["compute_capability"] = d.compute_capability;
    j["multiprocessors"] = d.multiprocessors;
  } else {
    j["hardware_threads"] = d.multiprocessors;
  }
  if (measure) {
    const Context ctx = d.device == Device::Cuda ? Context::cuda(d.ordinal) : Context::host(threads);
    // Large enough to leave the caches: 256 MiB on a GPU, 64 MiB on the host.
    const std::size_t bytes = d.device == Device::Cuda ? (256u << 20) : (64u << 20);
    const CopyBandwidth bw = measure_copy_bandwidth(ctx, bytes);
    j["copy_bandwidth_gbps"] = bw.gbytes_per_s;
    j["copy_buffer_mib"] = static_cast<double>(bw.bytes) / (1024.0 * 1024);
  }
  return j;
}

}  // namespace

void add_info_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("info", "version, build options, devices and their measured copy bandwidth");
  auto* no_measure = cmd->add_flag("--no-measure", "skip the copy-bandwidth measurement");
  cmd->callback([&global, no_measure] {
    const BuildInfo b = build_info();
    nlohmann::json out = {{"version", b.version},
                          {"build",
                           {{"cuda", b.cuda},
                            {"cuda_architectures", b.cuda_architectures},
                            {"mpi", b.mpi},
                            {"nccl", b.nccl},
                            {"host_arch", b.host_arch},
                            {"host_clone", b.host_clone},
                            {"compiler", b.compiler},
                            {"build_type", b.build_type}}},
                          {"cuda_available", cuda_available()},
                          {"ranks", dist::world()->size()},
                          {"selected_device", to_string(Context::from_choice(global.device).device())}};
    for (const DeviceInfo& d : list_devices())
      out["devices"].push_back(describe(d, !*no_measure, global.threads));
    std::cout << out.dump(2, ' ', false, kReplaceInvalidUtf8) << "\n";
  });
}

}  // namespace recon::cli
