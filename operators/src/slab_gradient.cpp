// The gradient over row blocks with one-row halos (slab_gradient.hpp).
#include "recon/operators/slab_gradient.hpp"

#include <vector>

#include "recon/kernels/memory.hpp"
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

// Rows [first, first + count) of every component of a (k, rows, ...) array, as a view of
// component c.
template <class T>
View<T> component_rows(View<T> a, int c, index_t rows, index_t first, index_t count, index_t row_size) {
  return View<T>(a.data() + (c * rows + first) * row_size, Shape{count * row_size}, a.device());
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
  const index_t rows = block_.count();
  const index_t has_next = next_ != dist::Communicator::kNone, has_prev = prev_ != dist::Communicator::kNone;
  forward_rows_ = rows + has_next;
  backward_offset_ = has_prev;
  backward_rows_ = rows + has_prev + has_next;
  forward_ = gradient<T>(with_rows(whole, forward_rows_), boundary);
  backward_ = gradient<T>(with_rows(whole, backward_rows_), boundary);
}

template <class T>
void SlabGradient<T>::exchange_row(const Context& ctx, const T* from, int dest, T* into, int source) const {
  const std::size_t bytes = sizeof(T) * static_cast<std::size_t>(row_size_);
  const std::size_t send_bytes = dest == dist::Communicator::kNone ? 0 : bytes;
  const std::size_t recv_bytes = source == dist::Communicator::kNone ? 0 : bytes;
  if (!ctx.is_cuda()) {
    comm_->send_receive(from, send_bytes, dest, into, recv_bytes, source);
    return;
  }
  std::vector<T> out(static_cast<std::size_t>(row_size_)), in(out.size());  // host staging (no NCCL yet)
  if (send_bytes) detail::copy_bytes(ctx, out.data(), Device::Host, from, ctx.device(), bytes);
  comm_->send_receive(out.data(), send_bytes, dest, in.data(), recv_bytes, source);
  if (recv_bytes) detail::copy_bytes(ctx, into, ctx.device(), in.data(), Device::Host, bytes);
}

// Work buffers from slot 1 on: slot 0 holds the default normal()'s A x while it calls adjoint().
template <class T>
void SlabGradient<T>::do_apply(const Context& ctx, View<const T> x, View<T> y) const {
  const index_t rows = block_.count();
  if (!split()) {
    forward_.apply(ctx, x, y);
    return;
  }
  // [own rows, the next rank's first row]; the first row goes to the previous rank.
  View<T> padded = this->scratch(ctx, 1, forward_.domain());
  copy<T>(ctx, x, View<T>(padded.data(), x.shape(), padded.device()));
  exchange_row(ctx, x.data(), prev_, padded.data() + rows * row_size_, next_);
  View<T> out = this->scratch(ctx, 2, forward_.range());
  forward_.apply(ctx, padded, out);
  const int k = static_cast<int>(this->range()[0]);
  for (int c = 0; c < k; ++c)
    copy<T>(ctx, component_rows<const T>(out, c, forward_rows_, 0, rows, row_size_),
            component_rows<T>(y, c, rows, 0, rows, row_size_));
}

template <class T>
void SlabGradient<T>::do_adjoint(const Context& ctx, View<const T> y, View<T> x) const {
  const index_t rows = block_.count();
  if (!split()) {
    backward_.adjoint(ctx, y, x);
    return;
  }
  // Per component [halo row, own rows, zero row]: component 0's halo row is the previous rank's
  // last row (p_{j-1} at the block's first row); the other halo rows only reach halo outputs.
  View<T> padded = this->scratch(ctx, 3, backward_.range());
  const int k = static_cast<int>(this->range()[0]);
  const index_t off = backward_offset_, after = backward_rows_ - off - rows;
  for (int c = 0; c < k; ++c) {
    copy<T>(ctx, component_rows<const T>(y, c, rows, 0, rows, row_size_),
            component_rows<T>(padded, c, backward_rows_, off, rows, row_size_));
    if (off && c > 0) fill<T>(ctx, component_rows<T>(padded, c, backward_rows_, 0, 1, row_size_), T(0));
    if (after) fill<T>(ctx, component_rows<T>(padded, c, backward_rows_, off + rows, 1, row_size_), T(0));
  }
  exchange_row(ctx, y.data() + (rows - 1) * row_size_, next_, padded.data(), prev_);
  View<T> out = this->scratch(ctx, 4, backward_.domain());
  backward_.adjoint(ctx, padded, out);
  copy<T>(ctx, View<const T>(out.data() + off * row_size_, x.shape(), out.device()), x);
}

template class SlabGradient<float>;
template class SlabGradient<double>;

}  // namespace recon
