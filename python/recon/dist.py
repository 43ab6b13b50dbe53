"""recon on several MPI ranks through mpi4py (docs/python.md, "MPI"; docs/distributed.md).

Pass an mpi4py communicator as ``comm=`` to :class:`recon.ct.Projector` (with
``distribute='views'`` or ``'slabs'``) and to :func:`recon.denoise_tv`; the solvers of
:mod:`recon.ct` then run split over its ranks, each rank holding its share of the arrays. Every
rank must make the same calls in the same order (they are collective). The engine works on a
duplicate of the communicator (``MPI_Comm_dup``, once per communicator, kept for the process), so
its messages never meet the caller's; it neither initialises nor finalises MPI (mpi4py does).

Helpers for arrays split into blocks along axis 0 (z-slabs of a volume, row blocks of an image):
:func:`block` (this rank's rows), :func:`scatter` (root's whole array -> each rank's block),
:func:`gather` (the blocks -> the whole array on root) and :func:`broadcast`. Rank r of P holds
rows ``[floor(r n / P), floor((r + 1) n / P))`` of n, as the engine splits them
(``dist::block_share``).

A failure on some ranks only (a wrong shape on one rank) raises the same error on every rank,
the lowest failing rank's (:func:`agreed`), instead of leaving the others waiting in a
collective. mpi4py must be built against the MPI library recon's module links (Debian's MPICH
here: scripts/setup-deps builds it from source with mpicc).
"""
import numpy as np

from . import _recon
from ._arrays import as_input
from ._recon import InvalidArgument

__all__ = ["mpi_built", "block", "scatter", "gather", "broadcast", "agreed"]


def mpi_built():
    """Whether this build of recon has MPI (``RECON_MPI``); without it a communicator of more than
    one rank is refused."""
    return bool(_recon.mpi_built)


def _check_comm(comm, where):
    """comm as an mpi4py intracommunicator (InvalidArgument otherwise)."""
    if not (hasattr(comm, "Get_size") and hasattr(comm, "Get_rank") and hasattr(comm, "allgather")):
        raise InvalidArgument("%s: comm must be an mpi4py communicator (e.g. MPI.COMM_WORLD), got %s"
                              % (where, type(comm).__name__))
    return comm


# One engine communicator per mpi4py communicator, kept for the life of the process: MPI_Comm_dup
# once, and the engine's per-communicator state (a CUDA build's NCCL communicators, keyed by the
# engine communicator's address) never outlives the communicator it was made for.
_engine_comms = {}


def engine_communicator(comm, where="comm"):
    """The engine's communicator for an mpi4py communicator (internal): over a duplicate of it,
    made on the first use of that communicator (collective: every rank makes the same calls with
    the same communicator) and kept, or the single rank for a communicator of one rank in a build
    without MPI."""
    comm = _check_comm(comm, where)
    if not mpi_built():
        if comm.Get_size() > 1:
            raise InvalidArgument("%s: this build of recon has no MPI (recon.dist.mpi_built() is False), so it "
                                  "cannot run on %d ranks; rebuild with -DRECON_MPI=ON" % (where, comm.Get_size()))
        return _recon._Communicator.single()
    from mpi4py import MPI

    version = MPI.Get_library_version()
    if "mpich" not in version.lower():
        raise InvalidArgument("%s: mpi4py runs on another MPI library (%s) than recon's (MPICH); install mpi4py "
                              "built against MPICH (scripts/setup-deps)" % (where, version.splitlines()[0]))
    key = MPI._handleof(comm)
    known = _engine_comms.get(key)
    if known is not None and known[0] == comm:  # the same handle (a freed communicator's is null)
        return known[1]
    made = _recon._Communicator.over_mpi(MPI._addressof(comm))
    _engine_comms[key] = (comm, made)
    return made


_KINDS = ("InvalidArgument", "ShapeMismatch", "IoError", "OutOfMemory", "DeviceError", "MissingDependency",
          "Error")


def agreed(comm, fn, same=None, what="the arguments"):
    """fn() on every rank of comm, then the same outcome everywhere: when fn raised on some rank,
    every rank raises the lowest failing rank's error (that rank its own exception, the others a
    recon error of the same kind and message, prefixed by the rank; a builtin exception such as
    TypeError keeps its type, any other becomes a :class:`recon.Error`). ``same``: a function of fn's result that must give equal
    values on every rank (a dtype), else :class:`recon.InvalidArgument` on every rank saying that
    ``what`` differ. Returns
    fn's result. Collective: one all-gather."""
    error, result, key = None, None, None
    try:
        result = fn()
        key = None if same is None else same(result)
    except Exception as e:  # noqa: BLE001 - every failure must reach the other ranks
        error = e
    info = None
    if error is not None:
        from . import MissingDependency

        kinds = [(k, MissingDependency if k == "MissingDependency" else getattr(_recon, k)) for k in _KINDS]
        kind = next((k for k, cls in kinds if isinstance(error, cls)), None)
        if kind is None:  # a builtin exception (TypeError, ValueError) keeps its type, others become Error
            kind = type(error).__name__ if type(error).__module__ == "builtins" else "Error"
        info = (kind, str(error))
    everyone = comm.allgather((info, key))
    failed = [r for r, (i, _) in enumerate(everyone) if i is not None]
    if failed:
        first = failed[0]
        if comm.Get_rank() == first:
            raise error
        kind, message = everyone[first][0]
        from . import MissingDependency

        cls = MissingDependency if kind == "MissingDependency" else getattr(_recon, kind, None)
        if cls is None:
            import builtins

            cls = getattr(builtins, kind, _recon.Error)
        raise cls("rank %d: %s" % (first, message))
    keys = [k for _, k in everyone]
    if any(k != keys[0] for k in keys):
        raise InvalidArgument("%s differ between the ranks (%s); every rank must pass the same"
                              % (what, ", ".join("rank %d: %s" % (r, k) for r, k in enumerate(keys))))
    return result


def _share(count, rank, size):
    return (count * rank // size, count * (rank + 1) // size)


def block(count, comm):
    """(begin, end): this rank's rows of ``count`` rows split over comm's ranks as the engine
    splits them (z-slabs, row blocks, views): ``[floor(r count / P), floor((r + 1) count / P))``."""
    comm = _check_comm(comm, "block")
    count = int(count)
    if count < 0:
        raise InvalidArgument("block: count must be >= 0, got %d" % count)
    return _share(count, comm.Get_rank(), comm.Get_size())


def _root_array(comm, whole, root, where):
    """(array on root or None, shape, dtype), the header broadcast from root; agreed."""
    comm = _check_comm(comm, where)
    size = comm.Get_size()
    if not (isinstance(root, (int, np.integer)) and 0 <= root < size):
        raise InvalidArgument("%s: root must be a rank 0..%d, got %r" % (where, size - 1, root))

    def header():
        if comm.Get_rank() != root:
            return None
        if whole is None:
            raise InvalidArgument("%s: rank %d (root) must pass the whole array, got None" % (where, root))
        a = as_input(whole, name=where)
        if a.ndim < 1:
            raise InvalidArgument("%s: expected an array of at least one axis, got a scalar" % where)
        return a

    a = agreed(comm, header)
    shape, dtype = comm.bcast(None if a is None else (a.shape, a.dtype.str), root=root)
    return a, tuple(shape), np.dtype(dtype)


def broadcast(array, comm, root=0):
    """Root's array on every rank (other ranks may pass None): a new array on the others, root's
    own (as a C-contiguous float array) on root."""
    a, shape, dtype = _root_array(comm, array, root, "broadcast")
    if a is None:
        a = np.empty(shape, dtype=dtype)
    comm.Bcast(a, root=root)
    return a


def _offsets(counts):
    return [sum(counts[:r]) for r in range(len(counts))]


def scatter(whole, comm, root=0, axis=0, counts=None):
    """This rank's block of root's ``whole`` array along ``axis`` (other ranks may pass None), a
    new C-contiguous float32/float64 array (whole's float dtype, float64 for other dtypes). The
    blocks are :func:`block`'s shares, or ``counts[r]`` rows for rank r in rank order (summing to
    the extent of the axis). axis 0 cuts z-slabs of a volume or views of projections; axis 1 of
    (views, rows, cols) bands of detector rows."""
    a, shape, dtype = _root_array(comm, whole, root, "scatter")
    size, rank = comm.Get_size(), comm.Get_rank()

    def checked_counts():
        if not (isinstance(axis, (int, np.integer)) and 0 <= axis < len(shape)):
            raise InvalidArgument("scatter: axis %r out of range for an array of %d axes" % (axis, len(shape)))
        c = [e - b for b, e in (_share(shape[axis], r, size) for r in range(size))] if counts is None else counts
        c = [int(n) for n in c]
        if len(c) != size or min(c) < 0 or sum(c) != shape[axis]:
            raise InvalidArgument("scatter: counts %s must give %d ranks >= 0 rows each, %d in all"
                                  % (c, size, shape[axis]))
        return c

    counts = agreed(comm, checked_counts, same=lambda c: (axis, tuple(c)))
    order = [axis] + [k for k in range(len(shape)) if k != axis]  # the split axis first: contiguous blocks
    moved = tuple(shape[k] for k in order)
    inner = int(np.prod(moved[1:], dtype=np.int64))
    items = [c * inner for c in counts]
    send = None
    if a is not None:
        send = [np.ascontiguousarray(np.transpose(a, order)) if axis else a, (items, _offsets(items))]
    local = np.empty((counts[rank],) + moved[1:], dtype=dtype)
    comm.Scatterv(send, local, root=root)
    return np.ascontiguousarray(np.transpose(local, np.argsort(order))) if axis else local


def gather(local, comm, root=0, axis=0):
    """The whole array on root from every rank's block along ``axis``, concatenated in rank order
    (the inverse of :func:`scatter`); None on the other ranks. The blocks must have the same
    other extents and dtype on every rank (checked and agreed: a mismatch raises on every
    rank)."""
    comm = _check_comm(comm, "gather")
    size, rank = comm.Get_size(), comm.Get_rank()
    if not (isinstance(root, (int, np.integer)) and 0 <= root < size):
        raise InvalidArgument("gather: root must be a rank 0..%d, got %r" % (size - 1, root))

    def prepare():
        a = as_input(local, name="gather")
        if not (isinstance(axis, (int, np.integer)) and 0 <= axis < a.ndim):
            raise InvalidArgument("gather: axis %r out of range for an array of %d axes" % (axis, a.ndim))
        return a

    a = agreed(comm, prepare, same=lambda a: "%s %s" % (a.dtype.name, a.shape[:axis] + ("*",) + a.shape[axis + 1:]))
    counts = comm.allgather(a.shape[axis])
    order = [axis] + [k for k in range(a.ndim) if k != axis]
    mine = np.ascontiguousarray(np.transpose(a, order)) if axis else a
    inner = int(np.prod(mine.shape[1:], dtype=np.int64))
    items = [c * inner for c in counts]
    out = np.empty((sum(counts),) + mine.shape[1:], dtype=a.dtype) if rank == root else None
    comm.Gatherv(mine, None if out is None else [out, (items, _offsets(items))], root=root)
    if out is None:
        return None
    return np.ascontiguousarray(np.transpose(out, np.argsort(order))) if axis else out
