"""recon.ct.reconstruct: the CLI's `ct recon` on the same inputs (every solver, an FBP start, a
smooth loss), its objective against one computed here, callbacks that stop it, the ASTRA layout,
and bad arguments raising ValueErrors with the engine's messages."""
import numpy as np
import pytest
from conftest import rel
from geometries import circular, smooth_volume

import recon
from recon.ct import Projector


def problem(name="parallel2d", dtype=np.float32, seed=0):
    g = circular()[name]
    y = Projector(g, device="cpu")(smooth_volume(g.volume_shape, dtype=dtype))
    y += (0.01 * np.abs(y).max() * np.random.default_rng(seed).standard_normal(y.shape)).astype(dtype)
    return g, y


def objective(g, y, x, lam, loss="sq-l2", penalty="l1"):
    """sum loss(A x - y) + lam sum phi(D x), anisotropic, D the forward differences (Neumann)."""
    a = Projector(g, device="cpu")
    x = x.astype(np.float64)
    r = a(x) - y.astype(np.float64)
    d = [np.diff(x, axis=k) for k in range(x.ndim) if x.shape[k] > 1]
    pen = recon.penalty.make(penalty)
    return recon.penalty.make(loss).value(r) + lam * sum(pen.value(np.ascontiguousarray(v)) for v in d)


@pytest.mark.parametrize("solver,name,extra", [("admm", "parallel2d", []), ("pdhg", "fan2d", []),
                                               ("apgm", "parallel2d", []), ("admm", "parallel3d", []),
                                               ("admm", "fan2d", ["--init", "fbp"]),
                                               ("pdhg", "parallel2d", ["--loss", "huber", "--loss-param",
                                                                       "delta=0.5", "--tv", "iso"])])
def test_equals_the_cli(cli, solver, name, extra):
    g, y = problem(name)
    args = ["ct", "recon", "--geometry", cli.geometry(g), cli.save("y.npy", y), cli.path("x.npy"), "--solver",
            solver, "--lambda", "0.05", "--iters", "25", "--tol", "0"]
    args += extra if "--tv" in extra else extra + ["--tv", "aniso"]
    summary = cli.run(*args)
    loss = recon.penalty.huber(delta=0.5) if "huber" in extra else "sq-l2"
    x, rep = recon.ct.reconstruct(y, g, loss=loss, lam=0.05, solver=solver, iters=25, tol=0,
                                  iso="iso" in extra, init="fbp" if "fbp" in extra else "zero",
                                  return_report=True, device="cpu")
    assert x.dtype == np.float32 and x.shape == g.volume_shape
    assert rep["iterations"] == summary["iterations"] == 25
    assert rel(x, np.load(cli.path("x.npy"))) <= 1e-5
    assert rep["objective"] == pytest.approx(summary["objective"], rel=1e-5)
    assert rep["solver"] == solver and rep["loss"] == summary["loss"] and x.min() >= 0


def test_objective_is_the_problems_and_decreases():
    g, y = problem(dtype=np.float64)
    runs = {n: recon.ct.reconstruct(y, g, lam=0.05, tv="aniso", iters=n, tol=0, return_report=True)
            for n in (5, 50, 400)}
    for n, (x, rep) in runs.items():
        assert x.dtype == np.float64
        assert rep["objective"] == pytest.approx(objective(g, y, x, 0.05), rel=1e-10)
    f = [runs[n][1]["objective"] for n in (5, 50, 400)]
    assert f[0] > f[1] > f[2]
    x = runs[400][0]
    rng = np.random.default_rng(1)
    for _ in range(5):  # near the minimum: no nearby feasible point is lower
        z = np.maximum(x + 1e-3 * rng.standard_normal(x.shape), 0)
        assert objective(g, y, z, 0.05) >= f[2] - 1e-6 * abs(f[2])


@pytest.mark.parametrize("solver", ["admm", "pdhg", "apgm"])
def test_every_solver_reaches_the_same_minimum(solver):
    g, y = problem(dtype=np.float64)
    ref = recon.ct.reconstruct(y, g, lam=0.05, tv="aniso", iters=2000, tol=1e-9, return_report=True)[1]
    x, rep = recon.ct.reconstruct(y, g, lam=0.05, tv="aniso", solver=solver, iters=2000, tol=1e-9,
                                  return_report=True)
    assert rep["objective"] == pytest.approx(ref["objective"], rel=1e-3)
    assert x.min() >= 0


def test_callback_stops_and_exceptions_are_raised():
    g, y = problem()
    seen = []
    x, rep = recon.ct.reconstruct(y, g, iters=100, tol=0, return_report=True,
                                  callback=lambda it: seen.append(it["iteration"]) or len(seen) < 3)
    assert seen == [1, 2, 3] and rep["iterations"] == 3 and rep["stop"] == "stopped-by-monitor"

    def boom(it):
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        recon.ct.reconstruct(y, g, solver="pdhg", callback=boom)


def test_start_out_and_nonneg():
    g, y = problem()
    a = Projector(g, device="cpu")
    out = np.empty(g.volume_shape, np.float32)
    assert recon.ct.reconstruct(y, a, iters=5, out=out) is out
    x0 = recon.ct.fbp(y, g)
    warm = recon.ct.reconstruct(y, a, iters=5, tol=0, x0=x0)
    assert rel(warm, recon.ct.reconstruct(y, a, iters=5, tol=0, init="fbp")) == 0
    assert rel(warm, out) > 1e-3  # the start matters after 5 iterations
    free = recon.ct.reconstruct(y - 0.5 * y.max(), a, lam=0.0, iters=20, nonneg=False)
    assert free.min() < 0


def test_astra_layout_is_the_flipped_volume():
    # Anisotropic TV is the same on the flipped image; isotropic TV pairs each row's x-difference
    # with the y-difference to the next row, which flipping changes (measured 2e-4 apart in the
    # objective here), so the layout changes that problem a little.
    g, y = problem("fan2d", dtype=np.float64)
    x = recon.ct.reconstruct(y, g, iters=50, tol=0, tv="aniso")
    xa = recon.ct.reconstruct(y, g.with_layout("astra"), iters=50, tol=0, tv="aniso")
    assert rel(xa, x[::-1]) <= 1e-12


def test_bad_arguments_raise_value_errors_with_the_engines_messages():
    g, y = problem()
    cases = [({"solver": "nosuch"}, recon.InvalidArgument, "unknown solver 'nosuch'"),
             ({"iters": 0}, recon.InvalidArgument, "iters must be >= 1, got 0"),
             ({"cg_iters": 0}, recon.InvalidArgument, "cg_iters must be >= 1"),
             ({"lam": -1}, recon.InvalidArgument, "lambda must be >= 0"),
             ({"rho": 0}, recon.InvalidArgument, "rho must be finite and > 0"),
             ({"tv": "both"}, recon.InvalidArgument, "unknown TV norm 'both'"),
             ({"tv": "iso", "iso": False}, recon.InvalidArgument, "disagree"),
             ({"penalty": "nosuch"}, recon.InvalidArgument, "nosuch"),
             ({"solver": "apgm", "loss": "l1"}, recon.InvalidArgument, "smooth loss"),
             ({"init": "random"}, recon.InvalidArgument, "init must be 'zero' or 'fbp'"),
             ({"apgm_variant": "x", "solver": "apgm"}, recon.InvalidArgument, "unknown variant 'x'"),
             ({"out": np.empty((3, 3), np.float32)}, recon.ShapeMismatch, "out")]
    for kwargs, error, message in cases:
        with pytest.raises(error, match=message):
            recon.ct.reconstruct(y, g, **kwargs)
        assert issubclass(error, ValueError)
    with pytest.raises(recon.ShapeMismatch):
        recon.ct.reconstruct(y[:-1], g)
    with pytest.raises(recon.InvalidArgument, match="convex"):  # pdhg refuses a nonconvex penalty
        recon.ct.reconstruct(y, g, solver="pdhg", penalty=recon.penalty.mcp(mu=1, theta=3))
