// The single-rank communicator, the choice of the world communicator, MPI's life in a process
// and the agreement on failures (communicator.hpp).
#include "recon/kernels/communicator.hpp"

#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <new>
#include <vector>

// RECON_WITH_MPI: set for this file alone in a build with MPI (kernels/CMakeLists.txt).
#ifndef RECON_WITH_MPI
#define RECON_WITH_MPI 0
#endif
#if RECON_WITH_MPI
#include "mpi_backend.hpp"
#endif
// RECON_WITH_NCCL: likewise (NCCL's communicators end with the Session).
#ifndef RECON_WITH_NCCL
#define RECON_WITH_NCCL 0
#endif
#if RECON_WITH_NCCL
#include "dist/nccl_communicator.hpp"
#endif

namespace recon::dist {

namespace {

// Rank 0 of 1: every collective leaves the data as they are (gather and scatter copy rank 0's
// part, which is all of it).
class SingleRank final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  std::string backend() const override { return "single"; }
  void barrier() const override {}
  void all_reduce_sum(float*, std::size_t) const override {}
  void all_reduce_sum(double*, std::size_t) const override {}
  double all_reduce(double value, ReduceOp) const override { return value; }
  void broadcast(void*, std::size_t, int root) const override { check_root(root); }
  void gather(const void* send, void* recv, const std::vector<std::size_t>& bytes, int root) const override {
    copy_own(send, recv, bytes, root, "gather");
  }
  void scatter(const void* send, void* recv, const std::vector<std::size_t>& bytes, int root) const override {
    copy_own(send, recv, bytes, root, "scatter");
  }
  // Only to itself: a periodic ring of one rank.
  void send_receive(const void* send, std::size_t send_bytes, int dest, void* recv, std::size_t recv_bytes,
                    int source) const override {
    if ((dest != kNone && dest != 0) || (source != kNone && source != 0))
      throw InvalidArgument("dist::send_receive: rank " + std::to_string(dest == 0 ? source : dest) +
                            " of a single-rank communicator; expected 0 or none");
    if ((dest == 0) != (source == 0) || (dest == 0 && send_bytes != recv_bytes))
      throw InvalidArgument("dist::send_receive: a single rank must send itself what it receives");
    if (dest == 0 && send_bytes > 0 && send != recv) std::memmove(recv, send, send_bytes);
  }

 private:
  static void check_root(int root) {
    if (root != 0)
      throw InvalidArgument("dist: root " + std::to_string(root) +
                            " of a single-rank communicator; expected 0");
  }
  static void copy_own(const void* send, void* recv, const std::vector<std::size_t>& bytes, int root,
                       const char* what) {
    check_root(root);
    if (bytes.size() != 1)
      throw InvalidArgument(std::string("dist::") + what + ": " + std::to_string(bytes.size()) +
                            " counts for 1 rank; expected one per rank");
    if (bytes[0] > 0 && send != recv) std::memcpy(recv, send, bytes[0]);
  }
};

// Set by a launcher: MPICH's and Intel MPI's Hydra (PMI_RANK), PMIx launchers (Open MPI,
// Slurm), Open MPI's own (OMPI_COMM_WORLD_SIZE).
bool started_by_mpi_launcher() {
  for (const char* name : {"PMI_RANK", "PMI_SIZE", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

// The kinds of recon::Error that travel between ranks, most derived first.
enum class Kind : int { None, OutOfMemory, DeviceError, IoError, ShapeMismatch, InvalidArgument, Error };

Kind kind_of(std::exception_ptr e, std::string& message) {
  try {
    std::rethrow_exception(e);
  } catch (const OutOfMemory& x) {
    message = x.what();
    return Kind::OutOfMemory;
  } catch (const DeviceError& x) {
    message = x.what();
    return Kind::DeviceError;
  } catch (const IoError& x) {
    message = x.what();
    return Kind::IoError;
  } catch (const ShapeMismatch& x) {
    message = x.what();
    return Kind::ShapeMismatch;
  } catch (const InvalidArgument& x) {
    message = x.what();
    return Kind::InvalidArgument;
  } catch (const Error& x) {
    message = x.what();
    return Kind::Error;
  } catch (const std::bad_alloc&) {
    message = "out of host memory";
    return Kind::OutOfMemory;
  } catch (const std::exception& x) {
    message = std::string("an unexpected internal failure (") + x.what() + ")";
    return Kind::Error;
  } catch (...) {
    message = "an unexpected internal failure";
    return Kind::Error;
  }
}

[[noreturn]] void throw_kind(Kind kind, const std::string& message) {
  switch (kind) {
    case Kind::OutOfMemory:
      throw AgreedError<OutOfMemory>(message);
    case Kind::DeviceError:
      throw AgreedError<DeviceError>(message);
    case Kind::IoError:
      throw AgreedError<IoError>(message);
    case Kind::ShapeMismatch:
      throw AgreedError<ShapeMismatch>(message);
    case Kind::InvalidArgument:
      throw AgreedError<InvalidArgument>(message);
    default:
      throw AgreedError<Error>(message);
  }
}

}  // namespace

Block block_share(index_t count, int rank, int ranks) {
  require(
      ranks >= 1 && rank >= 0 && rank < ranks, "dist::block_share",
      "rank " + std::to_string(rank) + " of " + std::to_string(ranks) + " ranks; expected 0 <= rank < ranks");
  require(count >= 0, "dist::block_share", "count must be >= 0, got " + std::to_string(count));
  return {count * rank / ranks, count * (rank + 1) / ranks};
}

std::shared_ptr<const Communicator> single_rank() {
  static const auto one = std::make_shared<const SingleRank>();
  return one;
}

bool mpi_built() { return RECON_WITH_MPI != 0; }

Launch launched_as() {
  const auto number = [](std::initializer_list<const char*> names, int fallback) {
    for (const char* name : names)
      if (const char* v = std::getenv(name)) return std::atoi(v);
    return fallback;
  };
  return {number({"PMI_RANK", "OMPI_COMM_WORLD_RANK"}, 0), number({"PMI_SIZE", "OMPI_COMM_WORLD_SIZE"}, 1),
          number({"MPI_LOCALRANKID", "OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID"}, 0)};
}

std::string device_for_rank(const std::string& choice, const Launch& launch, int cuda_devices) {
  if (launch.size <= 1 || cuda_devices <= 0 || (choice != "cuda" && choice != "auto")) return choice;
  return "cuda:" + std::to_string(launch.local_rank % cuda_devices);
}

std::shared_ptr<const Communicator> world() {
#if RECON_WITH_MPI
  if (auto w = detail::mpi_world()) return w;
#endif
  return single_rank();
}

Session::Session([[maybe_unused]] int* argc, [[maybe_unused]] char*** argv) {
#if RECON_WITH_MPI
  if (started_by_mpi_launcher()) detail::mpi_start(argc, argv);
#endif
}

Session::~Session() {
#if RECON_WITH_NCCL
  detail::nccl_finish();
#endif
#if RECON_WITH_MPI
  detail::mpi_finish();
#endif
}

void abort_all(const Communicator& comm, [[maybe_unused]] int code) {
#if RECON_WITH_MPI
  if (comm.backend() == "mpi" && comm.size() > 1) detail::mpi_abort(code);
#else
  (void)comm;
#endif
}

void rethrow_agreed(const Communicator& comm, std::exception_ptr local) {
  // The lowest failing rank (size() when none) tells the others what failed.
  const int first = static_cast<int>(comm.all_reduce(local ? comm.rank() : comm.size(), ReduceOp::Min));
  if (first >= comm.size()) return;
  std::string message;
  Kind kind = Kind::None;
  if (comm.rank() == first) kind = kind_of(local, message);
  int code = static_cast<int>(kind);
  comm.broadcast(&code, sizeof code, first);
  message = broadcast_string(comm, message, first);
  throw_kind(static_cast<Kind>(code), message);
}

std::string broadcast_string(const Communicator& comm, std::string text, int root) {
  unsigned long long length = text.size();
  comm.broadcast(&length, sizeof length, root);
  text.resize(static_cast<std::size_t>(length));
  if (length > 0) comm.broadcast(text.data(), text.size(), root);
  return text;
}

}  // namespace recon::dist
