// `recon phantom shepp-logan --size 256 OUT` (2D) or `--size 128x128x128` (3D, Z x Y x X):
// the modified Shepp-Logan phantom, values in [0, 1].
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "image_options.hpp"
#include "recon/datasets/phantoms.hpp"
#include "recon/kernels/error.hpp"

namespace recon::cli {

namespace {

// "N" -> (N, N); "ZxYxX" -> (Z, Y, X); "NxN" -> (N, N).
Shape parse_size(const std::string& text) {
  Shape s;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, 'x')) {
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 6)
      throw InvalidArgument("--size: '" + text + "' is not N, NxN or ZxYxX with positive integers");
    s.push_back(std::stoll(part));
  }
  if (s.ndim() == 1) s = Shape{s[0], s[0]};
  if (s.ndim() < 2 || s.ndim() > 3) throw InvalidArgument("--size: '" + text + "' has " + std::to_string(s.ndim()) + " extents, expected 1 to 3");
  for (int a = 0; a < s.ndim(); ++a)
    if (s[a] < 2) throw InvalidArgument("--size: every extent must be at least 2, got '" + text + "'");
  if (s.ndim() == 2 && s[0] != s[1]) throw InvalidArgument("--size: the 2D phantom is square, got '" + text + "'");
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
  cmd->add_option("KIND", args->kind, "phantom: shepp-logan")->required()->check(CLI::IsMember({"shepp-logan"}));
  cmd->add_option("OUT", args->out, "output file (format by extension)")->required();
  cmd->add_option("--size", args->size, "N (N x N image) or ZxYxX (volume)")->required();
  add_write_flags(*cmd, args->write);
  cmd->callback([args, &global] {
    const Shape s = parse_size(args->size);
    const io::WriteOptions w = write_options(args->write);
    const Context ctx = Context::from_choice(global.device);
    const Array<float> p = s.ndim() == 2 ? datasets::shepp_logan_2d<float>(ctx, s[0])
                                         : datasets::shepp_logan_3d<float>(ctx, s[0], s[1], s[2]);
    io::write_image(args->out, p, {}, w);
    std::cout << nlohmann::json{{"output", args->out}, {"shape", shape_json(s)}}.dump() << "\n";
  });
}

}  // namespace recon::cli
