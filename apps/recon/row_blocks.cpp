// Row blocks over the ranks (row_blocks.hpp).
#include "row_blocks.hpp"

#include <cmath>
#include <limits>
#include <vector>

#include "recon/engine/metrics.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::cli {

namespace {

// Bytes of each rank's block.
std::vector<std::size_t> block_bytes(const dist::Communicator& comm, const Shape& whole) {
  const index_t row = whole.size() / whole[0];
  std::vector<std::size_t> bytes(static_cast<std::size_t>(comm.size()));
  for (int r = 0; r < comm.size(); ++r)
    bytes[r] =
        sizeof(float) * static_cast<std::size_t>(dist::block_share(whole[0], r, comm.size()).count() * row);
  return bytes;
}

Shape own_block(const dist::Communicator& comm, const Shape& whole) {
  return with_rows(whole, dist::block_share(whole[0], comm.rank(), comm.size()).count());
}

}  // namespace

Shape broadcast_shape(const dist::Communicator& comm, const Shape& on_root) {
  std::vector<long long> dims(8, -1);
  for (int a = 0; a < on_root.ndim(); ++a) dims[a] = on_root[a];
  comm.broadcast(dims.data(), sizeof(long long) * dims.size(), 0);
  Shape s;
  for (long long d : dims)
    if (d >= 0) s.push_back(d);
  return s;
}

Shape with_rows(const Shape& whole, index_t rows) {
  Shape s{rows};
  for (int a = 1; a < whole.ndim(); ++a) s.push_back(whole[a]);
  return s;
}

Array<float> scatter_rows(const dist::Communicator& comm, const Array<float>& whole_on_root,
                          const Shape& whole) {
  Array<float> block(Context::host(), own_block(comm, whole));
  comm.scatter(comm.is_root() ? whole_on_root.data() : nullptr, block.data(), block_bytes(comm, whole), 0);
  return block;
}

Array<float> gather_rows(const dist::Communicator& comm, const Array<float>& block, const Shape& whole) {
  Array<float> out(Context::host(), comm.is_root() ? whole : Shape{0});
  const Array<float> host = block.to(Context::host());
  comm.gather(host.data(), out.data(), block_bytes(comm, whole), 0);
  return out;
}

double psnr_over_blocks(const Context& ctx, const dist::Communicator* split, View<const float> reference,
                        View<const float> x, double range) {
  if (!split) return psnr<float>(ctx, reference, x, range);
  const double d = distance2<float>(ctx, reference, x);
  double sums[2] = {d * d, static_cast<double>(x.size())};
  split->all_reduce_sum(sums, 2);
  const double mse = sums[0] / sums[1];
  return mse == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(range * range / mse);
}

double max_abs_over_blocks(const Context& ctx, const dist::Communicator* split, View<const float> a) {
  const double m = max_abs<float>(ctx, a);
  return split ? split->all_reduce(m, dist::ReduceOp::Max) : m;
}

}  // namespace recon::cli
