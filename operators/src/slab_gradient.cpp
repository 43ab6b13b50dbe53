// The gradient over row blocks with one-row halos (slab_gradient.hpp).
#include "recon/operators/slab_gradient.hpp"

#include "recon/kernels/vector_ops.hpp"

namespace recon {

namespace {

Shape with_rows(const Shape& s, index_t rows) {
  Shape r{rows};
  for (int a = 1; a < s.ndim(); ++a) r.push_back(s[a]);
  return r;
}

Shape gradient_range(const Shape& domain) {
  Shape r{static_cast<index_t>(domain.ndim())};
  for (int a = 0; a < domain.ndim(); ++a) r.push_back(domain[a]);
  return r;
}

dist::Block rows_of(const Shape& whole, const dist::Communicator& comm) {
  require(whole.ndim() >= 1 && whole.ndim() <= 3, "slab_gradient",
          "the array " + whole.str() + " must have 1 to 3 axes");
  require(whole[0] >= comm.size(), "slab_gradient",
          "an array of " + std::to_string(whole[0]) + " rows along axis 0 cannot be split into " +
              std::to_string(comm.size()) + " blocks; use at most " + std::to_string(whole[0]) + " ranks");
  return dist::block_share(whole[0], comm.rank(), comm.size());
}

}  // namespace

template <class T>
SlabGradient<T>::SlabGradient(const Shape& whole, Boundary boundary,
                              std::shared_ptr<const dist::Communicator> comm)
    : LinearOperator<T>("slab_gradient", with_rows(whole, rows_of(whole, *comm).count()),
                        gradient_range(with_rows(whole, rows_of(whole, *comm).count()))),
      whole_(whole),
      comm_(std::move(comm)),
      block_(rows_of(whole, *comm_)) {
  row_size_ = whole.size() / whole[0];
  const int ranks = comm_->size(), rank = comm_->rank();
  const bool periodic = boundary == Boundary::Periodic;
  if (ranks > 1) {  // one rank holds the whole array: no halos (a periodic ring of one wraps inside)
    next_ = rank + 1 < ranks ? rank + 1 : (periodic ? 0 : dist::Communicator::kNone);
    prev_ = rank > 0 ? rank - 1 : (periodic ? ranks - 1 : dist::Communicator::kNone);
  }
  const index_t has_next = next_ != dist::Communicator::kNone, has_prev = prev_ != dist::Communicator::kNone;
  halo_before_ = has_prev;
  padded_rows_ = block_.count() + has_prev + has_next;
  padded_ = gradient<T>(with_rows(whole, padded_rows_), boundary);
}

template <class T>
void SlabGradient<T>::exchange_row(const Context& ctx, const T* from, int dest, T* into, int source) const {
  const Shape row{row_size_};
  dist::send_receive<T>(*comm_, ctx, View<const T>(from, row, ctx.device()), dest,
                        View<T>(into, row, ctx.device()), source);
}

template <class T>
void SlabGradient<T>::pad_domain(const Context& ctx, const T* x, T* padded) const {
  const index_t rows = block_.count(), n = rows * row_size_;
  copy<T>(ctx, View<const T>(x, Shape{n}, ctx.device()),
          View<T>(padded + halo_before_ * row_size_, Shape{n}, ctx.device()));
  // The first row goes back to the previous rank while the next rank's first row arrives, then the
  // last row forward while the previous rank's last row arrives.
  exchange_row(ctx, x, prev_, padded + (halo_before_ + rows) * row_size_, next_);
  exchange_row(ctx, x + (rows - 1) * row_size_, next_, padded, prev_);
}

template <class T>
void SlabGradient<T>::unpad_domain(const Context& ctx, const T* padded, T* x) const {
  const index_t n = block_.count() * row_size_;
  copy<T>(ctx, View<const T>(padded + halo_before_ * row_size_, Shape{n}, ctx.device()),
          View<T>(x, Shape{n}, ctx.device()));
}

template <class T>
void SlabGradient<T>::pad_range(const Context& ctx, const T* p, T* padded) const {
  const index_t rows = block_.count(), n = rows * row_size_;
  const int k = static_cast<int>(this->range()[0]);
  const bool after = padded_rows_ > rows + halo_before_;
  for (int c = 0; c < k; ++c) {
    copy<T>(ctx, View<const T>(rows_at(p, c, rows, 0), Shape{n}, ctx.device()),
            View<T>(rows_at(padded, c, padded_rows_, halo_before_), Shape{n}, ctx.device()));
    if (after)
      fill<T>(ctx,
              View<T>(rows_at(padded, c, padded_rows_, halo_before_ + rows), Shape{row_size_}, ctx.device()),
              T(0));
    exchange_row(ctx, rows_at(p, c, rows, rows - 1), next_, rows_at(padded, c, padded_rows_, 0), prev_);
  }
}

template <class T>
void SlabGradient<T>::unpad_range(const Context& ctx, const T* padded, T* p) const {
  const index_t rows = block_.count(), n = rows * row_size_;
  const int k = static_cast<int>(this->range()[0]);
  for (int c = 0; c < k; ++c)
    copy<T>(ctx, View<const T>(rows_at(padded, c, padded_rows_, halo_before_), Shape{n}, ctx.device()),
            View<T>(rows_at(p, c, rows, 0), Shape{n}, ctx.device()));
}

// Work buffers from slot 1 on: slot 0 holds the default normal()'s A x while it calls adjoint().
template <class T>
void SlabGradient<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  if (!split()) {
    padded_.apply(ctx, x, y);
    return;
  }
  View<T> padded = this->scratch(ctx, 1, padded_.domain());
  pad_domain(ctx, x.data(), padded.data());
  View<T> out = this->scratch(ctx, 2, padded_.range());
  padded_.apply(ctx, padded, out);
  unpad_range(ctx, out.data(), y.data());
}

template <class T>
void SlabGradient<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  if (!split()) {
    padded_.adjoint(ctx, y, x);
    return;
  }
  View<T> padded = this->scratch(ctx, 3, padded_.range());
  pad_range(ctx, y.data(), padded.data());
  View<T> out = this->scratch(ctx, 4, padded_.domain());
  padded_.adjoint(ctx, padded, out);
  unpad_domain(ctx, out.data(), x.data());
}

template class SlabGradient<float>;
template class SlabGradient<double>;

}  // namespace recon
