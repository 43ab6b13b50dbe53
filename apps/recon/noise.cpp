// `recon noise --kind gaussian|poisson|cauchy|impulsive IN OUT`: seeded noise on an image,
// volume or sinogram (datasets/noise.hpp); the same seed gives the same output on every device.
//   gaussian  --sigma S            x + S N(0, 1)
//   poisson   --flux I0            IN holds CT line integrals p: -log(Poisson(I0 e^-p) / I0)
//   cauchy    --gamma G            x + Cauchy(0, G)
//   impulsive --fraction F --amplitude A   x +- A on a fraction F of the samples
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "image_options.hpp"
#include "json_output.hpp"
#include "option_checks.hpp"
#include "read_input.hpp"
#include "recon/datasets/noise.hpp"
#include "recon/kernels/error.hpp"

namespace recon::cli {

void add_noise_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd =
      app.add_subcommand("noise", "add seeded noise (gaussian, poisson, cauchy, impulsive) to an image");
  struct Args {
    std::string kind, in, out;
    double sigma = -1, flux = -1, gamma = -1, fraction = -1, amplitude = -1;
    std::uint64_t seed = 0;
    ImageReadFlags read;
    ImageWriteFlags write;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("--kind", args->kind, "gaussian | poisson | cauchy | impulsive")
      ->required()
      ->check(CLI::IsMember({"gaussian", "poisson", "cauchy", "impulsive"}));
  cmd->add_option("IN", args->in, "input image, volume or sinogram")->required();
  cmd->add_option("OUT", args->out, "output file (format by extension)")->required();
  cmd->add_option("--sigma", args->sigma, "gaussian: standard deviation")->check(number_check(at_least(0)));
  cmd->add_option("--flux", args->flux, "poisson: incident photons per ray I0")
      ->check(number_check(above(0)));
  cmd->add_option("--gamma", args->gamma, "cauchy: dispersion (scale)")->check(number_check(at_least(0)));
  cmd->add_option("--fraction", args->fraction, "impulsive: fraction of samples hit")
      ->check(number_check(between(0, 1)));
  cmd->add_option("--amplitude", args->amplitude, "impulsive: size of each outlier")
      ->check(number_check(at_least(0)));
  cmd->add_option("--seed", args->seed, "random seed")
      ->capture_default_str()
      ->check(number_check(seed_range()));
  add_read_flags(*cmd, args->read);
  add_write_flags(*cmd, args->write);
  cmd->callback([args, &global] {
    const auto need = [&](double v, const char* option) {
      if (v < 0) throw InvalidArgument("noise: --kind " + args->kind + " needs " + option);
    };
    if (args->kind == "gaussian") need(args->sigma, "--sigma");
    if (args->kind == "poisson") need(args->flux, "--flux");
    if (args->kind == "cauchy") need(args->gamma, "--gamma");
    if (args->kind == "impulsive") {
      need(args->fraction, "--fraction");
      need(args->amplitude, "--amplitude");
    }
    const io::WriteOptions w = write_options(args->write);
    const Context ctx = Context::from_choice(global.device);
    io::Image<float> image = read_input(ctx, args->in, read_options(args->read));
    View<float> x = image.data.view();
    if (args->kind == "gaussian") datasets::add_gaussian_noise(ctx, x, args->sigma, args->seed);
    if (args->kind == "poisson") datasets::add_poisson_transmission_noise(ctx, x, args->flux, args->seed);
    if (args->kind == "cauchy") datasets::add_cauchy_noise(ctx, x, args->gamma, args->seed);
    if (args->kind == "impulsive")
      datasets::add_impulsive_noise(ctx, x, args->fraction, args->amplitude, args->seed);
    require_finite_result(image.data, "noise", "the values of " + args->in + " and the noise level");
    io::write_image(args->out, image.data, image.meta, w);
    std::cout << nlohmann::json{{"output", args->out}, {"kind", args->kind}, {"seed", args->seed}}.dump(
                     -1, ' ', false, kReplaceInvalidUtf8)
              << "\n";
  });
}

}  // namespace recon::cli
