// The collectives on arrays of any device (communicator.hpp): the choice of transport, NCCL
// (nccl_communicator.cpp) or staging through host memory.
#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "recon/kernels/communicator.hpp"
#include "recon/kernels/memory.hpp"

// RECON_WITH_NCCL: set for this file and communicator.cpp in a build with NCCL
// (kernels/CMakeLists.txt).
#ifndef RECON_WITH_NCCL
#define RECON_WITH_NCCL 0
#endif
#if RECON_WITH_NCCL
#include "nccl_communicator.hpp"
#endif

namespace recon::dist {

namespace {

// RECON_DIST_STAGING=host: stage device buffers through host memory even where NCCL is built.
bool staging_forced() {
  const char* value = std::getenv("RECON_DIST_STAGING");
  if (value == nullptr) return false;
  const std::string v = value;
  if (v.empty() || v == "auto") return false;
  if (v == "host") return true;
  throw InvalidArgument("RECON_DIST_STAGING=" + v +
                        ": expected host (stage device buffers through host memory) or auto");
}

void check_transport(const Communicator& comm, const Context& ctx, Transport via, const char* what) {
  if (ctx.is_cuda() == (via == Transport::Host) || (via == Transport::Nccl && !nccl_built()) ||
      (via == Transport::Nccl && comm.backend() != "mpi"))
    throw InvalidArgument(std::string("dist::") + what + ": transport " + to_string(via) + " for a " +
                          to_string(ctx.device()) + " context on the " + comm.backend() +
                          " communicator; this build and context allow " + to_string(transport(comm, ctx)));
}

// x = sum over ranks of x through a host buffer of at most kStagingBytes.
template <class T>
void staged_sum(const Communicator& comm, const Context& ctx, T* x, std::size_t n) {
  const std::size_t piece = kStagingBytes / sizeof(T);
  std::vector<T> host(std::min(n, piece));
  for (std::size_t offset = 0; offset < n; offset += piece) {
    const std::size_t m = std::min(piece, n - offset);
    recon::detail::copy_bytes(ctx, host.data(), Device::Host, x + offset, ctx.device(), sizeof(T) * m);
    comm.all_reduce_sum(host.data(), m);
    recon::detail::copy_bytes(ctx, x + offset, ctx.device(), host.data(), Device::Host, sizeof(T) * m);
  }
}

}  // namespace

bool nccl_built() { return RECON_WITH_NCCL != 0; }

std::string to_string(Transport t) {
  switch (t) {
    case Transport::Host:
      return "host";
    case Transport::Staged:
      return "staged";
    default:
      return "nccl";
  }
}

Transport transport(const Communicator& comm, const Context& ctx) {
  if (!ctx.is_cuda()) return Transport::Host;
  if (staging_forced() || !nccl_built() || comm.backend() != "mpi") return Transport::Staged;
  return Transport::Nccl;
}

namespace {

// transport() for a collective: a misspelt RECON_DIST_STAGING fails every rank alike (agreed), not
// each rank on its own. Only a Cuda context reads it (one scalar all-reduce next to an array's
// transfer); a host context's collectives stay as they were.
Transport agreed_transport(const Communicator& comm, const Context& ctx) {
  if (!ctx.is_cuda()) return Transport::Host;
  Transport via = Transport::Staged;
  agree(comm, [&] { via = transport(comm, ctx); });
  return via;
}

}  // namespace

template <class T>
void all_reduce_sum(const Communicator& comm, const Context& ctx, View<T> x, Transport via) {
  check_transport(comm, ctx, via, "all_reduce_sum");
  if (x.size() == 0) return;
  if (x.device() != ctx.device())
    throw InvalidArgument("dist::all_reduce_sum: the array lives on " + to_string(x.device()) +
                          ", expected the context's device " + to_string(ctx.device()));
  const std::size_t n = static_cast<std::size_t>(x.size());
#if RECON_WITH_NCCL
  // Also on one rank, where the sum is the identity: `mpiexec -n 1` runs the NCCL path.
  if (via == Transport::Nccl) return detail::nccl_all_reduce_sum(comm, ctx, x.data(), n);
#endif
  if (comm.size() == 1) return;
  if (via == Transport::Host) return comm.all_reduce_sum(x.data(), n);
  staged_sum(comm, ctx, x.data(), n);
}

template <class T>
void all_reduce_sum(const Communicator& comm, const Context& ctx, View<T> x) {
  all_reduce_sum(comm, ctx, x, agreed_transport(comm, ctx));
}

template void all_reduce_sum<float>(const Communicator&, const Context&, View<float>);
template void all_reduce_sum<double>(const Communicator&, const Context&, View<double>);
template void all_reduce_sum<float>(const Communicator&, const Context&, View<float>, Transport);
template void all_reduce_sum<double>(const Communicator&, const Context&, View<double>, Transport);

template <class T>
void send_receive(const Communicator& comm, const Context& ctx, View<const T> send, int dest, View<T> recv,
                  int source) {
  const std::size_t send_bytes =
      dest == Communicator::kNone ? 0 : sizeof(T) * static_cast<std::size_t>(send.size());
  const std::size_t recv_bytes =
      source == Communicator::kNone ? 0 : sizeof(T) * static_cast<std::size_t>(recv.size());
  const Transport via = agreed_transport(comm, ctx);
#if RECON_WITH_NCCL
  if (via == Transport::Nccl)
    return detail::nccl_send_receive(comm, ctx, send.data(), send_bytes, dest, recv.data(), recv_bytes,
                                     source);
#endif
  if (via == Transport::Host)
    return comm.send_receive(send.data(), send_bytes, dest, recv.data(), recv_bytes, source);
  std::vector<T> out(send_bytes / sizeof(T)), in(recv_bytes / sizeof(T));
  if (send_bytes)
    recon::detail::copy_bytes(ctx, out.data(), Device::Host, send.data(), ctx.device(), send_bytes);
  comm.send_receive(out.data(), send_bytes, dest, in.data(), recv_bytes, source);
  if (recv_bytes)
    recon::detail::copy_bytes(ctx, recv.data(), ctx.device(), in.data(), Device::Host, recv_bytes);
}

template void send_receive<float>(const Communicator&, const Context&, View<const float>, int, View<float>,
                                  int);
template void send_receive<double>(const Communicator&, const Context&, View<const double>, int, View<double>,
                                   int);

}  // namespace recon::dist
