// Streamed projection of host-resident data through a device, piece by piece (streamed.hpp).
#include "recon/operators/ct/streamed.hpp"

#include <algorithm>
#include <cmath>

#include "recon/kernels/memory.hpp"
#include "recon/kernels/memory_budget.hpp"
#include "recon/kernels/transfer.hpp"
#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/ct/projection_rows.hpp"
#include "recon/operators/ct/projector.hpp"

namespace recon::ct {

namespace {

constexpr double kViewVectorValues = 24;  // per view on the device (JosephProjector's vectors and forms)
// Fewer rays per launch leave a GPU idle; a plan keeps at least this many per chunk when it can.
constexpr double kRaysPerChunk = double(1 << 20);

index_t slices(const Geometry& g) { return g.volume.ndim() == 3 ? g.volume.nz() : 1; }
index_t plane(const Geometry& g) { return g.volume.shape.size() / slices(g); }

// Cramer's rule: the third unknown of [c0 c1 c2] s = r; NaN when the system is singular.
double third_unknown(const Vec3& c0, const Vec3& c1, const Vec3& c2, const Vec3& r) {
  const auto det = [](const Vec3& a, const Vec3& b, const Vec3& c) {
    return a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0]) +
           a[2] * (b[0] * c[1] - b[1] * c[0]);
  };
  const double d = det(c0, c1, c2);
  return d == 0 ? NAN : det(c0, c1, r) / d;
}

// Where the ray of view w through point x meets the detector: b along v, in pixels from the
// detector's centre; NaN when it does not (a ray parallel to the detector, or x behind the source).
double detector_row_coordinate(const ProjectionGeometry& pg, const ViewVectors& w, const Vec3& x) {
  const Vec3 mu{-w.u[0], -w.u[1], -w.u[2]}, mv{-w.v[0], -w.v[1], -w.v[2]};
  // parallel: x + s d = det + a u + b v;  cone: src + s (x - src) = det + a u + b v, s > 0.
  const Vec3 ray =
      pg.parallel() ? w.source : Vec3{x[0] - w.source[0], x[1] - w.source[1], x[2] - w.source[2]};
  const Vec3& from = pg.parallel() ? x : w.source;
  const Vec3 rhs{w.detector[0] - from[0], w.detector[1] - from[1], w.detector[2] - from[2]};
  const double b = third_unknown(ray, mu, mv, rhs);
  const double s = pg.parallel() ? 1 : third_unknown(mv, mu, ray, rhs);
  return std::isfinite(b) && s > 0 ? b : NAN;
}

// The point of volume index coordinates (i, j, k) (x, y, z order) in space.
Vec3 volume_point(const VolumeGeometry& vg, const double (&index)[3]) {
  const index_t n[3] = {vg.nx(), vg.ny(), vg.nz()};
  Vec3 x{};
  for (int a = 0; a < 3; ++a)
    x[a] = vg.origin[a] + (index[a] - 0.5 * static_cast<double>(n[a] - 1)) * vg.voxel_size[a];
  return x;
}

// Detector rows [r0, r1) whose rays can touch volume slices [z0, z1) in views [v0, v1): the
// corners of the slab's index box [-1, n] (Joseph's interpolation support), projected along
// each view's rays onto its detector; all rows when a corner does not project (behind a source).
void row_window(const Geometry& g, StreamPiece& p) {
  const ProjectionGeometry& pg = g.projection;
  p.r0 = 0;
  p.r1 = pg.rows;
  if (g.volume.ndim() != 3) return;
  const VolumeGeometry& vg = g.volume;
  const double lo[3] = {-1, -1, static_cast<double>(p.z0) - 1};
  const double hi[3] = {static_cast<double>(vg.nx()), static_cast<double>(vg.ny()),
                        static_cast<double>(p.z1)};
  double bmin = INFINITY, bmax = -INFINITY;
  for (index_t v = p.v0; v < p.v1; ++v)
    for (int corner = 0; corner < 8; ++corner) {
      const double index[3] = {corner & 1 ? hi[0] : lo[0], corner & 2 ? hi[1] : lo[1],
                               corner & 4 ? hi[2] : lo[2]};
      const double b = detector_row_coordinate(pg, pg.vectors[v], volume_point(vg, index));
      if (std::isnan(b)) return;
      bmin = std::min(bmin, b);
      bmax = std::max(bmax, b);
    }
  // Row r is centred at b = r - (rows - 1) / 2; one more row each side against rounding.
  const double centre = 0.5 * static_cast<double>(pg.rows - 1);
  p.r0 = std::max<index_t>(0, static_cast<index_t>(std::floor(bmin + centre)) - 1);
  p.r1 = std::min<index_t>(pg.rows, static_cast<index_t>(std::ceil(bmax + centre)) + 2);
}

// Volume slices [z0, z1) as a volume of their own: the centre moved along z.
VolumeGeometry slab_volume(const Geometry& g, index_t z0, index_t z1) {
  VolumeGeometry v = g.volume;
  if (g.volume.ndim() != 3) return v;
  v.shape = Shape{z1 - z0, g.volume.ny(), g.volume.nx()};
  v.origin[2] += 0.5 * static_cast<double>(z0 + z1 - 1 - (g.volume.nz() - 1)) * g.volume.voxel_size[2];
  return v;
}

}  // namespace

Geometry piece_geometry(const Geometry& g, const StreamPiece& p) {
  Geometry c;
  c.volume = slab_volume(g, p.z0, p.z1);
  const ProjectionGeometry& pg = g.projection;
  const double shift = 0.5 * static_cast<double>(p.r0 + p.r1 - 1 - (pg.rows - 1));
  std::vector<ViewVectors> views(pg.vectors.begin() + p.v0, pg.vectors.begin() + p.v1);
  for (ViewVectors& w : views)
    for (int a = 0; a < 3; ++a) w.detector[a] += shift * w.v[a];
  c.projection = vector_geometry(pg.ndim, pg.beam, p.r1 - p.r0, pg.cols, std::move(views));
  return c;
}

namespace {

void check_plan(const Geometry& g, const StreamPlan& plan) {
  require(
      plan.slab_depth >= 1 && plan.slab_depth <= slices(g), "ct::StreamedProjector",
      "slab_depth must be in [1, " + std::to_string(slices(g)) + "], got " + std::to_string(plan.slab_depth));
  require(plan.views_per_chunk >= 1, "ct::StreamedProjector",
          "views_per_chunk must be positive, got " + std::to_string(plan.views_per_chunk));
}

}  // namespace

double stream_piece_bytes(const Geometry& g, std::size_t element_bytes, const StreamPlan& plan) {
  const double per_view = static_cast<double>(g.projection.rows * g.projection.cols) + kViewVectorValues;
  return 2.0 * static_cast<double>(element_bytes) *
         (static_cast<double>(plan.slab_depth * plane(g)) +
          static_cast<double>(plan.views_per_chunk) * per_view);
}

StreamPlan plan_stream(const Geometry& g, std::size_t element_bytes, std::size_t device_bytes) {
  validate(g, "ct::plan_stream");
  const index_t views = g.projection.views(), nz = slices(g);
  // Two buffers of projections (stream_piece_bytes): each view of a chunk counts twice.
  const double per_view = 2.0 * static_cast<double>(element_bytes) *
                          (static_cast<double>(g.projection.rows * g.projection.cols) + kViewVectorValues);
  const index_t wanted = std::min<index_t>(
      views, static_cast<index_t>(
                 std::ceil(kRaysPerChunk / static_cast<double>(g.projection.rows * g.projection.cols))));
  // The most work per piece (slices x views, views counted up to `wanted`), deeper slabs first:
  // fewer pieces, and each slab's voxels move once per application.
  StreamPlan best;
  double best_work = 0;
  for (index_t count = 1; count <= nz; ++count) {  // slab counts; each depth tried once
    const index_t depth = (nz + count - 1) / count;
    if (count > 1 && depth == (nz + count - 2) / (count - 1)) continue;
    const double rest = static_cast<double>(device_bytes) - stream_piece_bytes(g, element_bytes, {depth, 0});
    if (rest < per_view) continue;
    const index_t fit =
        static_cast<index_t>(std::min(static_cast<double>(views), std::floor(rest / per_view)));
    const double work = static_cast<double>(depth) * static_cast<double>(std::min(fit, wanted));
    if (work > best_work) {
      best = {depth, fit};
      best_work = work;
    }
  }
  if (best.slab_depth > 0) return best;
  throw OutOfMemory("ct streaming: not even one " + std::string(nz > 1 ? "volume slice" : "2D image") +
                    " against one view fits in " + format_bytes(static_cast<double>(device_bytes)) +
                    " of device memory: it needs " +
                    format_bytes(stream_piece_bytes(g, element_bytes, {1, 1})) +
                    (nz > 1 ? "" : " (a 2D image is not split)"));
}

double slab_centre_row(const Geometry& g, index_t z0, index_t z1) {
  const VolumeGeometry& vg = g.volume;
  const ProjectionGeometry& pg = g.projection;
  const double centre[3] = {0.5 * static_cast<double>(vg.nx() - 1), 0.5 * static_cast<double>(vg.ny() - 1),
                            0.5 * static_cast<double>(z0 + z1 - 1)};
  const Vec3 x = volume_point(vg, centre);
  double sum = 0;
  index_t seen = 0;
  for (const ViewVectors& w : pg.vectors) {
    const double b = detector_row_coordinate(pg, w, x);
    if (std::isnan(b)) continue;
    sum += b;
    ++seen;
  }
  return seen ? sum / static_cast<double>(seen) + 0.5 * static_cast<double>(pg.rows - 1) : NAN;
}

StreamPiece slab_piece(const Geometry& g, index_t z0, index_t z1) {
  StreamPiece p{z0, z1, 0, g.projection.views(), 0, 0};
  row_window(g, p);
  p.r1 = std::max(p.r0, p.r1);
  return p;
}

std::vector<StreamPiece> stream_pieces(const Geometry& g, const StreamPlan& plan) {
  check_plan(g, plan);
  std::vector<StreamPiece> out;
  const index_t nz = slices(g), views = g.projection.views();
  for (index_t z0 = 0; z0 < nz; z0 += plan.slab_depth)
    for (index_t v0 = 0; v0 < views; v0 += plan.views_per_chunk) {
      StreamPiece p{z0, std::min(nz, z0 + plan.slab_depth), v0, std::min(views, v0 + plan.views_per_chunk), 0,
                    0};
      row_window(g, p);
      if (p.r0 < p.r1) out.push_back(p);
    }
  return out;
}

template <class T>
StreamedProjector<T>::StreamedProjector(const Geometry& g, const Context& device, const StreamPlan& plan)
    : LinearOperator<T>("ct.streamed_" + g.projection.type_name(), g.volume.shape, g.projection.shape()),
      geometry_(g),
      device_(device),
      copies_(device.is_cuda() ? Context::cuda(device.ordinal()) : device),
      plan_(plan) {
  validate(g, this->name());
  pieces_ = stream_pieces(g, plan);
}

namespace {

const char* kHostData = "the streamed projector reads and writes host arrays; apply it with a host context";

// A piece's projections `part` (views v0..v1 of rows [r0, r1)) and the same rows of the whole
// stack y (views, rows, cols) of g, as row bands (projection_rows.hpp).
template <class T>
RowBand<T> piece_band(T* part, const StreamPiece& p) {
  return {part, p.r1 - p.r0, 0};
}
template <class T>
RowBand<T> stack_band(const Geometry& g, T* y, const StreamPiece& p) {
  return {y + p.v0 * g.projection.rows * g.projection.cols, g.projection.rows, p.r0};
}

// y += part on the piece's rows, and part = y's rows of the piece.
template <class T>
void add_piece_rows(const Context& ctx, const Geometry& g, const StreamPiece& p, const T* part, View<T> y) {
  move_rows<T>(ctx, p.v1 - p.v0, g.projection.cols, p.r1 - p.r0, piece_band(part, p),
               stack_band(g, y.data(), p), RowMove::Add);
}
template <class T>
void copy_piece_rows(const Context& ctx, const Geometry& g, const StreamPiece& p, View<const T> y, T* part) {
  move_rows<T>(ctx, p.v1 - p.v0, g.projection.cols, p.r1 - p.r0, stack_band(g, y.data(), p),
               piece_band(part, p), RowMove::Copy);
}

}  // namespace

namespace {

// Elements of the largest piece's projections.
index_t largest_part(const Geometry& g, const std::vector<StreamPiece>& pieces) {
  index_t most = 0;
  for (const StreamPiece& p : pieces)
    most = std::max(most, (p.v1 - p.v0) * (p.r1 - p.r0) * g.projection.cols);
  return most;
}

// Waits, when it goes, for what is still queued on a context: buffers that a copy on another
// stream may still be reading must not be freed under it (an exception halfway included).
struct DrainOnExit {
  const Context& ctx;
  ~DrainOnExit() {
    try {
      ctx.synchronize();
    } catch (...) {  // a device already in error: its own exception is on its way
    }
  }
};

}  // namespace

template <class T>
StreamedProjector<T>::~StreamedProjector() = default;

template <class T>
T* StreamedProjector<T>::staging(int which, index_t elements) const {
  std::unique_ptr<PinnedBuffer>& buffer = staging_[which];
  const std::size_t bytes = sizeof(T) * static_cast<std::size_t>(elements);
  if (!buffer || buffer->bytes() < bytes) {
    buffer.reset();
    buffer = std::make_unique<PinnedBuffer>(device_, bytes);
  }
  return buffer->template as<T>();
}

// Piece i computes into device buffer i % 2 while piece i - 1's projections travel to the host
// on the second stream and are added into y there. On a host device the pieces' own arrays are
// read directly.
template <class T>
void StreamedProjector<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  require(!ctx.is_cuda(), this->name() + ".apply", kHostData);
  fill<T>(ctx, y, T(0));
  const index_t per_slice = plane(geometry_), most = largest_part(geometry_, pieces_);
  const bool staged = device_.is_cuda();
  Array<T> parts[2] = {Array<T>(device_, Shape{most}), Array<T>(device_, Shape{most})};
  T* landing[2] = {staged ? staging(0, most) : parts[0].data(), staged ? staging(1, most) : parts[1].data()};
  StreamEvent computed[2], moved[2];
  const DrainOnExit drain{copies_};
  std::unique_ptr<Array<T>> slab;
  index_t loaded = -1;                    // first slice of the slab on the device
  std::size_t arriving = pieces_.size();  // the piece whose projections are on their way
  const auto add_arrived = [&] {
    if (arriving == pieces_.size()) return;
    moved[arriving & 1].synchronize();
    add_piece_rows<T>(ctx, geometry_, pieces_[arriving], landing[arriving & 1], y);
    arriving = pieces_.size();
  };
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    const StreamPiece& p = pieces_[i];
    const int b = static_cast<int>(i & 1);
    if (p.z0 != loaded) {
      slab.reset();  // the previous slab goes before the next one comes
      slab = std::make_unique<Array<T>>(device_, slab_volume(geometry_, p.z0, p.z1).shape);
      recon::detail::copy_bytes(device_, slab->data(), device_.device(), x.data() + p.z0 * per_slice,
                                Device::Host, sizeof(T) * static_cast<std::size_t>(slab->size()));
      loaded = p.z0;
    }
    const JosephProjector<T> op(piece_geometry(geometry_, p));
    const View<T> part(parts[b].data(), op.range(), device_.device());
    moved[b].make_wait(device_);  // piece i - 2's projections have left this buffer
    op.apply(device_, slab->view(), part);
    if (staged) {
      computed[b].record(device_);
      computed[b].make_wait(copies_);
      copy_bytes_async(copies_, landing[b], Device::Host, part.data(), device_.device(),
                       sizeof(T) * static_cast<std::size_t>(part.size()));
      moved[b].record(copies_);
    }
    add_arrived();  // piece i - 1, on the host, while the device computes piece i
    arriving = i;
  }
  add_arrived();
}

// Piece i's window rows are gathered on the host into staging buffer i % 2 while the device
// back-projects piece i - 1; they travel on the second stream into device buffer i % 2.
template <class T>
void StreamedProjector<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  require(!ctx.is_cuda(), this->name() + ".adjoint", kHostData);
  fill<T>(ctx, x, T(0));  // slabs no view reaches stay 0
  const index_t per_slice = plane(geometry_), most = largest_part(geometry_, pieces_);
  const index_t rows = geometry_.projection.rows, cols = geometry_.projection.cols;
  const bool staged = device_.is_cuda();
  Array<T> parts[2] = {Array<T>(device_, Shape{most}), Array<T>(device_, Shape{most})};
  T* gathered[2] = {staged ? staging(0, most) : parts[0].data(), staged ? staging(1, most) : parts[1].data()};
  StreamEvent allocated, computed[2], moved[2];
  allocated.record(device_);  // the copy stream writes the buffers only after their stream-ordered allocation
  allocated.make_wait(copies_);
  const DrainOnExit drain{copies_};
  for (std::size_t first = 0; first < pieces_.size();) {
    std::size_t last = first;  // the pieces [first, last) of one slab
    while (last < pieces_.size() && pieces_[last].z0 == pieces_[first].z0) ++last;
    const StreamPiece& s = pieces_[first];
    Array<T> sum(device_, slab_volume(geometry_, s.z0, s.z1).shape);
    std::unique_ptr<Array<T>> term;
    for (std::size_t i = first; i < last; ++i) {
      const StreamPiece& p = pieces_[i];
      const int b = static_cast<int>(i & 1);
      const index_t elements = (p.v1 - p.v0) * (p.r1 - p.r0) * cols;
      moved[b].synchronize();  // piece i - 2's rows have left this staging buffer
      if (p.r0 != 0 || p.r1 != rows)
        copy_piece_rows<T>(ctx, geometry_, p, y, gathered[b]);
      else
        std::copy_n(y.data() + p.v0 * rows * cols, elements, gathered[b]);
      if (staged) {
        computed[b].make_wait(copies_);  // piece i - 2 has finished reading device buffer b
        copy_bytes_async(copies_, parts[b].data(), device_.device(), gathered[b], Device::Host,
                         sizeof(T) * static_cast<std::size_t>(elements));
        moved[b].record(copies_);
        moved[b].make_wait(device_);
      }
      const JosephProjector<T> op(piece_geometry(geometry_, p));
      const View<const T> part(parts[b].data(), op.range(), device_.device());
      if (i == first) {
        op.adjoint(device_, part, sum.view());
      } else {
        if (!term) term = std::make_unique<Array<T>>(device_, sum.shape());
        op.adjoint(device_, part, term->view());
        axpby<T>(device_, T(1), term->view(), T(1), sum.view());
      }
      computed[b].record(device_);
    }
    recon::detail::copy_bytes(device_, x.data() + s.z0 * per_slice, Device::Host, sum.data(),
                              device_.device(), sizeof(T) * static_cast<std::size_t>(sum.size()));
    first = last;
  }
}

template <class T>
index_t filtered_backprojection_streamed(const Context& device, const Geometry& g, View<const T> projections,
                                         View<T> volume, FbpFilter filter, std::size_t device_bytes,
                                         VoxelInterpolation interpolation) {
  const char* where = "ct::filtered_backprojection_streamed";
  validate(g, where);
  const Context host = Context::host();
  recon::detail::check_view(host, where, "projections", projections.shape(), projections.device(),
                            projections.data(), g.projection.shape());
  recon::detail::check_view(host, where, "volume", volume.shape(), volume.device(), volume.data(),
                            g.volume.shape);
  const double e = sizeof(T), budget = static_cast<double>(device_bytes);
  const double sinogram = e * static_cast<double>(g.projection.shape().size());
  const double slice = e * static_cast<double>(plane(g));
  const index_t padded_row = detail::fbp_padded_length(g.projection.cols);
  // Filtering on the device holds the projections, their filtered copy and a chunk of padded
  // rows with its spectrum (about two samples per padded sample).
  const double filter_room = budget - 2 * sinogram - slice;
  const index_t chunk = static_cast<index_t>(std::max(0.0, filter_room / (2 * e)));
  if (sinogram + slice > budget)
    throw OutOfMemory(std::string(where) + ": the filtered projections " + g.projection.shape().str() +
                      " and one slice need " + format_bytes(sinogram + slice) + " on the device, but only " +
                      format_bytes(budget) + " is available (FBP/FDK stream the volume, not the views)");
  Array<T> filtered(device, g.projection.shape());
  if (chunk >= padded_row) {
    Array<T> resident(device, g.projection.shape());
    recon::detail::copy_bytes(device, resident.data(), device.device(), projections.data(), Device::Host,
                              sizeof(T) * static_cast<std::size_t>(resident.size()));
    fbp_filter<T>(device, g, resident.view(), filtered.view(), filter, chunk);
  } else {
    Array<T> on_host(host, g.projection.shape());
    fbp_filter<T>(host, g, projections, on_host.view(), filter);
    recon::detail::copy_bytes(device, filtered.data(), device.device(), on_host.data(), Device::Host,
                              sizeof(T) * static_cast<std::size_t>(on_host.size()));
  }
  const index_t depth = std::max<index_t>(
      1, std::min<index_t>(slices(g), static_cast<index_t>((budget - sinogram) / std::max(slice, 1.0))));
  for (index_t z0 = 0; z0 < slices(g); z0 += depth) {
    Geometry gs = g;
    gs.volume = slab_volume(g, z0, std::min(slices(g), z0 + depth));
    Array<T> part(device, gs.volume.shape);
    fbp_backproject<T>(device, gs, filtered.view(), part.view(), interpolation);
    recon::detail::copy_bytes(device, volume.data() + z0 * plane(g), Device::Host, part.data(),
                              device.device(), sizeof(T) * static_cast<std::size_t>(part.size()));
  }
  return depth;
}

template index_t filtered_backprojection_streamed<float>(const Context&, const Geometry&, View<const float>,
                                                         View<float>, FbpFilter, std::size_t,
                                                         VoxelInterpolation);
template index_t filtered_backprojection_streamed<double>(const Context&, const Geometry&, View<const double>,
                                                          View<double>, FbpFilter, std::size_t,
                                                          VoxelInterpolation);
template class StreamedProjector<float>;
template class StreamedProjector<double>;

}  // namespace recon::ct
