"""CUDA arrays: CuPy arrays, PyTorch CUDA tensors and other objects with a CUDA DLPack device or
``__cuda_array_interface__`` (internal; docs/python.md, "CUDA arrays").

They reach the engine without a copy: the extension imports them through DLPack
(``nb::ndarray<T, c_contig, device::cuda>``), and the call runs on the caller's current CUDA stream
of the array's library, which this module reads and passes as an integer (``stream_of``). Results
are new arrays of the input's library on its device (``empty``), so CuPy in gives CuPy out and
torch in gives torch out. Other libraries' CUDA arrays are wrapped by CuPy without a copy where it
imports (``cupy.from_dlpack``; ``cupy.asarray`` for objects that have only
``__cuda_array_interface__``, which nanobind does not read, Numba's device arrays say), the
results then being CuPy arrays, and are refused otherwise."""
import numpy as np

from . import _arrays, _recon
from ._recon import DeviceError, InvalidArgument, ShapeMismatch

_KDL_CUDA = 2  # DLPack's kDLCUDA
FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def is_cuda(a):
    """Whether ``a`` is an array in CUDA device memory (DLPack device kDLCUDA, or an object with
    ``__cuda_array_interface__``)."""
    if isinstance(a, np.ndarray):
        return False
    device = getattr(a, "__dlpack_device__", None)
    if device is not None:
        try:
            return int(device()[0]) == _KDL_CUDA
        except Exception:  # a __dlpack_device__ that fails: not an array we can take
            return False
    return hasattr(a, "__cuda_array_interface__")


def _library(a):
    """'torch', 'cupy' or None: the library an array comes from."""
    root = type(a).__module__.split(".")[0]
    return root if root in ("torch", "cupy") else None


def require_cuda_build(what, a):
    """Raises DeviceError in a host-only build."""
    if not _recon.cuda_built:
        raise DeviceError("%s: a CUDA array (%s), and this build of recon is host-only (built without CUDA); "
                          "move it to the host (cupy.asnumpy(a), t.cpu()) or install a CUDA build"
                          % (what, type(a).__name__))


def wrap(a, what):
    """``a`` as an array of a library this module knows (torch, CuPy): itself, or CuPy's view of
    another library's CUDA array (``cupy.from_dlpack``, which passes CuPy's current stream to the
    producer; ``cupy.asarray`` for an object with only ``__cuda_array_interface__``, which
    nanobind does not read). No copy either way."""
    require_cuda_build(what, a)
    if _library(a) is not None:
        return a
    try:
        import cupy
    except ImportError:
        raise InvalidArgument("%s: a CUDA array of %s: recon takes CuPy arrays and torch tensors, and other "
                              "libraries' arrays through CuPy (DLPack or __cuda_array_interface__), which does not "
                              "import here" % (what, type(a).__name__)) from None
    return cupy.from_dlpack(a) if hasattr(a, "__dlpack__") else cupy.asarray(a)


def device_of(a):
    """The CUDA device ordinal of an array."""
    return int(a.__dlpack_device__()[1])


def stream_of(a):
    """The caller's current CUDA stream (a cudaStream_t as an int; 0 is the legacy default
    stream) on a's device, as a's library has it: torch's ``current_stream(device).cuda_stream``,
    CuPy's ``get_current_stream().ptr`` (other libraries' arrays arrive as CuPy's, ``wrap``)."""
    lib = _library(a)
    if lib == "torch":
        import torch

        return int(torch.cuda.current_stream(a.device).cuda_stream)
    if lib == "cupy":
        import cupy

        with cupy.cuda.Device(device_of(a)):
            return int(cupy.cuda.get_current_stream().ptr)
    return 0


def stream_args(a):
    """The extra argument of the extension's CUDA entry points: ``(stream_of(a),)`` for a CUDA
    array, ``()`` for a host array."""
    return (stream_of(a),) if is_cuda(a) else ()


def as_input(a, what, name, dtype=None):
    """A CUDA array as a C-contiguous float32/float64 array of its library: itself when it is one
    (no copy), otherwise one converted copy on its device (float64 unless ``dtype``)."""
    a = wrap(a, what)
    lib = _library(a)
    if lib == "torch":
        import torch

        target = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}
        if dtype is None:
            want = a.dtype if a.dtype in (torch.float32, torch.float64) else torch.float64
        else:
            want = target[np.dtype(dtype)]
        return a.detach().to(dtype=want).contiguous()
    if lib == "cupy":
        import cupy

        if dtype is None:
            dtype = a.dtype if a.dtype in FLOATS else np.float64
        with cupy.cuda.Device(device_of(a)):
            return cupy.ascontiguousarray(a, dtype=dtype)
    raise InvalidArgument("%s: %s: a CUDA array of %s; pass a CuPy array or a torch tensor"
                          % (what, name, type(a).__name__))


def dtype_of(a):
    """The NumPy dtype of a torch or CuPy array."""
    if _library(a) == "torch":
        return np.dtype(str(a.dtype).replace("torch.", ""))
    return np.dtype(a.dtype)


def empty(like, shape, dtype=None):
    """A new array of ``like``'s library, device and (unless given) dtype."""
    dtype = dtype_of(like) if dtype is None else np.dtype(dtype)
    if _library(like) == "torch":
        import torch

        return torch.empty(tuple(shape), dtype=getattr(torch, dtype.name), device=like.device)
    import cupy

    with cupy.cuda.Device(device_of(like)):
        return cupy.empty(tuple(shape), dtype=dtype)


def check_out(out, like, shape, name="out"):
    """An ``out=`` array for a CUDA call: written in place, so it must be an array of ``like``'s
    library on its device, C-contiguous, of exactly this shape and like's dtype."""
    if _library(out) != _library(like) or not is_cuda(out):
        raise InvalidArgument("%s: expected a CUDA array of %s like the input, got %s"
                              % (name, _library(like), type(out).__name__))
    if device_of(out) != device_of(like):
        raise DeviceError("%s: on cuda:%d, the input on cuda:%d" % (name, device_of(out), device_of(like)))
    if dtype_of(out) != dtype_of(like):
        raise InvalidArgument("%s: dtype %s, expected %s (out= is written in place and is never converted)"
                              % (name, dtype_of(out), dtype_of(like)))
    if tuple(out.shape) != tuple(shape):
        raise ShapeMismatch("%s: shape %s, expected %s" % (name, tuple(out.shape), tuple(shape)))
    contiguous = out.is_contiguous() if _library(out) == "torch" else out.flags.c_contiguous
    if not contiguous:
        raise InvalidArgument("%s: not C-contiguous (out= is written in place and is never copied)" % name)
    return out


def output(out, like, shape, name="out"):
    """``out`` checked, or a new array like ``like``."""
    return empty(like, shape) if out is None else check_out(out, like, shape, name)


def copy_into(dst, src):
    """dst[...] = src on the device (torch or CuPy)."""
    if _library(dst) == "torch":
        dst.copy_(src)
    else:
        dst[...] = src


def place(a, device):
    """Where the extension runs a call on ``a``, as its entry points take it: for a CUDA array the
    caller's stream (an int; the call runs on a's device and ``device`` is not used, as
    ``fbp``'s), for a host array the ``device`` string."""
    return stream_of(a) if is_cuda(a) else device


def input_of(a, what, name):
    """A call's input: a CUDA array as ``as_input`` takes it, else a NumPy array
    (``_arrays.as_input``)."""
    return as_input(a, what, name) if is_cuda(a) else _arrays.as_input(a, name=name)


def in_out(a, in_shape, out, out_shape, what, name):
    """One call's checked input and output: NumPy arrays on the host (``_arrays.as_input``,
    ``output``), or arrays of a CUDA input's library on its device (``as_input``, ``output``).
    ``in_shape`` None: any shape; ``out_shape`` None: the input's."""
    a = input_of(a, what, name)
    if in_shape is not None:
        _arrays.check_shape(a, in_shape, name)
    shape = a.shape if out_shape is None else out_shape
    return a, (output(out, a, shape) if is_cuda(a) else _arrays.output(out, shape, a.dtype))


def input_like(a, like, what, name):
    """A further input of a call on ``like`` (a start x0, per-element weights): like's dtype and
    shape, on like's side. A host array with a CUDA ``like`` (or the reverse) raises DeviceError:
    every array of one call is on one device, and none is moved behind the caller's back."""
    if is_cuda(a) != is_cuda(like):
        raise DeviceError("%s: %s is %s and the input %s; pass both on the same device"
                          % (what, name, _where(a), _where(like)))
    if is_cuda(like):
        a = as_input(a, what, name, dtype=dtype_of(like))
    else:
        a = _arrays.as_input(a, dtype=like.dtype, name=name)
    _arrays.check_shape(a, like.shape, name)
    return a


def _where(a):
    return "on cuda:%d" % device_of(a) if is_cuda(a) else "a host array"
