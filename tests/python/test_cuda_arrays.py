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


class FakeCudaArray:  # what the Python layer sees of a CuPy array, without a GPU
    shape, dtype, ndim = (3,), np.float32, 1

    def __init__(self, shape=(3,)):
        self.shape, self.ndim = tuple(shape), len(shape)

    def __dlpack_device__(self):
        return (2, 0)


HOST_ONLY_CALLS = [
    ("operator", lambda a: ops.Identity(3, device="cpu").forward(a)),
    ("denoise_tv", lambda a: recon.denoise_tv(a, 0.1)),
    ("prox", lambda a: recon.prox(a, "l1", 0.5)),
    ("penalty-prox", lambda a: recon.penalty.mcp(mu=1, theta=3).prox(a, 0.5, group=True)),
    ("penalty-value", lambda a: recon.penalty.huber(delta=0.1).value(a)),
    ("penalty-grad", lambda a: recon.penalty.huber(delta=0.1).grad(a)),
    ("reconstruct", lambda a: recon.ct.reconstruct(a, Projector(Geometry.parallel2d((4, 4), 3, 6), device="cpu"))),
    ("cs-measure", lambda a: recon.cs.measure(a, recon.cs.Sensing.make("gaussian", 3, 1.0))),
    ("cs-recover", lambda a: recon.cs.recover(a, recon.cs.Sensing.make("gaussian", 3, 1.0))),
]


@pytest.mark.skipif(CUDA_BUILT, reason="a CUDA build takes CUDA arrays (the tests below)")
@pytest.mark.parametrize("call", [c for _, c in HOST_ONLY_CALLS], ids=[n for n, _ in HOST_ONLY_CALLS])
def test_cuda_arrays_raise_in_a_host_only_build(call):
    with pytest.raises(recon.DeviceError, match="host-only"):
        call(FakeCudaArray())


def test_a_cuda_start_or_weight_with_host_arrays_raises():
    """Every array of one call on one device: a CUDA x0 or gamma with host arrays is refused
    (DeviceError), not copied (in any build: the check comes before the CUDA array is read)."""
    with pytest.raises(recon.DeviceError, match="x0 is on cuda:0 and the input a host array"):
        recon.denoise_tv(np.ones(3), 0.1, x0=FakeCudaArray())
    with pytest.raises(recon.DeviceError, match="gamma is on cuda:0"):
        recon.prox(np.ones(3), "l1", FakeCudaArray())
    with pytest.raises(recon.DeviceError, match="x0 is on cuda:0"):
        recon.ct.reconstruct(np.ones((3, 6)), Projector(Geometry.parallel2d((4, 4), 3, 6), device="cpu"),
                             x0=FakeCudaArray((4, 4)))


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
    # The texture units' interpolation: within 1% of the exact result's peak (fbp.hpp's bound).
    t = to_host(lib, recon.ct.fdk(to_device(lib, y), g, interpolation="texture"))
    assert np.abs(t - to_host(lib, f)).max() <= 1e-2 * np.abs(to_host(lib, f)).max()


def behind_a_slow_chain(lib, x_host, call):
    """call(x) with x produced on a non-blocking caller stream by a long chain of device work
    queued just before the call, nothing synchronised, and the result read on that stream right
    after; returns that read on the host. An engine on a stream of its own would read x before
    the chain has written it (the zeros), or its result would be read before written."""
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
        y = call(x)
        y_copy = y * 1  # read on the same stream, right after the call
    sync()
    return to_host(lib, y_copy)


@pytest.mark.parametrize("lib", LIBS)
def test_stream_ordered(lib):
    """The engine runs on the caller's current stream (behind_a_slow_chain)."""
    g = Geometry.cone((64, 64, 64), 90, (96, 96), 160.0, 80.0, pixel=1.5)
    a = Projector(g, device="cuda")
    x_host = np.random.default_rng(4).random(g.volume_shape, dtype=np.float32)
    np.testing.assert_allclose(behind_a_slow_chain(lib, x_host, a.forward), a.forward(x_host), rtol=2e-5, atol=1e-4)


@pytest.mark.parametrize("lib", LIBS)
def test_denoise_tv_stream_ordered(lib):
    u = np.random.default_rng(6).random((256, 256), dtype=np.float32)
    kw = dict(iters=20, tol=0)
    got = behind_a_slow_chain(lib, u, lambda x: recon.denoise_tv(x, 0.1, **kw))
    np.testing.assert_allclose(got, recon.denoise_tv(u, 0.1, device="cuda", **kw), rtol=1e-5, atol=1e-5)


def tolerance(dtype):
    return 2e-5 if dtype == np.float32 else 1e-12


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_denoise_tv_on_cuda_arrays(lib, dtype):
    """CUDA u: the result is an array of u's library, equal to the NumPy path on the same device;
    x0 and out= on the device, out= written in place and never converted."""
    rng = np.random.default_rng(7)
    u, x0 = rng.random((24, 20)).astype(dtype), rng.random((24, 20)).astype(dtype)
    for kw in (dict(), dict(penalty=recon.penalty.mcp(mu=1, theta=3), solver="admm", iso=False),
               dict(x0=x0, solver="ladmm")):
        expected, rep = recon.denoise_tv(u, 0.1, iters=30, tol=0, device="cuda", return_report=True, **kw)
        if "x0" in kw:
            kw["x0"] = to_device(lib, x0)
        got, got_rep = recon.denoise_tv(to_device(lib, u), 0.1, iters=30, tol=0, return_report=True, **kw)
        assert same_type(lib, got) and got_rep["iterations"] == rep["iterations"]
        np.testing.assert_allclose(to_host(lib, got), expected, rtol=tolerance(dtype), atol=tolerance(dtype))
        assert got_rep["objective"] == pytest.approx(rep["objective"], rel=tolerance(dtype))
    du = to_device(lib, u)
    out = to_device(lib, np.zeros(u.shape, dtype))
    assert recon.denoise_tv(du, 0.1, iters=5, out=out) is out
    with pytest.raises(recon.InvalidArgument, match="dtype"):
        recon.denoise_tv(du, 0.1, out=to_device(lib, np.zeros(u.shape, np.float16)))
    with pytest.raises(recon.ShapeMismatch):
        recon.denoise_tv(du, 0.1, out=to_device(lib, np.zeros((3, 3), dtype)))
    with pytest.raises(recon.DeviceError, match="x0 is a host array"):
        recon.denoise_tv(du, 0.1, x0=u)


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_penalties_on_cuda_arrays(lib, dtype):
    """prox (scalar and per-element gamma, element-wise and group), value and grad of CUDA
    arrays equal the NumPy path on the same device; out=z is in place."""
    rng = np.random.default_rng(8)
    z = rng.standard_normal((3, 40)).astype(dtype)
    gamma = (rng.random(z.shape) + 0.1).astype(dtype)
    dz, dgamma = to_device(lib, z), to_device(lib, gamma)
    tol = tolerance(dtype)
    for fn in (recon.penalty.l1(), recon.penalty.mcp(mu=1, theta=3), recon.penalty.huber(delta=0.5)):
        for group in (False, True):
            for g, dg in ((0.7, 0.7), (gamma, dgamma)):
                got = fn.prox(dz, g, group=group)
                assert same_type(lib, got)
                expected = fn.prox(z, g, group=group, device="cuda")
                np.testing.assert_allclose(to_host(lib, got), expected, rtol=tol, atol=tol)
            assert fn.value(dz, group=group) == pytest.approx(fn.value(z, group=group, device="cuda"), rel=tol)
            got = fn.grad(dz, group=group)
            assert same_type(lib, got)
            np.testing.assert_allclose(to_host(lib, got), fn.grad(z, group=group, device="cuda"), rtol=tol, atol=tol)
    inplace = to_device(lib, z)
    assert recon.prox(inplace, "scad", 0.5, out=inplace, mu=1, a=3.7) is inplace
    expected = recon.prox(z, "scad", 0.5, mu=1, a=3.7, device="cuda")
    np.testing.assert_allclose(to_host(lib, inplace), expected, rtol=tol, atol=tol)
    with pytest.raises(recon.InvalidArgument, match="dtype"):
        recon.prox(dz, "l1", out=to_device(lib, np.zeros(z.shape, np.float16)))
    with pytest.raises(recon.DeviceError, match="gamma is a host array"):
        recon.prox(dz, "l1", gamma)


@pytest.mark.parametrize("lib", LIBS)
def test_reconstruct_on_cuda_arrays(lib):
    """reconstruct of CUDA y (x0, out= and init='fbp' too) equals the NumPy path on the same
    projector."""
    g = Geometry.parallel2d((32, 32), 24, 48)
    a = Projector(g, device="cuda")
    y = a.forward(np.random.default_rng(9).random(g.volume_shape, dtype=np.float32))
    x0 = np.full(g.volume_shape, 0.1, np.float32)
    for kw in (dict(solver="admm"), dict(solver="pdhg", init="fbp"), dict(solver="apgm", x0=x0)):
        expected, rep = recon.ct.reconstruct(y, a, lam=0.01, iters=5, tol=0, return_report=True, **kw)
        if "x0" in kw:
            kw["x0"] = to_device(lib, x0)
        out = to_device(lib, np.zeros(g.volume_shape, np.float32))
        got, report = recon.ct.reconstruct(to_device(lib, y), a, lam=0.01, iters=5, tol=0, out=out,
                                           return_report=True, **kw)
        assert got is out and report["iterations"] == rep["iterations"]
        np.testing.assert_allclose(to_host(lib, got), expected, rtol=1e-4, atol=1e-5 * np.abs(expected).max())
    with pytest.raises(recon.DeviceError, match="device='cuda:0'"):
        recon.ct.reconstruct(to_device(lib, y), Projector(g, device="cpu"), iters=1)


@pytest.mark.parametrize("lib", LIBS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cs_on_cuda_arrays(lib, dtype):
    """recon.cs on CUDA arrays: measure (with noise) and recover give arrays of the input's library,
    equal to the NumPy path on the same device; out= in place; the caller's stream is followed."""
    x = np.zeros((16, 16), dtype)
    x[3, 4], x[9, 12], x[12, 2] = 1.0, -0.5, 0.75
    for spec in (recon.cs.Sensing.make("gaussian", x.shape, 0.5, seed=3),
                 recon.cs.Sensing.make("hadamard", x.shape, 0.4, seed=4, basis="haar")):
        y = recon.cs.measure(x, spec, noise="gaussian:0.001", device="cuda")
        dy = recon.cs.measure(to_device(lib, x), spec, noise="gaussian:0.001")
        assert same_type(lib, dy)
        np.testing.assert_allclose(to_host(lib, dy), y, rtol=tolerance(dtype), atol=tolerance(dtype))
        for kw in (dict(), dict(solver="admm", penalty=recon.penalty.mcp(mu=1, theta=3), init="zero")):
            expected, c, rep = recon.cs.recover(y, spec, lam=0.01, iters=40, tol=0, device="cuda",
                                                return_coefficients=True, return_report=True, **kw)
            out = to_device(lib, np.zeros(x.shape, dtype))
            got, dc, got_rep = recon.cs.recover(to_device(lib, y), spec, lam=0.01, iters=40, tol=0, out=out,
                                                return_coefficients=True, return_report=True, **kw)
            assert got is out and same_type(lib, dc) and got_rep["iterations"] == rep["iterations"]
            np.testing.assert_allclose(to_host(lib, got), expected, rtol=1e-4, atol=1e-5)
            np.testing.assert_allclose(to_host(lib, dc), c, rtol=1e-4, atol=1e-5)
    spec = recon.cs.Sensing.make("gaussian", (64, 64), 0.5, seed=5)
    y = recon.cs.measure(np.random.default_rng(3).random((64, 64)).astype(dtype), spec)
    got = behind_a_slow_chain(lib, y, lambda dy: recon.cs.recover(dy, spec, lam=0.01, iters=10, tol=0))
    np.testing.assert_allclose(got, recon.cs.recover(y, spec, lam=0.01, iters=10, tol=0, device="cuda"),
                               rtol=1e-4, atol=1e-5)
    with pytest.raises(recon.InvalidArgument, match="dtype"):
        recon.cs.recover(to_device(lib, y), spec, out=to_device(lib, np.zeros((64, 64), np.float16)))


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
