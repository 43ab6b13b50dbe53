// `recon ct recon`: regularised iterative reconstruction (engine/include/recon/engine/ct/tv_recon.hpp).
#pragma once

#include "commands.hpp"

namespace recon::cli {

void add_ct_recon_command(CLI::App& ct, const GlobalOptions& global);

}  // namespace recon::cli
