// NCCL behind the device-aware collectives (nccl_communicator.hpp). Host code only: the CUDA
// runtime and NCCL's C API, no kernels of our own.
#include "nccl_communicator.hpp"

#include <nccl.h>

#include <map>
#include <string>
#include <utility>

#include "recon/kernels/cuda_check.hpp"

namespace recon::dist::detail {

namespace {

// "dist (NCCL): CALL failed: <ncclGetErrorString>[: <ncclGetLastError>]" as a DeviceError.
void check(ncclResult_t status, const char* call, const char* hint = "") {
  if (status == ncclSuccess) return;
  std::string message = std::string("dist (NCCL): ") + call + " failed: " + ncclGetErrorString(status);
  const char* last = ncclGetLastError(nullptr);
  if (last != nullptr && *last != '\0') message += std::string(" (") + last + ")";
  throw DeviceError(message + hint);
}

// An error NCCL found after a call returned (a peer or a transport failing), by its query.
void check_async(ncclComm_t comm) {
  ncclResult_t async = ncclSuccess;
  check(ncclCommGetAsyncError(comm, &async), "ncclCommGetAsyncError");
  check(async, "a communication in flight");
}

// The communicators made so far, by the address of the communicator (world() lives for the
// Session, which destroys them at its end) and the device's ordinal.
std::map<std::pair<const Communicator*, int>, ncclComm_t>& comms() {
  static std::map<std::pair<const Communicator*, int>, ncclComm_t> all;
  return all;
}

ncclComm_t nccl_comm(const Communicator& comm, const Context& ctx) {
  const auto key = std::make_pair(&comm, ctx.ordinal());
  if (auto it = comms().find(key); it != comms().end()) return it->second;
  // Each step is agreed, so that a rank failing early never leaves the others in NCCL's set-up.
  agree(comm, [&] { RECON_CUDA_CHECK(cudaSetDevice(ctx.ordinal())); });
  ncclUniqueId id{};
  root_does(comm, [&] { check(ncclGetUniqueId(&id), "ncclGetUniqueId"); });
  comm.broadcast(&id, sizeof id, 0);
  ncclComm_t made = nullptr;
  try {
    agree(comm, [&] {
      check(ncclCommInitRank(&made, comm.size(), id, comm.rank()), "ncclCommInitRank",
            "; NCCL needs a GPU of its own per rank: ranks sharing a GPU must stage through host memory "
            "(RECON_DIST_STAGING=host)");
    });
  } catch (...) {
    if (made != nullptr) ncclCommAbort(made);
    throw;
  }
  comms().emplace(key, made);
  return made;
}

ncclDataType_t type_of(const float*) { return ncclFloat32; }
ncclDataType_t type_of(const double*) { return ncclFloat64; }

template <class T>
void all_reduce(const Communicator& comm, const Context& ctx, T* data, std::size_t count) {
  ncclComm_t c = nccl_comm(comm, ctx);
  agree(comm, [&] {
    check(
        ncclAllReduce(data, data, count, type_of(data), ncclSum, c, static_cast<cudaStream_t>(ctx.stream())),
        "ncclAllReduce");
    check_async(c);
  });
}

}  // namespace

void nccl_all_reduce_sum(const Communicator& comm, const Context& ctx, float* data, std::size_t count) {
  all_reduce(comm, ctx, data, count);
}
void nccl_all_reduce_sum(const Communicator& comm, const Context& ctx, double* data, std::size_t count) {
  all_reduce(comm, ctx, data, count);
}

void nccl_send_receive(const Communicator& comm, const Context& ctx, const void* send, std::size_t send_bytes,
                       int dest, void* recv, std::size_t recv_bytes, int source) {
  for (int r : {dest, source})
    if (r != Communicator::kNone && (r < 0 || r >= comm.size()))
      throw InvalidArgument("dist::send_receive: rank " + std::to_string(r) + " out of range; expected 0.." +
                            std::to_string(comm.size() - 1) + " or none");
  ncclComm_t c = nccl_comm(comm, ctx);
  const auto stream = static_cast<cudaStream_t>(ctx.stream());
  agree(comm, [&] {
    // Point-to-point in one group, so that every rank's send and receive proceed together
    // (NCCL user guide, "Point-to-point communication").
    check(ncclGroupStart(), "ncclGroupStart");
    ncclResult_t status = ncclSuccess;
    if (dest != Communicator::kNone && send_bytes > 0)
      status = ncclSend(send, send_bytes, ncclUint8, dest, c, stream);
    if (status == ncclSuccess && source != Communicator::kNone && recv_bytes > 0)
      status = ncclRecv(recv, recv_bytes, ncclUint8, source, c, stream);
    const ncclResult_t end = ncclGroupEnd();
    check(status, "ncclSend/ncclRecv");
    check(end, "ncclGroupEnd");
    check_async(c);
  });
}

void nccl_finish() {
  for (auto& [key, c] : comms()) ncclCommDestroy(c);
  comms().clear();
}

}  // namespace recon::dist::detail
