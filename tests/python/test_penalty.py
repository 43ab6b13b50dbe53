"""recon.penalty and recon.prox: the CLI's names and parameters, the CLI's results, the global
minimiser (brute force), gradients and values."""
import numpy as np
import pytest
from conftest import rel

import recon
from recon import penalty

CASES = [("l1", {}), ("l0", {}), ("lp", {"p": 0.5}), ("mcp", {"mu": 1, "theta": 3}),
         ("scad", {"mu": 1, "a": 3.7}), ("capped-l1", {"theta": 0.8}), ("log", {"p": 1, "eps": 0.5}),
         ("huber", {"delta": 0.7}), ("sq-l2", {}), ("welsch", {"delta": 1.5}), ("tukey", {"c": 2.0}),
         ("box", {"lo": -1, "hi": 0.5}), ("nonneg", {})]


def test_names_are_the_clis():
    names = penalty.names()
    for n in ["l1", "mcp", "scad", "capped-l1", "sq-l2", "geman-mcclure", "l2-ball", "weep"]:
        assert n in names
        assert callable(getattr(penalty, n.replace("-", "_")))
    req, opt = names["mcp"]
    assert req == ["mu", "theta"] and "weight" in opt
    assert repr(penalty.mcp(mu=1, theta=3)) == "recon.penalty.mcp(mu=1, theta=3, weight=1)"
    assert penalty.scad(mu=1, a=3.7).properties["convex"] is False
    assert penalty.l1().properties["convex"] is True


def _phi(fn, t):
    return np.array([fn.value(np.array([v])) for v in t])


@pytest.mark.parametrize("name,params", [c for c in CASES if c[0] in
                                         ("l1", "l0", "lp", "mcp", "scad", "capped-l1", "log", "huber", "welsch",
                                          "tukey", "box")])
def test_prox_is_the_global_minimiser(name, params):
    fn = penalty.make(name, **params)
    gamma = 0.6
    z = np.array([-3.1, -1.7, -0.9, -0.35, 0.0, 0.2, 0.55, 1.05, 1.6, 2.4, 4.0])
    p = fn.prox(z, gamma)
    grid = np.linspace(-6, 6, 12001)
    phi_grid = _phi(fn, grid)
    for zi, pi in zip(z, p):
        obj = gamma * phi_grid + 0.5 * (grid - zi) ** 2
        at_p = gamma * fn.value(np.array([pi])) + 0.5 * (pi - zi) ** 2
        assert at_p <= obj.min() + 1e-9, (name, zi, pi, grid[np.argmin(obj)])


@pytest.mark.parametrize("name,params", CASES)
def test_prox_equals_the_cli(cli, name, params):
    z = np.random.default_rng(5).standard_normal((7, 9)).astype(np.float32) * 2
    args = ["prox", "--penalty", name, "--gamma", "0.7", cli.save("z.npy", z), cli.path("p.npy")]
    if params:
        args[3:3] = ["--param", ",".join("%s=%r" % kv for kv in params.items())]
    cli.run(*args)
    p = recon.prox(z, name, 0.7, **params)
    assert p.dtype == np.float32
    assert np.array_equal(p, np.load(cli.path("p.npy")))


def test_prox_group_and_weights():
    u = np.random.default_rng(2).standard_normal((2, 5, 6))
    p = penalty.l1().prox(u, 0.5, group=True)
    norm = np.sqrt((u ** 2).sum(axis=0))
    expect = u * np.maximum(norm - 0.5, 0) / norm
    assert rel(p, expect) < 1e-12
    w = np.abs(np.random.default_rng(3).standard_normal(u.shape))
    assert rel(recon.prox(u, "l1", w), np.sign(u) * np.maximum(np.abs(u) - w, 0)) < 1e-12


def test_value_and_grad():
    x = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    assert penalty.l1().value(x) == pytest.approx(6.0)
    assert penalty.sq_l2().value(x) == pytest.approx(0.5 * np.sum(x ** 2))
    h = penalty.huber(delta=1.0)
    g = h.grad(x)
    assert np.allclose(g, np.clip(x, -1, 1))
    eps = 1e-6  # the gradient is the derivative of value
    num = np.array([(h.value(np.array([v + eps])) - h.value(np.array([v - eps]))) / (2 * eps) for v in x])
    assert np.allclose(g, num, atol=1e-6)
    with pytest.raises(recon.InvalidArgument):
        penalty.l0().grad(x)
    assert penalty.nonneg().value(np.array([-1.0])) == np.inf


def test_parameter_errors():
    with pytest.raises(recon.InvalidArgument, match="theta"):
        penalty.mcp(mu=1)
    with pytest.raises(recon.InvalidArgument, match="mu"):
        penalty.mcp(mu=-1, theta=3)
    with pytest.raises(ValueError, match="nosuch"):
        recon.prox(np.zeros(3), "nosuch", 1.0)
