"""How arrays enter and leave the engine (internal)."""
import numpy as np

from ._recon import InvalidArgument, ShapeMismatch

FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def as_input(a, dtype=None, name="array"):
    """``a`` as a C-contiguous float32/float64 array: itself when it already is one (no copy),
    otherwise one converted copy (float64 for other dtypes unless ``dtype`` is given)."""
    if dtype is None:
        arr = np.asarray(a)
        dtype = arr.dtype if arr.dtype in FLOATS else np.dtype(np.float64)
    try:
        return np.ascontiguousarray(a, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise InvalidArgument("%s: cannot be read as a %s array (%s)" % (name, np.dtype(dtype).name, e)) from None


def check_out(out, shape, dtype, name="out"):
    """An ``out=`` array is written in place: it must be a writable C-contiguous NumPy array of
    exactly this shape and dtype (a converted copy would receive the result and be lost)."""
    if not isinstance(out, np.ndarray):
        raise InvalidArgument("%s: expected a numpy.ndarray, got %s" % (name, type(out).__name__))
    if out.dtype != dtype:
        raise InvalidArgument("%s: dtype %s, expected %s (out= is written in place and is never converted)"
                              % (name, out.dtype, np.dtype(dtype).name))
    if tuple(out.shape) != tuple(shape):
        raise ShapeMismatch("%s: shape %s, expected %s" % (name, tuple(out.shape), tuple(shape)))
    if not out.flags.c_contiguous:
        raise InvalidArgument("%s: not C-contiguous (out= is written in place and is never copied)" % name)
    if not out.flags.writeable:
        raise InvalidArgument("%s: read-only array" % name)
    return out


def output(out, shape, dtype, name="out"):
    """``out`` checked, or a new array."""
    if out is None:
        return np.empty(tuple(shape), dtype=dtype)
    return check_out(out, shape, dtype, name)


def check_shape(a, shape, what):
    if tuple(a.shape) != tuple(shape):
        raise ShapeMismatch("%s has shape %s, expected %s" % (what, tuple(a.shape), tuple(shape)))
