// The communicator of distributed runs (DESIGN.md section 10): the collectives the distributed
// operators and solvers need, behind one interface with two backends.
//   - single rank, in process: always built; rank 0 of 1, every collective is the identity;
//   - MPI (a build with RECON_MPI): MPI_COMM_WORLD of a process started by mpiexec.
// Buffers are host memory; the device-aware collectives at the end (all_reduce_sum of a View,
// send_receive with a Context) move a Cuda context's arrays through NCCL on the context's stream
// in a build with NCCL (RECON_NCCL), else staged through host memory (Transport below).
// Sizes are 64-bit: the MPI backend cuts buffers beyond MPI's int counts into pieces.
//
// Failures: a collective that one rank never reaches would hang the others. Work that may fail
// on some ranks only (reading a file on rank 0, an allocation) runs through agree() / root_does(),
// after which every rank throws the same error (an Agreed<E>), so that the CLI prints it once
// from rank 0 and every rank exits non-zero.
// Tests: tests/dist/test_distributed.cpp, run plainly (the single rank, every build) and under
// mpiexec -n 1, 2 and 3.
#pragma once

#include <cstddef>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "recon/kernels/array.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/error.hpp"

namespace recon::dist {

enum class ReduceOp { Sum, Max, Min };

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // "single" or "mpi".
  virtual std::string backend() const = 0;
  virtual void barrier() const = 0;
  // data[i] = sum over ranks of data[i], in place (host memory); the same result on every rank.
  virtual void all_reduce_sum(float* data, std::size_t count) const = 0;
  virtual void all_reduce_sum(double* data, std::size_t count) const = 0;
  // op over the ranks' values, returned on every rank.
  virtual double all_reduce(double value, ReduceOp op) const = 0;
  // root's `bytes` bytes at data, copied to data on every rank.
  virtual void broadcast(void* data, std::size_t bytes, int root) const = 0;
  // Rank r's `bytes[r]` bytes at send, concatenated in rank order into recv on root (recv is
  // only read on root; it holds the sum of bytes there).
  virtual void gather(const void* send, void* recv, const std::vector<std::size_t>& bytes,
                      int root) const = 0;
  // The inverse: root's send (the concatenation) cut into bytes[r] for rank r's recv.
  virtual void scatter(const void* send, void* recv, const std::vector<std::size_t>& bytes,
                       int root) const = 0;
  // Sends `send_bytes` bytes at send to rank `dest` while receiving `recv_bytes` bytes from rank
  // `source` into recv (MPI_Sendrecv: no deadlock when every rank calls it at once); kNone for
  // either side skips it. The neighbour exchange of halos (slab_gradient.hpp).
  static constexpr int kNone = -1;
  virtual void send_receive(const void* send, std::size_t send_bytes, int dest, void* recv,
                            std::size_t recv_bytes, int source) const = 0;

  bool is_root() const { return rank() == 0; }
  // True on every rank when it is true on some rank.
  bool any(bool local) const { return all_reduce(local ? 1.0 : 0.0, ReduceOp::Max) > 0; }
};

// A contiguous block [begin, end) of `count` items (views, slices) for rank `rank` of `ranks`:
// [floor(rank count / ranks), floor((rank + 1) count / ranks)), so that the shares differ by at
// most one and a rank has none when count < ranks. InvalidArgument for a rank out of range or
// count < 0.
struct Block {
  index_t begin = 0, end = 0;
  index_t count() const { return end - begin; }
};
Block block_share(index_t count, int rank, int ranks);

// The single-rank communicator (shared).
std::shared_ptr<const Communicator> single_rank();

// MPI_COMM_WORLD when a Session started MPI, else the single-rank communicator.
std::shared_ptr<const Communicator> world();

// Whether this build has the MPI backend.
bool mpi_built();

// The MPI backend over a communicator the caller made (Python: mpi4py's, whose MPI._addressof(comm)
// is the address of its MPI_Comm; docs/python.md): over a duplicate of it (MPI_Comm_dup, a
// collective call), freed with the last reference unless MPI is finalised by then. MPI must be
// initialised by the caller; recon neither initialises nor finalises it then. InvalidArgument in a
// build without MPI, when MPI is not initialised or for MPI_COMM_NULL.
std::shared_ptr<const Communicator> mpi_communicator(const void* comm_address);

// The rank and number of ranks an MPI launcher gave this process in its environment (Hydra's
// PMI_RANK / PMI_SIZE, Open MPI's OMPI_COMM_WORLD_RANK / _SIZE); {0, 1} without a launcher. A
// build without MPI uses it to refuse a run on several ranks (each would run the whole command).
// local_rank: the rank among those on this node (Hydra's MPI_LOCALRANKID, Open MPI's
// OMPI_COMM_WORLD_LOCAL_RANK, Slurm's SLURM_LOCALID; 0 without them).
struct Launch {
  int rank = 0, size = 1, local_rank = 0;
};
Launch launched_as();

// The device a rank runs on: on several ranks, `choice` "cuda" or "auto" becomes cuda:(local
// rank mod `cuda_devices`), so that the ranks of a node spread over its GPUs (several ranks share
// a GPU when there are more ranks than GPUs); an explicit cuda:N, cpu, one rank or no CUDA device
// keep the choice as it is.
std::string device_for_rank(const std::string& choice, const Launch& launch, int cuda_devices);

// Starts MPI for the life of the object when the build has it and the process was started by an
// MPI launcher (mpiexec, srun: its rank variables are set), so that a plain `recon ...` never
// initialises MPI (MPICH would start a process manager of its own). Finalises it at the end.
// One per process, made first thing in main.
class Session {
 public:
  Session(int* argc, char*** argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

// Ends every rank of an MPI run at once (MPI_Abort) after an error that the ranks did not agree
// on; returns normally with the single-rank communicator (the caller then exits).
void abort_all(const Communicator& comm, int code);

// Marks an error every rank has thrown (agree, root_does): the CLI prints it once, from rank 0.
class Agreed {
 public:
  virtual ~Agreed() = default;
};
template <class E>
class AgreedError final : public E, public Agreed {
 public:
  using E::E;
};
inline bool is_agreed(const std::exception& e) { return dynamic_cast<const Agreed*>(&e) != nullptr; }

// Collective: when `local` (this rank's failure, or null) or any other rank's is set, every rank
// throws the failure of the lowest failing rank, as AgreedError of the same recon::Error kind
// (InvalidArgument, ShapeMismatch, IoError, DeviceError, OutOfMemory; other exceptions become an
// Error naming the rank). Returns normally when no rank failed.
void rethrow_agreed(const Communicator& comm, std::exception_ptr local);

// Runs fn() on every rank and agrees on its failure (rethrow_agreed).
template <class F>
void agree(const Communicator& comm, F&& fn) {
  std::exception_ptr failure;
  try {
    fn();
  } catch (...) {
    failure = std::current_exception();
  }
  rethrow_agreed(comm, failure);
}

// Runs fn() on rank 0 only and agrees on its failure.
template <class F>
void root_does(const Communicator& comm, F&& fn) {
  agree(comm, [&] {
    if (comm.is_root()) fn();
  });
}

// Whether this build has NCCL for device buffers (RECON_NCCL: CUDA, MPI and NCCL).
bool nccl_built();

// How the collectives below move the arrays of a context:
//   Host:   a host context: the communicator's own calls on the arrays;
//   Staged: a Cuda context, copied to host memory (in pieces of kStagingBytes for sums), moved by
//           the communicator (MPI), copied back: a build without NCCL, the single-rank
//           communicator (nothing moves), or RECON_DIST_STAGING=host in the environment (several
//           ranks sharing one GPU, which NCCL refuses);
//   Nccl:   a Cuda context in a build with NCCL under the MPI communicator (any number of ranks,
//           one included): NCCL on the context's stream, one GPU per rank.
// RECON_DIST_STAGING (read for a Cuda context only): unset, empty or "auto" (the choice above) or
// "host"; any other value is an InvalidArgument, agreed by every rank in the collectives below.
enum class Transport { Host, Staged, Nccl };
std::string to_string(Transport t);
Transport transport(const Communicator& comm, const Context& ctx);
constexpr std::size_t kStagingBytes = std::size_t(64) << 20;

// x = sum over ranks of x, for an array on ctx's device, moved by transport(comm, ctx) or by an
// explicit transport (Nccl where it cannot run, or Host for a Cuda context: InvalidArgument).
// NCCL's communicator of (comm, device) is made on the first call (ncclCommInitRank with the
// unique id broadcast by comm) and destroyed at the Session's end; its failures are agreed.
template <class T>
void all_reduce_sum(const Communicator& comm, const Context& ctx, View<T> x);
template <class T>
void all_reduce_sum(const Communicator& comm, const Context& ctx, View<T> x, Transport via);

// Communicator::send_receive of arrays on ctx's device (the slab gradient's halo rows, the z-slab
// projector's row bands): `send` to rank `dest` while `recv` arrives from rank `source`; kNone for
// either side skips it (its view may then be empty). Moved by transport(comm, ctx): NCCL's
// ncclSend/ncclRecv in one group on the context's stream (an empty side posts nothing; the
// sizes match pairwise), or staged through host memory.
template <class T>
void send_receive(const Communicator& comm, const Context& ctx, View<const T> send, int dest, View<T> recv,
                  int source);

// The same string on every rank: root's.
std::string broadcast_string(const Communicator& comm, std::string text, int root = 0);

}  // namespace recon::dist
