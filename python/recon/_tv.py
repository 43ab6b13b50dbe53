"""TV denoising (recon.denoise_tv)."""
from . import _recon
from ._arrays import as_input, check_shape, output
from ._progress import progress_callback
from .penalty import as_function


def denoise_tv(u, lam, penalty="l1", solver="pdhg", iso=True, iters=500, tol=1e-5, callback=None, *,
               boundary="neumann", check_every=10, rho=0.0, balance_rho=True, use_cg=False, alpha=0.5,
               x0=None, out=None, return_report=False, progress=False, device="auto"):
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
    return_report: also return a dict (iterations, stop, converged, objective, last, solver,
        penalty).
    Returns x (float32 for float32 input, else float64), or (x, report).
    """
    u = as_input(u, name="u")
    x = output(out, u.shape, u.dtype)
    warm = x0 is not None
    if warm:
        if x0 is not x:
            x0 = as_input(x0, dtype=u.dtype, name="x0")
            check_shape(x0, u.shape, "x0")
            x[...] = x0
    fn = as_function(penalty)
    with progress_callback(progress, "denoise_tv", iters, callback) as cb:
        report = _recon.denoise_tv(u, x, fn._fn, float(lam), bool(iso), boundary, solver, int(iters), float(tol),
                                   int(check_every), float(rho), bool(balance_rho), bool(use_cg), float(alpha),
                                   warm, cb, device)
    return (x, report) if return_report else x
