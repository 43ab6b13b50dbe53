// The MPI backend of the communicator (communicator.hpp): MPI_COMM_WORLD, or a duplicate of a
// communicator the caller made (mpi_over: mpi4py's, docs/python.md). MPI counts are int, so
// every buffer goes in pieces of at most kPiece elements or bytes; gather and scatter are
// point-to-point transfers to and from the root in the same pieces (their sizes per rank may
// exceed an int too).
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <vector>

#include "mpi_backend.hpp"

namespace recon::dist {

namespace {

constexpr std::size_t kPiece = std::size_t(1) << 30;

void check(int status, const char* call) {
  if (status == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(status, text, &length);
  throw Error(std::string("dist (MPI): ") + call +
              " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

MPI_Op mpi_op(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum:
      return MPI_SUM;
    case ReduceOp::Max:
      return MPI_MAX;
    default:
      return MPI_MIN;
  }
}

// Pieces [offset, offset + length) of a buffer of `count` units, each within MPI's int counts.
template <class F>
void in_pieces(std::size_t count, F&& f) {
  for (std::size_t offset = 0; offset < count; offset += kPiece)
    f(offset, static_cast<int>(std::min(kPiece, count - offset)));
}

class Mpi final : public Communicator {
 public:
  // Over `comm`; `owned`: a duplicate this object frees (unless MPI is finalised by then).
  explicit Mpi(MPI_Comm comm, bool owned = false) : comm_(comm), owned_(owned) {
    check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
    check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
  }
  ~Mpi() override {
    int finalised = 0;
    MPI_Finalized(&finalised);
    if (owned_ && !finalised) MPI_Comm_free(&comm_);
  }
  Mpi(const Mpi&) = delete;
  Mpi& operator=(const Mpi&) = delete;
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  std::string backend() const override { return "mpi"; }
  void barrier() const override { check(MPI_Barrier(comm_), "MPI_Barrier"); }
  void all_reduce_sum(float* data, std::size_t count) const override { sum(data, count, MPI_FLOAT); }
  void all_reduce_sum(double* data, std::size_t count) const override { sum(data, count, MPI_DOUBLE); }
  double all_reduce(double value, ReduceOp op) const override {
    double out = 0;
    check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, mpi_op(op), comm_), "MPI_Allreduce");
    return out;
  }
  void broadcast(void* data, std::size_t bytes, int root) const override {
    check_root(root);
    in_pieces(bytes, [&](std::size_t offset, int n) {
      check(MPI_Bcast(static_cast<char*>(data) + offset, n, MPI_BYTE, root, comm_), "MPI_Bcast");
    });
  }
  void gather(const void* send, void* recv, const std::vector<std::size_t>& bytes, int root) const override {
    check_counts(bytes, root, "gather");
    if (rank_ != root) {
      in_pieces(bytes[rank_], [&](std::size_t offset, int n) {
        check(MPI_Send(static_cast<const char*>(send) + offset, n, MPI_BYTE, root, kTag, comm_), "MPI_Send");
      });
      return;
    }
    char* out = static_cast<char*>(recv);
    for (int r = 0; r < size_; out += bytes[r], ++r) {
      if (r == root) {
        std::copy_n(static_cast<const char*>(send), bytes[r], out);
        continue;
      }
      in_pieces(bytes[r], [&](std::size_t offset, int n) {
        check(MPI_Recv(out + offset, n, MPI_BYTE, r, kTag, comm_, MPI_STATUS_IGNORE), "MPI_Recv");
      });
    }
  }
  void scatter(const void* send, void* recv, const std::vector<std::size_t>& bytes, int root) const override {
    check_counts(bytes, root, "scatter");
    if (rank_ != root) {
      in_pieces(bytes[rank_], [&](std::size_t offset, int n) {
        check(MPI_Recv(static_cast<char*>(recv) + offset, n, MPI_BYTE, root, kTag, comm_, MPI_STATUS_IGNORE),
              "MPI_Recv");
      });
      return;
    }
    const char* in = static_cast<const char*>(send);
    for (int r = 0; r < size_; in += bytes[r], ++r) {
      if (r == root) {
        std::copy_n(in, bytes[r], static_cast<char*>(recv));
        continue;
      }
      in_pieces(bytes[r], [&](std::size_t offset, int n) {
        check(MPI_Send(in + offset, n, MPI_BYTE, r, kTag, comm_), "MPI_Send");
      });
    }
  }
  void send_receive(const void* send, std::size_t send_bytes, int dest, void* recv, std::size_t recv_bytes,
                    int source) const override {
    for (int r : {dest, source})
      if (r != kNone && (r < 0 || r >= size_))
        throw InvalidArgument("dist::send_receive: rank " + std::to_string(r) +
                              " out of range; expected 0.." + std::to_string(size_ - 1) + " or none");
    // Pieces of at most kPiece bytes each way, posted at once: the two sides may send different
    // numbers of pieces (the z-slab projector's row bands), and messages between a pair of ranks
    // with one tag arrive in the order they were sent.
    std::vector<MPI_Request> requests;
    if (source != kNone)
      in_pieces(recv_bytes, [&](std::size_t offset, int n) {
        requests.emplace_back();
        check(MPI_Irecv(static_cast<char*>(recv) + offset, n, MPI_BYTE, source, kHaloTag, comm_,
                        &requests.back()),
              "MPI_Irecv");
      });
    if (dest != kNone)
      in_pieces(send_bytes, [&](std::size_t offset, int n) {
        requests.emplace_back();
        check(MPI_Isend(static_cast<const char*>(send) + offset, n, MPI_BYTE, dest, kHaloTag, comm_,
                        &requests.back()),
              "MPI_Isend");
      });
    // A zero-byte message each way still pairs the two calls, as MPI_Sendrecv did.
    if (source != kNone && recv_bytes == 0) {
      requests.emplace_back();
      check(MPI_Irecv(recv, 0, MPI_BYTE, source, kHaloTag, comm_, &requests.back()), "MPI_Irecv");
    }
    if (dest != kNone && send_bytes == 0) {
      requests.emplace_back();
      check(MPI_Isend(send, 0, MPI_BYTE, dest, kHaloTag, comm_, &requests.back()), "MPI_Isend");
    }
    check(MPI_Waitall(static_cast<int>(requests.size()), requests.data(), MPI_STATUSES_IGNORE),
          "MPI_Waitall");
  }

 private:
  static constexpr int kTag = 7101;
  static constexpr int kHaloTag = 7102;
  template <class T>
  void sum(T* data, std::size_t count, MPI_Datatype type) const {
    in_pieces(count, [&](std::size_t offset, int n) {
      check(MPI_Allreduce(MPI_IN_PLACE, data + offset, n, type, MPI_SUM, comm_), "MPI_Allreduce");
    });
  }
  void check_root(int root) const {
    if (root < 0 || root >= size_)
      throw InvalidArgument("dist: root " + std::to_string(root) + " out of range; expected 0.." +
                            std::to_string(size_ - 1));
  }
  void check_counts(const std::vector<std::size_t>& bytes, int root, const char* what) const {
    check_root(root);
    if (bytes.size() != static_cast<std::size_t>(size_))
      throw InvalidArgument(std::string("dist::") + what + ": " + std::to_string(bytes.size()) +
                            " counts for " + std::to_string(size_) + " ranks; expected one per rank");
  }
  MPI_Comm comm_;
  bool owned_;
  int rank_ = 0, size_ = 1;
};

bool started_here = false;
std::shared_ptr<const Communicator> the_world;

}  // namespace

namespace detail {

void mpi_start(int* argc, char*** argv) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
    started_here = true;
  }
  // Errors come back as codes (check() turns them into exceptions) instead of aborting.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  the_world = std::make_shared<const Mpi>(MPI_COMM_WORLD);
}

void mpi_finish() {
  the_world.reset();
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (started_here && !finalised) MPI_Finalize();
  started_here = false;
}

std::shared_ptr<const Communicator> mpi_world() { return the_world; }

std::shared_ptr<const Communicator> mpi_over(const void* comm_address) {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (!initialised || finalised)
    throw InvalidArgument("dist: an MPI communicator was given but MPI is " +
                          std::string(finalised ? "finalised" : "not initialised"));
  if (comm_address == nullptr) throw InvalidArgument("dist: a null MPI communicator address");
  const MPI_Comm given = *static_cast<const MPI_Comm*>(comm_address);
  if (given == MPI_COMM_NULL) throw InvalidArgument("dist: the MPI communicator is MPI_COMM_NULL");
  // A duplicate: the engine's messages (its fixed tags) never meet the caller's, and its error
  // handler (errors returned as codes) leaves the caller's communicator as it is.
  MPI_Comm own = MPI_COMM_NULL;
  check(MPI_Comm_dup(given, &own), "MPI_Comm_dup");
  MPI_Comm_set_errhandler(own, MPI_ERRORS_RETURN);
  return std::make_shared<const Mpi>(own, true);
}

void mpi_abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return; this keeps [[noreturn]] honest
}

}  // namespace detail

}  // namespace recon::dist
