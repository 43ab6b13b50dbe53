"""Compressive sensing from Python, as ``recon cs`` and ``recon cs recover`` compute it
(engine/include/recon/engine/cs.hpp): measurements y = A W c + noise of a signal x = W c,
recovered from y by

    penalised    min_c  sum_i loss((A W c - y)_i) + lam sum_j phi(c_j)
    constrained  min_c  lam sum_j phi(c_j) + 0.5 max(sum_i loss((A W c - y)_i) - eps, 0)^2

A :class:`Sensing` describes A and W exactly as the CLI's ``--save-spec`` file does (the kind of
sensing, the signal's shape, the number of measurements, the seed, the basis and the drawn
indices), so a spec written by ``recon cs --save-spec`` recovers the same signal here and a
spec made here recovers the same signal with ``recon cs recover --operator``.

CuPy arrays and torch CUDA tensors go in and come out as the same type, on their device and the
caller's current CUDA stream, without a copy (docs/python.md, "CUDA arrays").
"""
import json
import math
import os

import numpy as np

from . import _cuda, _recon
from ._arrays import output
from ._progress import progress_callback
from ._recon import InvalidArgument, ShapeMismatch
from .ops import _Engine
from .penalty import as_function

__all__ = ["Sensing", "measure", "recover"]

_KEYS = ("sensing", "shape", "measurements", "seed", "basis", "levels", "indices")


class _SpecOperator(_Engine):
    """An operator of a :class:`Sensing` (its A or its W)."""

    def __init__(self, op, what):
        self._init(op)
        self._what = what

    def __repr__(self):
        return "<recon.cs %s: %s -> %s>" % (self._what, self.domain_shape, self.range_shape)


class Sensing:
    """A sensing operator A and a sparsifying basis W (``recon cs``'s ``--sensing``, ``--rate``,
    ``--seed``, ``--basis``, ``--levels``). Make one with :meth:`make` or read the CLI's spec
    with :meth:`from_json`.

    kind: ``'gaussian'`` (m x N i.i.d. normal, unit columns), ``'hadamard'`` (m rows of the
    orthonormal Walsh-Hadamard transform; every extent a power of two) or ``'fourier'`` (m real
    values of the unitary real-to-complex DFT), rows drawn from the seed. basis: ``'none'``,
    ``'hadamard'``, ``'dct'``, or the wavelets ``'haar'``, ``'db2'``, ``'db3'``, ``'db4'`` with
    ``levels`` levels (0: as many as every extent allows, at most 5)."""

    def __init__(self, _spec):
        if not isinstance(_spec, _recon._Sensing):
            raise TypeError("use Sensing.make(...) or Sensing.from_json(...)")
        self._s = _spec

    @staticmethod
    def make(kind, shape, rate, seed=0, basis="none", levels=0):
        """The spec ``recon cs IN --sensing kind --rate rate --seed seed --basis basis --levels
        levels`` draws for a signal of ``shape``: m = round(rate N) measurements, rate in (0, 1]."""
        shape = [int(n) for n in np.atleast_1d(shape)]
        return Sensing(_recon._Sensing.make(str(kind), shape, float(rate), int(seed), str(basis), int(levels)))

    @staticmethod
    def from_json(source):
        """A spec from the CLI's ``--save-spec`` JSON: a path to the file, or its text."""
        text = source
        if not str(source).lstrip().startswith("{"):
            with open(os.fspath(source)) as f:
                text = f.read()
        try:
            j = json.loads(text)
        except ValueError as e:
            raise InvalidArgument("Sensing.from_json: not JSON (%s)" % e) from None
        if not isinstance(j, dict):
            raise InvalidArgument("Sensing.from_json: expected a JSON object")
        unknown = sorted(set(j) - set(_KEYS))
        if unknown:
            raise InvalidArgument("Sensing.from_json: unknown key(s) %s; expected %s" % (", ".join(unknown),
                                                                                       ", ".join(_KEYS)))
        for key in ("sensing", "shape", "measurements", "seed"):
            if key not in j:
                raise InvalidArgument("Sensing.from_json: missing key '%s'" % key)

        def integer(v, name, low=0):
            if isinstance(v, bool) or not isinstance(v, int) or v < low:
                raise InvalidArgument("Sensing.from_json: %s must be an integer >= %d, got %r" % (name, low, v))
            return v

        if not isinstance(j["shape"], list) or not 1 <= len(j["shape"]) <= 4:
            raise InvalidArgument("Sensing.from_json: shape must be an array of 1 to 4 extents")
        shape = [integer(n, "shape[%d]" % k, 1) for k, n in enumerate(j["shape"])]
        indices = j.get("indices", [])
        if not isinstance(indices, list):
            raise InvalidArgument("Sensing.from_json: indices must be an array of integers")
        for key in ("sensing", "basis"):
            if key in j and not isinstance(j[key], str):
                raise InvalidArgument("Sensing.from_json: %s must be a string" % key)
        return Sensing(_recon._Sensing.from_fields(
            j["sensing"], shape, integer(j["measurements"], "measurements", 1), integer(j["seed"], "seed"),
            j.get("basis", "none"), integer(j.get("levels", 0), "levels"),
            [integer(i, "indices[%d]" % k) for k, i in enumerate(indices)]))

    def to_json(self, path=None):
        """The CLI's spec JSON (``recon cs recover --operator`` reads it); written to ``path``
        when given (and returned either way)."""
        text = json.dumps({"sensing": self.kind, "shape": list(self.shape), "measurements": self.measurements,
                           "seed": self.seed, "basis": self.basis, "levels": self.levels,
                           "indices": list(self.indices)}, separators=(",", ":")) + "\n"
        if path is not None:
            with open(os.fspath(path), "w") as f:
                f.write(text)
        return text

    kind = property(lambda self: self._s.kind, doc="'gaussian', 'hadamard' or 'fourier'.")
    shape = property(lambda self: tuple(self._s.shape), doc="The signal's shape (x and c).")
    measurements = property(lambda self: self._s.measurements, doc="m, the length of y.")
    seed = property(lambda self: self._s.seed, doc="The seed the matrix or the indices were drawn from.")
    basis = property(lambda self: self._s.basis, doc="The sparsifying basis W's name.")
    levels = property(lambda self: self._s.levels, doc="Wavelet levels (0 for other bases).")
    indices = property(lambda self: list(self._s.indices), doc="The kept rows (hadamard, fourier).")

    def operator(self, device="auto"):
        """A (signal -> measurements, without W) as a :class:`recon.ops.Operator`."""
        return _SpecOperator(_recon.cs_sensing_operator(self._s, device), "sensing operator A (%s)" % self.kind)

    def basis_operator(self, device="auto"):
        """W (coefficients -> signal; the identity for the basis none) as a
        :class:`recon.ops.Operator`."""
        return _SpecOperator(_recon.cs_basis_operator(self._s, device), "basis W (%s)" % self.basis)

    def __eq__(self, other):
        if not isinstance(other, Sensing):
            return NotImplemented
        return self.to_json() == other.to_json()

    def __hash__(self):
        return hash(self.to_json())

    def __repr__(self):
        return "<recon.cs.Sensing %s, shape %s, %d measurements, basis %s>" % (self.kind, self.shape,
                                                                              self.measurements, self.basis)


def _sensing(s):
    if isinstance(s, Sensing):
        return s
    if isinstance(s, (str, os.PathLike)):
        return Sensing.from_json(s)
    raise InvalidArgument("expected a recon.cs.Sensing or the path of a spec file, got %s" % type(s).__name__)


def measure(x, sensing, noise="none", seed=None, device="auto"):
    """y = A x + noise, as ``recon cs`` simulates its measurements (``--save-y``). noise:
    ``'none'``, ``'gaussian:SIGMA'``, ``'snr:DB'`` or ``'cauchy:GAMMA'``; seed: the noise's
    seed (default: the spec's seed + 1, the CLI's choice). Returns y of shape (m,) in x's float
    dtype. A CUDA x (CuPy, torch) gives y of its library on its device (``device='auto'``: x's)."""
    s = _sensing(sensing)
    if _cuda.is_cuda(x) and device == "auto":
        _cuda.require_cuda_build("measure", x)
        device = "cuda:%d" % _cuda.device_of(x)
    y = s.operator(device).forward(x)
    if noise != "none":
        _recon.cs_add_noise(y, str(noise), int(s.seed + 1 if seed is None else seed), _cuda.place(y, device))
    return y


def recover(y, sensing, penalty="l1", lam=0.1, solver="apgm", iters=500, tol=1e-6, callback=None, *,
            loss="sq-l2", eps=None, tv=None, rho=1.0, init="adjoint", out=None, return_coefficients=False,
            return_report=False, progress=False, device="auto"):
    """Recovers the signal x = W c from measurements y, as ``recon cs recover --operator SPEC Y
    OUT`` does (the same defaults): c minimises the penalised (or, with ``eps``, the
    constrained) problem on A W, started from (A W)^T y (``init='adjoint'``) or zero.

    y: the m measurements (any shape of m values; float32 stays float32, the CLI's precision).
    sensing: a :class:`Sensing` or the path of a ``--save-spec`` file.
    penalty, loss: names or :class:`recon.penalty.Penalty` objects (``recon.penalty.mcp(mu=1,
        theta=3)``); the CLI's --penalty/--param and --loss/--loss-param.
    lam: the penalty's weight (--lambda). eps: the constrained form's loss budget (--eps; APGM
        solvers only). tv: ``'iso'`` or ``'aniso'`` puts the penalty on the gradient of x
        instead (basis none, solver admm).
    solver: ``'apgm'`` (monotone), ``'fista'``, ``'ista'`` (smooth losses) or ``'admm'``.
    iters, tol, rho: --iters, --tol (relative change of c, or ADMM's residuals), --rho (ADMM).
    callback: called with a dict (iteration, objective, ...) as the solver reports; returning
        False stops it, an exception stops it and is raised. progress: True writes a progress
        line to stderr (or give a stream).
    out: the result array (the signal's shape, y's dtype).
    device: where it runs for host arrays; a CUDA y (CuPy, torch) runs on its device and the
        caller's current stream, and x (and c) are arrays of its library there.
    Returns x, and also c (``return_coefficients``) and the report dict (``return_report``:
    iterations, stop, converged, objective, last, solver, penalty, loss, form), in that order.
    """
    s = _sensing(sensing)
    cuda = _cuda.is_cuda(y)
    y = _cuda.input_of(y, "recover", "y")
    if math.prod(y.shape) != s.measurements:
        raise ShapeMismatch("recover: y holds %d values, the sensing operator %d measurements"
                            % (math.prod(y.shape), s.measurements))
    if cuda:
        x, c = _cuda.output(out, y, s.shape), _cuda.empty(y, s.shape)
    else:
        x, c = output(out, s.shape, y.dtype), np.empty(s.shape, dtype=y.dtype)
    pen, los = as_function(penalty), as_function(loss)
    with progress_callback(progress, "cs.recover", iters, callback) as cb:
        report = _recon.cs_recover(s._s, y, c, x, pen._fn, los._fn, float(lam), None if eps is None else float(eps),
                                   "" if tv is None else str(tv), str(solver), int(iters), float(tol), float(rho),
                                   str(init), cb, _cuda.place(y, device))
    result = (x,) + ((c,) if return_coefficients else ()) + ((report,) if return_report else ())
    return result if len(result) > 1 else x
