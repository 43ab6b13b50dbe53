"""TV denoising (recon.denoise_tv)."""
from . import _cuda, _recon, dist
from ._recon import InvalidArgument
from ._progress import progress_callback
from .penalty import as_function


def denoise_tv(u, lam, penalty="l1", solver="pdhg", iso=True, iters=500, tol=1e-5, callback=None, *,
               boundary="neumann", check_every=10, rho=0.0, balance_rho=True, use_cg=False, alpha=0.5,
               x0=None, out=None, return_report=False, progress=False, device="auto", comm=None):
    """Total-variation denoising of a 1D signal, 2D image or 3D volume u:

        min_x 0.5 ||x - u||^2 + lam * sum phi(D x)

    with D the forward-difference gradient and phi any penalty of the library
    (``recon prox``'s names), as ``recon denoise`` computes it (engine/include/recon/engine/tv.hpp).

    penalty: a name (``'l1'``, ``'sq-l2'``, ...) or a :class:`recon.penalty.Penalty` with its
        parameters (``recon.penalty.mcp(mu=1, theta=3)``).
    solver: ``'admm'``, ``'ladmm'``, ``'ladmm-eq129'``, ``'pdhg'``, ``'apgm'`` (convex phi) or
        ``'lbfgs'`` (differentiable phi). The CLI's default is admm; this function's is pdhg.
    iso: isotropic (phi of the gradient magnitude) or anisotropic (phi of every component).
    iters, tol, check_every, rho, balance_rho, use_cg, alpha, boundary: the CLI's --iters, --tol,
        --check-every, --rho (0: automatic), not --fixed-rho, ADMM by CG, --alpha (ladmm-eq129),
        --boundary (``'neumann'`` or ``'periodic'``).
    callback: called with a dict (iteration, objective, primal_residual, dual_residual, step,
        elapsed_s) as the solver reports progress (the GIL is taken for it); returning False stops
        the solver, and an exception stops it and is raised from denoise_tv.
    progress: True writes a progress line with an estimate of the time left to stderr (or give a
        stream), updated as the solver reports (every ``check_every`` iterations); it composes
        with ``callback``.
    x0: start (warm start) instead of u. out: the result array (u's shape and float dtype).
    u may be a CUDA array (CuPy, torch; docs/python.md, "CUDA arrays"): the solve then runs on its
        device on the caller's current stream (``device`` is not used), the result is an array of
        u's library there, and x0 and out must be CUDA arrays on that device.
    return_report: also return a dict (iterations, stop, converged, objective, last, solver,
        penalty).
    comm: an mpi4py communicator: the array is split into blocks of rows along axis 0 (z-slabs of
        a volume, row blocks of an image) over its ranks, each rank passing its block
        (``recon.dist.block(n, comm)``: rows ``[r n // P, (r + 1) n // P)`` of n; cut and join
        with ``recon.dist.scatter`` / ``gather``); u, x0, out and the result are the rank's block,
        the objective that of the whole array. Every solver (admm's x-update then by CG).
        Progress: rank 0 only.
    Returns x (float32 for float32 input, else float64), or (x, report).
    """
    warm = x0 is not None

    def prepare():
        v, x = _cuda.in_out(u, None, out, None, "denoise_tv", "u")
        if warm and x0 is not x:
            x[...] = _cuda.input_like(x0, x, "denoise_tv", "x0")
        scalars = (float(lam), bool(iso), str(boundary), str(solver), int(iters), float(tol), int(check_every),
                   float(rho), bool(balance_rho), bool(use_cg), float(alpha))
        return v, x, as_function(penalty), scalars

    if comm is None:
        u, x, fn, scalars = prepare()
        engine_comm, whole = None, []
    else:
        u, x, fn, scalars = dist.agreed(comm, prepare,
                                        same=lambda r: "%s %s" % (_cuda.dtype_of(r[0]).name, tuple(r[0].shape[1:])),
                                        what="the dtypes or block shapes (after axis 0)")
        rows = comm.allgather(u.shape[0])
        whole = [sum(rows)] + list(u.shape[1:])
        rank, size = comm.Get_rank(), comm.Get_size()
        dist.agreed(comm, lambda: _check_block(rows[rank], whole[0], rank, size))
        engine_comm = dist.engine_communicator(comm, "denoise_tv")
        if rank != 0:
            progress = False
    with progress_callback(progress, "denoise_tv", iters, callback) as cb:
        # device (host arrays) or the caller's stream (CUDA arrays, on their device)
        report = _recon.denoise_tv(u, x, fn._fn, *scalars, warm, cb, _cuda.place(u, device), engine_comm,
                                   whole)
    return (x, report) if return_report else x


def _check_block(rows, total, rank, size):
    """InvalidArgument unless a rank's block has its share of the rows (recon.dist.block)."""
    begin, end = dist._share(total, rank, size)
    if rows != end - begin:
        raise InvalidArgument("denoise_tv: rank %d holds %d rows of %d, expected %d (rows %d..%d: "
                              "recon.dist.block(%d, comm))" % (rank, rows, total, end - begin, begin, end, total))
