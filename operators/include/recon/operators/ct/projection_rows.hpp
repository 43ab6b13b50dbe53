// Bands of detector rows in projection stacks (views, rows, cols): the rows [first, first + count)
// of every view are strided in memory (one run of count x cols values per view). The streamed
// projector moves a piece's rows between the piece and the whole stack with these, and the
// z-slab projector its window's rows between ranks (slab_projector.hpp).
#pragma once

#include "recon/kernels/context.hpp"

namespace recon::ct {

// A stack of `views` views of `rows` x `cols` values at `data` (ctx's memory), addressed from
// its row `first`.
template <class T>
struct RowBand {
  T* data;
  index_t rows;
  index_t first;
};

enum class RowMove { Copy, Add };

// `count` rows of every view of `from` (from its row `first`) copied to, or added to, `to` (from
// its row `first`); both hold `views` views of `cols` columns.
template <class T>
void move_rows(const Context& ctx, index_t views, index_t cols, index_t count, RowBand<const T> from,
               RowBand<T> to, RowMove how);

}  // namespace recon::ct
