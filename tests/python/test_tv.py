"""recon.denoise_tv: the CLI's result, callbacks that stop the solver (False or an exception),
warm starts; the GIL is released while it runs."""
import threading
import time

import numpy as np
import pytest
from conftest import rel

import recon


def noisy(shape=(40, 48), seed=0):
    rng = np.random.default_rng(seed)
    u = np.zeros(shape)
    u[8:30, 10:35] = 1.0
    return (u + 0.2 * rng.standard_normal(shape)).astype(np.float32)


@pytest.mark.parametrize("solver,pen,params", [("pdhg", "l1", {}), ("admm", "mcp", {"mu": 1, "theta": 3}),
                                               ("apgm", "l1", {})])
def test_equals_the_cli(cli, solver, pen, params):
    u = noisy()
    args = ["denoise", cli.save("u.npy", u), cli.path("x.npy"), "--penalty", pen, "--lambda", "0.15", "--solver",
            solver, "--iters", "60", "--tol", "0", "--tv", "aniso"]
    if params:
        args += ["--param", ",".join("%s=%r" % kv for kv in params.items())]
    summary = cli.run(*args)
    fn = recon.penalty.make(pen, **params)
    x, rep = recon.denoise_tv(u, 0.15, penalty=fn, solver=solver, iso=False, iters=60, tol=0, return_report=True,
                              device="cpu")
    assert x.dtype == np.float32 and rep["iterations"] == summary["iterations"] == 60
    assert rel(x, np.load(cli.path("x.npy"))) <= 1e-5
    assert rep["objective"] == pytest.approx(summary["objective"], rel=1e-5)


def test_denoises():
    u = noisy()
    clean = np.zeros_like(u)
    clean[8:30, 10:35] = 1.0
    x = recon.denoise_tv(u, 0.15, iters=300)
    assert np.linalg.norm(x - clean) < 0.5 * np.linalg.norm(u - clean)


def test_callback_false_stops_the_solver():
    seen = []

    def cb(info):
        seen.append(info["iteration"])
        return len(seen) < 2

    x, rep = recon.denoise_tv(noisy(), 0.1, iters=500, tol=0, check_every=5, callback=cb, return_report=True)
    assert rep["stop"] == "stopped-by-monitor" and rep["iterations"] == 10 and seen == [5, 10]
    assert set(seen[0:1]) and all(k in rep["last"] for k in ("objective", "primal_residual", "elapsed_s"))
    x_none, rep_none = recon.denoise_tv(noisy(), 0.1, iters=20, tol=0, callback=lambda i: None,
                                        return_report=True)
    assert rep_none["iterations"] == 20  # None continues


def test_callback_exception_stops_and_is_raised():
    class Stop(Exception):
        pass

    calls = []

    def cb(info):
        calls.append(info["iteration"])
        raise Stop("from the callback")

    with pytest.raises(Stop, match="from the callback"):
        recon.denoise_tv(noisy(), 0.1, iters=500, tol=0, callback=cb)
    assert calls == [10]
    with pytest.raises(ZeroDivisionError):
        recon.ct.sirt(np.ones((30, 36)), recon.ct.Geometry.parallel2d((24, 20), 30, 36), iters=10,
                      callback=lambda i: 1 / 0)


def test_warm_start_and_out():
    u = noisy().astype(np.float64)
    x1 = recon.denoise_tv(u, 0.1, iters=40, tol=0)
    out = np.empty_like(u)
    x2 = recon.denoise_tv(u, 0.1, iters=40, tol=0, x0=x1, out=out)
    assert x2 is out and x2.dtype == np.float64
    assert rel(x2, x1) < rel(u, x1)  # continues from x1, not from u


def test_gil_is_released_during_a_solve():
    """Another Python thread keeps running while the solver works: it counts while a long TV
    solve runs in a worker; with the GIL held throughout it could not advance until the end."""
    u = np.random.default_rng(0).standard_normal((192, 192)).astype(np.float32)
    done = threading.Event()
    ticks = []

    def worker():
        recon.denoise_tv(u, 0.1, solver="admm", iters=150, tol=0, device="cpu")
        done.set()

    t = threading.Thread(target=worker)
    t.start()
    start = time.perf_counter()
    while not done.is_set():
        ticks.append(time.perf_counter() - start)
        time.sleep(0.001)
    t.join()
    duration = time.perf_counter() - start
    if duration < 0.05:
        pytest.skip("the solve took %.3f s: too short to tell" % duration)
    assert len(ticks) >= 10 and max(np.diff(ticks)) < 0.5 * duration
