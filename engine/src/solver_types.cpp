#include "recon/engine/solver_types.hpp"

namespace recon {

std::string to_string(StopReason r) {
  switch (r) {
    case StopReason::Converged:
      return "converged";
    case StopReason::MaxIterations:
      return "max-iterations";
    case StopReason::Monitor:
      return "stopped-by-monitor";
    case StopReason::LineSearchFailed:
      return "line-search-failed";
  }
  return "unknown";
}

}  // namespace recon
