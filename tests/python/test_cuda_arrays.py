"""CUDA arrays (CuPy, torch) through recon without a copy, on the caller's stream
(docs/python.md, "CUDA arrays"; python/recon/_cuda.py, python/src/cuda_arrays.hpp).

The GPU tests need a CUDA build of recon, a CUDA device and CuPy or a CUDA torch; each skips
saying which is missing (here, without a GPU, they all skip: a skip is not a pass). Without a
CUDA build, what runs is that CUDA arrays raise recon.DeviceError."""
import numpy as np
import pytest

import recon
from recon import ops
from recon.ct import Geometry, Projector

CUDA_BUILT = recon._recon.cuda_built
HAS_GPU = CUDA_BUILT and len(recon.devices()) > 1


def _torch_cuda():
    try:
        import torch
    except ImportError:
        return None
    return torch if torch.cuda.is_available() else None


def _cupy():
    try:
        import cupy

        cupy.cuda.runtime.getDeviceCount()
    except Exception:  # not installed, or no driver/device
        return None
    return cupy


def _skip_reason(lib_ok, lib):
    if not CUDA_BUILT:
        return "recon is a host-only build (RECON_CUDA=OFF)"
    if not HAS_GPU:
        return "no CUDA device"
    if not lib_ok:
        return "%s with CUDA is not available" % lib
    return None


torch = _torch_cuda()
cupy = _cupy()
LIBS = []
for name, mod in (("cupy", cupy), ("torch", torch)):
    reason = _skip_reason(mod is not None, name)
    LIBS.append(pytest.param(name, marks=pytest.mark.skipif(reason is not None, reason=reason or ""), id=name))


def to_device(lib, a):
    """A NumPy array's copy as a CUDA array of `lib` (setup, not under test)."""
    return cupy.asarray(a) if lib == "cupy" else torch.from_numpy(np.ascontiguousarray(a)).cuda()


def to_host(lib, a):
    return cupy.asnumpy(a) if lib == "cupy" else a.cpu().numpy()


def data_ptr(lib, a):
    return a.data.ptr if lib == "cupy" else a.data_ptr()


def same_type(lib, a):
    return isinstance(a, cupy.ndarray) if lib == "cupy" else (isinstance(a, torch.Tensor) and a.is_cuda)


def operators():
    rng = np.random.default_rng(5)
    g2 = Geometry.parallel2d((16, 16), 12, 24)
    cone = Geometry.cone((12, 12, 12), 10, (16, 16), 30.0, 15.0, pixel=1.5)
    return [
        ("gradient", lambda: ops.Gradient((8, 9), device="cuda")),
        ("matrix", lambda: ops.Matrix(rng.standard_normal((6, 7)), device="cuda")),
        ("fourier", lambda: ops.Fourier((8, 8), kind="real", device="cuda")),
        ("projector-2d", lambda: Projector(g2, device="cuda")),
        ("projector-cone", lambda: Projector(cone, device="cuda")),
        ("composed", lambda: ops.Gradient(8, device="cuda") @ ops.Hadamard(8, device="cuda")),
    ]


OPS = operators()


@pytest.mark.skipif(CUDA_BUILT, reason="a CUDA build takes CUDA arrays (the tests below)")
def test_cuda_arrays_raise_in_a_host_only_build():
    class FakeCudaArray:  # what the Python layer sees of a CuPy array, without a GPU
        shape, dtype = (3,), np.float32

        def __dlpack_device__(self):
            return (2, 0)

    with pytest.raises(recon.DeviceError, match="host-only"):
        ops.Identity(3, device="cpu").forward(FakeCudaArray())


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("name,make", OPS, ids=[n for n, _ in OPS])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_type_out_equal_to_numpy(lib, name, make, dtype):
    op = make()
    x = np.random.default_rng(1).standard_normal(op.domain_shape).astype(dtype)
    y = np.random.default_rng(2).standard_normal(op.range_shape).astype(dtype)
    ax, aty = op.forward(x), op.adjoint(y)
    dx, dy = to_device(lib, x), to_device(lib, y)
    dax, daty = op.forward(dx), op.adjoint(dy)
    assert same_type(lib, dax) and same_type(lib, daty)
    tol = 2e-6 if dtype == np.float32 else 1e-13
    scale = np.linalg.norm(ax) + np.linalg.norm(aty) + 1
    assert np.linalg.norm(to_host(lib, dax) - ax) <= tol * scale
    assert np.linalg.norm(to_host(lib, daty) - aty) <= tol * scale


@pytest.mark.parametrize("lib", LIBS)
def test_out_is_written_in_place(lib):
    op = Projector(Geometry.parallel2d((16, 16), 12, 24), device="cuda")
    x = to_device(lib, np.ones(op.domain_shape, np.float32))
    out = to_device(lib, np.zeros(op.range_shape, np.float32))
    r = op.forward(x, out=out)
    assert r is out and data_ptr(lib, r) == data_ptr(lib, out)
    np.testing.assert_allclose(to_host(lib, out), op.forward(np.ones(op.domain_shape, np.float32)), rtol=1e-6)
    with pytest.raises(recon.InvalidArgument, match="dtype"):
        op.forward(x, out=to_device(lib, np.zeros(op.range_shape, np.float64)))
    with pytest.raises(recon.InvalidArgument, match="CUDA array"):
        op.forward(x, out=np.zeros(op.range_shape, np.float32))


@pytest.mark.parametrize("lib", LIBS)
def test_cgls_and_fdk_on_cuda_arrays(lib):
    g = Geometry.cone((16, 16, 16), 20, (24, 24), 40.0, 20.0, pixel=1.5)
    a = Projector(g, device="cuda")
    y = a.forward(np.random.default_rng(3).random(g.volume_shape, dtype=np.float32))
    x_host = recon.ct.cgls(y, a, iters=5, tol=0)
    out = to_device(lib, np.zeros(g.volume_shape, np.float32))
    x_dev, report = recon.ct.cgls(to_device(lib, y), a, iters=5, tol=0, out=out, return_report=True)
    assert x_dev is out and report["iterations"] == 5
    np.testing.assert_allclose(to_host(lib, x_dev), x_host, rtol=1e-4, atol=1e-5 * np.abs(x_host).max())
    f = recon.ct.fdk(to_device(lib, y), g)
    assert same_type(lib, f)
    np.testing.assert_allclose(to_host(lib, f), recon.ct.fdk(y, g), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("lib", LIBS)
def test_stream_ordered(lib):
    """The engine runs on the caller's current stream: x is produced on a non-default stream by
    a long chain of device work queued just before the call, nothing synchronises, and the
    result is read on that stream right after. An engine on a stream of its own would read x
    before the chain has written it (the zeros), or its result would be read before written."""
    g = Geometry.cone((64, 64, 64), 90, (96, 96), 160.0, 80.0, pixel=1.5)
    a = Projector(g, device="cuda")
    x_host = np.random.default_rng(4).random(g.volume_shape, dtype=np.float32)
    expected = a.forward(x_host)
    src = to_device(lib, x_host)
    big = to_device(lib, np.random.default_rng(5).random((2048, 2048), dtype=np.float32))
    if lib == "cupy":
        stream = cupy.cuda.Stream(non_blocking=True)
        ctx, sync = stream, stream.synchronize
    else:
        stream = torch.cuda.Stream()
        ctx, sync = torch.cuda.stream(stream), stream.synchronize
    with ctx:
        x = src * 0
        for _ in range(20):  # ~tens of ms of matrix products, queued ahead of x's value
            big = (big @ big) * (1.0 / 2048)
        x += src + big[:1, :1] * 0
        y = a.forward(x)
        y_copy = y * 1  # read on the same stream, right after the call
    sync()
    np.testing.assert_allclose(to_host(lib, y_copy), expected, rtol=2e-5, atol=1e-4)


@pytest.mark.skipif(_skip_reason(torch is not None, "torch") is not None,
                    reason=_skip_reason(torch is not None, "torch") or "")
def test_to_torch_on_cuda_keeps_tensors_on_the_device():
    for op in (ops.Gradient((4, 5), device="cuda"), Projector(Geometry.fan2d((6, 6), 5, 9, 12.0, 6.0), device="cuda")):
        f = op.to_torch()
        x = torch.randn((2, *op.domain_shape), dtype=torch.float64, device="cuda", requires_grad=True)
        y = f.apply(x)
        assert y.is_cuda and y.shape == (2, *op.range_shape)
        assert torch.autograd.gradcheck(f.apply, (x,), eps=1e-6, atol=1e-7)
        assert torch.autograd.gradgradcheck(f.apply, (x,), eps=1e-6, atol=1e-7)
