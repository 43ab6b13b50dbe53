// The z-slab-split projector (slab_projector.hpp).
#include "recon/operators/ct/slab_projector.hpp"

#include <algorithm>
#include <cmath>

#include "recon/kernels/vector_ops.hpp"
#include "recon/operators/ct/projection_rows.hpp"

namespace recon::ct {

dist::Block slab_share(const Geometry& g, int rank, int ranks, const std::string& where) {
  validate(g, where);
  const std::string otherwise = "--distribute views";
  require(g.volume.ndim() == 3 && g.projection.ndim == 3, where,
          "the z-slab decomposition needs a 3D geometry (parallel3d, cone or their vector forms), got " +
              g.projection.type_name() + "; use " + otherwise);
  const index_t nz = g.volume.nz();
  require(nz >= ranks, where,
          "a volume of " + std::to_string(nz) + " slices cannot be split into " + std::to_string(ranks) +
              " slabs; use at most " + std::to_string(nz) + " ranks or " + otherwise);
  return dist::block_share(nz, rank, ranks);
}

SlabRows slab_rows(const Geometry& g, int ranks, const std::string& where) {
  SlabRows out;
  std::vector<int> reached;     // ranks whose slab some view reaches
  std::vector<double> centres;  // the row each slab's centre projects onto
  for (int r = 0; r < ranks; ++r) {
    const dist::Block s = slab_share(g, r, ranks, where);
    const StreamPiece p = slab_piece(g, s.begin, s.end);
    out.window.push_back({p.r0, p.r1});
    const double c = slab_centre_row(g, s.begin, s.end);
    centres.push_back(std::isnan(c) ? 0.5 * static_cast<double>(p.r0 + p.r1 - 1) : c);
    if (p.r1 > p.r0) reached.push_back(r);
  }
  const index_t rows = g.projection.rows;
  out.owned.assign(static_cast<std::size_t>(ranks), dist::Block{});
  if (reached.empty()) {
    out.owned[0] = {0, rows};
    return out;
  }
  std::stable_sort(reached.begin(), reached.end(), [&](int a, int b) { return centres[a] < centres[b]; });
  index_t cut = 0;
  for (std::size_t i = 0; i < reached.size(); ++i) {
    index_t end = rows;
    if (i + 1 < reached.size()) {
      const double between = std::ceil(0.5 * (centres[reached[i]] + centres[reached[i + 1]]));
      end = std::clamp(static_cast<index_t>(std::clamp(between, 0.0, static_cast<double>(rows))), cut, rows);
    }
    out.owned[reached[i]] = {cut, end};
    cut = end;
  }
  return out;
}

namespace {

// The rows two bands share (an empty block when none).
dist::Block meet(const dist::Block& a, const dist::Block& b) {
  const index_t begin = std::max(a.begin, b.begin);
  return {begin, std::max(begin, std::min(a.end, b.end))};
}

bool same(const dist::Block& a, const dist::Block& b) { return a.begin == b.begin && a.end == b.end; }

Shape slab_shape(const Geometry& g, const dist::Communicator& comm, const std::string& where) {
  const dist::Block b = slab_share(g, comm.rank(), comm.size(), where);
  return Shape{b.count(), g.volume.ny(), g.volume.nx()};
}

Shape band_shape(const Geometry& g, index_t rows, index_t views = -1) {
  return Shape{views < 0 ? g.projection.views() : views, rows, g.projection.cols};
}

}  // namespace

template <class T>
SlabProjector<T>::SlabProjector(const Geometry& g, std::shared_ptr<const dist::Communicator> comm,
                                const std::optional<Context>& stream_through, index_t view_chunk)
    : LinearOperator<T>("ct.slab_" + g.projection.type_name(), slab_shape(g, *comm, "ct::SlabProjector"),
                        band_shape(g, slab_rows(g, comm->size(), "ct::SlabProjector")
                                          .owned[static_cast<std::size_t>(comm->rank())]
                                          .count())),
      geometry_(g),
      comm_(std::move(comm)),
      slices_(dist::block_share(g.volume.nz(), comm_->rank(), comm_->size())),
      rows_(slab_rows(g, comm_->size(), "ct::SlabProjector")) {
  const index_t views = g.projection.views();
  require(view_chunk >= 0, "ct::SlabProjector",
          "view_chunk must be >= 0 (0: every view at once), got " + std::to_string(view_chunk));
  chunk_ = view_chunk > 0 ? std::min(view_chunk, views) : views;
  const dist::Block& w = window();
  if (w.count() > 0)
    for (index_t v = 0; v < views; v += chunk_) {
      const StreamPiece piece{slices_.begin, slices_.end, v, std::min(v + chunk_, views), w.begin, w.end};
      locals_.push_back(piece_projector<T>(piece_geometry(g, piece), stream_through));
    }
}

template <class T>
bool SlabProjector<T>::step_moves_rows(int k) const {
  const int ranks = comm_->size();
  for (int a = 0; a < ranks; ++a)
    if (meet(rows_.window[a], rows_.owned[(a + k) % ranks]).count() > 0) return true;
  return false;
}

template <class T>
void SlabProjector<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  const index_t views = geometry_.projection.views(), cols = geometry_.projection.cols;
  const dist::Block &win = window(), &own = owned_rows();
  // The slab's partial projection of its window, a chunk of views at a time: straight into y when
  // the window is the band it owns. Each view's rows are computed and summed as without chunks.
  const bool direct = same(win, own);
  Array<T> part(ctx, band_shape(geometry_, direct ? 0 : win.count(), chunk_));
  if (!direct) fill<T>(ctx, y, T(0));
  for (index_t v = 0, c = 0; v < views; v += chunk_, ++c) {
    const index_t count = std::min(chunk_, views - v);
    T* y_chunk = y.data() + v * own.count() * cols;
    if (direct) {
      if (!locals_.empty())
        locals_[c].apply(ctx, x, View<T>(y_chunk, band_shape(geometry_, own.count(), count), ctx.device()));
    } else {
      if (!locals_.empty())
        locals_[c].apply(ctx, x,
                         View<T>(part.data(), band_shape(geometry_, win.count(), count), ctx.device()));
      const dist::Block mine = meet(win, own);
      move_rows<T>(ctx, count, cols, mine.count(), {part.data(), win.count(), mine.begin - win.begin},
                   {y_chunk, own.count(), mine.begin - own.begin}, RowMove::Add);
    }
    exchange_rows(ctx, count, part.data(), win, rows_.owned, y_chunk, own, rows_.window, RowMove::Add);
  }
}

template <class T>
void SlabProjector<T>::gather_window(const Context& ctx, View<const T> band, View<T> window_rows) const {
  const std::string where = this->name() + ".gather_window";
  recon::detail::check_view(ctx, where, "band", band.shape(), band.device(), band.data(), this->range());
  recon::detail::check_view(ctx, where, "window rows", window_rows.shape(), window_rows.device(),
                            window_rows.data(), band_shape(geometry_, window().count()));
  exchange_window(ctx, geometry_.projection.views(), band.data(), window_rows.data());
}

template <class T>
void SlabProjector<T>::exchange_window(const Context& ctx, index_t views, const T* band,
                                       T* window_rows) const {
  const index_t cols = geometry_.projection.cols;
  const dist::Block &win = window(), &own = owned_rows();
  if (window_rows) {
    const dist::Block mine = meet(own, win);
    move_rows<T>(ctx, views, cols, mine.count(), {band, own.count(), mine.begin - own.begin},
                 {window_rows, win.count(), mine.begin - win.begin}, RowMove::Copy);
  }
  exchange_rows(ctx, views, band, own, rows_.window, window_rows, win, rows_.owned, RowMove::Copy);
}

template <class T>
void SlabProjector<T>::exchange_rows(const Context& ctx, index_t views, const T* from,
                                     const dist::Block& from_rows, const std::vector<dist::Block>& theirs,
                                     T* to, const dist::Block& to_rows,
                                     const std::vector<dist::Block>& sources, RowMove how) const {
  const index_t cols = geometry_.projection.cols;
  const int ranks = comm_->size(), rank = comm_->rank();
  for (int k = 1; k < ranks; ++k) {
    if (!step_moves_rows(k)) continue;
    const int dest = (rank + k) % ranks, source = (rank - k + ranks) % ranks;
    const dist::Block out = meet(from_rows, theirs[dest]), in = meet(sources[source], to_rows);
    Array<T> sent(ctx, band_shape(geometry_, out.count(), views)),
        got(ctx, band_shape(geometry_, in.count(), views));
    move_rows<T>(ctx, views, cols, out.count(), {from, from_rows.count(), out.begin - from_rows.begin},
                 {sent.data(), out.count(), 0}, RowMove::Copy);
    dist::send_receive<T>(*comm_, ctx, sent.view(), dest, got.view(), source);
    move_rows<T>(ctx, views, cols, in.count(), {got.data(), in.count(), 0},
                 {to, to_rows.count(), in.begin - to_rows.begin}, how);
  }
}

template <class T>
void SlabProjector<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  // A chunk of views at a time, the chunks' back-projections summed: y itself when the window is
  // the band this rank owns (nothing arrives from the others, though they may still need this
  // rank's rows), else the window's rows gathered from their owners.
  const index_t views = geometry_.projection.views(), cols = geometry_.projection.cols;
  const dist::Block &win = window(), &own = owned_rows();
  const bool direct = same(win, own);
  Array<T> rows(ctx, band_shape(geometry_, direct ? 0 : win.count(), chunk_));
  Array<T> chunk_x(ctx, locals_.size() > 1 ? x.shape() : Shape{0});
  if (locals_.empty()) fill<T>(ctx, x, T(0));
  for (index_t v = 0, c = 0; v < views; v += chunk_, ++c) {
    const index_t count = std::min(chunk_, views - v);
    const T* y_chunk = y.data() + v * own.count() * cols;
    exchange_window(ctx, count, y_chunk, direct ? nullptr : rows.data());
    if (locals_.empty()) continue;
    const View<const T> in =
        direct ? View<const T>(y_chunk, band_shape(geometry_, own.count(), count), ctx.device())
               : View<const T>(rows.data(), band_shape(geometry_, win.count(), count), ctx.device());
    if (c == 0) {
      locals_[0].adjoint(ctx, in, x);
    } else {
      locals_[c].adjoint(ctx, in, chunk_x.view());
      axpby<T>(ctx, T(1), chunk_x.view(), T(1), x);
    }
  }
}

template class SlabProjector<float>;
template class SlabProjector<double>;

}  // namespace recon::ct
