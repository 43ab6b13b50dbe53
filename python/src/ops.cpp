// recon._recon._Operator's factories: the operator layer's linear operators (finite differences,
// Walsh-Hadamard, Fourier, DCT, wavelets, dense matrices, diagonals, subsampling) as one Python
// class. Each factory checks its arguments by making the operator once in the precision the
// caller's data has (the engine's constructors validate shapes and parameters), so a bad
// argument raises where the operator is made, not at its first use.
#include "ops.hpp"

#include "cuda_arrays.hpp"

#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cstdint>
#include <string>
#include <vector>

#include "recon/operators/dct.hpp"
#include "recon/operators/dense_matrix.hpp"
#include "recon/operators/elementwise.hpp"
#include "recon/operators/finite_difference.hpp"
#include "recon/operators/fourier.hpp"
#include "recon/operators/hadamard.hpp"
#include "recon/operators/wavelet.hpp"

namespace recon::python {
namespace {

using namespace nb::literals;

Shape to_shape(const std::vector<index_t>& dims, const char* where) {
  if (dims.empty() || dims.size() > static_cast<size_t>(Shape::kMaxAxes))
    throw InvalidArgument(std::string(where) + ": shape must have 1 to " + std::to_string(Shape::kMaxAxes) +
                          " axes, got " + std::to_string(dims.size()));
  Shape s;
  for (index_t d : dims) {
    if (d < 1)
      throw InvalidArgument(std::string(where) + ": every extent must be >= 1, got " + std::to_string(d));
    s.push_back(d);
  }
  return s;
}

// An operator made by `make` in both precisions, checked by making the double one now.
template <class Make>
PyOperator make_checked(const std::string& device, const Make& make) {
  PyOperator op(
      context_for(device), [make](const Context& ctx) { return make(ctx, float()); },
      [make](const Context& ctx) { return make(ctx, double()); });
  op.op<double>();
  return op;
}

PyOperator gradient_op(const std::vector<index_t>& shape, const std::string& boundary,
                       const std::vector<int>& axes, const std::string& device) {
  const Shape s = to_shape(shape, "Gradient");
  const Boundary b = parse_boundary(boundary);
  if (axes.empty() && s.ndim() > 3)
    throw InvalidArgument("Gradient: a shape of " + std::to_string(s.ndim()) +
                          " axes needs axes= (at most 3 of them)");
  return make_checked(device,
                      [s, b, axes](const Context&, auto t) { return gradient<decltype(t)>(s, b, axes); });
}

PyOperator difference_op(const std::vector<index_t>& shape, int axis, const std::string& boundary,
                         const std::string& device) {
  const Shape s = to_shape(shape, "FiniteDifference");
  const Boundary b = parse_boundary(boundary);
  if (axis < 0 || axis >= s.ndim())
    throw InvalidArgument("FiniteDifference: axis " + std::to_string(axis) + " outside a shape of " +
                          std::to_string(s.ndim()) + " axes");
  return make_checked(
      device, [s, b, axis](const Context&, auto t) { return finite_difference<decltype(t)>(s, axis, b); });
}

PyOperator hadamard_op(const std::vector<index_t>& shape, int rank, const std::string& order,
                       const std::string& device) {
  const Shape s = to_shape(shape, "Hadamard");
  HadamardOrder o;
  if (order == "natural")
    o = HadamardOrder::Natural;
  else if (order == "sequency")
    o = HadamardOrder::Sequency;
  else
    throw InvalidArgument("Hadamard: order '" + order + "': expected natural or sequency");
  return make_checked(
      device, [s, rank, o](const Context&, auto t) { return walsh_hadamard<decltype(t)>(s, rank, o); });
}

PyOperator fourier_op(const std::vector<index_t>& shape, const std::string& kind, int rank, bool fftshift,
                      const std::string& device) {
  const Shape s = to_shape(shape, "Fourier");
  FourierKind k;
  if (kind == "complex")
    k = FourierKind::ComplexToComplex;
  else if (kind == "real")
    k = FourierKind::RealToComplex;
  else
    throw InvalidArgument("Fourier: kind '" + kind + "': expected complex or real");
  return make_checked(device, [s, k, rank, fftshift](const Context&, auto t) {
    return fourier<decltype(t)>(s, k, rank, fftshift);
  });
}

PyOperator dct_op(const std::vector<index_t>& shape, int rank, const std::string& device) {
  const Shape s = to_shape(shape, "DCT");
  return make_checked(device, [s, rank](const Context&, auto t) { return dct<decltype(t)>(s, rank); });
}

PyOperator wavelet_op(const std::vector<index_t>& shape, const std::string& name, int levels,
                      const std::string& boundary, int rank, const std::string& device) {
  const Shape s = to_shape(shape, "Wavelet");
  const Wavelet w = parse_wavelet(name);
  const WaveletBoundary b = parse_wavelet_boundary(boundary);
  return make_checked(device, [s, w, levels, b, rank](const Context&, auto t) {
    return wavelet<decltype(t)>(s, w, levels, b, rank);
  });
}

// The values of a host array, kept for the precision not yet made.
template <class T>
std::shared_ptr<const std::vector<double>> values_of(const In<T>& a) {
  return std::make_shared<const std::vector<double>>(a.data(), a.data() + a.size());
}

template <class T>
Array<T> array_on(const Context& ctx, const Shape& shape, const std::vector<double>& values) {
  return Array<T>::from_host(ctx, shape, std::vector<T>(values.begin(), values.end()));
}

template <class T>
PyOperator matrix_op(const In<T>& m, const std::string& device) {
  if (m.ndim() != 2)
    throw InvalidArgument("Matrix: expected a 2D array (m, n), got " + std::to_string(m.ndim()) + "D");
  const Shape s = shape_of(m);
  const auto values = values_of(m);
  return make_checked(device, [s, values](const Context& ctx, auto t) {
    using R = decltype(t);
    return dense_matrix<R>(array_on<R>(ctx, s, *values));
  });
}

template <class T>
PyOperator diagonal_op(const In<T>& w, const std::string& device) {
  const Shape s = shape_of(w);
  if (s.ndim() == 0) throw InvalidArgument("Diagonal: the weights must have at least one axis");
  const auto values = values_of(w);
  return make_checked(device, [s, values](const Context& ctx, auto t) {
    using R = decltype(t);
    return diagonal<R>(array_on<R>(ctx, s, *values));
  });
}

PyOperator subsample_op(const std::vector<index_t>& shape, const std::vector<index_t>& indices,
                        const std::string& device) {
  const Shape s = to_shape(shape, "Subsample");
  return make_checked(
      device, [s, indices](const Context& ctx, auto t) { return subsample<decltype(t)>(ctx, s, indices); });
}

PyOperator identity_op(const std::vector<index_t>& shape, const std::string& device) {
  const Shape s = to_shape(shape, "Identity");
  return make_checked(device, [s](const Context&, auto t) { return identity<decltype(t)>(s); });
}

}  // namespace

void register_ops(nb::module_& m) {
  auto op_class = nb::class_<PyOperator>(m, "_Operator",
                                         "A linear operator of the engine on one device (recon::Operator).");
  op_class.def_prop_ro("name", &PyOperator::name)
      .def_prop_ro("device", &PyOperator::device)
      .def_prop_ro("domain", &PyOperator::domain)
      .def_prop_ro("range", &PyOperator::range)
      .def("apply", &PyOperator::apply<float>, "x"_a.noconvert(), "out"_a.noconvert(), "adjoint"_a)
      .def("apply", &PyOperator::apply<double>, "x"_a.noconvert(), "out"_a.noconvert(), "adjoint"_a)
      .def("norm", &PyOperator::norm, "iterations"_a);
  def_cuda_apply(op_class);

  m.def("op_gradient", &gradient_op, "shape"_a, "boundary"_a, "axes"_a, "device"_a);
  m.def("op_difference", &difference_op, "shape"_a, "axis"_a, "boundary"_a, "device"_a);
  m.def("op_hadamard", &hadamard_op, "shape"_a, "rank"_a, "order"_a, "device"_a);
  m.def("op_fourier", &fourier_op, "shape"_a, "kind"_a, "rank"_a, "fftshift"_a, "device"_a);
  m.def("op_dct", &dct_op, "shape"_a, "rank"_a, "device"_a);
  m.def("op_wavelet", &wavelet_op, "shape"_a, "wavelet"_a, "levels"_a, "boundary"_a, "rank"_a, "device"_a);
  m.def("op_matrix", &matrix_op<float>, "matrix"_a.noconvert(), "device"_a);
  m.def("op_matrix", &matrix_op<double>, "matrix"_a.noconvert(), "device"_a);
  m.def("op_diagonal", &diagonal_op<float>, "weights"_a.noconvert(), "device"_a);
  m.def("op_diagonal", &diagonal_op<double>, "weights"_a.noconvert(), "device"_a);
  m.def("op_subsample", &subsample_op, "shape"_a, "indices"_a, "device"_a);
  m.def("op_identity", &identity_op, "shape"_a, "device"_a);
}

}  // namespace recon::python
