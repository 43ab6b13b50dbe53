"""Arrays cross without a copy: results land in out= (shared memory), and an out= that does not
match (dtype, layout, shape, read-only) raises rather than receiving a lost converted copy."""
import numpy as np
import pytest
from geometries import circular, smooth_volume

import recon
from recon import _recon
from recon.ct import Projector


@pytest.fixture
def a():
    return Projector(circular()["cone"], device="cpu")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_out_is_written_in_place(a, dtype):
    x = smooth_volume(a.volume_shape, dtype=dtype)
    out = np.full(a.projection_shape, np.nan, dtype=dtype)
    y = a.forward(x, out=out)
    assert y is out and np.shares_memory(y, out) and np.isfinite(out).all()
    back = np.zeros(a.volume_shape, dtype=dtype)
    assert a.adjoint(y, out=back) is back and np.abs(back).sum() > 0
    f = np.zeros(a.volume_shape, dtype=dtype)
    assert recon.ct.fdk(y, a.geometry, out=f) is f and np.abs(f).sum() > 0
    s = np.zeros(a.volume_shape, dtype=dtype)
    assert recon.ct.sirt(y, a, iters=2, out=s) is s and np.abs(s).sum() > 0


def test_out_mismatch_raises(a):
    x = smooth_volume(a.volume_shape, dtype=np.float32)
    with pytest.raises(recon.InvalidArgument, match="dtype"):
        a.forward(x, out=np.empty(a.projection_shape, dtype=np.float64))
    with pytest.raises(recon.InvalidArgument, match="C-contiguous"):
        a.forward(x, out=np.empty(a.projection_shape[::-1], dtype=np.float32).T)
    ro = np.empty(a.projection_shape, dtype=np.float32)
    ro.flags.writeable = False
    with pytest.raises(recon.InvalidArgument, match="read-only"):
        a.forward(x, out=ro)
    with pytest.raises(recon.ShapeMismatch):
        a.forward(x, out=np.empty((3, 4), dtype=np.float32))
    with pytest.raises(ValueError):  # InvalidArgument and ShapeMismatch are ValueErrors
        a.forward(x, out=np.empty(a.projection_shape, dtype=np.float64))


def test_binding_itself_never_converts(a):
    """Below the Python layer: the extension's arguments are noconvert, so a float64 or strided
    output is refused by nanobind (no overload), never silently replaced by a converted copy."""
    x = smooth_volume(a.volume_shape, dtype=np.float32)
    with pytest.raises(TypeError):
        a._p.apply(x, np.empty(a.projection_shape, dtype=np.float64), False)
    with pytest.raises(TypeError):
        a._p.apply(x, np.empty(a.projection_shape[::-1], dtype=np.float32).T, False)
    with pytest.raises(TypeError):
        a._p.apply(x.astype(np.float64), np.empty(a.projection_shape, dtype=np.float32), False)
    with pytest.raises(TypeError):  # float32 input, non-contiguous: no hidden copy either
        a._p.apply(np.asfortranarray(x), np.empty(a.projection_shape, dtype=np.float32), False)


def test_inputs_of_other_types_are_converted_once(a):
    x = smooth_volume(a.volume_shape, dtype=np.float64)
    y64 = a(x)
    assert y64.dtype == np.float64
    y_int = a(np.ones(a.volume_shape, dtype=np.int32))  # ints: float64
    assert y_int.dtype == np.float64
    assert np.allclose(a(np.asfortranarray(x)), y64)  # a Fortran-ordered input: one contiguous copy
    assert np.allclose(a(x.tolist()), y64)


def test_prox_in_place_shares_memory():
    z = np.linspace(-3, 3, 101)
    r = recon.prox(z, "l1", 0.5, out=z)
    assert r is z
    assert np.allclose(r, np.sign(np.linspace(-3, 3, 101)) * np.maximum(np.abs(np.linspace(-3, 3, 101)) - 0.5, 0))


def test_geometry_vectors_are_a_numpy_copy():
    g = circular()["fan2d"]
    v = g.vectors
    v[:] = 0
    assert np.abs(g.vectors).sum() > 0 and g.vectors.shape == (g.views, 6)


def test_raw_binding_arguments_are_exact():
    # an out= of the wrong dtype in the penalty binding: refused, not converted
    f = _recon._Function.make("l1", {})
    with pytest.raises(TypeError):
        f.prox(0.5, np.zeros(4), np.zeros(4, dtype=np.float32), False, "cpu")
