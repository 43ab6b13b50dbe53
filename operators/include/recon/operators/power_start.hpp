// The start vector of the power method (Operator::norm_estimate, the composite solvers' operator
// norms): standard normal draws from a fixed seed. When x is split into blocks over ranks
// (z-slabs), each rank takes its block of the same draws as the whole vector's, so that the
// estimate is the serial one up to the rounding of the all-reduced norms.
#pragma once

#include <random>
#include <vector>

#include "recon/kernels/communicator.hpp"

namespace recon {

template <class T>
std::vector<T> power_start(index_t n, unsigned seed, const dist::Communicator* split) {
  index_t offset = 0;
  if (split) {
    std::vector<double> counts(static_cast<std::size_t>(split->size()), 0.0);
    counts[split->rank()] = static_cast<double>(n);
    split->all_reduce_sum(counts.data(), counts.size());
    for (int r = 0; r < split->rank(); ++r) offset += static_cast<index_t>(counts[r]);
  }
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  for (index_t i = 0; i < offset; ++i) normal(gen);  // the blocks of the ranks before this one
  std::vector<T> start(static_cast<std::size_t>(n));
  for (auto& v : start) v = static_cast<T>(normal(gen));
  return start;
}

}  // namespace recon
