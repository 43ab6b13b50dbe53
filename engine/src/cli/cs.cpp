// `recon cs`: registered here so the tool links while issue 8 is being built; every
// invocation fails with a clear error until the pipeline lands.
#include "commands.hpp"
#include "recon/kernels/error.hpp"

namespace recon::cli {

void add_cs_command(CLI::App& app, const GlobalOptions&) {
  auto* c = app.add_subcommand("cs", "not implemented yet (issue 8)");
  c->callback([] { throw InvalidArgument("recon cs: not implemented yet (issue 8)"); });
}

}  // namespace recon::cli
