// Where the arrays of `recon ct project|backproject|sirt|cgls|recon` live and how they come and go,
// so that each command is written once for every way of running:
//   - serially (place_ct in ct_io.hpp: on the device, or in host memory with the projector
//     streamed through it); the files are read and written here;
//   - split over the ranks of an MPI run (docs/distributed.md), by views (--distribute views, the
//     default under mpiexec with several ranks: each rank the whole volume and its views'
//     projections, ct::DistributedProjector) or by z-slabs (--distribute slabs: each rank its slab
//     of the volume and its band of detector rows of every view, ct::SlabProjector). Rank 0 reads every input
//     file and sends each rank what it needs (broadcast of what is replicated, scatter of what is split), and
//     gathers and writes the outputs through the same atomic writers. Every step that may fail on one rank
//     only (reading, memory, writing) is agreed (recon/kernels/communicator.hpp), so that every rank exits
//     non-zero and main prints rank 0's one error line.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "ct_io.hpp"
#include "recon/io/npy.hpp"
#include "recon/kernels/communicator.hpp"
#include "recon/operators/ct/distributed.hpp"

namespace recon::cli {

// How a command runs: serially, split by views or split by z-slabs.
enum class Split { Serial, Views, Slabs };

// The split --distribute asks for: views, slabs (InvalidArgument when the command does not run
// by slabs, `slabs` false), or with no --distribute views on several ranks and serial on one
// (CtData::distributed then picks slabs when only they fit in memory).
Split requested_split(const std::string& option, const std::string& command, bool slabs);

// --distribute: how a command run by mpiexec on several ranks splits its work.
void add_distribute_option(CLI::App& command, std::string& distribute);

class CtData {
 public:
  // Serially, with the projector chosen for the placement.
  CtData(CtPlacement place, Operator<float> op);
  // Split over dist::world() by `split` (views or slabs): the geometry read by rank 0, each
  // rank's arrays (`volumes` volumes and `sinograms` projection stacks, float32, of its share)
  // on its device when they fit there on every rank; otherwise, when the device can stream (a
  // GPU, or under --device-memory-limit), in host memory with each rank's projector streamed
  // through the device (streamed.hpp). With `may_choose_slabs`, a view split that exceeds some
  // rank's memory becomes a slab split when that fits on every rank or must be streamed anyway.
  static CtData distributed(const GlobalOptions& global, const std::string& geometry, double volumes,
                            double sinograms, const std::string& command, Split split, bool may_choose_slabs);

  const Context& ctx() const { return place_.data; }
  // Where the arrays live and where the projector runs (they differ when streamed).
  const CtPlacement& placement() const { return place_; }
  bool distributed() const { return comm_ != nullptr; }
  const ct::Geometry& geometry() const { return place_.geometry; }
  Split split() const { return split_; }
  // A (serial or streamed), this rank's rows of A with the all-reducing adjoint (views), or A
  // of this rank's slab with the all-reducing forward (slabs).
  const Operator<float>& op() const { return op_; }

  // The volume in op()'s domain: the whole volume (serially and split by views), or this
  // rank's slab.
  Array<float> read_volume(const std::string& path) const;
  // The projections in op()'s range: all of them (serially), those of this rank's views, or its
  // band of detector rows of every view (slabs).
  Array<float> read_projections(const std::string& path) const;
  // Refuses a result with non-finite values, then writes it from rank 0: what is replicated
  // as it is, what is split (the slabs of a volume, the views or row bands of projections)
  // gathered there.
  void write_volume(const std::string& path, const Array<float>& x, const std::string& command,
                    const std::string& causes) const;
  void write_projections(const std::string& path, const Array<float>& y, const std::string& command,
                         const std::string& causes) const;
  // The whole projections on rank 0 (an empty array on the other ranks), gathered there when
  // split; serially y itself.
  Array<float> projections_on_root(const Array<float>& y) const;
  // fn() on the rank that writes files (rank 0), every rank agreeing on its failure.
  template <class F>
  void on_writer(F&& fn) const {
    if (comm_)
      dist::root_does(*comm_, fn);
    else
      fn();
  }
  // `summary` with how the command ran: "streamed" (the plan, or null), and when distributed
  // "ranks" and "distribute" (views or slabs).
  nlohmann::json summary(nlohmann::json summary) const;

 private:
  CtData(CtPlacement place, Operator<float> op, std::shared_ptr<const dist::Communicator> comm, Split split);
  // Bytes of each rank's share of the volume (its slices) and of the projections (its views or
  // its band of rows).
  std::vector<std::size_t> volume_bytes() const;
  std::vector<std::size_t> projection_bytes() const;
  // Split by slabs: every rank's band of detector rows (ct::SlabRows::owned).
  const std::vector<dist::Block>& owned_rows() const;
  // Rank 0's host array of `whole` shape on every rank (others pass an empty array), or cut by
  // `bytes` into op()-shaped `mine`; on this rank's device.
  Array<float> broadcast_from_root(Array<float> all, const Shape& whole) const;
  Array<float> scatter_from_root(const Array<float>& all, const Shape& mine,
                                 const std::vector<std::size_t>& bytes) const;
  // The ranks' shares concatenated by `bytes` on rank 0 (an empty host array elsewhere).
  Array<float> gather_to_root(const Array<float>& mine, const Shape& whole,
                              const std::vector<std::size_t>& bytes) const;
  // Rank 0 reads an array of `whole` shape and sends it to every rank, or scatters it by `bytes`
  // (blocks along axis 0) into op()-shaped `mine`; a .npy file each rank reads its block of.
  Array<float> read_broadcast(const std::string& path, const Shape& whole, const char* what) const;
  Array<float> read_scattered(const std::string& path, const Shape& whole, const Shape& mine,
                              const std::vector<std::size_t>& bytes, const char* what) const;
  // This rank's `part` (of shape `mine`) of a .npy file of `whole` shape, read by every rank at
  // once: the file's checks and the finite-values check agreed over the ranks.
  Array<float> read_part(const std::string& path, const Shape& whole, const io::NpyPart& part,
                         const Shape& mine, const char* what) const;
  // This rank's share of the projections as a part of the whole stack: its block of views, or
  // its band of rows of every view.
  io::NpyPart projection_part() const;
  // A .npy output of `whole` shape written by every rank at once, each its `part` (`mine`), into
  // rank 0's temporary, renamed into place when every part is in (atomic, as io::write_image).
  void write_parts(const std::string& path, const Array<float>& mine, const Shape& whole,
                   const io::NpyPart& part) const;
  // Writes a replicated array from rank 0, or gathers the ranks' shares by `bytes` there (a .npy
  // every rank writes its block of, write_parts).
  void write_replicated(const std::string& path, const Array<float>& a, const std::string& command,
                        const std::string& causes) const;
  void write_gathered(const std::string& path, const Array<float>& mine, const Shape& whole,
                      const std::vector<std::size_t>& bytes, const std::string& command,
                      const std::string& causes) const;
  CtPlacement place_;
  Operator<float> op_;
  std::shared_ptr<const dist::Communicator> comm_;  // null when serial
  Split split_ = Split::Serial;
};

// A command's data: split when requested_split(distribute) says so, else serial with
// serial_op(placement) as its projector. `slabs`: the command runs split by z-slabs too (else
// --distribute slabs is refused). `refusal`, when not empty, is the error of a split run (an
// option the split does not support); every rank throws it alike.
CtData ct_data_for(const GlobalOptions& global, const std::string& geometry, const std::string& distribute,
                   double volumes, double sinograms, const std::string& command, const std::string& refusal,
                   const std::function<Operator<float>(const CtPlacement&)>& serial_op, bool slabs = false);

}  // namespace recon::cli
