"""recon.ops: every operator against a dense NumPy/SciPy reference where one exists, the adjoint
test <A x, y> = <x, A^T y> for every operator in both precisions, out= and argument checks,
the algebra, norms, to_scipy and to_pylops."""
import sys

import numpy as np
import pytest
import scipy.fft
import scipy.linalg

import recon
from recon import ops



def _rng(seed=0):
    return np.random.default_rng(seed)


def operators():
    """(id, operator) pairs covering every class, odd sizes included."""
    rng = _rng(1)
    return [
        ("gradient-1d", ops.Gradient(7, device="cpu")),
        ("gradient-2d", ops.Gradient((5, 6), device="cpu")),
        ("gradient-3d-periodic", ops.Gradient((3, 4, 5), boundary="periodic", device="cpu")),
        ("gradient-axes", ops.Gradient((3, 4, 5), axes=[0, 2], device="cpu")),
        ("difference", ops.FiniteDifference((4, 5), axis=0, device="cpu")),
        ("hadamard-1d", ops.Hadamard(16, device="cpu")),
        ("hadamard-2d-batched", ops.Hadamard((3, 4, 8), rank=2, device="cpu")),
        ("hadamard-sequency", ops.Hadamard(8, order="sequency", device="cpu")),
        ("fourier-complex", ops.Fourier((5, 6, 2), device="cpu")),
        ("fourier-real", ops.Fourier((5, 6), kind="real", device="cpu")),
        ("fourier-real-shift", ops.Fourier((4, 7), kind="real", fftshift=True, device="cpu")),
        ("dct", ops.DCT((5, 7), device="cpu")),
        ("wavelet-db2", ops.Wavelet((8, 16), "db2", levels=2, device="cpu")),
        ("wavelet-haar-default-levels", ops.Wavelet(32, device="cpu")),
        ("matrix", ops.Matrix(rng.standard_normal((5, 7)), device="cpu")),
        ("diagonal", ops.Diagonal(rng.standard_normal((3, 4)), device="cpu")),
        ("subsample", ops.Subsample((4, 5), [0, 3, 7, 19], device="cpu")),
        ("identity", ops.Identity((2, 3), device="cpu")),
        ("composed", ops.Hadamard(8, device="cpu") @ ops.Matrix(rng.standard_normal((8, 3)), device="cpu")),
        ("sum-scaled", ops.FiniteDifference((4, 5), axis=1, device="cpu")
         - 2.5 * ops.Diagonal(rng.standard_normal((4, 5)), device="cpu")),
        ("adjoint", ops.Gradient((4, 5), device="cpu").T),
        ("projector", recon.ct.Projector(recon.ct.Geometry.parallel2d((9, 8), 7, 13), device="cpu")),
    ]


OPERATORS = operators()


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-13), (np.float32, 2e-6)])
@pytest.mark.parametrize("name,op", OPERATORS, ids=[n for n, _ in OPERATORS])
def test_adjoint(name, op, dtype, tol):
    rng = _rng(2)
    x = rng.standard_normal(op.domain_shape).astype(dtype)
    y = rng.standard_normal(op.range_shape).astype(dtype)
    ax, aty = op.forward(x), op.adjoint(y)
    assert ax.dtype == dtype and aty.dtype == dtype
    assert ax.shape == tuple(op.range_shape) and aty.shape == tuple(op.domain_shape)
    lhs = float(np.vdot(ax.astype(np.float64), y))
    rhs = float(np.vdot(x, aty.astype(np.float64)))
    scale = max(op.norm(30), 1e-30) * np.linalg.norm(x) * np.linalg.norm(y)
    assert abs(lhs - rhs) <= tol * scale, (lhs, rhs)
    assert op.shape == (y.size, x.size)


def dense(op):
    """The matrix of op, column by column through forward."""
    n = int(np.prod(op.domain_shape))
    cols = [op.forward(e.reshape(op.domain_shape)).ravel() for e in np.eye(n)]
    return np.array(cols).T


def test_gradient_is_forward_differences():
    x = _rng().standard_normal((4, 5))
    d = ops.Gradient(x.shape, device="cpu")(x)
    ref0 = np.vstack([np.diff(x, axis=0), np.zeros((1, 5))])
    ref1 = np.hstack([np.diff(x, axis=1), np.zeros((4, 1))])
    np.testing.assert_allclose(d, np.stack([ref0, ref1]), atol=1e-15)
    p = ops.Gradient(x.shape, boundary="periodic", device="cpu")(x)
    np.testing.assert_allclose(p[1], np.roll(x, -1, axis=1) - x, atol=1e-15)
    np.testing.assert_allclose(ops.FiniteDifference(x.shape, axis=0, device="cpu")(x), ref0, atol=1e-15)
    last = ops.Gradient(x.shape, axes=[-1], device="cpu")(x)
    assert last.shape == (1, 4, 5)
    np.testing.assert_allclose(last[0], ref1, atol=1e-15)


def test_hadamard_is_scipys_normalised():
    h = dense(ops.Hadamard(16, device="cpu"))
    np.testing.assert_allclose(h, scipy.linalg.hadamard(16) / 4.0, atol=1e-15)
    s = ops.Hadamard(16, device="cpu").to_scipy()
    np.testing.assert_allclose(s.matmat(np.eye(16)), scipy.linalg.hadamard(16) / 4.0, atol=1e-15)
    np.testing.assert_allclose(s.rmatvec(np.arange(16.0)), scipy.linalg.hadamard(16) @ np.arange(16.0) / 4, atol=1e-13)
    x = _rng().standard_normal((4, 8))
    ref = scipy.linalg.hadamard(4) @ x @ scipy.linalg.hadamard(8).T / np.sqrt(32)
    np.testing.assert_allclose(ops.Hadamard(x.shape, device="cpu")(x), ref, atol=1e-13)
    # sequency order: row s has s sign changes
    seq = dense(ops.Hadamard(8, order="sequency", device="cpu"))
    changes = [int(np.sum(np.diff(np.sign(r)) != 0)) for r in seq]
    assert changes == list(range(8))


def test_fourier_is_numpys_unitary_dft():
    rng = _rng()
    z = rng.standard_normal((5, 6)) + 1j * rng.standard_normal((5, 6))
    y = ops.Fourier((5, 6, 2), device="cpu")(np.stack([z.real, z.imag], axis=-1))
    np.testing.assert_allclose(y[..., 0] + 1j * y[..., 1], np.fft.fftn(z, norm="ortho"), atol=1e-13)
    x = rng.standard_normal((4, 6))
    r = ops.Fourier(x.shape, kind="real", device="cpu")(x)
    assert r.shape == (4, 4, 2)
    ref = np.fft.rfftn(x, norm="ortho")
    ref[:, 1:3] *= np.sqrt(2)  # bins without their Hermitian partner stored
    np.testing.assert_allclose(r[..., 0] + 1j * r[..., 1], ref, atol=1e-13)


def test_dct_is_scipys_orthonormal_dctn():
    x = _rng().standard_normal((5, 7))
    np.testing.assert_allclose(ops.DCT(x.shape, device="cpu")(x), scipy.fft.dctn(x, norm="ortho"), atol=1e-13)
    np.testing.assert_allclose(ops.DCT(x.shape, device="cpu").adjoint(x), scipy.fft.idctn(x, norm="ortho"),
                               atol=1e-13)


def test_haar_wavelet_one_level_by_hand():
    x = _rng().standard_normal(8)
    c = ops.Wavelet(8, "haar", levels=1, device="cpu")(x)
    np.testing.assert_allclose(c[:4], (x[0::2] + x[1::2]) / np.sqrt(2), atol=1e-15)
    np.testing.assert_allclose(np.abs(c[4:]), np.abs(x[0::2] - x[1::2]) / np.sqrt(2), atol=1e-15)
    w = dense(ops.Wavelet((8, 8), "db3", levels=2, device="cpu"))
    np.testing.assert_allclose(w.T @ w, np.eye(64), atol=1e-12)
    x = _rng().standard_normal(48)  # 48 = 3 * 2^4: levels=None takes 4, as recon cs --levels 0
    np.testing.assert_array_equal(ops.Wavelet(48, device="cpu")(x), ops.Wavelet(48, levels=4, device="cpu")(x))
    assert not np.allclose(ops.Wavelet(48, device="cpu")(x), ops.Wavelet(48, levels=3, device="cpu")(x))


def test_matrix_diagonal_subsample_identity_against_numpy():
    rng = _rng()
    m = rng.standard_normal((5, 7))
    a = ops.Matrix(m, device="cpu")
    np.testing.assert_allclose(dense(a), m, atol=1e-14)
    y = rng.standard_normal(5)
    np.testing.assert_allclose(a.adjoint(y), m.T @ y, atol=1e-13)
    np.testing.assert_allclose(a.to_scipy().matmat(np.eye(7)), m, atol=1e-14)
    np.testing.assert_allclose(a.norm(200), np.linalg.norm(m, 2), rtol=1e-6)
    f = ops.Matrix(m.astype(np.float32), device="cpu")
    np.testing.assert_allclose(f(np.ones(7, np.float32)), m.astype(np.float32).sum(axis=1), rtol=1e-5)
    w = rng.standard_normal((3, 4))
    x = rng.standard_normal((3, 4))
    np.testing.assert_allclose(ops.Diagonal(w, device="cpu")(x), w * x, atol=1e-15)
    s = ops.Subsample((3, 4), [1, 5, 11], device="cpu")
    np.testing.assert_array_equal(s(x), x.ravel()[[1, 5, 11]])
    back = np.zeros(12)
    back[[1, 5, 11]] = [1, 2, 3]
    np.testing.assert_array_equal(s.adjoint(np.array([1.0, 2, 3])), back.reshape(3, 4))
    mask = x > 0
    np.testing.assert_array_equal(ops.Subsample(x.shape, mask=mask, device="cpu")(x), x[mask])
    np.testing.assert_array_equal(ops.Identity(x.shape, device="cpu")(x), x)


def test_algebra():
    rng = _rng()
    m1, m2 = rng.standard_normal((4, 6)), rng.standard_normal((6, 3))
    a, b = ops.Matrix(m1, device="cpu"), ops.Matrix(m2, device="cpu")
    x = rng.standard_normal(3)
    np.testing.assert_allclose((a @ b)(x), m1 @ m2 @ x, atol=1e-13)
    np.testing.assert_allclose(dense((a @ b).T), (m1 @ m2).T, atol=1e-13)
    np.testing.assert_allclose(a @ (m2 @ x), m1 @ m2 @ x, atol=1e-13)
    c = ops.Matrix(rng.standard_normal((4, 6)), device="cpu")
    np.testing.assert_allclose(dense(a + c), m1 + dense(c), atol=1e-13)
    np.testing.assert_allclose(dense(a - c), m1 - dense(c), atol=1e-13)
    np.testing.assert_allclose(dense(3 * a), 3 * m1, atol=1e-13)
    np.testing.assert_allclose(dense(-a), -m1, atol=1e-13)
    assert (2 * a).norm(200) == pytest.approx(2 * np.linalg.norm(m1, 2), rel=1e-6)
    assert (a @ b).norm(300) == pytest.approx(np.linalg.norm(m1 @ m2, 2), rel=1e-6)
    assert a.T.T is a and a.T.shape == (6, 4)
    with pytest.raises(recon.ShapeMismatch, match="range"):
        a @ a
    with pytest.raises(recon.ShapeMismatch):
        a + b


def test_arrays_out_and_dtypes():
    g = ops.Gradient((4, 5), device="cpu")
    x = _rng().standard_normal((4, 5))
    out = np.empty((2, 4, 5))
    assert g.forward(x, out=out) is out
    np.testing.assert_array_equal(out, g(x))
    assert g(x.astype(np.float32)).dtype == np.float32
    assert g(np.arange(20).reshape(4, 5)).dtype == np.float64  # ints become float64
    np.testing.assert_allclose(g(np.asfortranarray(x)), g(x))  # another layout: one converted copy
    with pytest.raises(recon.InvalidArgument, match="dtype"):
        g.forward(x, out=np.empty((2, 4, 5), np.float32))
    with pytest.raises(recon.ShapeMismatch, match="out"):
        g.forward(x, out=np.empty((2, 5, 4)))
    with pytest.raises(recon.InvalidArgument, match="C-contiguous"):
        g.forward(x, out=np.empty((5, 4, 2)).T)
    with pytest.raises(recon.ShapeMismatch, match="x has shape"):
        g.forward(np.zeros((5, 4)))
    with pytest.raises(recon.ShapeMismatch, match="y has shape"):
        g.adjoint(np.zeros((4, 5)))


def test_bad_arguments():
    with pytest.raises(recon.InvalidArgument, match="power of two"):
        ops.Hadamard(12)
    with pytest.raises(recon.InvalidArgument, match="order"):
        ops.Hadamard(8, order="walsh")
    with pytest.raises(recon.InvalidArgument, match="neumann or periodic"):
        ops.Gradient(8, boundary="mirror")
    with pytest.raises(recon.InvalidArgument, match="kind"):
        ops.Fourier(8, kind="half")
    with pytest.raises(recon.InvalidArgument, match="levels|divisible"):
        ops.Wavelet(12, levels=3)
    with pytest.raises(recon.InvalidArgument):
        ops.Wavelet(16, "db9")
    with pytest.raises(recon.InvalidArgument, match="2D"):
        ops.Matrix(np.ones(3))
    with pytest.raises(recon.InvalidArgument, match="indices or mask"):
        ops.Subsample(8)
    with pytest.raises(recon.InvalidArgument):
        ops.Subsample(8, [1, 9])
    with pytest.raises(recon.InvalidArgument, match="shape"):
        ops.Identity((0, 3))
    with pytest.raises(recon.InvalidArgument, match="axis"):
        ops.FiniteDifference((3, 4), axis=2)
    with pytest.raises(recon.InvalidArgument, match="iterations"):
        ops.Identity(3).norm(0)


def test_projector_is_an_operator():
    g = recon.ct.Geometry.parallel2d((8, 8), 6, 12)
    a = recon.ct.Projector(g, device="cpu")
    assert isinstance(a, ops.Operator)
    assert a.domain_shape == (8, 8) and a.range_shape == (6, 12) and a.shape == (72, 64)
    assert a.T.T is a and a.T.shape == (64, 72)
    assert a.to_scipy().dtype == np.float32  # the projector's default, as before
    x = _rng().standard_normal((8, 8))
    # composition with an engine operator: a TV-like stack D A^T
    da = ops.Gradient((8, 8), device="cpu") @ a.T
    np.testing.assert_allclose(da(a(x)), ops.Gradient((8, 8), device="cpu")(a.adjoint(a(x))), atol=1e-12)


def test_to_pylops():
    pylops = pytest.importorskip("pylops")
    m = _rng().standard_normal((5, 4))
    p = ops.Matrix(m, device="cpu").to_pylops()
    assert isinstance(p, pylops.LinearOperator)
    np.testing.assert_allclose(p.todense(), m, atol=1e-14)
    np.testing.assert_allclose(p.H @ np.ones(5), m.T @ np.ones(5), atol=1e-13)
    # pylops's own dot test on the CT projector
    a = recon.ct.Projector(recon.ct.Geometry.parallel2d((6, 6), 5, 9), device="cpu")
    assert pylops.utils.dottest(a.to_pylops(np.float64), *a.shape, rtol=1e-10)


def test_to_pylops_without_pylops(monkeypatch):
    monkeypatch.setitem(sys.modules, "pylops", None)  # import pylops now raises ImportError
    with pytest.raises(recon.MissingDependency, match="pylops") as e:
        ops.Identity(3).to_pylops()
    assert isinstance(e.value, ImportError) and isinstance(e.value, recon.Error)
