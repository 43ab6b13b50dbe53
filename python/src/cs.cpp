// recon._recon's compressive sensing (recon.cs): the sensing spec of `recon cs --save-spec`
// (engine/include/recon/engine/cs.hpp), its operators A and W as _Operator, the measurement
// noise, and the recovery `recon cs recover` runs (apps/recon/cs.cpp's solve(): c from y on A W,
// started from (A W)^T y or zero, then x = W c). Host arrays are staged onto the requested
// device; CUDA arrays are used in place on their device and the caller's stream (cuda_arrays.hpp).
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common.hpp"
#include "cuda_arrays.hpp"
#include "ops.hpp"
#include "recon/engine/cs.hpp"
#include "recon/kernels/vector_ops.hpp"

namespace recon::python {
namespace {

using namespace nb::literals;

cs::SensingSpec make_spec(const std::string& kind, const std::vector<index_t>& shape, double rate,
                          std::uint64_t seed, const std::string& basis, int levels) {
  Shape s;
  if (shape.empty() || shape.size() > static_cast<size_t>(Shape::kMaxAxes))
    throw InvalidArgument("Sensing: shape must have 1 to " + std::to_string(Shape::kMaxAxes) + " axes");
  for (index_t d : shape) s.push_back(d);
  if (levels < 0) throw InvalidArgument("Sensing: levels must be >= 0 (0: as many as the extents allow)");
  return cs::make_sensing_spec(kind, s, rate, seed, basis, levels);
}

// A spec from its fields (Sensing.from_json), checked as `recon cs recover` checks its file.
cs::SensingSpec spec_from_fields(const std::string& kind, const std::vector<index_t>& shape,
                                 index_t measurements, std::uint64_t seed, const std::string& basis,
                                 int levels, const std::vector<index_t>& indices) {
  cs::SensingSpec s;
  s.kind = kind;
  for (index_t d : shape) s.shape.push_back(d);
  s.measurements = measurements;
  s.seed = seed;
  s.basis = basis;
  s.levels = levels;
  s.indices = indices;
  cs::validate(s);
  return s;
}

PyOperator sensing_op(const cs::SensingSpec& spec, const std::string& device) {
  PyOperator op(
      context_for(device), [spec](const Context& ctx) { return cs::sensing_operator<float>(ctx, spec); },
      [spec](const Context& ctx) { return cs::sensing_operator<double>(ctx, spec); });
  op.op<double>();
  return op;
}

PyOperator basis_op(const cs::SensingSpec& spec, const std::string& device) {
  PyOperator op(
      context_for(device), [spec](const Context&) { return cs::basis_operator<float>(spec); },
      [spec](const Context&) { return cs::basis_operator<double>(spec); });
  op.op<double>();
  return op;
}

// y += noise, as `recon cs --noise` adds it (seed: the CLI's --seed + 1).
template <class T>
void add_noise(const Out<T>& y, const std::string& noise, std::uint64_t seed, const std::string& device) {
  const cs::NoiseSpec spec = cs::parse_noise(noise);
  const Context ctx = context_for(device);
  Staged<T> o = stage_out(ctx, y, true);
  nb::gil_scoped_release release;
  cs::add_noise<T>(ctx, spec, o.view(), seed);
  o.finish();
}
template <class T>
void add_noise_cuda(const CudaOut<T>& y, const std::string& noise, std::uint64_t seed,
                    std::uintptr_t stream) {
  const cs::NoiseSpec spec = cs::parse_noise(noise);
  run_on_arrays_device(
      "cs.measure", stream,
      [&](const Context& ctx) {
        cs::add_noise<T>(ctx, spec, device_view(y), seed);
        return true;
      },
      y);
}

// cs.recover's problem and options from its arguments, checked as `recon cs recover` checks its
// options (host and CUDA entry points alike).
struct RecoverCall {
  cs::Problem problem;
  cs::Options options;
  bool from_adjoint = true;  // init "adjoint" (else "zero")
};

RecoverCall recover_call(const cs::SensingSpec& spec, const PyFunction& penalty, const PyFunction& loss,
                         double lambda, std::optional<double> eps, const std::string& tv,
                         const std::string& solver, int iters, double tol, double rho,
                         const std::string& init, index_t y_size, const Shape& c_shape,
                         const Shape& x_shape) {
  RecoverCall call;
  cs::Problem& p = call.problem;
  p.penalty = penalty.fn;
  p.loss = loss.fn;
  p.lambda = lambda;
  p.constrained = eps.has_value();
  if (eps && !(*eps >= 0)) throw InvalidArgument("cs.recover: eps must be >= 0");
  p.eps = eps.value_or(0.0);
  if (!tv.empty()) p.tv = parse_tv_norm(tv);
  cs::Options& o = call.options;
  o.solver = cs::parse_cs_solver(solver);
  require_at_least_one("cs.recover", "iters", iters);
  if (!(tol >= 0)) throw InvalidArgument("cs.recover: tol must be >= 0");
  o.max_iters = iters;
  o.tol = tol;
  o.rho = rho;
  cs::validate(p, o);
  if (init != "adjoint" && init != "zero")
    throw InvalidArgument("cs.recover: init must be 'adjoint' or 'zero', got '" + init + "'");
  call.from_adjoint = init == "adjoint";
  if (p.tv && spec.basis != "none")
    throw InvalidArgument(
        "cs.recover: tv puts the prior on the gradient of x; use it with the basis none, not '" + spec.basis +
        "'");
  if (y_size != spec.measurements)
    throw ShapeMismatch("cs.recover: y holds " + std::to_string(y_size) + " values, the sensing " +
                        std::to_string(spec.measurements) + " measurements");
  if (c_shape != spec.shape || x_shape != spec.shape)
    throw ShapeMismatch("cs.recover: the result arrays must have the signal's shape " + spec.shape.str());
  return call;
}

// The recovery on `ctx`, its operators made there (for CUDA arrays the caller's stream: their
// buffers are filled, used and freed in that stream's order): c holds nothing on entry and the
// coefficients on return, x = W c.
template <class T>
SolveReport recover_views(const Context& ctx, const cs::SensingSpec& spec, const RecoverCall& call,
                          View<const T> y, View<T> c, View<T> x, const Monitor& monitor, double& objective) {
  const Operator<T> W = cs::basis_operator<T>(spec);
  const Operator<T> AW = compose(cs::sensing_operator<T>(ctx, spec), W);
  const View<const T> y_flat = y.reshaped(Shape{spec.measurements});
  // From (A W)^T y, the least-squares fit for the subsampled orthonormal transforms (the CLI's
  // default: from c = 0 a redescending loss sees every large coefficient as an outlier).
  if (call.from_adjoint)
    AW.adjoint(ctx, y_flat, c);
  else
    fill<T>(ctx, c, T(0));
  const SolveReport r = cs::recover<T>(ctx, AW, y_flat, call.problem, call.options, c, monitor);
  W.apply(ctx, View<const T>(c), x);
  objective = cs::objective<T>(ctx, AW, y_flat, call.problem, View<const T>(c));
  return r;
}

nb::dict recover_report(const SolveReport& rep, double objective, const RecoverCall& call) {
  nb::dict d = report_dict(rep);
  d["objective"] = objective;
  d["solver"] = std::string(cs::to_string(call.options.solver));
  d["penalty"] = penalties::describe(call.problem.penalty);
  d["loss"] = penalties::describe(call.problem.loss);
  d["form"] = call.problem.constrained ? "constrained" : "penalised";
  return d;
}

template <class T>
nb::dict recover(const cs::SensingSpec& spec, const In<T>& y, const Out<T>& c, const Out<T>& x,
                 const PyFunction& penalty, const PyFunction& loss, double lambda, std::optional<double> eps,
                 const std::string& tv, const std::string& solver, int iters, double tol, double rho,
                 const std::string& init, nb::object callback, const std::string& device) {
  const RecoverCall call = recover_call(spec, penalty, loss, lambda, eps, tv, solver, iters, tol, rho, init,
                                        static_cast<index_t>(y.size()), shape_of(c), shape_of(x));
  const Context ctx = context_for(device);
  Staged<T> yin(ctx, const_cast<T*>(y.data()), Shape{spec.measurements}, true);
  Staged<T> cout = stage_out(ctx, c);
  Staged<T> xout = stage_out(ctx, x);
  double objective = 0;
  const SolveReport rep = solve_with_callback(std::move(callback), [&](const Monitor& monitor) {
    const SolveReport r =
        recover_views<T>(ctx, spec, call, yin.cview(), cout.view(), xout.view(), monitor, objective);
    cout.finish();
    xout.finish();
    return r;
  });
  return recover_report(rep, objective, call);
}

// The same on CUDA arrays, on their device and the caller's stream.
template <class T>
nb::dict recover_cuda(const cs::SensingSpec& spec, const CudaIn<T>& y, const CudaOut<T>& c,
                      const CudaOut<T>& x, const PyFunction& penalty, const PyFunction& loss, double lambda,
                      std::optional<double> eps, const std::string& tv, const std::string& solver, int iters,
                      double tol, double rho, const std::string& init, nb::object callback,
                      std::uintptr_t stream) {
  const RecoverCall call = recover_call(spec, penalty, loss, lambda, eps, tv, solver, iters, tol, rho, init,
                                        static_cast<index_t>(y.size()), shape_of(c), shape_of(x));
  const ArraysDevice d = arrays_device("cs.recover", stream, y, c, x);
  double objective = 0;
  const SolveReport rep = solve_with_callback(std::move(callback), [&](const Monitor& monitor) {
    return on_caller_stream(d.device, d.caller, [&](const Context& ctx) {
      return recover_views<T>(ctx, spec, call, device_view(y), device_view(c), device_view(x), monitor,
                              objective);
    });
  });
  return recover_report(rep, objective, call);
}

}  // namespace

void register_cs(nb::module_& m) {
  nb::class_<cs::SensingSpec>(m, "_Sensing", "A compressive-sensing operator spec (recon::cs::SensingSpec).")
      .def_static("make", &make_spec, "kind"_a, "shape"_a, "rate"_a, "seed"_a, "basis"_a, "levels"_a)
      .def_static("from_fields", &spec_from_fields, "kind"_a, "shape"_a, "measurements"_a, "seed"_a,
                  "basis"_a, "levels"_a, "indices"_a)
      .def_prop_ro("kind", [](const cs::SensingSpec& s) { return s.kind; })
      .def_prop_ro("shape", [](const cs::SensingSpec& s) { return PyOperator::dims(s.shape); })
      .def_prop_ro("measurements", [](const cs::SensingSpec& s) { return s.measurements; })
      .def_prop_ro("seed", [](const cs::SensingSpec& s) { return s.seed; })
      .def_prop_ro("basis", [](const cs::SensingSpec& s) { return s.basis; })
      .def_prop_ro("levels", [](const cs::SensingSpec& s) { return s.levels; })
      .def_prop_ro("indices", [](const cs::SensingSpec& s) { return s.indices; });
  m.def("cs_sensing_operator", &sensing_op, "spec"_a, "device"_a);
  m.def("cs_basis_operator", &basis_op, "spec"_a, "device"_a);
  m.def("cs_add_noise", &add_noise<float>, "y"_a.noconvert(), "noise"_a, "seed"_a, "device"_a);
  m.def("cs_add_noise", &add_noise<double>, "y"_a.noconvert(), "noise"_a, "seed"_a, "device"_a);
  m.def("cs_add_noise", &add_noise_cuda<float>, "y"_a.noconvert(), "noise"_a, "seed"_a, "stream"_a);
  m.def("cs_add_noise", &add_noise_cuda<double>, "y"_a.noconvert(), "noise"_a, "seed"_a, "stream"_a);
  m.def("cs_recover", &recover<float>, "spec"_a, "y"_a.noconvert(), "c"_a.noconvert(), "x"_a.noconvert(),
        "penalty"_a, "loss"_a, "lam"_a, "eps"_a.none(), "tv"_a, "solver"_a, "iters"_a, "tol"_a, "rho"_a,
        "init"_a, "callback"_a.none(), "device"_a);
  m.def("cs_recover", &recover<double>, "spec"_a, "y"_a.noconvert(), "c"_a.noconvert(), "x"_a.noconvert(),
        "penalty"_a, "loss"_a, "lam"_a, "eps"_a.none(), "tv"_a, "solver"_a, "iters"_a, "tol"_a, "rho"_a,
        "init"_a, "callback"_a.none(), "device"_a);
  m.def("cs_recover", &recover_cuda<float>, "spec"_a, "y"_a.noconvert(), "c"_a.noconvert(), "x"_a.noconvert(),
        "penalty"_a, "loss"_a, "lam"_a, "eps"_a.none(), "tv"_a, "solver"_a, "iters"_a, "tol"_a, "rho"_a,
        "init"_a, "callback"_a.none(), "stream"_a);
  m.def("cs_recover", &recover_cuda<double>, "spec"_a, "y"_a.noconvert(), "c"_a.noconvert(),
        "x"_a.noconvert(), "penalty"_a, "loss"_a, "lam"_a, "eps"_a.none(), "tv"_a, "solver"_a, "iters"_a,
        "tol"_a, "rho"_a, "init"_a, "callback"_a.none(), "stream"_a);
}

}  // namespace recon::python
