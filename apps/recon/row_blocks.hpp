// Arrays split into blocks of rows along axis 0 over the ranks (z-slabs of a volume, row blocks
// of an image; docs/distributed.md): rank 0 reads and writes whole files, each rank holds rows
// dist::block_share(rows, rank, ranks). Used by the distributed `recon denoise` and `ct recon`.
#pragma once

#include "recon/kernels/array.hpp"
#include "recon/kernels/communicator.hpp"

namespace recon::cli {

// Rank 0's shape on every rank.
Shape broadcast_shape(const dist::Communicator& comm, const Shape& on_root);

// This rank's shape: `rows` rows of whole's axis 0, the other axes whole.
Shape with_rows(const Shape& whole, index_t rows);

// This rank's block of a host array that rank 0 holds whole (other ranks pass an empty one).
Array<float> scatter_rows(const dist::Communicator& comm, const Array<float>& whole_on_root,
                          const Shape& whole);

// The whole array on rank 0 from every rank's block (an empty array on the other ranks).
Array<float> gather_rows(const dist::Communicator& comm, const Array<float>& block, const Shape& whole);

// PSNR (metrics.hpp's definition: the mean squared error over every element) and max |a| of
// arrays split into blocks over `split` (null: whole here); the same value on every rank.
double psnr_over_blocks(const Context& ctx, const dist::Communicator* split, View<const float> reference,
                        View<const float> x, double range);
double max_abs_over_blocks(const Context& ctx, const dist::Communicator* split, View<const float> a);

}  // namespace recon::cli
