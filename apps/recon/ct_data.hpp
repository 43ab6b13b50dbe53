// Where the arrays of `recon ct project|backproject|sirt|cgls|recon` live and how they come and go,
// so that each command is written once for both ways of running:
//   - serially (place_ct in ct_io.hpp: on the device, or in host memory with the projector
//     streamed through it); the files are read and written here;
//   - split by views over the ranks of an MPI run (--distribute views, the default under
//     mpiexec with several ranks; docs/distributed.md): rank 0 reads every input file and sends
//     each rank what it needs (the whole volume; its views' projections), every rank computes
//     its part with ct::DistributedProjector, and rank 0 gathers and writes the outputs through
//     the same atomic writers. Every step that may fail on one rank only (reading, memory,
//     writing) is agreed (recon/kernels/communicator.hpp), so that every rank exits non-zero
//     and main prints rank 0's one error line.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>

#include "commands.hpp"
#include "ct_io.hpp"
#include "recon/kernels/communicator.hpp"
#include "recon/operators/ct/distributed.hpp"

namespace recon::cli {

// Whether a command runs split by views: --distribute views, or no --distribute and a run on
// several ranks. InvalidArgument for slabs (not built yet) and for anything else.
bool distribute_views(const std::string& option, const std::string& command);

// --distribute: how a command run by mpiexec on several ranks splits its work.
void add_distribute_option(CLI::App& command, std::string& distribute);

class CtData {
 public:
  // Serially, with the projector chosen for the placement.
  CtData(CtPlacement place, Operator<float> op);
  // Split by views over dist::world(): the geometry read by rank 0, each rank's arrays
  // (`volumes` volumes and `sinograms` times its share of the views, float32) checked against
  // its device's memory (distributed runs are not streamed).
  static CtData distributed(const GlobalOptions& global, const std::string& geometry, double volumes,
                            double sinograms, const std::string& command);

  const Context& ctx() const { return place_.data; }
  // Where the arrays live and where the projector runs (they differ when streamed).
  const CtPlacement& placement() const { return place_; }
  bool distributed() const { return comm_ != nullptr; }
  const ct::Geometry& geometry() const { return place_.geometry; }
  // A (serial or streamed), or this rank's rows of A with the all-reducing adjoint.
  const Operator<float>& op() const { return op_; }

  // The whole volume, on every rank.
  Array<float> read_volume(const std::string& path) const;
  // The projections of this rank's views (all of them serially), in op()'s range.
  Array<float> read_projections(const std::string& path) const;
  // Refuses a result with non-finite values, then writes it: the (replicated) volume from rank
  // 0, projections gathered from every rank's views on rank 0.
  void write_volume(const std::string& path, const Array<float>& x, const std::string& command,
                    const std::string& causes) const;
  void write_projections(const std::string& path, const Array<float>& y, const std::string& command,
                         const std::string& causes) const;
  // fn() on the rank that writes files (rank 0), every rank agreeing on its failure.
  template <class F>
  void on_writer(F&& fn) const {
    if (comm_)
      dist::root_does(*comm_, fn);
    else
      fn();
  }
  // `summary` with how the command ran: "streamed" (the plan, or null), and when distributed
  // "ranks" and "distribute".
  nlohmann::json summary(nlohmann::json summary) const;

 private:
  CtData(CtPlacement place, Operator<float> op, std::shared_ptr<const dist::Communicator> comm);
  CtPlacement place_;
  Operator<float> op_;
  std::shared_ptr<const dist::Communicator> comm_;  // null when serial
};

// A command's data: split by views when distribute_views(distribute) says so, else serial with
// serial_op(placement) as its projector. `refusal`, when not empty, is the error of a split run
// (an option the split does not support); every rank throws it alike.
CtData ct_data_for(const GlobalOptions& global, const std::string& geometry, const std::string& distribute,
                   double volumes, double sinograms, const std::string& command, const std::string& refusal,
                   const std::function<Operator<float>(const CtPlacement&)>& serial_op);

}  // namespace recon::cli
