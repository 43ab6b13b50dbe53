"""Linear operators of the engine (operators/include/recon/operators/) and what they plug into.

Every operator, the CT projector :class:`recon.ct.Projector` included, is an :class:`Operator`:

* ``A.forward(x, out=None)`` / ``A(x)`` / ``A @ x``: y = A x for x of ``A.domain_shape``;
  ``A.adjoint(y, out=None)``: x = A^T y for y of ``A.range_shape`` (the exact transpose under the
  real inner product: <A x, y> = <x, A^T y> to rounding);
* ``A.T`` the adjoint as an operator, ``A.shape`` = (size of y, size of x) as scipy has it,
  ``A.norm()`` the largest singular value (power method);
* ``A.to_scipy()`` a ``scipy.sparse.linalg.LinearOperator``, ``A.to_pylops()`` a PyLops
  operator (where pylops is installed), ``A.to_torch()`` a ``torch.autograd.Function``
  (forward A, backward A^T, batched over leading axes);
* ``A @ B``, ``A + B``, ``A - B``, ``s * A``, ``-A``: the algebra, evaluated operator by operator.

An operator made from a :class:`recon.ct.Projector` split over MPI ranks (``comm=``) is split too:
it takes and returns the ranks' shares, its calls are collective (a bad argument on one rank
raises on every rank), ``norm`` sums over the ranks' shares, and ``to_scipy``/``to_pylops`` are
refused. Another operator in it (``Diagonal``, ``Gradient``, ...) applies to each rank's share on
its own: a block-diagonal operator over the ranks.

Arrays: C-contiguous float32 or float64 host arrays cross without a copy (float32 in, float32
out; other dtypes are converted to float64 once); ``out=`` must already be a writable
C-contiguous array of the result's dtype and shape, or the call raises.

Complex data (Fourier) are stored as a trailing axis of 2 (re, im), as the engine does.
"""
import math

import numpy as np

from . import _cuda, _recon, dist
from ._arrays import as_input
from ._deps import require
from ._recon import DeviceError, InvalidArgument, ShapeMismatch

__all__ = ["Operator", "Gradient", "FiniteDifference", "Hadamard", "Fourier", "DCT", "Wavelet", "Matrix",
           "Diagonal", "Subsample", "Identity", "Adjoint", "Composed", "Sum", "Scaled"]


def _shape(shape, name="shape"):
    """A shape as a tuple of ints (an int is a 1D shape)."""
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    try:
        s = tuple(int(n) for n in shape)
    except (TypeError, ValueError):
        raise InvalidArgument("%s: expected an int or a sequence of ints, got %r" % (name, shape)) from None
    if not s or any(n < 1 for n in s):
        raise InvalidArgument("%s: expected 1 or more extents, each >= 1, got %s" % (name, s))
    return s


class Operator:
    """A linear operator A from arrays of ``domain_shape`` to arrays of ``range_shape``; the base
    of every operator of :mod:`recon.ops` and of :class:`recon.ct.Projector`.

    A subclass sets ``domain_shape`` and ``range_shape`` (tuples) and implements
    ``_forward_into(x, out)`` and ``_adjoint_into(y, out)``, which receive checked C-contiguous
    arrays of one float dtype and write ``out`` in place; everything else (argument checks,
    ``T``, ``shape``, ``norm``, scipy, pylops, torch, the algebra) comes from here."""

    domain_shape = ()
    range_shape = ()
    _default_dtype = np.float64  # to_scipy's dtype when none is given
    # MPI ranks: the mpi4py communicator the operator is split over (None: one process), and
    # whether x and y are this rank's shares of a whole (True) or replicated on every rank.
    _comm = None
    _split = (False, False)

    # -- applying --------------------------------------------------------------------------
    @property
    def shape(self):
        """(size of y, size of x): the shape of A as a matrix on flattened arrays (scipy's)."""
        return (math.prod(self.range_shape), math.prod(self.domain_shape))

    def forward(self, x, out=None):
        """y = A x. x: an array of ``domain_shape`` (float32 stays float32, other dtypes become
        float64); out: the result array (``range_shape``, x's float dtype), written in place.
        Returns y. A CUDA array x (CuPy, torch; a CUDA build, the operator on x's device) gives
        a CUDA array of its library, computed on the caller's current stream
        (docs/python.md, "CUDA arrays")."""
        x, out = self._checked(x, out, self.domain_shape, self.range_shape, "forward", "x")
        self._forward_into(x, out)
        return out

    def adjoint(self, y, out=None):
        """x = A^T y, the exact adjoint. y: an array of ``range_shape``; out as :meth:`forward`.
        Returns x."""
        y, out = self._checked(y, out, self.range_shape, self.domain_shape, "adjoint", "y")
        self._adjoint_into(y, out)
        return out

    def _checked(self, a, out, in_shape, out_shape, what, name):
        """(a, out) checked and converted for forward/adjoint (_cuda.in_out: NumPy, or a CUDA array's
        library), through :meth:`_agreed`."""
        return self._agreed(lambda: _cuda.in_out(a, in_shape, out, out_shape, what, name),
                            same=lambda r: str(r[0].dtype))

    def _agreed(self, fn, same=None):
        """fn(): the argument checks of a call; split over MPI ranks, a check failing on one rank
        raises on every rank (recon.dist.agreed)."""
        return fn() if self._comm is None else dist.agreed(self._comm, fn, same)

    def _norm_of(self, a, split):
        """||a||_2 of the whole array: summed over the ranks when a is a share."""
        local = float(np.linalg.norm(a))
        return local if self._comm is None or not split else math.sqrt(self._comm.allreduce(local * local))

    def __call__(self, x, out=None):
        """A(x) is A.forward(x)."""
        return self.forward(x, out=out)

    def _forward_into(self, x, out):
        raise NotImplementedError

    def _adjoint_into(self, y, out):
        raise NotImplementedError

    @property
    def T(self):
        """The adjoint A^T as an operator (``A.T.T`` is A)."""
        return Adjoint(self)

    def norm(self, iterations=100):
        """The largest singular value of A, estimated by the power method on A^T A in double from
        a fixed random start (an estimate from below). Split over MPI ranks: collective, the norms
        summed over the ranks' shares (each rank its own start share, or one start replicated)."""
        iterations = int(iterations)
        if iterations < 1:
            raise InvalidArgument("norm: iterations must be >= 1, got %d" % iterations)
        split = self._split[0]
        seed = (7, self._comm.Get_rank()) if self._comm is not None and split else 7
        x = np.random.default_rng(seed).standard_normal(self.domain_shape)
        x /= self._norm_of(x, split)
        s = 0.0
        for _ in range(iterations):
            z = self.adjoint(self.forward(x))
            s = self._norm_of(z, split)
            if s == 0:
                return 0.0
            x = z / s
        return math.sqrt(s)

    # -- adapters ----------------------------------------------------------------------------
    def to_scipy(self, dtype=None):
        """A as a ``scipy.sparse.linalg.LinearOperator`` of shape ``A.shape`` on flattened arrays of
        ``dtype`` (float64 by default; float32 for the CT projector): matvec A, rmatvec A^T, for
        scipy's solvers (lsqr, cg, ...). Refused for an operator split over several MPI ranks:
        scipy's solvers would take their inner products over this rank's share alone."""
        if self._comm is not None and self._comm.Get_size() > 1:
            raise InvalidArgument("to_scipy: %r is split over %d MPI ranks (comm=), and scipy's solvers would "
                                  "take their inner products over this rank's share alone; use recon.ct.cgls, "
                                  "sirt or reconstruct with the Projector" % (self, self._comm.Get_size()))
        from scipy.sparse.linalg import LinearOperator

        dtype = np.dtype(self._default_dtype if dtype is None else dtype)
        if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise InvalidArgument("to_scipy: dtype must be float32 or float64, got %s" % dtype)

        def matvec(v):
            return self.forward(np.ascontiguousarray(v, dtype=dtype).reshape(self.domain_shape)).ravel()

        def rmatvec(v):
            return self.adjoint(np.ascontiguousarray(v, dtype=dtype).reshape(self.range_shape)).ravel()

        return LinearOperator(self.shape, matvec=matvec, rmatvec=rmatvec, dtype=dtype)

    def to_pylops(self, dtype=None):
        """A as a ``pylops.LinearOperator`` (on flattened arrays, as :meth:`to_scipy`; ``H`` is the
        adjoint). Raises :class:`recon.MissingDependency` (an ImportError) where pylops is not
        installed."""
        pylops = require("pylops", "Operator.to_pylops")
        return pylops.aslinearoperator(self.to_scipy(dtype))

    def to_torch(self):
        """A as a ``torch.autograd.Function`` subclass: ``F = A.to_torch(); y = F.apply(x)``.

        forward applies A, backward A^T (and A^T's backward A again, so double backward works);
        x is a float32 or float64 tensor of shape ``(*batch, *domain_shape)`` (any number of
        leading batch axes, each item transformed on its own) and y has shape
        ``(*batch, *range_shape)`` and x's dtype. CPU tensors cross without a copy when they
        are contiguous (``Tensor.numpy()`` shares their memory; others are made contiguous
        once). CUDA tensors: in a CUDA build they stay on their device, each item reaching the
        operator by DLPack without a copy and computed on torch's current stream (the operator
        must be on the tensor's device); in a host-only build, :class:`recon.DeviceError`.
        Split over MPI ranks: the tensors are the ranks' shares and every rank applies the
        Function to the same batch (each item is a collective call), as in data-parallel training.
        torch is imported here only: :class:`recon.MissingDependency` where it is missing."""
        if getattr(self, "_torch_fn", None) is None:
            self._torch_fn = _torch_functions(self, require("torch", "Operator.to_torch"))[0]
        return self._torch_fn

    # -- algebra ---------------------------------------------------------------------------
    def __matmul__(self, other):
        """``A @ B``: the composition (B first); ``A @ x`` with an array: A.forward(x)."""
        if isinstance(other, Operator):
            return Composed(self, other)
        return self.forward(other)

    def __add__(self, other):
        """``A + B``: the sum of two operators of equal shapes."""
        if not isinstance(other, Operator):
            return NotImplemented
        return Sum(self, other)

    def __sub__(self, other):
        """``A - B``: A + (-1) B."""
        if not isinstance(other, Operator):
            return NotImplemented
        return Sum(self, Scaled(-1.0, other))

    def __mul__(self, s):
        """``s * A`` (or ``A * s``) for a number s."""
        if isinstance(s, (int, float, np.integer, np.floating)):
            return Scaled(float(s), self)
        return NotImplemented

    __rmul__ = __mul__

    def __neg__(self):
        """``-A``."""
        return Scaled(-1.0, self)

    def __repr__(self):
        return "<recon.ops.%s: %s -> %s>" % (type(self).__name__, self.domain_shape, self.range_shape)


# ---------------------------------------------------------------------------------------------
# torch


def _torch_apply(torch, op, t, adjoint):
    """op (or op^T) on every item of a tensor of shape (*batch, *in_shape)."""
    in_shape, out_shape = ((op.range_shape, op.domain_shape) if adjoint else (op.domain_shape, op.range_shape))
    what = "%s%s" % (type(op).__name__, ".T" if adjoint else "")
    if not isinstance(t, torch.Tensor):
        raise InvalidArgument("%s: expected a torch.Tensor, got %s" % (what, type(t).__name__))
    if t.dtype not in (torch.float32, torch.float64):
        raise InvalidArgument("%s: a %s tensor; expected torch.float32 or torch.float64" % (what, t.dtype))
    nd = len(in_shape)
    if t.dim() < nd or tuple(t.shape[t.dim() - nd:]) != tuple(in_shape):
        raise ShapeMismatch("%s: a tensor of shape %s; expected (*batch, %s)"
                            % (what, tuple(t.shape), ", ".join(str(n) for n in in_shape)))
    device = t.device
    if device.type != "cpu" and not _recon.cuda_built:
        raise DeviceError("%s: a tensor on %s, and this build of recon is host-only (built without CUDA); "
                          "move it to the CPU (t.cpu())" % (what, device))
    if device.type not in ("cpu", "cuda"):
        raise DeviceError("%s: a tensor on %s; recon takes CPU and CUDA tensors" % (what, device))
    batch = tuple(t.shape[:t.dim() - nd])
    x = t.detach()
    if not x.is_contiguous():
        x = x.contiguous()
    out = torch.empty(batch + tuple(out_shape), dtype=t.dtype, device=device)
    if device.type == "cpu":  # NumPy views of the tensors' memory
        xs, ys = x.numpy(), out.numpy()
    else:  # CUDA tensors stay on the device: the operator takes them by DLPack (recon._cuda)
        xs, ys = x, out
    xs = xs.reshape((-1,) + tuple(in_shape))
    ys = ys.reshape((-1,) + tuple(out_shape))
    apply = op.adjoint if adjoint else op.forward
    for k in range(xs.shape[0]):
        apply(xs[k], out=ys[k])
    return out


def _torch_functions(op, torch):
    """The pair (A, A^T) of autograd Functions, each the other's backward."""

    class Forward(torch.autograd.Function):
        __doc__ = "y = A x of %r (backward: A^T), batched over leading axes." % (op,)

        @staticmethod
        def forward(ctx, x):
            return _torch_apply(torch, op, x, False)

        @staticmethod
        def backward(ctx, g):
            return Backward.apply(g)

    class Backward(torch.autograd.Function):
        __doc__ = "x = A^T y of %r (backward: A), batched over leading axes." % (op,)

        @staticmethod
        def forward(ctx, y):
            return _torch_apply(torch, op, y, True)

        @staticmethod
        def backward(ctx, g):
            return Forward.apply(g)

    name = type(op).__name__
    Forward.__name__ = Forward.__qualname__ = name + "Function"
    Backward.__name__ = Backward.__qualname__ = name + "AdjointFunction"
    return Forward, Backward


# ---------------------------------------------------------------------------------------------
# The algebra (Python-side, operator by operator)


def _common_comm(a, b, what):
    """The communicator of an operator made of a and b: the one they are split over (None: neither
    is); two different communicators are refused."""
    ca, cb = a._comm, b._comm
    if ca is not None and cb is not None and ca is not cb and ca != cb:
        raise InvalidArgument("%s: the operators are split over different communicators" % what)
    return ca if ca is not None else cb


class Adjoint(Operator):
    """A^T as an operator (``A.T``): forward is A's adjoint, adjoint A's forward; ``.T`` is A."""

    def __init__(self, a):
        self._a = a
        self.domain_shape, self.range_shape = a.range_shape, a.domain_shape
        self._default_dtype = a._default_dtype
        self._comm, self._split = a._comm, a._split[::-1]

    def forward(self, y, out=None):
        """x = A^T y."""
        return self._a.adjoint(y, out=out)

    def adjoint(self, x, out=None):
        """y = A x."""
        return self._a.forward(x, out=out)

    T = property(lambda self: self._a, doc="The original operator A.")

    def norm(self, iterations=100):
        """Same as A's."""
        return self._a.norm(iterations)

    def __repr__(self):
        return "<adjoint of %r>" % (self._a,)


class Composed(Operator):
    """A @ B: x -> A (B x), needing B.range_shape == A.domain_shape; adjoint B^T A^T."""

    def __init__(self, a, b):
        if tuple(b.range_shape) != tuple(a.domain_shape):
            raise ShapeMismatch("A @ B: B's range %s is not A's domain %s" % (tuple(b.range_shape),
                                                                             tuple(a.domain_shape)))
        self._a, self._b = a, b
        self.domain_shape, self.range_shape = tuple(b.domain_shape), tuple(a.range_shape)
        # An operator without ranks maps a share to a share and a replicated array to one.
        self._comm = _common_comm(a, b, "A @ B")
        self._split = (b._split[0] if b._comm is not None else a._split[0],
                       a._split[1] if a._comm is not None else b._split[1])

    def _forward_into(self, x, out):
        self._a.forward(self._b.forward(x), out=out)

    def _adjoint_into(self, y, out):
        self._b.adjoint(self._a.adjoint(y), out=out)


class Sum(Operator):
    """A + B on equal domains and ranges; adjoint A^T + B^T."""

    def __init__(self, a, b):
        if (tuple(a.domain_shape), tuple(a.range_shape)) != (tuple(b.domain_shape), tuple(b.range_shape)):
            raise ShapeMismatch("A + B: shapes %s -> %s and %s -> %s differ"
                                % (a.domain_shape, a.range_shape, b.domain_shape, b.range_shape))
        self._a, self._b = a, b
        self.domain_shape, self.range_shape = tuple(a.domain_shape), tuple(a.range_shape)
        self._comm = _common_comm(a, b, "A + B")
        if a._comm is not None and b._comm is not None and a._split != b._split:
            raise ShapeMismatch("A + B: the operators are split differently over the ranks (x, y shares: %s and %s)"
                                % (a._split, b._split))
        self._split = a._split if a._comm is not None else b._split

    def _forward_into(self, x, out):
        self._a.forward(x, out=out)
        out += self._b.forward(x)

    def _adjoint_into(self, y, out):
        self._a.adjoint(y, out=out)
        out += self._b.adjoint(y)


class Scaled(Operator):
    """s * A; adjoint s * A^T."""

    def __init__(self, s, a):
        self._s, self._a = float(s), a
        self.domain_shape, self.range_shape = tuple(a.domain_shape), tuple(a.range_shape)
        self._comm, self._split = a._comm, a._split

    def _forward_into(self, x, out):
        self._a.forward(x, out=out)
        out *= self._s

    def _adjoint_into(self, y, out):
        self._a.adjoint(y, out=out)
        out *= self._s

    def norm(self, iterations=100):
        """|s| times A's."""
        return abs(self._s) * self._a.norm(iterations)


# ---------------------------------------------------------------------------------------------
# The engine's operators


class _Engine(Operator):
    """An operator of the engine (recon._recon._Operator) on one device."""

    def _init(self, op):
        self._op = op
        self.domain_shape, self.range_shape = tuple(op.domain), tuple(op.range)

    device = property(lambda self: self._op.device, doc="'cpu' or 'cuda:N'.")

    def _forward_into(self, x, out):
        self._op.apply(x, out, False, *_cuda.stream_args(x))

    def _adjoint_into(self, y, out):
        self._op.apply(y, out, True, *_cuda.stream_args(y))

    def norm(self, iterations=100):
        """The largest singular value, by the engine's power method on A^T A in double (an
        estimate from below)."""
        return self._op.norm(int(iterations))


class Gradient(_Engine):
    """Forward-difference gradient D (finite_difference.hpp): x of ``shape`` (1 to 3 axes, or
    ``axes`` naming up to 3 of them) -> D x of shape ``(k, *shape)``, component c the difference
    along axis ``axes[c]``: (D x)_j = x_{j+1} - x_j. boundary ``'neumann'`` (zero at the far
    edge) or ``'periodic'`` (x_0 - x_{n-1} there). The adjoint is the negative divergence. This
    is the D of :func:`recon.denoise_tv` and of TV-regularised reconstruction."""

    def __init__(self, shape, boundary="neumann", axes=None, device="auto"):
        s = _shape(shape)
        axes = [] if axes is None else [int(a) + (len(s) if int(a) < 0 else 0) for a in np.atleast_1d(axes)]
        self._init(_recon.op_gradient(list(s), str(boundary), axes, device))


class FiniteDifference(_Engine):
    """One forward difference along ``axis``: (D x)_j = x_{j+1} - x_j, range = domain ``shape``;
    boundary as :class:`Gradient`."""

    def __init__(self, shape, axis=-1, boundary="neumann", device="auto"):
        s = _shape(shape)
        axis = int(axis)
        if axis < 0:
            axis += len(s)
        self._init(_recon.op_difference(list(s), axis, str(boundary), device))


class Hadamard(_Engine):
    """Orthonormal Walsh-Hadamard transform (hadamard.hpp) over the last ``rank`` axes of
    ``shape`` (0: every axis, at most 3; each a power of two), batched over the leading ones:
    y = (H_{n_1} (x) ... ) x with H_n = H_2^{(x)k} / sqrt(n), H_2 = [[1, 1], [1, -1]], i.e.
    ``scipy.linalg.hadamard(n) / sqrt(n)`` in 1D. ``order='natural'`` (symmetric, its own
    inverse and adjoint) or ``'sequency'`` (rows by number of sign changes)."""

    def __init__(self, shape, rank=0, order="natural", device="auto"):
        self._init(_recon.op_hadamard(list(_shape(shape)), int(rank), str(order), device))


class Fourier(_Engine):
    """Unitary DFT (fourier.hpp) over the last ``rank`` axes (0: all, at most 3).

    ``kind='complex'``: ``shape`` ends with an axis of 2 (re, im) and the range is the same
    shape: y = fftn(x, norm="ortho") over the axes before it. ``kind='real'``: real x of
    ``shape`` -> the half spectrum ``(..., n_last // 2 + 1, 2)``, the bins without their
    Hermitian partner stored times sqrt(2) so that A^T A = I. ``fftshift``: zero frequency in the
    centre (every transformed axis but the halved one). The adjoint of 'complex' is its
    inverse."""

    def __init__(self, shape, kind="complex", rank=0, fftshift=False, device="auto"):
        self._init(_recon.op_fourier(list(_shape(shape)), str(kind), int(rank), bool(fftshift), device))


class DCT(_Engine):
    """Orthonormal DCT-II (dct.hpp) over the last ``rank`` axes (0: every axis, at most 3), any
    extents: ``scipy.fft.dctn(x, type=2, norm="ortho")``; the adjoint is the inverse (DCT-III)."""

    def __init__(self, shape, rank=0, device="auto"):
        self._init(_recon.op_dct(list(_shape(shape)), int(rank), device))


def _default_levels(shape, rank):
    """As ``recon cs --levels 0``: the most levels every transformed extent allows, at most 5."""
    axes = shape[len(shape) - (rank or min(len(shape), 3)):]
    levels = 0
    while levels < 5 and all(n % (2 ** (levels + 1)) == 0 for n in axes):
        levels += 1
    return levels


class Wavelet(_Engine):
    """Orthonormal periodic discrete wavelet transform (wavelet.hpp): analysis of x of ``shape``
    over the last ``rank`` axes (0: every axis, at most 3), ``levels`` levels (None: the most
    every transformed extent allows, at most 5), coefficients in place (PyWavelets'
    ``coeffs_to_array(wavedecn(x, wavelet, mode="periodization"))``). wavelet ``'haar'``,
    ``'db2'``, ``'db3'`` or ``'db4'``; boundary ``'periodic'`` (``'symmetric'``: Haar only).
    Orthogonal: the adjoint is the synthesis."""

    def __init__(self, shape, wavelet="haar", levels=None, boundary="periodic", rank=0, device="auto"):
        s = _shape(shape)
        levels = _default_levels(s, int(rank)) if levels is None else int(levels)
        self._init(_recon.op_wavelet(list(s), str(wavelet), levels, str(boundary), int(rank), device))


class Matrix(_Engine):
    """A dense matrix M of shape (m, n) (dense_matrix.hpp, BLAS): x of shape (n,) -> M x of shape
    (m,); adjoint M^T y. M is copied (float32 and float64 copies are made as they are used)."""

    def __init__(self, M, device="auto"):
        M = as_input(M, name="M")
        if M.ndim != 2:
            raise InvalidArgument("Matrix: expected a 2D array (m, n), got shape %s" % (M.shape,))
        self._init(_recon.op_matrix(M, device))


class Diagonal(_Engine):
    """y = w * x elementwise, for weights w of any shape (the domain and range); self-adjoint."""

    def __init__(self, w, device="auto"):
        w = as_input(w, name="w")
        self._init(_recon.op_diagonal(w, device))


class Subsample(_Engine):
    """y_k = x.flat[indices[k]] (range ``(len(indices),)``), the indices distinct positions of the
    C-ordered domain ``shape``; the adjoint fills zeros elsewhere. ``Subsample(shape,
    mask=m)`` keeps the non-zero entries of a boolean array m of that shape, in C order."""

    def __init__(self, shape, indices=None, mask=None, device="auto"):
        s = _shape(shape)
        if (indices is None) == (mask is None):
            raise InvalidArgument("Subsample: give indices or mask (one of them)")
        if mask is not None:
            mask = np.asarray(mask)
            if mask.shape != s:
                raise ShapeMismatch("Subsample: mask has shape %s, expected %s" % (mask.shape, s))
            indices = np.flatnonzero(mask)
        idx = np.asarray(indices).ravel()
        if idx.size and not np.issubdtype(idx.dtype, np.integer):
            raise InvalidArgument("Subsample: indices must be integers, got %s" % idx.dtype)
        self._init(_recon.op_subsample(list(s), [int(i) for i in idx], device))


class Identity(_Engine):
    """The identity on arrays of ``shape``."""

    def __init__(self, shape, device="auto"):
        self._init(_recon.op_identity(list(_shape(shape)), device))
