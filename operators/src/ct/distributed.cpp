// The view-split projector (distributed.hpp).
#include "recon/operators/ct/distributed.hpp"

#include "recon/operators/ct/streamed.hpp"

namespace recon::ct {

namespace {

Shape local_range(const Geometry& g, index_t views) {
  const ProjectionGeometry& p = g.projection;
  return p.ndim == 2 ? Shape{views, p.cols} : Shape{views, p.rows, p.cols};
}

}  // namespace

ViewRange view_share(index_t views, int rank, int ranks) { return dist::block_share(views, rank, ranks); }

template <class T>
DistributedProjector<T>::DistributedProjector(const Geometry& g,
                                              std::shared_ptr<const dist::Communicator> comm,
                                              const std::optional<Context>& stream_through)
    : LinearOperator<T>("ct.distributed_" + g.projection.type_name(), g.volume.shape,
                        local_range(g, view_share(g.projection.views(), comm->rank(), comm->size()).count()),
                        typename LinearOperator<T>::EmptyRangeAllowed{}),
      geometry_(g),
      comm_(std::move(comm)),
      views_(view_share(g.projection.views(), comm_->rank(), comm_->size())) {
  validate(g, this->name());
  const index_t slices = g.volume.ndim() == 3 ? g.volume.nz() : 1;
  if (views_.count() > 0)
    local_ = piece_projector<T>(
        piece_geometry(g, StreamPiece{0, slices, views_.begin, views_.end, 0, g.projection.rows}),
        stream_through);
}

template <class T>
void DistributedProjector<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  if (local_) local_.apply(ctx, x, y);
}

template <class T>
void DistributedProjector<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  if (local_)
    local_.adjoint(ctx, y, x);
  else
    fill<T>(ctx, x, T(0));
  dist::all_reduce_sum<T>(*comm_, ctx, x);
}

template class DistributedProjector<float>;
template class DistributedProjector<double>;

}  // namespace recon::ct
