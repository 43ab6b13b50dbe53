// recon._recon: the nanobind extension behind `import recon` (python/recon/*.py wrap it and carry
// the user-facing docstrings). Arrays cross as C-contiguous float32/float64 host NumPy arrays
// without a copy: every array argument is typed exactly and marked noconvert(), so nanobind never
// substitutes a converted copy (an out= array of another dtype or layout raises instead of
// receiving a result that would be lost). The GIL is released while the engine runs; a solver's
// Python callback re-acquires it, and returning False or raising stops the solver (the exception
// is re-raised once the solver has returned). Engine exceptions map onto recon.Error and its
// subclasses (InvalidArgument and ShapeMismatch are also ValueErrors).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/function.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "cuda_arrays.hpp"
#include "ops.hpp"
#include "recon/engine/build_info.hpp"
#include "recon/engine/ct/cgls.hpp"
#include "recon/engine/ct/sirt.hpp"
#include "recon/engine/ct/tv_recon.hpp"
#include "recon/engine/tv.hpp"
#include "recon/io/image.hpp"
#include "recon/kernels/array.hpp"
#include "recon/kernels/communicator.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/memory.hpp"
#include "recon/kernels/memory_budget.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/penalties/function.hpp"
#include "recon/operators/ct/distributed.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/geometry.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/slab_fbp.hpp"
#include "recon/operators/ct/slab_projector.hpp"
#include "recon/operators/ct/streamed.hpp"
#include "recon/operators/ct/views_fbp.hpp"

namespace nb = nanobind;
using namespace nb::literals;

namespace recon::python {
namespace {

// ---------------------------------------------------------------------------------------------
// Errors

PyObject* g_error = nullptr;
PyObject* g_invalid_argument = nullptr;
PyObject* g_shape_mismatch = nullptr;
PyObject* g_io_error = nullptr;
PyObject* g_device_error = nullptr;
PyObject* g_out_of_memory = nullptr;

PyObject* new_error(nb::module_& m, const char* name, const char* doc, std::vector<PyObject*> bases) {
  PyObject* tuple = PyTuple_New(static_cast<Py_ssize_t>(bases.size()));
  for (size_t i = 0; i < bases.size(); ++i) {
    Py_INCREF(bases[i]);
    PyTuple_SET_ITEM(tuple, static_cast<Py_ssize_t>(i), bases[i]);
  }
  const std::string full = std::string("recon.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(full.c_str(), doc, tuple, nullptr);
  Py_DECREF(tuple);
  if (!cls) throw nb::python_error();
  m.attr(name) = nb::handle(cls);  // the module keeps a reference; so does g_* (never released)
  return cls;
}

void register_errors(nb::module_& m) {
  g_error = new_error(m, "Error", "Base class of every error the recon engine reports.", {PyExc_Exception});
  g_invalid_argument =
      new_error(m, "InvalidArgument", "A parameter or option outside its domain (a ValueError).",
                {g_error, PyExc_ValueError});
  g_shape_mismatch =
      new_error(m, "ShapeMismatch", "Arrays or operators whose shapes do not agree (a ValueError).",
                {g_error, PyExc_ValueError});
  g_io_error =
      new_error(m, "IoError", "Reading or writing a file failed (an OSError).", {g_error, PyExc_OSError});
  g_device_error =
      new_error(m, "DeviceError", "A device (CUDA) call failed, or a device was asked for that is not there.",
                {g_error, PyExc_RuntimeError});
  g_out_of_memory =
      new_error(m, "OutOfMemory", "An allocation on a device or on the host failed (a MemoryError).",
                {g_device_error, PyExc_MemoryError});
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const OutOfMemory& e) {
      PyErr_SetString(g_out_of_memory, e.what());
    } catch (const DeviceError& e) {
      PyErr_SetString(g_device_error, e.what());
    } catch (const ShapeMismatch& e) {
      PyErr_SetString(g_shape_mismatch, e.what());
    } catch (const InvalidArgument& e) {
      PyErr_SetString(g_invalid_argument, e.what());
    } catch (const IoError& e) {
      PyErr_SetString(g_io_error, e.what());
    } catch (const Error& e) {
      PyErr_SetString(g_error, e.what());
    }
  });
}

std::vector<std::string> devices() {
  std::vector<std::string> out;
  for (const DeviceInfo& d : list_devices())
    out.push_back(d.device == Device::Cuda ? "cuda:" + std::to_string(d.ordinal) : "cpu");
  return out;
}

// ---------------------------------------------------------------------------------------------
// CT

using ct::Geometry;

ct::Vec3 vec3(const std::vector<double>& v, const char* what) {
  if (v.size() != 3) throw InvalidArgument(std::string(what) + ": expected 3 values (x, y, z)");
  return {v[0], v[1], v[2]};
}

ct::VolumeGeometry make_volume(const std::vector<index_t>& shape, const std::vector<double>& voxel,
                               const std::vector<double>& origin) {
  ct::VolumeGeometry v;
  if (shape.size() != 2 && shape.size() != 3)
    throw InvalidArgument("volume shape: expected (ny, nx) or (nz, ny, nx), got " +
                          std::to_string(shape.size()) + " values");
  for (index_t d : shape) v.shape.push_back(d);
  v.voxel_size = vec3(voxel, "voxel_size");
  v.origin = vec3(origin, "origin");
  return v;
}

Geometry circular_geometry(const std::string& kind, const std::vector<index_t>& shape,
                           const std::vector<double>& voxel, const std::vector<double>& origin, index_t rows,
                           index_t cols, double pixel_v, double pixel_u, std::vector<double> angles,
                           double source_origin, double origin_detector, double offset_u, double offset_v) {
  Geometry g;
  g.volume = make_volume(shape, voxel, origin);
  if (kind == "parallel2d")
    g.projection = ct::parallel2d(cols, pixel_u, std::move(angles), offset_u);
  else if (kind == "fan2d")
    g.projection = ct::fan2d(cols, pixel_u, std::move(angles), source_origin, origin_detector, offset_u);
  else if (kind == "parallel3d")
    g.projection = ct::parallel3d(rows, cols, pixel_v, pixel_u, std::move(angles), offset_u, offset_v);
  else if (kind == "cone")
    g.projection = ct::cone(rows, cols, pixel_v, pixel_u, std::move(angles), source_origin, origin_detector,
                            offset_u, offset_v);
  else
    throw InvalidArgument("geometry type '" + kind + "': expected parallel2d, fan2d, parallel3d or cone");
  ct::validate(g, kind);
  return g;
}

Geometry vector_geometry(int ndim, bool divergent, const std::vector<index_t>& shape,
                         const std::vector<double>& voxel, const std::vector<double>& origin, index_t rows,
                         index_t cols, const In<double>& vectors) {
  const size_t width = ndim == 2 ? 6 : 12;
  if (ndim != 2 && ndim != 3) throw InvalidArgument("vector geometry: ndim must be 2 or 3");
  if (vectors.ndim() != 2 || vectors.shape(1) != width)
    throw ShapeMismatch("vector geometry: vectors must have shape (views, " + std::to_string(width) + ")");
  std::vector<ct::ViewVectors> views(vectors.shape(0));
  const double* p = vectors.data();
  for (auto& w : views) {
    for (int k = 0; k < ndim; ++k) {
      w.source[k] = p[k];
      w.detector[k] = p[ndim + k];
      w.u[k] = p[2 * ndim + k];
      if (ndim == 3) w.v[k] = p[3 * ndim + k];
    }
    p += width;
  }
  Geometry g;
  g.volume = make_volume(shape, voxel, origin);
  g.projection = ct::vector_geometry(ndim, divergent ? ct::Beam::Divergent : ct::Beam::Parallel, rows, cols,
                                     std::move(views));
  ct::validate(g, g.projection.type_name());
  return g;
}

nb::ndarray<nb::numpy, double> vectors_of(const Geometry& g) {
  const int n = g.projection.ndim;
  const size_t width = n == 2 ? 6 : 12, views = static_cast<size_t>(g.projection.views());
  auto* data = new double[views * width];
  nb::capsule owner(data, [](void* p) noexcept { delete[] static_cast<double*>(p); });
  double* q = data;
  for (const ct::ViewVectors& w : g.projection.vectors) {
    for (const ct::Vec3* v : {&w.source, &w.detector, &w.u, &w.v})
      if (n == 3 || v != &w.v)
        for (int k = 0; k < n; ++k) *q++ = (*v)[k];
  }
  return nb::ndarray<nb::numpy, double>(data, {views, width}, owner);
}

std::vector<index_t> dims(const Shape& s) {
  std::vector<index_t> out;
  for (int a = 0; a < s.ndim(); ++a) out.push_back(s[a]);
  return out;
}

bool same_vec(const ct::Vec3& a, const ct::Vec3& b) { return a[0] == b[0] && a[1] == b[1] && a[2] == b[2]; }

bool equal(const Geometry& a, const Geometry& b) {
  const ct::ProjectionGeometry &p = a.projection, &q = b.projection;
  if (a.volume.shape != b.volume.shape || !same_vec(a.volume.voxel_size, b.volume.voxel_size) ||
      !same_vec(a.volume.origin, b.volume.origin))
    return false;
  if (p.ndim != q.ndim || p.beam != q.beam || p.rows != q.rows || p.cols != q.cols ||
      p.circular != q.circular || p.views() != q.views())
    return false;
  if (p.circular)
    return p.angles == q.angles && p.pixel_u == q.pixel_u && p.pixel_v == q.pixel_v &&
           p.offset_u == q.offset_u && p.offset_v == q.offset_v &&
           (p.parallel() || (p.source_origin == q.source_origin && p.origin_detector == q.origin_detector));
  for (index_t k = 0; k < p.views(); ++k) {
    const ct::ViewVectors &v = p.vectors[static_cast<size_t>(k)], &w = q.vectors[static_cast<size_t>(k)];
    if (!same_vec(v.source, w.source) || !same_vec(v.detector, w.detector) || !same_vec(v.u, w.u) ||
        !same_vec(v.v, w.v))
      return false;
  }
  return true;
}

// The engine's communicator over an mpi4py communicator (its MPI_Comm's address) or the single
// rank; python/recon/dist.py makes it (docs/python.md, "MPI").
struct PyComm {
  std::shared_ptr<const dist::Communicator> comm;
};

// The projector pair on one device, float and double instances made on first use. With a
// memory limit the arrays stay in host memory and the projector streams them through a
// device context of its own capped at the limit (ct/streamed.hpp). With a communicator the
// projector is split over its ranks (docs/distributed.md): `distribute` "views"
// (ct::DistributedProjector) or "slabs" (ct::SlabProjector); its domain and range are then this
// rank's shares.
class PyProjector {
 public:
  PyProjector(const Geometry& g, const std::string& device, const std::string& memory_limit,
              const PyComm* comm, const std::string& distribute)
      : geometry_(g), ctx_(context_for(device)) {
    ct::validate(g, "Projector");
    if (comm) {
      if (distribute != "views" && distribute != "slabs")
        throw InvalidArgument("Projector: distribute '" + distribute + "': expected 'views' or 'slabs'");
      if (!memory_limit.empty())
        throw InvalidArgument(
            "Projector: memory_limit is not supported with comm (a split projector is not streamed)");
      comm_ = comm->comm;
      distribute_ = distribute;
      op<double>();  // a bad split (fewer slices than ranks, a 2D geometry by slabs) raises here
      return;
    }
    if (memory_limit.empty()) return;
    streamed_device_ = Context::from_choice(device_name(ctx_));
    streamed_device_->set_memory_limit(parse_memory_size(memory_limit, "Projector: memory_limit"));
    ctx_ = context_for("cpu");
  }
  bool streamed() const { return streamed_device_.has_value(); }
  const Context& context() const { return ctx_; }
  std::string device() const { return device_name(streamed_device_ ? *streamed_device_ : ctx_); }
  std::vector<index_t> domain() {
    return distribute_.empty() ? dims(geometry_.volume.shape) : dims(op<double>().domain());
  }
  std::vector<index_t> range() {
    return distribute_.empty() ? dims(geometry_.projection.shape()) : dims(op<double>().range());
  }
  // This rank's [begin, end) of the volume's slices, the views and the detector rows (the whole
  // ranges where they are not split).
  std::vector<index_t> shares() {
    const ct::ProjectionGeometry& p = geometry_.projection;
    std::vector<index_t> out{0, geometry_.volume.shape[0], 0, p.views(), 0, p.rows};
    if (distribute_ == "views") {
      const dist::Block v = ct::view_share(p.views(), comm_->rank(), comm_->size());
      out[2] = v.begin;
      out[3] = v.end;
    } else if (distribute_ == "slabs") {
      const ct::SlabProjector<double>& a = slab<double>("Projector");
      out[0] = a.slices().begin;
      out[1] = a.slices().end;
      out[4] = a.owned_rows().begin;
      out[5] = a.owned_rows().end;
    }
    return out;
  }

  // The z-slab projector, or InvalidArgument naming `where` unless the split is by slabs.
  template <class T>
  const ct::SlabProjector<T>& slab(const std::string& where) {
    if (distribute_ != "slabs")
      throw InvalidArgument(where + ": needs a projector split by slabs (comm=..., distribute='slabs')");
    return dynamic_cast<const ct::SlabProjector<T>&>(op<T>().get());
  }
  bool by_views() const { return distribute_ == "views"; }

  template <class T>
  const Operator<T>& op() {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& slot = std::get<std::optional<Operator<T>>>(ops_);
    if (!slot) {
      if (distribute_ == "views")
        slot = ct::distributed_projector<T>(geometry_, comm_);
      else if (distribute_ == "slabs")
        slot = ct::slab_projector<T>(geometry_, comm_);
      else
        slot = streamed_device_ ? ct::streamed_projector<T>(geometry_, *streamed_device_)
                                : ct::joseph_projector<T>(geometry_);
    }
    return *slot;
  }

  template <class T>
  void apply(const In<T>& x, const Out<T>& y, bool adjoint) {
    Staged<T> in = stage_in(ctx_, x);
    Staged<T> out = stage_out(ctx_, y);
    nb::gil_scoped_release release;
    apply_views<T>(ctx_, in.cview(), out.view(), adjoint);
    out.finish();
  }

  // The same on arrays already on ctx's device (ctx_, or a context on the caller's stream for
  // CUDA arrays, cuda_arrays.hpp).
  template <class T>
  void apply_views(const Context& ctx, View<const T> x, View<T> y, bool adjoint) {
    const Operator<T>& a = op<T>();
    if (adjoint)
      a.adjoint(ctx, x, y);
    else
      a.apply(ctx, x, y);
  }

  double norm(int iterations) {
    const Operator<double>& a = op<double>();
    nb::gil_scoped_release release;
    return a.norm_estimate(ctx_, iterations);
  }

 private:
  Geometry geometry_;
  Context ctx_;                                     // where the arrays live
  std::optional<Context> streamed_device_;          // where a streamed projector computes
  std::shared_ptr<const dist::Communicator> comm_;  // with distribute_: the split's ranks
  std::string distribute_;                          // "", "views" or "slabs"
  std::mutex mutex_;
  std::tuple<std::optional<Operator<float>>, std::optional<Operator<double>>> ops_;
};

template <class T>
void fbp(const Geometry& g, const In<T>& y, const Out<T>& x, const std::string& filter,
         const std::string& interpolation, const std::string& device) {
  const ct::FbpFilter f = ct::parse_fbp_filter(filter);
  const ct::VoxelInterpolation i = ct::parse_voxel_interpolation(interpolation);
  const Context ctx = context_for(device);
  Staged<T> in = stage_in(ctx, y);
  Staged<T> out = stage_out(ctx, x);
  nb::gil_scoped_release release;
  ct::filtered_backprojection<T>(ctx, g, in.cview(), out.view(), f, i);
  out.finish();
}

// FBP / FDK split over the projector's ranks: by views (ct/views_fbp.hpp; y this rank's views, x
// the whole volume) or by z-slabs (ct/slab_fbp.hpp; y this rank's band of detector rows, x its slab).
template <class T>
void fbp_split(PyProjector& p, const In<T>& y, const Out<T>& x, const std::string& filter,
               const std::string& interpolation) {
  const ct::FbpFilter f = ct::parse_fbp_filter(filter);
  const ct::VoxelInterpolation i = ct::parse_voxel_interpolation(interpolation);
  const Context& ctx = p.context();
  Staged<T> in = stage_in(ctx, y);
  Staged<T> out = stage_out(ctx, x);
  if (p.by_views()) {
    const auto& a = dynamic_cast<const ct::DistributedProjector<T>&>(p.op<T>().get());
    nb::gil_scoped_release release;
    ct::filtered_backprojection_views<T>(ctx, a, in.cview(), out.view(), f, i);
  } else {
    const ct::SlabProjector<T>& a = p.slab<T>("fbp");
    nb::gil_scoped_release release;
    ct::filtered_backprojection_slabs<T>(ctx, a, in.cview(), out.view(), f, i);
  }
  out.finish();
}

// SIRT or CGLS on arrays on ctx's device, x holding the start.
template <class T>
SolveReport iterative_views(const Context& ctx, const Operator<T>& a, View<const T> y, View<T> x,
                            bool use_sirt, int iters, double tol, double relaxation, bool nonneg,
                            const Monitor& monitor) {
  if (use_sirt) {
    ct::SirtOptions o;
    o.max_iters = iters;
    o.rel_tol = tol;
    o.relaxation = relaxation;
    o.nonneg = nonneg;
    return ct::sirt<T>(ctx, a, y, x, o, monitor);
  }
  ct::CglsOptions o;
  o.max_iters = iters;
  o.rel_tol = tol;
  return ct::cgls<T>(ctx, a, y, x, o, monitor);
}

template <class T>
nb::dict iterative(PyProjector& p, const In<T>& y, const Out<T>& x, bool use_sirt, int iters, double tol,
                   double relaxation, bool nonneg, nb::object callback) {
  const Operator<T>& a = p.op<T>();
  const Context& ctx = p.context();
  Staged<T> in = stage_in(ctx, y);
  Staged<T> out = stage_out(ctx, x, true);  // x holds the start
  const SolveReport rep = solve_with_callback(std::move(callback), [&](const Monitor& monitor) {
    const SolveReport r =
        iterative_views<T>(ctx, a, in.cview(), out.view(), use_sirt, iters, tol, relaxation, nonneg, monitor);
    out.finish();
    return r;
  });
  return report_dict(rep);
}

// The same on CUDA arrays, on the caller's stream (cuda_arrays.hpp).
template <class T>
nb::dict iterative_cuda(PyProjector& p, const CudaIn<T>& y, const CudaOut<T>& x, bool use_sirt, int iters,
                        double tol, double relaxation, bool nonneg, nb::object callback,
                        std::uintptr_t stream) {
  const char* where = use_sirt ? "sirt" : "cgls";
  const Context caller = caller_context(p.context(), common_device(where, y, x), stream, where);
  const Operator<T>& a = p.op<T>();
  const SolveReport rep = solve_with_callback(std::move(callback), [&](const Monitor& monitor) {
    return on_caller_stream(p.context(), caller, [&](const Context& ctx) {
      return iterative_views<T>(ctx, a, device_view(y), device_view(x), use_sirt, iters, tol, relaxation,
                                nonneg, monitor);
    });
  });
  return report_dict(rep);
}

// FBP/FDK of CUDA arrays on the caller's stream, on the arrays' device.
template <class T>
void fbp_cuda(const Geometry& g, const CudaIn<T>& y, const CudaOut<T>& x, const std::string& filter,
              const std::string& interpolation, std::uintptr_t stream) {
  const ct::FbpFilter f = ct::parse_fbp_filter(filter);
  const ct::VoxelInterpolation i = ct::parse_voxel_interpolation(interpolation);
  run_on_arrays_device(
      "fbp", stream,
      [&](const Context& ctx) {
        ct::filtered_backprojection<T>(ctx, g, device_view(y), device_view(x), f, i);
        return true;
      },
      y, x);
}

// ---------------------------------------------------------------------------------------------
// Penalties and TV. Each computation is written once on views (`*_views`); the host entry points
// stage NumPy arrays onto context_for(device), the `*_cuda` ones take CUDA arrays in place on the
// caller's stream on their device (cuda_arrays.hpp).

PyFunction make_function(const std::string& name, const std::map<std::string, double>& params) {
  return PyFunction{penalties::make_function(name, params)};
}

template <class A, class B>
void require_same_shape(const char* where, const A& in, const B& out) {
  if (shape_of(in) != shape_of(out))
    throw ShapeMismatch(std::string(where) + ": out has shape " + shape_of(out).str() + ", the input " +
                        shape_of(in).str());
}

// gamma: a scalar T or per-element weights View<const T>. These return a value (true where there
// is none) because on_caller_stream hands its work's result back.
template <class T, class Gamma>
bool prox_views(const Context& ctx, const PyFunction& f, const Gamma& gamma, View<const T> z, View<T> out,
                bool group) {
  if (group)
    penalties::prox_group<T>(ctx, f.fn, gamma, z, out);
  else
    penalties::prox<T>(ctx, f.fn, gamma, z, out);
  return true;
}

template <class T>
double value_views(const Context& ctx, const PyFunction& f, View<const T> x, bool group) {
  return group ? penalties::value_sum_group<T>(ctx, f.fn, x) : penalties::value_sum<T>(ctx, f.fn, x);
}

template <class T>
bool gradient_views(const Context& ctx, const PyFunction& f, View<const T> x, View<T> out, bool group) {
  if (group)
    penalties::gradient_group<T>(ctx, f.fn, x, out);
  else
    penalties::gradient<T>(ctx, f.fn, x, out);
  return true;
}

template <class T>
void prox_scalar(const PyFunction& f, double gamma, const In<T>& z, const Out<T>& out, bool group,
                 const std::string& device) {
  require_same_shape("prox", z, out);
  const Context ctx = context_for(device);
  Staged<T> in = stage_in(ctx, z);
  Staged<T> o = stage_out(ctx, out);
  nb::gil_scoped_release release;
  prox_views<T>(ctx, f, static_cast<T>(gamma), in.cview(), o.view(), group);
  o.finish();
}

template <class T>
void prox_array(const PyFunction& f, const In<T>& gamma, const In<T>& z, const Out<T>& out, bool group,
                const std::string& device) {
  require_same_shape("prox", z, out);
  const Context ctx = context_for(device);
  Staged<T> g = stage_in(ctx, gamma);
  Staged<T> in = stage_in(ctx, z);
  Staged<T> o = stage_out(ctx, out);
  nb::gil_scoped_release release;
  prox_views<T>(ctx, f, g.cview(), in.cview(), o.view(), group);
  o.finish();
}

template <class T>
double value_sum(const PyFunction& f, const In<T>& x, bool group, const std::string& device) {
  const Context ctx = context_for(device);
  Staged<T> in = stage_in(ctx, x);
  nb::gil_scoped_release release;
  return value_views<T>(ctx, f, in.cview(), group);
}

template <class T>
void fn_gradient(const PyFunction& f, const In<T>& x, const Out<T>& out, bool group,
                 const std::string& device) {
  require_same_shape("grad", x, out);
  const Context ctx = context_for(device);
  Staged<T> in = stage_in(ctx, x);
  Staged<T> o = stage_out(ctx, out);
  nb::gil_scoped_release release;
  gradient_views<T>(ctx, f, in.cview(), o.view(), group);
  o.finish();
}

template <class T>
void prox_scalar_cuda(const PyFunction& f, double gamma, const CudaIn<T>& z, const CudaOut<T>& out,
                      bool group, std::uintptr_t stream) {
  require_same_shape("prox", z, out);
  run_on_arrays_device(
      "prox", stream,
      [&](const Context& ctx) {
        return prox_views<T>(ctx, f, static_cast<T>(gamma), device_view(z), device_view(out), group);
      },
      z, out);
}

template <class T>
void prox_array_cuda(const PyFunction& f, const CudaIn<T>& gamma, const CudaIn<T>& z, const CudaOut<T>& out,
                     bool group, std::uintptr_t stream) {
  require_same_shape("prox", z, out);
  run_on_arrays_device(
      "prox", stream,
      [&](const Context& ctx) {
        return prox_views<T>(ctx, f, device_view(gamma), device_view(z), device_view(out), group);
      },
      gamma, z, out);
}

template <class T>
double value_sum_cuda(const PyFunction& f, const CudaIn<T>& x, bool group, std::uintptr_t stream) {
  return run_on_arrays_device(
      "value", stream, [&](const Context& ctx) { return value_views<T>(ctx, f, device_view(x), group); }, x);
}

template <class T>
void fn_gradient_cuda(const PyFunction& f, const CudaIn<T>& x, const CudaOut<T>& out, bool group,
                      std::uintptr_t stream) {
  require_same_shape("grad", x, out);
  run_on_arrays_device(
      "grad", stream,
      [&](const Context& ctx) { return gradient_views<T>(ctx, f, device_view(x), device_view(out), group); },
      x, out);
}

nb::dict properties(const PyFunction& f) {
  const penalties::Properties p = penalties::properties_of(f.fn);
  nb::dict d;
  d["kind"] = std::string(penalties::to_string(p.kind));
  d["convex"] = p.convex;
  d["weak_convexity"] = p.weak_convexity;
  d["differentiable"] = p.differentiable;
  d["grad_lipschitz"] = p.grad_lipschitz;
  d["even"] = p.even;
  return d;
}

std::vector<nb::tuple> signatures() {
  std::vector<nb::tuple> out;
  for (const auto& s : penalties::function_signatures()) {
    nb::list optional;
    for (const auto& o : s.optional) optional.append(nb::make_tuple(o.first, o.second));
    out.push_back(nb::make_tuple(s.name, nb::cast(s.required), optional));
  }
  return out;
}

// denoise_tv's problem and options from its arguments (host and CUDA entry points alike).
struct TvCall {
  TvProblem problem;
  TvOptions options;
};

TvCall tv_call(const PyFunction& penalty, double lambda, bool iso, const std::string& boundary,
               const std::string& solver, int iters, double tol, int check_every, double rho,
               bool balance_rho, bool use_cg, double alpha, bool warm_start) {
  require_at_least_one("denoise_tv", "iters", iters);
  require_at_least_one("denoise_tv", "check_every", check_every);
  TvCall c{
      TvProblem{penalty.fn, lambda, iso ? TvNorm::Isotropic : TvNorm::Anisotropic, parse_boundary(boundary)},
      TvOptions{}};
  TvOptions& o = c.options;
  o.solver = parse_tv_solver(solver);
  o.max_iters = iters;
  o.tol = tol;
  o.check_every = check_every;
  o.rho = rho;
  o.balance_rho = balance_rho;
  o.use_cg = use_cg;
  o.ladmm_alpha = alpha;
  o.warm_start = warm_start;
  return c;
}

// The solve on arrays on ctx's device, x holding the start; objective receives the result's.
template <class T>
SolveReport denoise_views(const Context& ctx, View<const T> u, View<T> x, const TvCall& c, const PyComm* comm,
                          const std::vector<index_t>& whole, const Monitor& monitor, double& objective) {
  if (comm) {  // u and x are this rank's block of rows of an array of shape `whole`
    Shape w;
    for (index_t n : whole) w.push_back(n);
    const SolveReport r = tv_denoise_slabs<T>(ctx, comm->comm, w, u, x, c.problem, c.options, monitor);
    objective = tv_objective_slabs<T>(ctx, comm->comm, w, View<const T>(x), u, c.problem);
    return r;
  }
  const SolveReport r = tv_denoise<T>(ctx, u, x, c.problem, c.options, monitor);
  objective = tv_objective<T>(ctx, View<const T>(x), u, c.problem);
  return r;
}

nb::dict tv_report(const SolveReport& rep, double objective, const TvCall& c) {
  nb::dict d = report_dict(rep);
  d["objective"] = objective;
  d["solver"] = to_string(c.options.solver);
  d["penalty"] = penalties::describe(c.problem.penalty);
  return d;
}

template <class T>
nb::dict denoise_tv(const In<T>& u, const Out<T>& x, const PyFunction& penalty, double lambda, bool iso,
                    const std::string& boundary, const std::string& solver, int iters, double tol,
                    int check_every, double rho, bool balance_rho, bool use_cg, double alpha, bool warm_start,
                    nb::object callback, const std::string& device, const PyComm* comm,
                    const std::vector<index_t>& whole) {
  const TvCall c = tv_call(penalty, lambda, iso, boundary, solver, iters, tol, check_every, rho, balance_rho,
                           use_cg, alpha, warm_start);
  const Context ctx = context_for(device);
  Staged<T> in = stage_in(ctx, u);
  Staged<T> out = stage_out(ctx, x, warm_start);
  double objective = 0;
  const SolveReport rep = solve_with_callback(std::move(callback), [&](const Monitor& monitor) {
    const SolveReport r = denoise_views<T>(ctx, in.cview(), out.view(), c, comm, whole, monitor, objective);
    out.finish();
    return r;
  });
  return tv_report(rep, objective, c);
}

// The same on CUDA arrays, on their device and the caller's stream.
template <class T>
nb::dict denoise_tv_cuda(const CudaIn<T>& u, const CudaOut<T>& x, const PyFunction& penalty, double lambda,
                         bool iso, const std::string& boundary, const std::string& solver, int iters,
                         double tol, int check_every, double rho, bool balance_rho, bool use_cg, double alpha,
                         bool warm_start, nb::object callback, const PyComm* comm,
                         const std::vector<index_t>& whole, std::uintptr_t stream) {
  const TvCall c = tv_call(penalty, lambda, iso, boundary, solver, iters, tol, check_every, rho, balance_rho,
                           use_cg, alpha, warm_start);
  const ArraysDevice d = arrays_device("denoise_tv", stream, u, x);
  double objective = 0;
  const SolveReport rep = solve_with_callback(std::move(callback), [&](const Monitor& monitor) {
    return on_caller_stream(d.device, d.caller, [&](const Context& ctx) {
      return denoise_views<T>(ctx, device_view(u), device_view(x), c, comm, whole, monitor, objective);
    });
  });
  return tv_report(rep, objective, c);
}

// ---------------------------------------------------------------------------------------------
// Regularised CT reconstruction (recon ct recon)

// The problem and the TvReconOptions as apps/recon/ct_recon.cpp builds them, every option checked
// as the CLI's ranges do, whichever solver uses it.
struct ReconCall {
  ct::TvReconProblem problem;
  ct::TvReconOptions options;
  std::string solver;
};

ReconCall recon_call(const PyFunction& loss, const PyFunction& penalty, double lambda, const std::string& tv,
                     bool nonneg, const std::string& solver, int iters, double tol, double rho, int cg_iters,
                     int check_every, int inner_iters, const std::string& inner_solver,
                     const std::string& apgm_variant) {
  const char* where = "reconstruct";
  require_at_least_one(where, "iters", iters);
  require_at_least_one(where, "cg_iters", cg_iters);
  require_at_least_one(where, "check_every", check_every);
  require_at_least_one(where, "inner_iters", inner_iters);
  if (!(tol >= 0)) throw InvalidArgument("reconstruct: tol must be >= 0");
  if (!(std::isfinite(rho) && rho > 0)) throw InvalidArgument("reconstruct: rho must be finite and > 0");
  ReconCall c{ct::TvReconProblem{loss.fn, penalty.fn, lambda, parse_tv_norm(tv), nonneg},
              ct::TvReconOptions{}, solver};
  ct::TvReconOptions& o = c.options;
  o.solver = ct::parse_tv_recon_solver(solver);
  o.max_iters = iters;
  o.tol = tol;
  o.rho = rho;
  o.cg_max_iters = cg_iters;
  o.check_every = check_every;
  o.inner_iters = inner_iters;
  o.inner_solver = parse_tv_solver(inner_solver);
  o.apgm_variant = parse_apgm_variant(apgm_variant);
  return c;
}

// The solve on arrays on ctx's device, x holding the start; objective receives the result's.
template <class T>
SolveReport reconstruct_views(const Context& ctx, const Operator<T>& a, View<const T> y, View<T> x,
                              const ReconCall& c, const Monitor& monitor, double& objective) {
  const SolveReport r = ct::tv_reconstruct<T>(ctx, a, y, x, c.problem, c.options, monitor);
  objective = ct::tv_recon_objective<T>(ctx, a, y, View<const T>(x), c.problem);
  return r;
}

nb::dict recon_report(const SolveReport& rep, double objective, const ReconCall& c) {
  nb::dict d = report_dict(rep);
  d["objective"] = objective;
  d["solver"] = c.solver;
  d["loss"] = penalties::describe(c.problem.loss);
  d["penalty"] = penalties::describe(c.problem.penalty);
  return d;
}

// x holds the start (zeros, an FBP or the caller's) and receives the result.
template <class T>
nb::dict reconstruct(PyProjector& p, const In<T>& y, const Out<T>& x, const PyFunction& loss,
                     const PyFunction& penalty, double lambda, const std::string& tv, bool nonneg,
                     const std::string& solver, int iters, double tol, double rho, int cg_iters,
                     int check_every, int inner_iters, const std::string& inner_solver,
                     const std::string& apgm_variant, nb::object callback) {
  const ReconCall c = recon_call(loss, penalty, lambda, tv, nonneg, solver, iters, tol, rho, cg_iters,
                                 check_every, inner_iters, inner_solver, apgm_variant);
  const Operator<T>& a = p.op<T>();
  const Context& ctx = p.context();
  Staged<T> in = stage_in(ctx, y);
  Staged<T> out = stage_out(ctx, x, true);
  double objective = 0;
  const SolveReport rep = solve_with_callback(std::move(callback), [&](const Monitor& monitor) {
    const SolveReport r = reconstruct_views<T>(ctx, a, in.cview(), out.view(), c, monitor, objective);
    out.finish();
    return r;
  });
  return recon_report(rep, objective, c);
}

// The same on CUDA arrays, on the caller's stream (the projector on their device).
template <class T>
nb::dict reconstruct_cuda(PyProjector& p, const CudaIn<T>& y, const CudaOut<T>& x, const PyFunction& loss,
                          const PyFunction& penalty, double lambda, const std::string& tv, bool nonneg,
                          const std::string& solver, int iters, double tol, double rho, int cg_iters,
                          int check_every, int inner_iters, const std::string& inner_solver,
                          const std::string& apgm_variant, nb::object callback, std::uintptr_t stream) {
  const ReconCall c = recon_call(loss, penalty, lambda, tv, nonneg, solver, iters, tol, rho, cg_iters,
                                 check_every, inner_iters, inner_solver, apgm_variant);
  const char* where = "reconstruct";
  const Context caller = caller_context(p.context(), common_device(where, y, x), stream, where);
  const Operator<T>& a = p.op<T>();
  double objective = 0;
  const SolveReport rep = solve_with_callback(std::move(callback), [&](const Monitor& monitor) {
    return on_caller_stream(p.context(), caller, [&](const Context& ctx) {
      return reconstruct_views<T>(ctx, a, device_view(y), device_view(x), c, monitor, objective);
    });
  });
  return recon_report(rep, objective, c);
}

// ---------------------------------------------------------------------------------------------
// Files (recon.io): the CLI's readers and writers, format by extension (recon/io/image.hpp)

io::PixelScaling parse_scaling(const std::string& s) {
  if (s == "auto") return io::PixelScaling::Auto;
  if (s == "unit") return io::PixelScaling::Unit;
  if (s == "stored") return io::PixelScaling::Stored;
  throw InvalidArgument("read: scaling '" + s + "': expected auto, unit or stored");
}

// The array (owning the engine's buffer, no copy), its spacing and its origin.
template <class T>
nb::tuple read_file(const std::string& path, const std::string& scaling) {
  io::ReadOptions options;
  options.scaling = parse_scaling(scaling);
  io::Image<T> image;
  {
    nb::gil_scoped_release release;
    image = io::read_image<T>(context_for("cpu"), path, options);
  }
  const Shape s = image.data.shape();
  std::vector<size_t> shape;
  for (int k = 0; k < s.ndim(); ++k) shape.push_back(static_cast<size_t>(s[k]));
  auto* owner = new Array<T>(std::move(image.data));
  nb::capsule capsule(owner, [](void* q) noexcept { delete static_cast<Array<T>*>(q); });
  nb::ndarray<nb::numpy, T> array(owner->data(), shape.size(), shape.data(), capsule);
  return nb::make_tuple(nb::cast(array, nb::rv_policy::reference), image.meta.spacing, image.meta.origin);
}

// bits as the CLI's --bits (0: auto); window as its --window, kind range, minmax or percentile.
io::WriteOptions write_options(int bits, const std::string& window, double lo, double hi) {
  io::WriteOptions o;
  if (bits == 0)
    o.pixel = io::PixelType::Auto;
  else if (bits == 8)
    o.pixel = io::PixelType::UInt8;
  else if (bits == 16)
    o.pixel = io::PixelType::UInt16;
  else if (bits == 32)
    o.pixel = io::PixelType::Float32;
  else
    throw InvalidArgument("write: bits must be 8, 16, 32 or 'auto', got " + std::to_string(bits));
  if (window == "range")
    o.window.kind = io::Window::Kind::Range;
  else if (window == "minmax")
    o.window.kind = io::Window::Kind::MinMax;
  else if (window == "percentile")
    o.window.kind = io::Window::Kind::Percentile;
  else
    throw InvalidArgument("write: window kind '" + window + "': expected range, minmax or percentile");
  o.window.lo = lo;
  o.window.hi = hi;
  return o;
}

template <class T>
void write_file(const std::string& path, const In<T>& x, int bits, const std::string& window, double lo,
                double hi, const std::vector<double>& spacing, const std::vector<double>& origin) {
  const io::WriteOptions options = write_options(bits, window, lo, hi);
  const Shape shape = shape_of(x);
  nb::gil_scoped_release release;
  const Array<T> a =
      Array<T>::from_host(context_for("cpu"), shape, std::vector<T>(x.data(), x.data() + x.size()));
  io::write_image<T>(path, a, {spacing, origin}, options);
}

// The bindings of one element type: host arrays with `device`, CUDA arrays with the caller's
// `stream` (nanobind picks the overload by the arrays' device).
template <class T>
void def_function_methods(nb::class_<PyFunction>& cls) {
  cls.def("prox", &prox_scalar<T>, "gamma"_a, "z"_a.noconvert(), "out"_a.noconvert(), "group"_a, "device"_a)
      .def("prox", &prox_array<T>, "gamma"_a.noconvert(), "z"_a.noconvert(), "out"_a.noconvert(), "group"_a,
           "device"_a)
      .def("value", &value_sum<T>, "x"_a.noconvert(), "group"_a, "device"_a)
      .def("grad", &fn_gradient<T>, "x"_a.noconvert(), "out"_a.noconvert(), "group"_a, "device"_a)
      .def("prox", &prox_scalar_cuda<T>, "gamma"_a, "z"_a.noconvert(), "out"_a.noconvert(), "group"_a,
           "stream"_a)
      .def("prox", &prox_array_cuda<T>, "gamma"_a.noconvert(), "z"_a.noconvert(), "out"_a.noconvert(),
           "group"_a, "stream"_a)
      .def("value", &value_sum_cuda<T>, "x"_a.noconvert(), "group"_a, "stream"_a)
      .def("grad", &fn_gradient_cuda<T>, "x"_a.noconvert(), "out"_a.noconvert(), "group"_a, "stream"_a);
}

template <class T>
void def_tv_and_reconstruct(nb::module_& m) {
  m.def("denoise_tv", &denoise_tv<T>, "u"_a.noconvert(), "x"_a.noconvert(), "penalty"_a, "lam"_a, "iso"_a,
        "boundary"_a, "solver"_a, "iters"_a, "tol"_a, "check_every"_a, "rho"_a, "balance_rho"_a, "use_cg"_a,
        "alpha"_a, "warm_start"_a, "callback"_a.none(), "device"_a, "comm"_a.none(), "whole"_a);
  m.def("denoise_tv", &denoise_tv_cuda<T>, "u"_a.noconvert(), "x"_a.noconvert(), "penalty"_a, "lam"_a,
        "iso"_a, "boundary"_a, "solver"_a, "iters"_a, "tol"_a, "check_every"_a, "rho"_a, "balance_rho"_a,
        "use_cg"_a, "alpha"_a, "warm_start"_a, "callback"_a.none(), "comm"_a.none(), "whole"_a, "stream"_a);
  m.def("reconstruct", &reconstruct<T>, "projector"_a, "y"_a.noconvert(), "x"_a.noconvert(), "loss"_a,
        "penalty"_a, "lam"_a, "tv"_a, "nonneg"_a, "solver"_a, "iters"_a, "tol"_a, "rho"_a, "cg_iters"_a,
        "check_every"_a, "inner_iters"_a, "inner_solver"_a, "apgm_variant"_a, "callback"_a.none());
  m.def("reconstruct", &reconstruct_cuda<T>, "projector"_a, "y"_a.noconvert(), "x"_a.noconvert(), "loss"_a,
        "penalty"_a, "lam"_a, "tv"_a, "nonneg"_a, "solver"_a, "iters"_a, "tol"_a, "rho"_a, "cg_iters"_a,
        "check_every"_a, "inner_iters"_a, "inner_solver"_a, "apgm_variant"_a, "callback"_a.none(),
        "stream"_a);
}

}  // namespace
}  // namespace recon::python

NB_MODULE(_recon, m) {
  using namespace recon;
  using namespace recon::python;
  m.doc() = "recon's compiled core; use the `recon` package, which wraps and documents it.";
  register_errors(m);
  register_ops(m);
  register_cs(m);
  m.attr("__version__") = build_info().version;
  m.attr("cuda_built") = build_info().cuda;
  m.attr("mpi_built") = dist::mpi_built();

  nb::class_<PyComm>(m, "_Communicator", "The engine's communicator (recon::dist::Communicator).")
      .def_static(
          "over_mpi",
          [](std::uintptr_t address) {
            return PyComm{dist::mpi_communicator(reinterpret_cast<const void*>(address))};
          },
          "address"_a, "Over a duplicate of the MPI_Comm at `address` (mpi4py's MPI._addressof(comm)).")
      .def_static(
          "single", [] { return PyComm{dist::single_rank()}; }, "The single-rank communicator.")
      .def_prop_ro("rank", [](const PyComm& c) { return c.comm->rank(); })
      .def_prop_ro("size", [](const PyComm& c) { return c.comm->size(); })
      .def_prop_ro("backend", [](const PyComm& c) { return c.comm->backend(); });
  m.def("devices", &devices, "Every device this process can use: 'cpu' first, then 'cuda:N'.");

  nb::class_<ct::Geometry>(m, "_Geometry", "A CT acquisition geometry (recon::ct::Geometry).")
      .def_static("make_circular", &circular_geometry, "kind"_a, "shape"_a, "voxel_size"_a, "origin"_a,
                  "rows"_a, "cols"_a, "pixel_v"_a, "pixel_u"_a, "angles"_a, "source_origin"_a,
                  "origin_detector"_a, "offset_u"_a, "offset_v"_a)
      .def_static("make_vectors", &vector_geometry, "ndim"_a, "divergent"_a, "shape"_a, "voxel_size"_a,
                  "origin"_a, "rows"_a, "cols"_a, "vectors"_a.noconvert())
      .def_static(
          "from_json", [](const std::string& s) { return ct::geometry_from_json(s, "Geometry.from_json"); },
          "text"_a)
      .def("to_json", [](const ct::Geometry& g) { return ct::geometry_to_json(g); })
      .def("__eq__", [](const ct::Geometry& a, const ct::Geometry& b) { return equal(a, b); })
      .def_prop_ro("type", [](const ct::Geometry& g) { return g.projection.type_name(); })
      .def_prop_ro("ndim", [](const ct::Geometry& g) { return g.projection.ndim; })
      .def_prop_ro("divergent", [](const ct::Geometry& g) { return !g.projection.parallel(); })
      .def_prop_ro("circular", [](const ct::Geometry& g) { return g.projection.circular; })
      .def_prop_ro("volume_shape", [](const ct::Geometry& g) { return dims(g.volume.shape); })
      .def_prop_ro("projection_shape", [](const ct::Geometry& g) { return dims(g.projection.shape()); })
      .def_prop_ro("rows", [](const ct::Geometry& g) { return g.projection.rows; })
      .def_prop_ro("cols", [](const ct::Geometry& g) { return g.projection.cols; })
      .def_prop_ro("voxel_size",
                   [](const ct::Geometry& g) {
                     return std::vector<double>(g.volume.voxel_size.begin(), g.volume.voxel_size.end());
                   })
      .def_prop_ro("origin",
                   [](const ct::Geometry& g) {
                     return std::vector<double>(g.volume.origin.begin(), g.volume.origin.end());
                   })
      .def_prop_ro("angles", [](const ct::Geometry& g) { return g.projection.angles; })
      .def_prop_ro("pixel_u", [](const ct::Geometry& g) { return g.projection.pixel_u; })
      .def_prop_ro("pixel_v", [](const ct::Geometry& g) { return g.projection.pixel_v; })
      .def_prop_ro("offset_u", [](const ct::Geometry& g) { return g.projection.offset_u; })
      .def_prop_ro("offset_v", [](const ct::Geometry& g) { return g.projection.offset_v; })
      .def_prop_ro("source_origin", [](const ct::Geometry& g) { return g.projection.source_origin; })
      .def_prop_ro("origin_detector", [](const ct::Geometry& g) { return g.projection.origin_detector; })
      .def_prop_ro("vectors", &vectors_of, nb::rv_policy::automatic);

  auto projector_class =
      nb::class_<PyProjector>(m, "_Projector", "Joseph's projector A and its exact adjoint on one device.");
  projector_class
      .def(nb::init<const ct::Geometry&, const std::string&, const std::string&, const PyComm*,
                    const std::string&>(),
           "geometry"_a, "device"_a, "memory_limit"_a, "comm"_a.none(), "distribute"_a)
      .def_prop_ro("shares", &PyProjector::shares)
      .def_prop_ro("streamed", &PyProjector::streamed)
      .def_prop_ro("device", &PyProjector::device)
      .def_prop_ro("domain", &PyProjector::domain)
      .def_prop_ro("range", &PyProjector::range)
      .def("apply", &PyProjector::apply<float>, "x"_a.noconvert(), "out"_a.noconvert(), "adjoint"_a)
      .def("apply", &PyProjector::apply<double>, "x"_a.noconvert(), "out"_a.noconvert(), "adjoint"_a)
      .def("norm", &PyProjector::norm, "iterations"_a);
  def_cuda_apply(projector_class);

  m.def("fbp", &fbp<float>, "geometry"_a, "y"_a.noconvert(), "out"_a.noconvert(), "filter"_a,
        "interpolation"_a, "device"_a);
  m.def("fbp", &fbp<double>, "geometry"_a, "y"_a.noconvert(), "out"_a.noconvert(), "filter"_a,
        "interpolation"_a, "device"_a);
  m.def("fbp_split", &fbp_split<float>, "projector"_a, "y"_a.noconvert(), "out"_a.noconvert(), "filter"_a,
        "interpolation"_a);
  m.def("fbp_split", &fbp_split<double>, "projector"_a, "y"_a.noconvert(), "out"_a.noconvert(), "filter"_a,
        "interpolation"_a);
  m.def("iterative", &iterative<float>, "projector"_a, "y"_a.noconvert(), "x"_a.noconvert(), "sirt"_a,
        "iters"_a, "tol"_a, "relaxation"_a, "nonneg"_a, "callback"_a.none());
  m.def("iterative", &iterative<double>, "projector"_a, "y"_a.noconvert(), "x"_a.noconvert(), "sirt"_a,
        "iters"_a, "tol"_a, "relaxation"_a, "nonneg"_a, "callback"_a.none());
  // CUDA arrays on the caller's stream (cuda_arrays.hpp).
  m.def("iterative", &iterative_cuda<float>, "projector"_a, "y"_a.noconvert(), "x"_a.noconvert(), "sirt"_a,
        "iters"_a, "tol"_a, "relaxation"_a, "nonneg"_a, "callback"_a.none(), "stream"_a);
  m.def("iterative", &iterative_cuda<double>, "projector"_a, "y"_a.noconvert(), "x"_a.noconvert(), "sirt"_a,
        "iters"_a, "tol"_a, "relaxation"_a, "nonneg"_a, "callback"_a.none(), "stream"_a);
  m.def("fbp", &fbp_cuda<float>, "geometry"_a, "y"_a.noconvert(), "out"_a.noconvert(), "filter"_a,
        "interpolation"_a, "stream"_a);
  m.def("fbp", &fbp_cuda<double>, "geometry"_a, "y"_a.noconvert(), "out"_a.noconvert(), "filter"_a,
        "interpolation"_a, "stream"_a);

  auto function_class =
      nb::class_<PyFunction>(m, "_Function", "A penalty or loss of the library (recon::penalties::Function).")
          .def_static("make", &make_function, "name"_a, "params"_a)
          .def_prop_ro("name", [](const PyFunction& f) { return std::string(penalties::name_of(f.fn)); })
          .def("describe", [](const PyFunction& f) { return penalties::describe(f.fn); })
          .def("properties", &properties);
  def_function_methods<float>(function_class);
  def_function_methods<double>(function_class);
  m.def("signatures", &signatures, "Every penalty and loss name with its required and optional parameters.");

  def_tv_and_reconstruct<float>(m);
  def_tv_and_reconstruct<double>(m);

  m.def("read_float32", &read_file<float>, "path"_a, "scaling"_a);
  m.def("read_float64", &read_file<double>, "path"_a, "scaling"_a);
  m.def("itk_available", &io::itk_available, "Whether this build reads and writes the ITK formats.");
  m.def("write", &write_file<float>, "path"_a, "x"_a.noconvert(), "bits"_a, "window"_a, "lo"_a, "hi"_a,
        "spacing"_a, "origin"_a);
  m.def("write", &write_file<double>, "path"_a, "x"_a.noconvert(), "bits"_a, "window"_a, "lo"_a, "hi"_a,
        "spacing"_a, "origin"_a);
}
