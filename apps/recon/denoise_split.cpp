// `mpiexec -n N recon denoise IN OUT ...`: TV denoising split into blocks of rows along axis 0
// (z-slabs of a volume, row blocks of an image) over the ranks (docs/distributed.md). Rank 0
// reads IN (and --reference) and scatters the blocks; every rank runs tv_denoise_slabs on its
// block (halo exchanges and all-reduced sums inside); rank 0 gathers x and writes OUT and --log
// through the same atomic writers as a serial run. Every step that may fail on some ranks only
// is agreed, so that all ranks exit with the same one error line.
#include <iostream>

#include "denoise_run.hpp"
#include "iteration_log.hpp"
#include "json_output.hpp"
#include "read_input.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/io/atomic_file.hpp"
#include "row_blocks.hpp"

namespace recon::cli {

void run_denoise_split(const DenoiseArgs& a, const GlobalOptions& global, const dist::Communicator& comm) {
  DenoiseSetup setup;
  std::optional<Context> device;
  dist::agree(comm, [&] {
    setup = make_denoise_setup(a);
    device = make_context(global);
  });
  const Context& ctx = *device;
  const Context host = Context::host(global.threads);

  io::Image<float> input;
  Array<float> reference;
  dist::root_does(comm, [&] {
    input = read_input(host, a.in, read_options(a.read));
    if (!a.reference.empty()) {
      reference = read_input(host, a.reference, read_options(a.read)).data;
      if (reference.shape() != input.data.shape())
        throw ShapeMismatch("--reference " + a.reference + " has shape " + reference.shape().str() +
                            ", the input " + input.data.shape().str());
    }
  });
  const Shape whole = broadcast_shape(comm, input.data.shape());
  const bool has_reference = comm.any(reference.size() > 0);
  dist::agree(comm, [&] {
    if (whole[0] < comm.size())
      throw InvalidArgument("denoise: " + a.in + " has " + std::to_string(whole[0]) +
                            " rows along axis 0, fewer than the " + std::to_string(comm.size()) +
                            " ranks it is split over; run it on at most " + std::to_string(whole[0]) +
                            " ranks");
  });
  const Array<float> u = scatter_rows(comm, input.data, whole).to(ctx);
  const Array<float> ref_block =
      has_reference ? scatter_rows(comm, reference, whole).to(ctx) : Array<float>();
  Array<float> x(ctx, u.shape());

  nlohmann::json log = nlohmann::json::array();
  Progress progress(global, "denoise", a.iters, "iterations");
  const Monitor monitor = [&](const IterationInfo& it) {  // called on every rank alike
    if (!a.log.empty()) {
      nlohmann::json rec = iteration_record(it);
      if (has_reference) rec["psnr"] = psnr_over_blocks(ctx, &comm, ref_block, x, a.range);
      log.push_back(rec);
    }
    progress.step(it.iteration, objective_text(it));
    return true;
  };
  const SolveReport report =
      tv_denoise_slabs<float>(ctx, dist::world(), whole, u, x, setup.problem, setup.options, monitor);
  dist::agree(comm,
              [&] { require_finite_result(x, "denoise", "the values of " + a.in + ", --lambda and --rho"); });
  const double objective = tv_objective_slabs<float>(ctx, dist::world(), whole, x, u, setup.problem);
  const Array<float> result = gather_rows(comm, x, whole);

  dist::root_does(comm, [&] {
    io::write_image(a.out, result, input.meta, setup.write);
    if (!a.log.empty())
      io::write_file_atomically(
          a.log, [&](std::ostream& out) { out << log.dump(1, ' ', false, kReplaceInvalidUtf8) << "\n"; });
    nlohmann::json summary = denoise_summary(a, ctx, setup, report, objective);
    summary["ranks"] = comm.size();
    summary["distribute"] = "slabs";
    if (has_reference) {
      summary["psnr"] = psnr<float>(host, reference, result, a.range);
      if (ssim_defined(whole)) summary["ssim"] = ssim<float>(host, reference, result, a.range);
    }
    std::cout << summary.dump(-1, ' ', false, kReplaceInvalidUtf8) << "\n";
  });
}

}  // namespace recon::cli
