// `recon phantom shepp-logan --size 256 OUT` (2D) or `--size 128x128x128` (3D, Z x Y x X):
// the modified Shepp-Logan phantom of recon/datasets/phantoms.hpp, values in [0, 1]; the same
// array as `recon ct simulate --truth` writes for a volume of that shape (tests/cli/phantom_same.py).
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "image_options.hpp"
#include "json_output.hpp"
#include "option_checks.hpp"
#include "recon/datasets/phantoms.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/memory_budget.hpp"

namespace recon::cli {

namespace {

// "N" -> (N, N); "ZxYxX" -> (Z, Y, X); "NxN" -> (N, N). Every part must be there ("64x" is
// not 64) and be a decimal integer >= 2.
Shape parse_size(const std::string& text) {
  const std::string form = "--size: '" + text + "' is not N, NxN or ZxYxX with integers >= 2";
  if (text.empty() || text.find_first_not_of("0123456789x") != std::string::npos) usage_error(form);
  const std::vector<std::string> parts = split_list(text, 'x', "--size");
  if (parts.size() > 3)
    usage_error(form + " (" + std::to_string(parts.size()) + " extents, expected 1 to 3)");
  Shape s;
  for (const std::string& part : parts)
    s.push_back(static_cast<index_t>(parse_number(part, "--size '" + text + "'", count_at_least(2))));
  if (s.ndim() == 1) s = Shape{s[0], s[0]};
  if (s.ndim() == 2 && s[0] != s[1])
    usage_error("--size: the 2D phantom is square, got '" + text + "'; expected N or NxN");
  return s;
}

}  // namespace

void add_phantom_command(CLI::App& app, const GlobalOptions& global) {
  auto* cmd = app.add_subcommand("phantom", "write a test phantom (modified Shepp-Logan, 2D or 3D)");
  struct Args {
    std::string kind, size, out;
    ImageWriteFlags write;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("KIND", args->kind, "phantom: shepp-logan")
      ->required()
      ->check(CLI::IsMember({"shepp-logan"}));
  cmd->add_option("OUT", args->out, "output file (format by extension)")->required();
  cmd->add_option("--size", args->size, "N (N x N image) or ZxYxX (volume)")->required();
  add_write_flags(*cmd, args->write);
  cmd->callback([args, &global] {
    const Shape s = parse_size(args->size);
    const io::WriteOptions w = write_options(args->write);
    const Context ctx = Context::from_choice(global.device);
    double voxels = 1;
    for (int a = 0; a < s.ndim(); ++a) voxels *= static_cast<double>(s[a]);
    // The phantom and its copy for the writer (an 8/16-bit one as well).
    require_memory(ctx, 3 * 4 * voxels, "--size " + args->size + ": a phantom of shape " + s.str());
    const Array<float> p = s.ndim() == 2 ? datasets::shepp_logan_2d<float>(ctx, s[0])
                                         : datasets::shepp_logan_3d<float>(ctx, s[0], s[1], s[2]);
    io::write_image(args->out, p, {}, w);
    std::cout << nlohmann::json{{"output", args->out}, {"shape", shape_json(s)}}.dump(-1, ' ', false,
                                                                                      kReplaceInvalidUtf8)
              << "\n";
  });
}

}  // namespace recon::cli
