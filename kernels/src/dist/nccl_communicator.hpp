// NCCL for the device-aware collectives (device_collectives.cpp), compiled only in a build with
// RECON_NCCL. One NCCL communicator per (communicator, CUDA device), made on first use by
// ncclCommInitRank with the unique id rank 0 draws and the communicator broadcasts (NCCL's
// documented MPI pattern: https://docs.nvidia.com/deeplearning/nccl/user-guide/docs/examples.html),
// kept until nccl_finish. Every call is collective over the communicator's ranks; a failure on any
// rank becomes the same DeviceError on every rank (dist::agree), naming the NCCL call and
// ncclGetErrorString's text.
#pragma once

#include <cstddef>

#include "recon/kernels/communicator.hpp"

namespace recon::dist::detail {

// data[i] = sum over ranks of data[i] for `count` elements on ctx's device, in place, enqueued on
// ctx's stream (ncclAllReduce).
void nccl_all_reduce_sum(const Communicator& comm, const Context& ctx, float* data, std::size_t count);
void nccl_all_reduce_sum(const Communicator& comm, const Context& ctx, double* data, std::size_t count);

// Communicator::send_receive's contract on ctx's device: ncclSend and ncclRecv in one group on
// ctx's stream (kNone or 0 bytes skips a side).
void nccl_send_receive(const Communicator& comm, const Context& ctx, const void* send, std::size_t send_bytes,
                       int dest, void* recv, std::size_t recv_bytes, int source);

// Destroys every NCCL communicator (the Session's end, before MPI_Finalize; every rank calls it).
void nccl_finish();

}  // namespace recon::dist::detail
