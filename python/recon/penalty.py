"""The penalties and losses of recon's library (MATH.md sections 1-2), by the CLI's names and
parameters (``recon prox --penalty NAME --param key=value``).

Each name is a factory here, with ``-`` written ``_``: ``recon.penalty.mcp(mu=1, theta=3)``,
``recon.penalty.capped_l1(theta=0.5)``, ``recon.penalty.sq_l2()``; ``recon.penalty.make(name,
**params)`` takes the CLI's spelling. A :class:`Penalty` has ``value`` (the sum of phi over the
elements), ``prox`` (the global minimiser of gamma phi(x) + (x - z)^2 / 2, element-wise) and
``grad`` (phi', for the functions that have one: not l0 or the indicators), each also in the group
form phi(|u|) over a leading component axis (``group=True``). :func:`recon.prox` is the one-call
form. Each takes CUDA arrays too (CuPy, torch; docs/python.md, "CUDA arrays"): it then runs on
their device on the caller's current stream (``device`` is not used) and returns an array of
their library there.
"""
import numpy as np

from . import _cuda, _recon

__all__ = ["Penalty", "as_function", "make", "names", "prox"]


class Penalty:
    """A penalty or loss phi with its parameters; build it with :func:`make` or a factory
    (``recon.penalty.scad(mu=1, a=3.7)``). Parameters are checked when it is made
    (:class:`recon.InvalidArgument` naming the function and the parameter)."""

    def __init__(self, name, **params):
        self._fn = _recon._Function.make(name, {k: float(v) for k, v in params.items()})
        self.params = dict(params)

    @property
    def name(self):
        """The library's name of the function (``'mcp'``, ``'capped-l1'``, ...)."""
        return self._fn.name

    @property
    def properties(self):
        """What the solvers rely on: kind (penalty, loss, indicator), convex, weak_convexity,
        differentiable, grad_lipschitz, even."""
        return self._fn.properties()

    def __repr__(self):
        fn = self.__dict__.get("_fn")
        return "recon.penalty." + fn.describe() if fn is not None else "<recon.penalty.Penalty (not made)>"

    def value(self, x, group=False, device="cpu"):
        """sum_i phi(x_i) (float, accumulated in double; inf outside an indicator's set). With
        ``group``, sum_j phi(|x[:, j]|) over groups along the leading axis."""
        x = _cuda.input_of(x, "value", "x")
        return self._fn.value(x, group, _cuda.place(x, device))

    def prox(self, z, gamma=1.0, out=None, group=False, device="cpu"):
        """prox_{gamma phi}(z): argmin_x gamma phi(x) + (x - z)^2 / 2 for every element (the
        global minimiser; nonconvex functions included). ``gamma`` is a scalar > 0 or an array
        of per-element weights shaped like z. ``group``: the group form over the leading axis,
        prox(u) = prox_phi(|u|) u / |u| (even functions only). ``out`` may be z itself (in place)."""
        z, out = _cuda.in_out(z, None, out, None, "prox", "z")
        g = float(gamma) if np.ndim(gamma) == 0 else _cuda.input_like(gamma, z, "prox", "gamma")
        self._fn.prox(g, z, out, group, _cuda.place(z, device))
        return out

    def grad(self, x, out=None, group=False, device="cpu"):
        """phi'(x) element-wise (at kinks the library's documented choice, e.g. 0 at 0 for l1),
        or with ``group`` phi'(|u|) u / |u| per group. Functions without a gradient (l0, the
        indicators) raise :class:`recon.InvalidArgument`."""
        x, out = _cuda.in_out(x, None, out, None, "grad", "x")
        self._fn.grad(x, out, group, _cuda.place(x, device))
        return out


def as_function(f):
    """f itself when it is a :class:`Penalty`, else the function of that name with its default
    parameters (how the solvers take their ``penalty=``/``loss=`` arguments)."""
    return f if isinstance(f, Penalty) else Penalty(f)


def make(name, **params):
    """The function ``name`` (the CLI's spelling: ``'mcp'``, ``'capped-l1'``, ``'geman-mcclure'``)
    with its parameters, e.g. ``make('mcp', mu=1, theta=3)``."""
    return Penalty(name, **params)


def names():
    """Every function name with (required parameters, optional parameters with defaults)."""
    return {n: (list(req), dict(opt)) for n, req, opt in _recon.signatures()}


def prox(z, name, gamma=1.0, out=None, group=False, device="cpu", **params):
    """prox_{gamma phi}(z) of the function ``name`` with ``params``, e.g.
    ``recon.prox(z, 'scad', 0.5, mu=1, a=3.7)``; the same as ``make(name, **params).prox(z, gamma)``.
    ``name`` may also be a :class:`Penalty`."""
    fn = name if isinstance(name, Penalty) else Penalty(name, **params)
    return fn.prox(z, gamma, out=out, group=group, device=device)


def _factory(name, required, optional):
    def f(**params):
        return Penalty(name, **params)
    f.__name__ = name.replace("-", "_")
    sig = ", ".join(list(required) + ["%s=%g" % kv for kv in optional])
    f.__doc__ = ("The library's '%s' (MATH.md), parameters (%s); returns a :class:`Penalty`. Same name and "
                 "parameters as ``recon prox --penalty %s``." % (name, sig, name))
    return f


for _name, _req, _opt in _recon.signatures():
    globals()[_name.replace("-", "_")] = _factory(_name, _req, _opt)
    __all__.append(_name.replace("-", "_"))
del _name, _req, _opt
