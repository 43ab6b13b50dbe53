// recon._recon's compressive sensing (recon.cs): the sensing spec of `recon cs --save-spec`
// (engine/include/recon/engine/cs.hpp), its operators A and W as _Operator, the measurement
// noise, and the recovery `recon cs recover` runs (apps/recon/cs.cpp's solve(): c from y on A W,
// started from (A W)^T y or zero, then x = W c).
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common.hpp"
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

// c holds nothing on entry (init: "adjoint" or "zero") and the coefficients on return; x = W c.
template <class T>
nb::dict recover(const cs::SensingSpec& spec, const In<T>& y, const Out<T>& c, const Out<T>& x,
                 const PyFunction& penalty, const PyFunction& loss, double lambda, std::optional<double> eps,
                 const std::string& tv, const std::string& solver, int iters, double tol, double rho,
                 const std::string& init, nb::object callback, const std::string& device) {
  cs::Problem p;
  p.penalty = penalty.fn;
  p.loss = loss.fn;
  p.lambda = lambda;
  p.constrained = eps.has_value();
  if (eps && !(*eps >= 0)) throw InvalidArgument("cs.recover: eps must be >= 0");
  p.eps = eps.value_or(0.0);
  if (!tv.empty()) p.tv = parse_tv_norm(tv);
  cs::Options o;
  o.solver = cs::parse_cs_solver(solver);
  require_at_least_one("cs.recover", "iters", iters);
  if (!(tol >= 0)) throw InvalidArgument("cs.recover: tol must be >= 0");
  o.max_iters = iters;
  o.tol = tol;
  o.rho = rho;
  cs::validate(p, o);
  if (init != "adjoint" && init != "zero")
    throw InvalidArgument("cs.recover: init must be 'adjoint' or 'zero', got '" + init + "'");
  if (p.tv && spec.basis != "none")
    throw InvalidArgument(
        "cs.recover: tv puts the prior on the gradient of x; use it with the basis none, not '" + spec.basis +
        "'");
  if (static_cast<index_t>(y.size()) != spec.measurements)
    throw ShapeMismatch("cs.recover: y holds " + std::to_string(y.size()) + " values, the sensing " +
                        std::to_string(spec.measurements) + " measurements");
  if (shape_of(c) != spec.shape || shape_of(x) != spec.shape)
    throw ShapeMismatch("cs.recover: the result arrays must have the signal's shape " + spec.shape.str());
  const Context ctx = context_for(device);
  const Operator<T> W = cs::basis_operator<T>(spec);
  const Operator<T> AW = compose(cs::sensing_operator<T>(ctx, spec), W);
  Staged<T> yin(ctx, const_cast<T*>(y.data()), Shape{spec.measurements}, true);
  Staged<T> cout = stage_out(ctx, c);
  Staged<T> xout = stage_out(ctx, x);
  double objective = 0;
  const SolveReport rep = solve_with_callback(std::move(callback), [&](const Monitor& monitor) {
    // From (A W)^T y, the least-squares fit for the subsampled orthonormal transforms (the CLI's
    // default: from c = 0 a redescending loss sees every large coefficient as an outlier).
    if (init == "adjoint")
      AW.adjoint(ctx, yin.cview(), cout.view());
    else
      fill<T>(ctx, cout.view(), T(0));
    const SolveReport r = cs::recover<T>(ctx, AW, yin.cview(), p, o, cout.view(), monitor);
    W.apply(ctx, cout.cview(), xout.view());
    objective = cs::objective<T>(ctx, AW, yin.cview(), p, cout.cview());
    cout.finish();
    xout.finish();
    return r;
  });
  nb::dict d = report_dict(rep);
  d["objective"] = objective;
  d["solver"] = std::string(cs::to_string(o.solver));
  d["penalty"] = penalties::describe(p.penalty);
  d["loss"] = penalties::describe(p.loss);
  d["form"] = p.constrained ? "constrained" : "penalised";
  return d;
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
  m.def("cs_recover", &recover<float>, "spec"_a, "y"_a.noconvert(), "c"_a.noconvert(), "x"_a.noconvert(),
        "penalty"_a, "loss"_a, "lam"_a, "eps"_a.none(), "tv"_a, "solver"_a, "iters"_a, "tol"_a, "rho"_a,
        "init"_a, "callback"_a.none(), "device"_a);
  m.def("cs_recover", &recover<double>, "spec"_a, "y"_a.noconvert(), "c"_a.noconvert(), "x"_a.noconvert(),
        "penalty"_a, "loss"_a, "lam"_a, "eps"_a.none(), "tv"_a, "solver"_a, "iters"_a, "tol"_a, "rho"_a,
        "init"_a, "callback"_a.none(), "device"_a);
}

}  // namespace recon::python
