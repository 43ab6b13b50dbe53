// The z-slab-split projector (slab_projector.hpp).
#include "recon/operators/ct/slab_projector.hpp"

#include "recon/kernels/vector_ops.hpp"

namespace recon::ct {

dist::Block slab_share(const Geometry& g, int rank, int ranks, const std::string& where) {
  validate(g, where);
  require(g.volume.ndim() == 3 && g.projection.ndim == 3, where,
          "the z-slab decomposition needs a 3D geometry (parallel3d, cone or their vector forms), got " +
              g.projection.type_name() + "; use --distribute views");
  const index_t nz = g.volume.nz();
  require(nz >= ranks, where,
          "a volume of " + std::to_string(nz) + " slices cannot be split into " + std::to_string(ranks) +
              " slabs; use at most " + std::to_string(nz) + " ranks or --distribute views");
  return dist::block_share(nz, rank, ranks);
}

namespace {

Shape slab_shape(const Geometry& g, const dist::Communicator& comm, const std::string& where) {
  const dist::Block b = slab_share(g, comm.rank(), comm.size(), where);
  return Shape{b.count(), g.volume.ny(), g.volume.nx()};
}

}  // namespace

template <class T>
SlabProjector<T>::SlabProjector(const Geometry& g, std::shared_ptr<const dist::Communicator> comm)
    : LinearOperator<T>("ct.slab_" + g.projection.type_name(), slab_shape(g, *comm, "ct::SlabProjector"),
                        g.projection.shape()),
      geometry_(g),
      comm_(std::move(comm)),
      slices_(dist::block_share(g.volume.nz(), comm_->rank(), comm_->size())),
      piece_(slab_piece(g, slices_.begin, slices_.end)) {
  if (piece_.r1 > piece_.r0) local_ = std::make_unique<JosephProjector<T>>(piece_geometry(g, piece_));
}

template <class T>
void SlabProjector<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  if (local_ && whole_rows()) {
    local_->apply(ctx, x, y);
  } else {
    fill<T>(ctx, y, T(0));
    if (local_) {
      Array<T> part(ctx, local_->range());
      local_->apply(ctx, x, part.view());
      add_piece_rows<T>(ctx, geometry_, piece_, part.data(), y);
    }
  }
  dist::all_reduce_sum<T>(*comm_, ctx, y);
}

template <class T>
void SlabProjector<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  if (!local_) return fill<T>(ctx, x, T(0));
  if (whole_rows()) return local_->adjoint(ctx, y, x);
  Array<T> part(ctx, local_->range());
  copy_piece_rows<T>(ctx, geometry_, piece_, y, part.data());
  local_->adjoint(ctx, part.view(), x);
}

template class SlabProjector<float>;
template class SlabProjector<double>;

}  // namespace recon::ct
