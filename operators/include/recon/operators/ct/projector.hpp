// Matched ray-driven CT projector A (line integrals, Joseph's interpolation) and its exact
// adjoint A^T, for every geometry family of geometry.hpp (2D parallel / fan, 3D parallel / cone,
// circular or vector form). Domain: the volume, (ny, nx) or (nz, ny, nx); range: the
// projections, (views, cols) or (views, rows, cols). Units: y = sum of (world length x voxel
// value) along each ray, so a uniform object of attenuation mu gives mu x chord length.
// The walk is written once (src/ct/joseph_walk.hpp) with a gather policy for A and an atomic
// scatter policy for A^T, hence <A x, y> = <x, A^T y> up to rounding on host and CUDA alike.
// A^T also has a gather form (src/ct/joseph_gather.hpp): each voxel sums the same weights over
// the rays that visit it, without atomics and in a fixed order.
// Views are launched in chunks of at most kRaysPerLaunch rays; the whole projection array
// lives on the context's device (streamed.hpp streams host-resident data instead).
// Tests: tests/ct/test_projector.cu (adjoint, analytic chord lengths, 64-bit sizes).
#pragma once

#include <memory>

#include "recon/operators/ct/geometry.hpp"
#include "recon/operators/linear_operator.hpp"
#include "recon/operators/operator.hpp"

namespace recon::ct {

// How A^T is computed. Scatter: each ray adds its weights into the volume (atomic adds on a
// device; one volume per thread on the host). Gather: each voxel sums its rays (deterministic;
// a table of the rays' segments per chunk of views takes half the device's L2 cache, or one view).
// Automatic: gather on a device, where atomics are the cost to avoid, scatter on the host,
// whose private volumes are faster; a device without room for one view's table scatters.
enum class JosephAdjoint { Automatic, Scatter, Gather };

template <class T>
class JosephProjector final : public LinearOperator<T> {
 public:
  static constexpr index_t kRaysPerLaunch = index_t(1) << 26;
  // Validates g (InvalidArgument naming the field at fault).
  explicit JosephProjector(const Geometry& g, JosephAdjoint adjoint = JosephAdjoint::Automatic);
  const Geometry& geometry() const { return geometry_; }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  // The 12 vectors per view, then the 12 detector forms per view (joseph_gather.hpp), on ctx's device.
  const T* view_vectors(const Context& ctx) const;
  Geometry geometry_;
  JosephAdjoint adjoint_;
  std::vector<T> host_vectors_;
  mutable std::unique_ptr<Array<T>> device_vectors_;
};

// The projector as an Operator handle (for the operator algebra and the solvers).
template <class T>
Operator<T> joseph_projector(const Geometry& g, JosephAdjoint adjoint = JosephAdjoint::Automatic) {
  return Operator<T>(std::make_shared<const JosephProjector<T>>(g, adjoint));
}

}  // namespace recon::ct
