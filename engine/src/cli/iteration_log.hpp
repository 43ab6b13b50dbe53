// What the iterative commands (denoise, ct recon) report per iteration: a JSON record for --log
// and a progress bar when stderr is a terminal.
#pragma once

#include <nlohmann/json.hpp>

#include <iostream>
#include <string>

#include "recon/engine/solver_types.hpp"

namespace recon::cli {

inline nlohmann::json iteration_record(const IterationInfo& it) {
  return {{"iteration", it.iteration},           {"objective", it.objective},
          {"primal_residual", it.primal_residual}, {"dual_residual", it.dual_residual},
          {"step", it.step},                      {"elapsed_s", it.elapsed_s}};
}

inline void progress_line(const IterationInfo& it, int max_iters) {
  const int width = 30, done = max_iters > 0 ? width * it.iteration / max_iters : width;
  std::cerr << "\r[" << std::string(done, '#') << std::string(width - done, ' ') << "] " << it.iteration << "/"
            << max_iters << "  objective " << it.objective << "  " << it.elapsed_s << " s   " << std::flush;
}

}  // namespace recon::cli
