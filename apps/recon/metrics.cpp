// `recon metrics A B [--range R]`: quality of B against the reference A, as one JSON object
// (psnr, ssim, rmse, mae, and ms_ssim when every extent is at least 176). The data range
// defaults to max(A) - min(A); PSNR of identical images (infinite) prints as null.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "image_options.hpp"
#include "json_output.hpp"
#include "option_checks.hpp"
#include "read_input.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/kernels/error.hpp"

namespace recon::cli {

namespace {

bool all_extents_at_least(const Shape& s, index_t n) {
  for (int a = 0; a < s.ndim(); ++a)
    if (s[a] < n) return false;
  return s.ndim() == 2 || s.ndim() == 3;
}

nlohmann::json finite_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); }

}  // namespace

void add_metrics_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("metrics", "image quality of B against the reference A, as one JSON object");
  struct Args {
    std::string a, b;
    double range = 0;
    ImageReadFlags read;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("A", args->a, "reference image or volume")->required();
  cmd->add_option("B", args->b, "image or volume to assess (same shape)")->required();
  auto* range =
      cmd->add_option("--range", args->range, "data range R for PSNR and SSIM (default: max(A) - min(A))")
          ->check(number_check(above(0)));
  add_read_flags(*cmd, args->read);
  cmd->callback([args, range, &global] {
    const Context ctx = Context::from_choice(global.device);
    const io::Image<float> a = read_input(Context::host(), args->a, read_options(args->read));
    const io::Image<float> b = read_input(Context::host(), args->b, read_options(args->read));
    if (a.data.shape() != b.data.shape())
      throw ShapeMismatch("metrics: '" + args->a + "' has shape " + a.data.shape().str() + ", '" + args->b +
                          "' " + b.data.shape().str());
    double r = args->range;
    if (range->count() == 0) {
      const std::vector<float> v = a.data.to_host_vector();
      const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
      r = static_cast<double>(*hi) - *lo;
      if (!(r > 0))
        throw InvalidArgument("metrics: '" + args->a + "' is constant; give the data range with --range");
    }
    const Array<float> da = a.data.to(ctx), db = b.data.to(ctx);
    const Shape& s = da.shape();
    nlohmann::json out = {{"reference", args->a},
                          {"test", args->b},
                          {"shape", shape_json(s)},
                          {"device", to_string(ctx.device())},
                          {"data_range", r},
                          {"psnr", finite_or_null(psnr<float>(ctx, da, db, r))},
                          {"ssim", all_extents_at_least(s, 11) ? nlohmann::json(ssim<float>(ctx, da, db, r))
                                                               : nlohmann::json()},
                          {"rmse", rmse<float>(ctx, da, db)},
                          {"mae", mae<float>(ctx, da, db)}};
    if (all_extents_at_least(s, kMsSsimMinExtent)) out["ms_ssim"] = ms_ssim<float>(ctx, da, db, r);
    std::cout << out.dump(2, ' ', false, kReplaceInvalidUtf8) << "\n";
  });
}

}  // namespace recon::cli
