// What the serial and the distributed `recon denoise` share (denoise.cpp, denoise_split.cpp):
// the options, the problem they make, and the summary line.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "commands.hpp"
#include "function_options.hpp"
#include "image_options.hpp"
#include "recon/engine/tv.hpp"
#include "recon/io/image.hpp"
#include "recon/kernels/communicator.hpp"

namespace recon::cli {

struct DenoiseArgs {
  std::string in, out, log, reference;
  FunctionFlags penalty;
  double lambda = 0.1;
  std::string solver = "admm", tv = "iso", boundary = "neumann";
  int iters = 500;
  double tol = 1e-5, rho = 0, range = 1.0, alpha = 0.5;
  int check_every = 10;
  bool no_balance = false;
  std::string distribute;  // "slabs", or empty: slabs when run on several ranks
  ImageReadFlags read;
  ImageWriteFlags write;
};

struct DenoiseSetup {
  TvProblem problem;
  TvOptions options;
  io::WriteOptions write;
};

// Every option checked and turned into the problem, before anything is read or written.
DenoiseSetup make_denoise_setup(const DenoiseArgs& a);

nlohmann::json denoise_summary(const DenoiseArgs& a, const Context& ctx, const DenoiseSetup& s,
                               const SolveReport& report, double objective);

// The run split into blocks (under mpiexec with several ranks, or --distribute slabs): rank 0
// reads IN, each rank denoises its block of rows along axis 0 (tv_denoise_slabs), rank 0 writes
// OUT.
void run_denoise_split(const DenoiseArgs& a, const GlobalOptions& global, const dist::Communicator& comm);

}  // namespace recon::cli
