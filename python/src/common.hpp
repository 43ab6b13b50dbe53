// What the extension's source files share (module.cpp, ops.cpp, cs.cpp): the array types, one
// Context per device string, staging host arrays onto a device, and running a solver with a
// Python callback. Everything is inline: context_for's cache is one object for the whole module.
#pragma once

#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "recon/engine/solver_types.hpp"
#include "recon/kernels/array.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/memory.hpp"
#include "recon/kernels/penalties/function.hpp"
#include "recon/operators/finite_difference.hpp"

namespace recon::python {

namespace nb = nanobind;

template <class T>
using In = nb::ndarray<const T, nb::c_contig, nb::device::cpu>;
template <class T>
using Out = nb::ndarray<T, nb::c_contig, nb::device::cpu>;

// ---------------------------------------------------------------------------------------------
// Devices and arrays

// One context per device string for the process (plans and workspaces are cached per context).
inline Context context_for(const std::string& choice) {
  static std::mutex mutex;
  static std::map<std::string, Context> cache;
  std::string key = choice;
  if (key == "host") key = "cpu";
  if (key == "auto") key = cuda_available() ? "cuda:0" : "cpu";
  if (key == "cuda") key = "cuda:0";
  std::lock_guard<std::mutex> lock(mutex);
  const auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  const Context ctx = Context::from_choice(key);
  cache.emplace(key, ctx);
  return ctx;
}

inline std::string device_name(const Context& ctx) {
  return ctx.is_cuda() ? "cuda:" + std::to_string(ctx.ordinal()) : "cpu";
}

template <class A>
Shape shape_of(const A& a) {
  Shape s;
  if (a.ndim() > Shape::kMaxAxes)
    throw InvalidArgument("array with " + std::to_string(a.ndim()) + " axes: at most 4 are supported");
  for (size_t k = 0; k < a.ndim(); ++k) s.push_back(static_cast<index_t>(a.shape(k)));
  return s;
}

// A host array as seen by ctx: the array itself on the host, a device copy on a CUDA context
// (copied back by finish() for outputs).
template <class T>
class Staged {
 public:
  Staged(const Context& ctx, T* host, const Shape& shape, bool copy_in)
      : ctx_(ctx), host_(host), shape_(shape) {
    if (!ctx.is_cuda()) return;
    device_.emplace(ctx, shape);
    if (copy_in && shape.size() > 0)
      detail::copy_bytes(ctx, device_->data(), ctx.device(), host, Device::Host, sizeof(T) * shape.size());
  }
  View<T> view() { return device_ ? device_->view() : View<T>(host_, shape_, Device::Host); }
  View<const T> cview() { return view(); }
  void finish() {  // device result -> host array
    if (device_ && shape_.size() > 0)
      detail::copy_bytes(ctx_, host_, Device::Host, device_->data(), ctx_.device(),
                         sizeof(T) * shape_.size());
  }

 private:
  Context ctx_;
  T* host_;
  Shape shape_;
  std::optional<Array<T>> device_;
};

template <class T>
Staged<T> stage_in(const Context& ctx, const In<T>& a) {
  return Staged<T>(ctx, const_cast<T*>(a.data()), shape_of(a), true);
}
template <class T>
Staged<T> stage_out(const Context& ctx, const Out<T>& a, bool copy_in = false) {
  return Staged<T>(ctx, a.data(), shape_of(a), copy_in);
}

// ---------------------------------------------------------------------------------------------
// Solver callbacks

inline nb::dict info_dict(const IterationInfo& it) {
  nb::dict d;
  d["iteration"] = it.iteration;
  d["objective"] = it.objective;
  d["primal_residual"] = it.primal_residual;
  d["dual_residual"] = it.dual_residual;
  d["step"] = it.step;
  d["elapsed_s"] = it.elapsed_s;
  return d;
}

// Calls a Python callable (or nothing) with the GIL held; False stops the solver, an exception
// stops it and is kept to be re-raised after the solve.
struct PyMonitor {
  nb::object callback;
  std::optional<nb::python_error> error;

  Monitor monitor() {
    if (!callback.is_valid() || callback.is_none()) return {};
    return [this](const IterationInfo& it) -> bool {
      nb::gil_scoped_acquire gil;
      try {
        nb::object r = callback(info_dict(it));
        if (r.is_none()) return true;
        const int truth = PyObject_IsTrue(r.ptr());
        if (truth < 0) throw nb::python_error();
        return truth != 0;
      } catch (nb::python_error& e) {
        error.emplace(std::move(e));
        return false;
      }
    };
  }
  void rethrow() {
    if (error) {
      nb::python_error e = std::move(*error);
      error.reset();
      throw e;
    }
  }
};

inline nb::dict report_dict(const SolveReport& r) {
  nb::dict d;
  d["iterations"] = r.iterations;
  d["stop"] = to_string(r.reason);
  d["converged"] = r.converged();
  d["last"] = info_dict(r.last);
  return d;
}

// Runs solve(monitor) without the GIL, the Python callback feeding the monitor, then re-raises
// the callback's exception if it stopped the solver with one.
template <class Solve>
SolveReport solve_with_callback(nb::object callback, const Solve& solve) {
  PyMonitor mon{std::move(callback), {}};
  const Monitor monitor = mon.monitor();
  SolveReport rep;
  {
    nb::gil_scoped_release release;
    rep = solve(monitor);
  }
  mon.rethrow();
  return rep;
}

// The CLI's integer options are >= 1 (its --iters, --check-every, ...); the engine accepts some
// of them as 0 or checks them only for the solver that uses them.
inline void require_at_least_one(const char* where, const char* name, int value) {
  if (value < 1)
    throw InvalidArgument(std::string(where) + ": " + name + " must be >= 1, got " + std::to_string(value));
}

// A penalty or loss of the library (the type behind recon.penalty's objects).
struct PyFunction {
  penalties::Function fn;
};

inline Boundary parse_boundary(const std::string& s) {
  if (s == "neumann") return Boundary::Neumann;
  if (s == "periodic") return Boundary::Periodic;
  throw InvalidArgument("boundary '" + s + "' is not neumann or periodic");
}

}  // namespace recon::python
