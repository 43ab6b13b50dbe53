// Moving bands of detector rows between projection stacks (projection_rows.hpp): one launch over
// views x rows x cols rather than one copy per view.
#include "recon/kernels/parallel_for.hpp"
#include "recon/operators/ct/projection_rows.hpp"

namespace recon::ct {

namespace {

template <class T, bool Add>
struct MoveRows {
  const T* from;
  T* to;
  index_t from_rows, from_first, to_rows, to_first, count, cols;
  RECON_HD void operator()(index_t v, index_t r, index_t c) const {
    const T value = from[(v * from_rows + from_first + r) * cols + c];
    T& target = to[(v * to_rows + to_first + r) * cols + c];
    if constexpr (Add)
      target += value;
    else
      target = value;
  }
};

}  // namespace

template <class T>
void move_rows(const Context& ctx, index_t views, index_t cols, index_t count, RowBand<const T> from,
               RowBand<T> to, RowMove how) {
  if (views <= 0 || cols <= 0 || count <= 0) return;
  const Extent3 e{views, count, cols};
  if (how == RowMove::Add)
    parallel_for(
        ctx, e, MoveRows<T, true>{from.data, to.data, from.rows, from.first, to.rows, to.first, count, cols});
  else
    parallel_for(
        ctx, e,
        MoveRows<T, false>{from.data, to.data, from.rows, from.first, to.rows, to.first, count, cols});
}

template void move_rows<float>(const Context&, index_t, index_t, index_t, RowBand<const float>,
                               RowBand<float>, RowMove);
template void move_rows<double>(const Context&, index_t, index_t, index_t, RowBand<const double>,
                                RowBand<double>, RowMove);

}  // namespace recon::ct
