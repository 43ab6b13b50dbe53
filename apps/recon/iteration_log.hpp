// What the long commands report while they run: a JSON record per iteration for --log, and
// their progress (a bar on a terminal, lines with --progress).
#pragma once

#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>

#include "commands.hpp"
#include "recon/engine/solver_types.hpp"
#include "recon/kernels/memory_budget.hpp"

namespace recon::cli {

inline nlohmann::json iteration_record(const IterationInfo& it) {
  return {{"iteration", it.iteration},
          {"objective", it.objective},
          {"primal_residual", it.primal_residual},
          {"dual_residual", it.dual_residual},
          {"step", it.step},
          {"elapsed_s", it.elapsed_s}};
}

// Refuses a --log whose records (about 600 bytes each in memory) cannot fit: --iters 2e9 with
// --check-every 1 would otherwise grow until the process is killed.
inline void require_log_memory(bool logging, int iters, int check_every) {
  if (!logging) return;
  const double records = static_cast<double>(iters) / std::max(check_every, 1) + 1;
  require_memory(Context::host(), 600 * records,
                 "--log of " + std::to_string(static_cast<long long>(records)) + " records (--iters " +
                     std::to_string(iters) + ", --check-every " + std::to_string(check_every) + ")");
}

// Progress of a long command on stderr. On a terminal, a bar redrawn in place. Off a terminal
// nothing, so that a script sees stderr empty on success (stdout's JSON is the machine
// interface), unless --progress asks for one line per tenth of the work with the time left.
class Progress {
 public:
  Progress(const GlobalOptions& global, std::string task, long long total, std::string unit)
      : bar_(isatty(STDERR_FILENO) != 0),
        lines_(!bar_ && global.progress),
        task_(std::move(task)),
        unit_(std::move(unit)),
        total_(std::max(total, 1LL)),
        start_(std::chrono::steady_clock::now()) {}
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress() {
    if (bar_ && drawn_) std::cerr << "\n";
  }

  void step(long long done, const std::string& detail = "") {
    if (!bar_ && !lines_) return;
    done = std::min(std::max(done, 0LL), total_);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double left =
        done > 0 ? elapsed * static_cast<double>(total_ - done) / static_cast<double>(done) : 0;
    char times[96];
    std::snprintf(times, sizeof times, "%.1f s elapsed, about %.1f s left", elapsed, left);
    if (bar_) {
      const int width = 30, filled = static_cast<int>(width * done / total_);
      std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] " << done
                << "/" << total_ << " " << unit_ << (detail.empty() ? "" : "  " + detail) << "  " << times
                << "   " << std::flush;
      drawn_ = true;
      return;
    }
    const long long tenth = 10 * done / total_;
    if (tenth < next_tenth_) return;
    next_tenth_ = tenth + 1;
    std::cerr << "recon " << task_ << ": " << done << "/" << total_ << " " << unit_ << " ("
              << 100 * done / total_ << "%), " << times << (detail.empty() ? "" : ", " + detail) << std::endl;
  }

 private:
  bool bar_, lines_, drawn_ = false;
  std::string task_, unit_;
  long long total_, next_tenth_ = 1;
  std::chrono::steady_clock::time_point start_;
};

// The detail a solver's progress shows: its objective.
inline std::string objective_text(const IterationInfo& it) {
  char text[48];
  std::snprintf(text, sizeof text, "objective %.6g", it.objective);
  return text;
}

}  // namespace recon::cli
