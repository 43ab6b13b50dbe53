"""recon.cs: the spec, its operators and the measurements against `recon cs`, and recover against
`recon cs recover` on the same files (the CLI computes in float32; so does recover on float32 y)."""
import json

import numpy as np
import pytest

import recon
from recon import ops
from recon.cs import Sensing

from conftest import rel


def signal(shape=(16, 16)):
    x = np.zeros(shape, np.float32)
    x[4:12, 4:12] = 1
    x[6:8, 2:14] = 0.5
    return x


CASES = [
    # (simulation flags, recovery flags, recover's keyword arguments)
    (["--sensing", "hadamard", "--basis", "haar", "--noise", "gaussian:0.01", "--seed", "3"],
     ["--lambda", "0.01", "--iters", "80"], dict(lam=0.01, iters=80)),
    (["--sensing", "gaussian", "--rate", "0.6", "--seed", "5"],
     ["--solver", "admm", "--lambda", "0.02", "--iters", "60", "--loss", "huber", "--loss-param", "delta=0.5"],
     dict(solver="admm", lam=0.02, iters=60, loss=recon.penalty.make("huber", delta=0.5))),
    (["--sensing", "fourier", "--basis", "dct", "--rate", "0.4", "--seed", "1"],
     ["--solver", "fista", "--penalty", "mcp", "--param", "mu=1,theta=3", "--lambda", "0.005", "--iters", "70",
      "--init", "zero"],
     dict(solver="fista", penalty=recon.penalty.mcp(mu=1, theta=3), lam=0.005, iters=70, init="zero")),
    (["--sensing", "hadamard", "--seed", "2"],
     ["--solver", "admm", "--tv", "iso", "--lambda", "0.05", "--iters", "50"],
     dict(solver="admm", tv="iso", lam=0.05, iters=50)),
    (["--sensing", "hadamard", "--basis", "db2", "--levels", "2", "--seed", "4", "--noise", "snr:30"],
     ["--eps", "0.01", "--lambda", "0.001", "--iters", "60"], dict(eps=0.01, lam=0.001, iters=60)),
]


@pytest.mark.parametrize("sim,rec,kwargs", CASES, ids=["hadamard-haar", "gaussian-admm-huber", "fourier-dct-mcp",
                                                       "tv-admm", "constrained-db2"])
def test_recover_equals_the_cli(cli, sim, rec, kwargs):
    x = signal()
    spec, yfile = cli.path("spec.json"), cli.path("y.npy")
    cli.run("cs", cli.save("in.npy", x), cli.path("sim.npy"), *sim, "--save-y", yfile, "--save-spec", spec, *rec)
    summary = cli.run("cs", "recover", "--operator", spec, yfile, cli.path("out.npy"), *rec)
    expected = np.load(cli.path("out.npy"))
    y = np.load(yfile)
    s = Sensing.from_json(spec)
    got, report = recon.cs.recover(y, s, return_report=True, device="cpu", **kwargs)
    assert got.dtype == np.float32 and got.shape == x.shape
    assert rel(got, expected) <= 1e-6, rel(got, expected)
    assert report["iterations"] == summary["iterations"] and report["stop"] == summary["stop"]
    assert report["objective"] == pytest.approx(summary["objective"], rel=1e-6)
    np.testing.assert_allclose(np.load(cli.path("sim.npy")), got, rtol=0, atol=1e-6 * np.abs(got).max())
    # the same spec drawn here, and the CLI's noisy measurements simulated here
    flags = dict(zip(sim[::2], sim[1::2]))
    made = Sensing.make(flags["--sensing"], x.shape, float(flags.get("--rate", 0.5)), int(flags["--seed"]),
                        flags.get("--basis", "none"), int(flags.get("--levels", 0)))
    assert made == s
    np.testing.assert_array_equal(recon.cs.measure(x, made, noise=flags.get("--noise", "none"), device="cpu"), y)


def test_a_spec_written_here_recovers_the_same_with_the_cli(cli):
    x = signal((8, 16))
    s = Sensing.make("hadamard", x.shape, 0.5, seed=9, basis="haar", levels=2)
    y = recon.cs.measure(x, s, device="cpu")
    s.to_json(cli.path("spec.json"))
    cli.run("cs", "recover", "--operator", cli.path("spec.json"), cli.save("y.npy", y), cli.path("out.npy"),
            "--lambda", "0.01", "--iters", "50")
    got = recon.cs.recover(y, cli.path("spec.json"), lam=0.01, iters=50, device="cpu")
    assert rel(got, np.load(cli.path("out.npy"))) <= 1e-6
    assert Sensing.from_json(s.to_json()) == s and json.loads(s.to_json())["levels"] == 2


def test_operators_of_a_spec():
    s = Sensing.make("hadamard", (8, 8), 0.25, seed=1, basis="haar")
    a, w = s.operator("cpu"), s.basis_operator("cpu")
    assert isinstance(a, ops.Operator) and a.domain_shape == (8, 8) and a.range_shape == (16,)
    assert s.levels == 3 and len(s.indices) == 16 == s.measurements
    x = np.random.default_rng(0).standard_normal((8, 8))
    np.testing.assert_allclose(a(x), ops.Hadamard((8, 8), device="cpu")(x).ravel()[s.indices], atol=1e-13)
    np.testing.assert_allclose(w(x), ops.Wavelet((8, 8), "haar", levels=3, device="cpu").adjoint(x), atol=1e-13)
    y = np.random.default_rng(1).standard_normal(16)
    assert abs(np.vdot(a(x), y) - np.vdot(x, a.adjoint(y))) < 1e-12 * np.linalg.norm(x) * np.linalg.norm(y)
    g = Sensing.make("gaussian", 20, 0.5, seed=2).operator("cpu")
    assert g.shape == (10, 20)
    np.testing.assert_allclose(np.linalg.norm(g.to_scipy().matmat(np.eye(20)), axis=0), 1.0, rtol=1e-6)  # unit columns


def test_exact_recovery_of_a_sparse_signal():
    rng = np.random.default_rng(0)
    c = np.zeros(64)
    c[rng.choice(64, 5, replace=False)] = rng.standard_normal(5) * 3
    s = Sensing.make("gaussian", 64, 0.5, seed=7)
    y = recon.cs.measure(c, s, device="cpu")
    x, c_out, rep = recon.cs.recover(y, s, lam=1e-4, iters=3000, tol=1e-12, return_coefficients=True,
                                     return_report=True, device="cpu")
    assert x.dtype == np.float64 and rel(x, c) < 1e-3, rel(x, c)
    np.testing.assert_array_equal(x, c_out)  # basis none: x = c


def test_callback_stops_and_progress(capsys):
    x = signal()
    s = Sensing.make("hadamard", x.shape, 0.5, seed=1)
    y = recon.cs.measure(x, s, device="cpu")
    seen = []
    _, rep = recon.cs.recover(y, s, iters=100, tol=0, callback=lambda i: seen.append(i["iteration"]) or len(seen) < 4,
                              progress=True, return_report=True, device="cpu")
    assert rep["iterations"] == 4 and len(seen) == 4
    err = capsys.readouterr().err
    assert err.startswith("cs.recover: ") and err.splitlines()[-1].endswith("(stopped early)")


def test_errors():
    s = Sensing.make("hadamard", (8, 8), 0.5, seed=1)
    y = np.zeros(s.measurements, np.float32)
    with pytest.raises(recon.InvalidArgument, match="unknown sensing"):
        Sensing.make("radon", (8, 8), 0.5)
    with pytest.raises(recon.InvalidArgument, match="rate"):
        Sensing.make("hadamard", (8, 8), 0.0)
    with pytest.raises(recon.InvalidArgument, match="power-of-two"):
        Sensing.make("hadamard", (6, 8), 0.5)
    with pytest.raises(recon.ShapeMismatch, match="measurements"):
        recon.cs.recover(np.zeros(5), s)
    with pytest.raises(recon.InvalidArgument, match="basis none"):
        recon.cs.recover(y, Sensing.make("hadamard", (8, 8), 0.5, basis="haar"), solver="admm", tv="iso")
    with pytest.raises(recon.InvalidArgument):
        recon.cs.recover(y, s, solver="admm", eps=0.1)  # the constrained form is APGM's
    with pytest.raises(recon.InvalidArgument):
        recon.cs.recover(y, s, loss="l1")  # APGM needs a smooth loss
    with pytest.raises(recon.InvalidArgument, match="init"):
        recon.cs.recover(y, s, init="fbp")
    with pytest.raises(recon.InvalidArgument, match="solver"):
        recon.cs.recover(y, s, solver="cg")
    with pytest.raises(recon.InvalidArgument, match="unknown key"):
        Sensing.from_json('{"sensing": "hadamard", "shape": [8], "measurements": 4, "seed": 0, "extra": 1}')
    with pytest.raises(recon.InvalidArgument, match="indices"):
        Sensing.from_json('{"sensing": "hadamard", "shape": [8], "measurements": 2, "seed": 0, "indices": [3, 3]}')
    with pytest.raises(recon.InvalidArgument, match="seed"):
        Sensing.from_json('{"sensing": "gaussian", "shape": [8], "measurements": 2, "seed": -1}')
    with pytest.raises(recon.InvalidArgument, match="noise"):
        recon.cs.measure(np.zeros((8, 8)), s, noise="poisson:1")
