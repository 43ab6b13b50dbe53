// CUDA arrays (CuPy, PyTorch and anything else that exports DLPack with a CUDA device) passed to
// the extension without a copy, and run on the caller's CUDA stream. nanobind imports them through
// DLPack as `nb::ndarray<T, c_contig, device::cuda>`; the Python layer (python/recon/_cuda.py)
// passes the caller's current stream (torch.cuda.current_stream().cuda_stream,
// cupy.cuda.get_current_stream().ptr) as an integer. The engine then runs on a Context made on
// that stream (Context::cuda_on_stream): what the caller queued there before the call is done
// before the engine reads its arrays, and what it queues after runs after the engine's writes,
// with no synchronisation of the host. docs/python.md, "CUDA arrays".
//
// The entry points are registered in every build; in a host-only build they raise DeviceError
// (no context there is a CUDA one), and the Python layer says so first ("host-only").
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "common.hpp"

namespace recon::python {

template <class T>
using CudaIn = nb::ndarray<const T, nb::c_contig, nb::device::cuda>;
template <class T>
using CudaOut = nb::ndarray<T, nb::c_contig, nb::device::cuda>;

// The engine's view of a CUDA array's memory (no copy).
template <class T>
View<const T> device_view(const CudaIn<T>& a) {
  return View<const T>(a.data(), shape_of(a), Device::Cuda);
}
template <class T>
View<T> device_view(const CudaOut<T>& a) {
  return View<T>(a.data(), shape_of(a), Device::Cuda);
}

// The context on the caller's `stream` (a cudaStream_t as an integer; 0 the legacy default
// stream) for arrays on CUDA device `device_id`, one per (device, stream) for the process. `owner`
// is the context the operator or solver was made on: it must be that CUDA device (DeviceError
// otherwise, naming `where`). The contexts are kept for the life of the process (never destroyed:
// at exit the CUDA runtime may already be gone); a stream destroyed and another made at the same
// address reuse its context, which holds nothing but the handle's value and what is bound to it.
inline Context caller_context(const Context& owner, int device_id, std::uintptr_t stream, const char* where) {
  const std::string on = "cuda:" + std::to_string(device_id);
  if (!owner.is_cuda())
    throw DeviceError(
        std::string(where) + ": the arrays are on " + on + ", and this computes on " + device_name(owner) +
        " (made with device='cpu', or a memory_limit); make it with device='" + on + "' for CUDA arrays");
  if (owner.ordinal() != device_id)
    throw DeviceError(std::string(where) + ": the arrays are on " + on + ", and this computes on " +
                      device_name(owner) + "; make it with device='" + on + "'");
  static std::mutex mutex;
  static auto* cache = new std::map<std::pair<int, std::uintptr_t>, Context>();
  std::lock_guard<std::mutex> lock(mutex);
  const auto key = std::make_pair(device_id, stream);
  const auto it = cache->find(key);
  if (it != cache->end()) return it->second;
  const Context ctx = Context::cuda_on_stream(device_id, reinterpret_cast<void*>(stream));
  cache->emplace(key, ctx);
  return ctx;
}

// The device every array is on (the first array's): DeviceError naming `where` when they differ.
template <class A, class... More>
int common_device(const char* where, const A& first, const More&... more) {
  const int id = first.device_id();
  const int all[] = {id, more.device_id()...};  // id first: a one-array call has an empty pack
  for (const int other : all)
    if (other != id)
      throw DeviceError(std::string(where) + ": the arrays are on cuda:" + std::to_string(id) + " and cuda:" +
                        std::to_string(other) + "; every array of one call must be on the same device");
  return id;
}

// Runs work(caller) (the caller releases the GIL), stream-ordered with `owner`'s stream, where the
// operator's own buffers (matrices, weights, workspaces) were made and are freed: the caller's
// stream first waits for the owner's queued work, and the owner's later work waits for this call's,
// so calls on different caller streams never overlap on those buffers. Nothing waits on the host.
template <class Work>
auto on_caller_stream(const Context& owner, const Context& caller, const Work& work) {
  caller.wait_for(owner);
  auto result = work(caller);
  owner.wait_for(caller);
  return result;
}

// The calls that belong to no operator or projector (fbp, the penalties, denoise_tv) run on the
// device their CUDA arrays are on: the owner is that device's context (context_for's, where cached
// plans and workspaces live), the work runs on the caller's stream there. `stream` as in
// caller_context; DeviceError when the arrays are on different devices.
struct ArraysDevice {
  Context device;  // context_for("cuda:N")
  Context caller;  // on the caller's stream
};
template <class... A>
ArraysDevice arrays_device(const char* where, std::uintptr_t stream, const A&... arrays) {
  const int id = common_device(where, arrays...);
  const Context device = context_for("cuda:" + std::to_string(id));
  return {device, caller_context(device, id, stream, where)};
}

// work(caller) without the GIL on the arrays' device, stream-ordered as on_caller_stream.
template <class Work, class... A>
auto run_on_arrays_device(const char* where, std::uintptr_t stream, const Work& work, const A&... arrays) {
  const ArraysDevice d = arrays_device(where, stream, arrays...);
  nb::gil_scoped_release release;
  return on_caller_stream(d.device, d.caller, work);
}

// `cls.def("apply", ...)` overloads taking CUDA arrays and the caller's stream, for a binding class
// Py with `context()` and `apply_views<T>(ctx, x, out, adjoint)` (PyOperator, PyProjector).
template <class Py, class T>
void apply_cuda(Py& p, const CudaIn<T>& x, const CudaOut<T>& out, bool adjoint, std::uintptr_t stream) {
  const char* where = adjoint ? "adjoint" : "forward";
  const Context caller = caller_context(p.context(), common_device(where, x, out), stream, where);
  nb::gil_scoped_release release;
  on_caller_stream(p.context(), caller, [&](const Context& ctx) {
    p.template apply_views<T>(ctx, device_view(x), device_view(out), adjoint);
    return true;
  });
}

template <class Py>
void def_cuda_apply(nb::class_<Py>& cls) {
  using namespace nb::literals;
  cls.def("apply", &apply_cuda<Py, float>, "x"_a.noconvert(), "out"_a.noconvert(), "adjoint"_a, "stream"_a)
      .def("apply", &apply_cuda<Py, double>, "x"_a.noconvert(), "out"_a.noconvert(), "adjoint"_a, "stream"_a);
}

}  // namespace recon::python
