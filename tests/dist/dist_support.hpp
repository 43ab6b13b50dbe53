// What the distributed tests share: bitwise and relative comparisons across ranks. Each test
// executable is written for any number of ranks and links dist_main.cpp (gtest's main with MPI
// started first).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "backends.hpp"
#include "recon/engine/ct/cgls.hpp"
#include "recon/engine/ct/sirt.hpp"
#include "recon/kernels/communicator.hpp"
#include "recon/operators/ct/geometry.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/streamed.hpp"
#include "recon/operators/operator.hpp"

namespace recon::testing {

// Whether n elements at a and b have the same bits; n = 0 compares nothing (an empty vector's
// data() may be null, which memcmp must not be given even for a zero length).
template <class T>
bool same_bytes(const T* a, const T* b, std::size_t n) {
  return n == 0 || std::memcmp(a, b, sizeof(T) * n) == 0;
}

// Whether every rank holds the same bits as rank 0.
template <class T>
bool same_on_every_rank(const dist::Communicator& c, const std::vector<T>& mine) {
  std::vector<T> root = mine;
  c.broadcast(root.data(), sizeof(T) * root.size(), 0);
  return !c.any(!same_bytes(root.data(), mine.data(), mine.size()));
}

// max |a - b| / max |b|
template <class T>
double relative_max_error(const std::vector<T>& a, const std::vector<T>& b) {
  double peak = 0, diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    peak = std::max(peak, std::fabs(static_cast<double>(b[i])));
    diff = std::max(diff, std::fabs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
  }
  return diff / peak;
}

// Detector rows `rows` of every view of a whole projection stack (a z-slab rank's share).
template <class T>
std::vector<T> projection_rows_of(const std::vector<T>& whole, const ct::Geometry& g,
                                  const dist::Block& rows) {
  const index_t n = g.projection.rows, cols = g.projection.cols;
  std::vector<T> out;
  for (index_t v = 0; v < g.projection.views(); ++v)
    out.insert(out.end(), whole.begin() + (v * n + rows.begin) * cols,
               whole.begin() + (v * n + rows.end) * cols);
  return out;
}

// A host "device" under a memory limit that streams a split projector's local projector `local`
// (Joseph's, in memory) in several pieces: 40 % of what it holds in memory, or, where that is
// below what the smallest piece needs (one slice of a 2D image against one view: a tiny 2D
// case), that need (ct/streamed.hpp; streamed_projector plans for 9/10 of the limit).
template <class T>
Context streaming_device(const LinearOperator<T>& local) {
  const auto& joseph = dynamic_cast<const ct::JosephProjector<T>&>(local);
  const double in_memory = static_cast<double>(sizeof(T) * (local.domain().size() + local.range().size()));
  const double one_piece = ct::stream_piece_bytes(joseph.geometry(), sizeof(T), {1, 1});
  const Context device = Context::host();
  device.set_memory_limit(static_cast<std::size_t>(std::max(0.4 * in_memory, one_piece / 0.9 + 64)));
  return device;
}

// That a split projector's local projector (null on a rank without any) is streamed, in more than
// one piece unless it has one view (its smallest piece is then the whole of it).
template <class T>
void expect_streamed_in_pieces(const LinearOperator<T>* local, const std::string& name) {
  if (!local) return;
  const auto* streamed = dynamic_cast<const ct::StreamedProjector<T>*>(local);
  EXPECT_TRUE(streamed != nullptr) << name << ": not streamed";
  if (streamed && local->range()[0] > 1) {
    EXPECT_GT(streamed->pieces().size(), 1u) << name << ": one piece";
  }
}

// Least-squares data for the solver comparisons: y = A x_true + noise (x_true in [0, 1), noise in
// [-0.05, 0.05)), so that no solver converges exactly.
inline std::vector<double> noisy_projections(const Context& ctx, const Operator<double>& a) {
  const auto truth =
      Array<double>::from_host(ctx, a.domain(), random_values<double>(a.domain().size(), 9, 0, 1));
  Array<double> y(ctx, a.range());
  a.apply(ctx, truth.view(), y.view());
  std::vector<double> yv = y.to_host_vector();
  const std::vector<double> noise = random_values<double>(yv.size(), 10, -0.05, 0.05);
  for (std::size_t i = 0; i < yv.size(); ++i) yv[i] += noise[i];
  return yv;
}

// The CT solver runs the distributed tests compare with the serial ones (in double): CGLS, and
// SIRT with x >= 0 and relaxation 1.5.
inline auto cgls_solve(int max_iters, double rel_tol) {
  return [=](const Context& ctx, const Operator<double>& a, View<const double> y, View<double> x) {
    ct::CglsOptions o;
    o.max_iters = max_iters;
    o.rel_tol = rel_tol;
    return ct::cgls<double>(ctx, a, y, x, o);
  };
}
inline auto sirt_solve(int max_iters) {
  return [=](const Context& ctx, const Operator<double>& a, View<const double> y, View<double> x) {
    ct::SirtOptions o;
    o.max_iters = max_iters;
    o.rel_tol = 0;
    o.nonneg = true;
    o.relaxation = 1.5;
    return ct::sirt<double>(ctx, a, y, x, o);
  };
}

}  // namespace recon::testing
