// Unmatched CT projector pair (opt-in): apply is the Joseph forward projection A of
// projector.hpp; "adjoint" is the voxel-driven back-projection B (src/ct/voxel_backproject.hpp:
// a gather per voxel with linear (2D) / bilinear (3D) detector interpolation, no atomics),
// scaled so that B ~ A^T:
//   (B y)[x] = (voxel volume / detector pixel area) * sum_v w_v(x) * interp(y_v, u_v(x))
// (pixel area: its width in 2D), w_v = 1 for parallel beams and, for fan / cone beams,
// w_v = M^(d-1) L / (R + b): the magnification M = (R + D) / (R + b) per transverse detector
// dimension (a pixel seen from a voxel at depth b shrinks by M) and the obliquity L / (R + b)
// of the ray through the voxel (L its distance from the source). Both follow from sum over
// rays of Joseph's weights of one voxel ~ voxel volume / (area between neighbouring rays).
// B is not the transpose of A: use it where a gather without atomics pays and a small mismatch
// does not matter (SIRT, which only needs a back-projector; FBP/FDK use the same kernel), never
// in solvers or checks that assume an exact adjoint (CGLS, ADMM, PDHG, adjoint tests). The gain
// is the GPU's; on the 2-core host (bench_ct, float, 2 threads) B takes 31 ms against A^T's
// 87 ms for 256^2 x 180 views (parallel 2D) but 148 ms against 61 ms for 64^3 x 90 views (cone).
// Zero outside the detector (a voxel whose projection misses it gets nothing from that view).
// Circular geometries only (InvalidArgument for the vector form). On the GPU the same RECON_HD
// body runs with plain loads: a texture-interpolated variant would be faster but is not
// written (no GPU was available to test it).
// References: Zeng & Gullberg, "Unmatched projector/backprojector pairs in an iterative
// reconstruction algorithm", IEEE TMI 19(5), 2000; Kak & Slaney ch. 3 (voxel-driven
// back-projection). Tests: tests/ct/test_unmatched.cpp, tests/cli/ct_unmatched.sh.
//
// Documented tolerance, measured in tests/ct/test_unmatched.cpp on the circular geometries of
// tests/ct/ct_geometries.hpp (host; float and double agree to the digits shown). x and x2 are
// smooth Gaussian bumps, y = A x2; "inner" is |<A x, y> - <x, B y>| / <A x, y>, "scale" the
// fitted <x, B y> / <A x, y>, "B vs A^T" is ||B y - A^T y|| / ||A^T y|| on the voxels at least
// two voxels from the volume's faces. Asserted: inner and B vs A^T below the bound, |scale - 1|
// < 0.015 everywhere.
//   geometry (test name)    inner    scale    B vs A^T | bound inner   bound B vs A^T
//   parallel2d_even         1.2e-4   1.0001   0.6 %    | 2e-3          10 %
//   parallel2d_odd_offset   7.4e-4   0.9993   7.2 %    |   (same family)
//   fan2d_odd               1.5e-6   1.0000   1.5 %    | 1e-3          2.5 %
//   parallel3d              7.3e-3   0.9927   2.1 %    | 1.2e-2        3 %
//   cone_odd_offset         6.4e-3   1.0064   6.7 %    | 1e-2          10 %
// B vs A^T falls with the detector pixel size relative to the voxels (A^T y is a sum of ray
// stripes that B's interpolation smooths), hardly with the number of views: halving the
// pixels takes parallel2d_odd_offset (at 60 views) from 4.6 % to 0.6 % and cone_odd_offset
// from 6.6 % to 2.3 %, while 60 views instead of 15 leave the cone at 6.6 %.
// On wide beams (fan angles up to 45 degrees, detector covering the volume)
// max |B 1 - A^T 1| / max A^T 1 is 0.17 % (fan) and 1.2 % (cone), asserted < 3 %; without
// the obliquity factor it would be 17 % and 15 %.
#pragma once

#include <memory>
#include <vector>

#include "recon/operators/ct/projector.hpp"

namespace recon::ct {

template <class T>
class UnmatchedProjector final : public LinearOperator<T> {
 public:
  // Validates g like JosephProjector; InvalidArgument for a vector geometry.
  explicit UnmatchedProjector(const Geometry& g);
  const Geometry& geometry() const { return forward_.geometry(); }

 protected:
  void do_apply(const Context& ctx, View<const T> x, View<T> y) const override;
  // The voxel-driven B, not the exact transpose of apply.
  void do_adjoint(const Context& ctx, View<const T> y, View<T> x) const override;

 private:
  const T* trig(const Context& ctx) const;  // (cos, sin) per view on ctx's device
  JosephProjector<T> forward_;
  T weight_;  // voxel volume / detector pixel area
  std::vector<T> host_trig_;
  mutable std::unique_ptr<Array<T>> device_trig_;
};

template <class T>
Operator<T> unmatched_projector(const Geometry& g) {
  return Operator<T>(std::make_shared<const UnmatchedProjector<T>>(g));
}

}  // namespace recon::ct
