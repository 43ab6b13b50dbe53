// `recon prox --penalty NAME [--param k=v ...] --gamma G [--group] IN OUT`: the prox of
// gamma*phi applied to every sample of an image (any penalty or loss of the library,
// MATH.md sections 1-2); with --group, the group form over the leading axis (isotropic TV
// layout: IN of shape (k, ...) holds k components per pixel). Output is float32.
#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "function_options.hpp"
#include "image_options.hpp"
#include "json_output.hpp"
#include "option_checks.hpp"
#include "read_input.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::cli {

void add_prox_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd =
      app.add_subcommand("prox", "prox of gamma * a penalty or loss, element-wise or per group, on an image");
  struct Args {
    FunctionFlags fn;
    double gamma = 1;
    bool group = false;
    std::string in, out;
    ImageReadFlags read;
  };
  auto args = std::make_shared<Args>();
  add_function_flags(*cmd, args->fn, "penalty", true);
  cmd->add_option("--gamma", args->gamma, "weight gamma > 0 of the function")
      ->capture_default_str()
      ->check(number_check(above(0)));
  cmd->add_flag("--group", args->group, "group form phi(norm2(u)) over the leading axis");
  cmd->add_option("IN", args->in, "input image or array (.npy, ...)")->required();
  cmd->add_option("OUT", args->out, "output file, float32")->required();
  add_read_flags(*cmd, args->read);
  cmd->callback([args, &global] {
    const penalties::Function fn = make_function(args->fn);
    if (!(args->gamma > 0 && std::isfinite(args->gamma)))
      throw InvalidArgument("prox: --gamma " + std::to_string(args->gamma) + " must be finite and > 0");
    const Context ctx = make_context(global);
    io::Image<float> image = read_input(ctx, args->in, read_options(args->read));
    View<float> x = image.data.view();
    const float gamma = static_cast<float>(args->gamma);
    if (args->group)
      penalties::prox_group<float>(ctx, fn, gamma, x, x);
    else
      penalties::prox<float>(ctx, fn, gamma, x, x);
    io::WriteOptions w;
    w.pixel = io::PixelType::Float32;
    require_finite_result(image.data, "prox", "the values of " + args->in + " and --gamma");
    io::write_image(args->out, image.data, image.meta, w);
    std::cout << nlohmann::json{{"output", args->out},
                                {"function", penalties::describe(fn)},
                                {"gamma", args->gamma},
                                {"group", args->group},
                                {"shape", shape_json(image.data.shape())},
                                {"max_abs", max_abs<float>(ctx, image.data)}}
                     .dump(-1, ' ', false, kReplaceInvalidUtf8)
              << "\n";
  });
}

}  // namespace recon::cli
