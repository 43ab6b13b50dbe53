// `recon convert IN OUT`: any readable image format to any writable one, chosen by extension;
// spacing and origin are carried over.
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "image_options.hpp"
#include "json_output.hpp"

namespace recon::cli {

void add_convert_command(CLI::App& app, const GlobalOptions&) {
  auto* cmd = app.add_subcommand("convert", "convert an image or volume between formats (by extension)");
  struct Args {
    std::string in, out;
    ImageReadFlags read;
    ImageWriteFlags write;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("IN", args->in,
                  "input: .png .tif .nii(.gz) .mha .mhd .nrrd .nhdr .dcm, a DICOM directory, .npy, .raw")
      ->required();
  cmd->add_option("OUT", args->out, "output: .png .tif .nii(.gz) .mha .mhd .nrrd .nhdr .npy .raw")
      ->required();
  add_read_flags(*cmd, args->read);
  add_write_flags(*cmd, args->write);
  cmd->callback([args] {
    const io::WriteOptions w = write_options(args->write);  // option errors before any reading
    const Context host = Context::host();
    const io::Image<float> image = io::read_image<float>(host, args->in, read_options(args->read));
    io::write_image(args->out, image.data, image.meta, w);
    std::cout << nlohmann::json{{"output", args->out}, {"shape", shape_json(image.data.shape())}}.dump(
                     -1, ' ', false, kReplaceInvalidUtf8)
              << "\n";
  });
}

}  // namespace recon::cli
