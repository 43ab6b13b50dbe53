"""Operator.to_torch(): gradcheck (and gradgradcheck) in double on small operators, batched
shapes, float32, no copy for contiguous CPU tensors, clear errors. CPU torch (Debian's
python3-torch in CI); skipped where torch does not import."""
import sys

import numpy as np
import pytest

import recon
from recon import ops

torch = pytest.importorskip("torch")


def small_operators():
    rng = np.random.default_rng(3)
    return [
        ("gradient", ops.Gradient((3, 4), device="cpu")),
        ("hadamard", ops.Hadamard(8, device="cpu")),
        ("matrix", ops.Matrix(rng.standard_normal((4, 5)), device="cpu")),
        ("fourier-real", ops.Fourier(6, kind="real", device="cpu")),
        ("wavelet", ops.Wavelet(8, "db2", levels=1, device="cpu")),
        ("projector-2d", recon.ct.Projector(recon.ct.Geometry.parallel2d((5, 5), 4, 7), device="cpu")),
        ("projector-fan", recon.ct.Projector(recon.ct.Geometry.fan2d((4, 4), 5, 8, 10.0, 5.0), device="cpu")),
        ("composed", ops.Gradient(8, device="cpu") @ ops.Hadamard(8, device="cpu")),
    ]


SMALL = small_operators()


@pytest.mark.parametrize("name,op", SMALL, ids=[n for n, _ in SMALL])
def test_gradcheck(name, op):
    f = op.to_torch()
    x = torch.randn(op.domain_shape, dtype=torch.float64, requires_grad=True, generator=torch.Generator().manual_seed(0))
    assert torch.autograd.gradcheck(f.apply, (x,), eps=1e-6, atol=1e-7)
    # batched, and the adjoint's own Function (A^T's backward is A)
    xb = torch.randn((2, *op.domain_shape), dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(f.apply, (xb,), eps=1e-6, atol=1e-7)
    assert torch.autograd.gradgradcheck(f.apply, (xb,), eps=1e-6, atol=1e-7)


def test_forward_and_backward_are_a_and_its_adjoint():
    m = np.random.default_rng(0).standard_normal((4, 6))
    f = ops.Matrix(m, device="cpu").to_torch()
    x = torch.randn(6, dtype=torch.float64, requires_grad=True)
    y = f.apply(x)
    np.testing.assert_allclose(y.detach().numpy(), m @ x.detach().numpy(), atol=1e-13)
    w = torch.randn(4, dtype=torch.float64)
    (y * w).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), m.T @ w.numpy(), atol=1e-13)


def test_batched_over_leading_axes():
    op = ops.Gradient((3, 4), device="cpu")
    f = op.to_torch()
    x = torch.randn(2, 5, 3, 4, dtype=torch.float64)
    y = f.apply(x)
    assert y.shape == (2, 5, 2, 3, 4) and y.dtype == torch.float64
    for i in range(2):
        for j in range(5):
            np.testing.assert_array_equal(y[i, j].numpy(), op(x[i, j].numpy()))
    # a non-contiguous batch (a transposed view) gives the same values
    xt = x.transpose(0, 1)
    assert not xt.is_contiguous()
    np.testing.assert_array_equal(f.apply(xt).numpy(), y.transpose(0, 1).numpy())


def test_float32_and_an_optimiser_step_through_the_projector():
    a = recon.ct.Projector(recon.ct.Geometry.parallel2d((6, 6), 5, 9), device="cpu")
    f = a.to_torch()
    truth = torch.rand(6, 6)
    y = f.apply(truth)
    assert y.dtype == torch.float32 and y.shape == (5, 9)
    x = torch.zeros(6, 6, requires_grad=True)
    opt = torch.optim.SGD([x], lr=0.5 / a.norm() ** 2)
    losses = []
    for _ in range(30):
        opt.zero_grad()
        loss = 0.5 * ((f.apply(x) - y) ** 2).sum()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    assert losses[-1] < 0.05 * losses[0]


class _Spy(ops.Operator):
    """An operator that records the memory it was handed (x = 2 x)."""

    def __init__(self, shape):
        self.domain_shape = self.range_shape = shape
        self.seen = []

    def _forward_into(self, x, out):
        self.seen.append((x.ctypes.data, out.ctypes.data))
        np.multiply(x, 2, out=out)

    _adjoint_into = _forward_into


def test_contiguous_cpu_tensors_cross_without_a_copy():
    spy = _Spy((3,))
    x = torch.randn(2, 3, dtype=torch.float64)
    y = spy.to_torch().apply(x)
    assert [s[0] for s in spy.seen] == [x.data_ptr(), x.data_ptr() + 3 * 8]
    assert [s[1] for s in spy.seen] == [y.data_ptr(), y.data_ptr() + 3 * 8]
    np.testing.assert_array_equal(y.numpy(), 2 * x.numpy())


def test_errors():
    f = ops.Gradient((3, 4), device="cpu").to_torch()
    with pytest.raises(recon.ShapeMismatch, match=r"\(\*batch, 3, 4\)"):
        f.apply(torch.zeros(4, 3))
    with pytest.raises(recon.InvalidArgument, match="float32 or torch.float64"):
        f.apply(torch.zeros(3, 4, dtype=torch.int64))
    with pytest.raises(recon.InvalidArgument, match="float32 or torch.float64"):
        f.apply(torch.zeros(3, 4, dtype=torch.float16))


@pytest.mark.skipif(recon._recon.cuda_built,
                    reason="a CUDA build takes CUDA tensors on the device (tests/python/test_cuda_arrays.py)")
def test_cuda_tensors_raise_in_a_host_only_build():
    f = ops.Identity(3, device="cpu").to_torch()
    meta = torch.zeros(3, device="meta")  # a non-CPU tensor without a GPU
    with pytest.raises(recon.DeviceError, match="host-only"):
        f.apply(meta)


def test_without_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    op = ops.Identity(3, device="cpu")
    with pytest.raises(recon.MissingDependency, match="python3-torch"):
        op.to_torch()
