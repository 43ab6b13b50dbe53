"""recon on several MPI ranks through mpi4py (docs/python.md, "MPI"): run under
``mpiexec -n N python -m pytest tests/python/mpi/test_mpi.py`` (N = 2 and 3 by
tests/python/test_mpi_driver.py, which scripts/test's cpu configuration runs). Every rank runs
every test; each rank compares its share with the serial result it computes itself, and every
assertion is first agreed over the ranks (a rank that fails alone would leave the others waiting
in a collective). A plain single-process run skips this file."""
import os

import numpy as np
import pytest

_size = int(os.environ.get("PMI_SIZE") or os.environ.get("OMPI_COMM_WORLD_SIZE") or 1)
if _size < 2:
    pytest.skip("MPI tests: run under mpiexec -n N (N >= 2); tests/python/test_mpi_driver.py does",
                allow_module_level=True)
MPI = pytest.importorskip("mpi4py.MPI", reason="mpi4py is not installed (scripts/setup-deps installs it)")

import recon  # noqa: E402
from recon.ct import Geometry, Projector  # noqa: E402

if not recon.dist.mpi_built():
    pytest.skip("this build of recon has no MPI (RECON_MPI)", allow_module_level=True)

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()


def everywhere(ok, what):
    """Asserts ok on every rank at once (one all-reduce), naming the ranks that failed."""
    failed = comm.allgather(bool(ok))
    assert all(failed), "%s failed on ranks %s" % (what, [r for r, f in enumerate(failed) if not f])


def rel_max(d, s):
    return float(np.max(np.abs(d - s)) / max(np.max(np.abs(s)), 1e-300))


def rel_l2(d, s):
    return float(np.linalg.norm(d - s) / np.linalg.norm(s))


def cone():
    return Geometry.cone((9, 14, 16), 11, (12, 22), 60, 30, pixel=1.3, offset_v=0.4)


def parallel3d():
    return Geometry.parallel3d((10, 12, 13), 7, (11, 15), pixel=1.1, voxel_size=(1, 1, 0.8))


GEOMETRIES = {"cone": cone, "parallel3d": parallel3d}
BOUND = {np.float32: 1e-5, np.float64: 1e-12}


def data(g, dtype, seed=0):
    r = np.random.default_rng(seed)  # the same on every rank
    return (r.random(g.volume_shape).astype(dtype), r.random(g.projection_shape).astype(dtype))


def local_volume(A, x):
    b, e = A.slices
    return np.ascontiguousarray(x[b:e])


def local_projections(A, y):
    (vb, ve), (rb, re) = A.views, A.rows
    return np.ascontiguousarray(y[vb:ve, rb:re])


@pytest.mark.parametrize("distribute", ["views", "slabs"])
@pytest.mark.parametrize("name", sorted(GEOMETRIES))
def test_shares_partition_the_arrays(name, distribute):
    g = GEOMETRIES[name]()
    A = Projector(g, device="cpu", comm=comm, distribute=distribute)
    assert A.distribute == distribute and A.comm is comm
    nz, views, rows = g.volume_shape[0], g.projection_shape[0], g.projection_shape[1]
    shares = comm.allgather((A.slices, A.views, A.rows))
    split = {"views": 1, "slabs": 0}[distribute]
    for k, n in enumerate((nz, views, rows)):
        got = [s[k] for s in shares]
        if k == split or (distribute == "slabs" and k == 2):
            assert got[0][0] == 0 and got[-1][1] == n, got
            assert all(got[r][1] == got[r + 1][0] for r in range(size - 1)), got
        else:
            assert all(s == (0, n) for s in got), got
    assert A.volume_shape == (A.slices[1] - A.slices[0],) + g.volume_shape[1:]
    assert A.projection_shape == (A.views[1] - A.views[0], A.rows[1] - A.rows[0], g.projection_shape[2])
    if distribute == "views":
        assert A.views == recon.dist.block(views, comm)
    else:
        assert A.slices == recon.dist.block(nz, comm)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("distribute", ["views", "slabs"])
@pytest.mark.parametrize("name", sorted(GEOMETRIES))
def test_forward_and_adjoint_equal_the_serial_ones(name, distribute, dtype):
    g = GEOMETRIES[name]()
    S = Projector(g, device="cpu")
    A = Projector(g, device="cpu", comm=comm, distribute=distribute)
    x, y = data(g, dtype)
    ys, xs = S(x), S.adjoint(y)
    xl, yl = A.scatter_volume(x if rank == 0 else None), A.scatter_projections(y if rank == 0 else None)
    everywhere(np.array_equal(xl, local_volume(A, x)) and np.array_equal(yl, local_projections(A, y)), "scatter")
    yd, xd = A.forward(xl), A.adjoint(yl)
    everywhere(yd.dtype == dtype and xd.dtype == dtype, "dtype")
    everywhere(rel_max(yd, local_projections(A, ys)) <= BOUND[dtype], "forward")
    everywhere(rel_max(xd, local_volume(A, xs)) <= BOUND[dtype], "adjoint")
    # The whole arrays back on rank 0.
    yw, xw = A.gather_projections(yd), A.gather_volume(xd)
    if rank == 0:
        everywhere(rel_max(yw, ys) <= BOUND[dtype] and rel_max(xw, xs) <= BOUND[dtype], "gather")
    else:
        everywhere(yw is None and xw is None, "gather off root")


@pytest.mark.parametrize("distribute", ["views", "slabs"])
def test_adjoint_identity_summed_over_the_ranks(distribute):
    g = cone()
    A = Projector(g, device="cpu", comm=comm, distribute=distribute)
    r = np.random.default_rng(10 + rank)  # different shares on every rank, a replicated x excepted
    x = np.random.default_rng(3).standard_normal(A.volume_shape) if distribute == "views" else \
        r.standard_normal(A.volume_shape)
    y = r.standard_normal(A.projection_shape)
    lhs = comm.allreduce(float(np.vdot(A(x), y)))
    local = float(np.vdot(x, A.T(y)))
    rhs = local if distribute == "views" else comm.allreduce(local)  # by views x and A^T y are replicated
    x_norm2 = float(np.vdot(x, x)) if distribute == "views" else comm.allreduce(float(np.vdot(x, x)))
    scale = (comm.allreduce(float(np.vdot(y, y))) * x_norm2) ** 0.5 * Projector(g, device="cpu").norm(30)
    everywhere(abs(lhs - rhs) <= 1e-12 * scale, "<A x, y> = <x, A^T y>: %g against %g" % (lhs, rhs))


@pytest.mark.parametrize("solver", ["cgls", "sirt"])
@pytest.mark.parametrize("distribute", ["views", "slabs"])
def test_cgls_and_sirt_equal_the_serial_solvers(solver, distribute):
    g = cone()
    x_true, _ = data(g, np.float64, seed=1)
    y = Projector(g, device="cpu")(x_true)
    run = getattr(recon.ct, solver)
    options = dict(iters=12, tol=0.0) if solver == "cgls" else dict(iters=12, tol=0.0, relaxation=1.5, nonneg=True)
    xs, rs = run(y, g, device="cpu", return_report=True, **options)
    A = Projector(g, device="cpu", comm=comm, distribute=distribute)
    xd, rd = run(A.scatter_projections(y), A, return_report=True, **options)
    everywhere(rd["iterations"] == rs["iterations"], "iterations")
    everywhere(rel_l2(xd, local_volume(A, xs)) <= 1e-6, "x")
    whole = A.gather_volume(xd)
    everywhere(rank != 0 or rel_l2(whole, xs) <= 1e-6, "gathered x")


@pytest.mark.parametrize("distribute", ["views", "slabs"])
def test_operators_made_from_a_split_projector_stay_split(distribute):
    g = cone()
    serial = Projector(g, device="cpu")
    A = Projector(g, device="cpu", comm=comm, distribute=distribute)
    x, y = data(g, np.float64, seed=4)
    w = np.random.default_rng(5).random(g.volume_shape) + 0.5  # a local operator on each rank's share
    D = recon.ops.Diagonal(local_volume(A, w))
    normal = 0.5 * (A.T @ A) @ D - A.T @ A  # a replicated volume by views, slabs by slabs
    expected = 0.5 * serial.adjoint(serial(w * x)) - serial.adjoint(serial(x))
    everywhere(rel_max(normal(local_volume(A, x)), local_volume(A, expected)) <= 1e-12, "composed forward")
    everywhere(rel_max(normal.adjoint(local_volume(A, x)),
                       local_volume(A, w * (0.5 * serial.adjoint(serial(x))) - serial.adjoint(serial(x)))) <= 1e-12,
               "composed adjoint")
    everywhere(normal._split == ((distribute == "slabs"),) * 2 and (-A.T)._split == (True, distribute == "slabs"),
               "split flags")
    # The norm is the whole operator's, its power method's sums running over the ranks.
    for op, whole in ((A, serial), (2 * A.T, 2 * serial.T), (A @ D, serial @ recon.ops.Diagonal(w))):
        split, reference = op.norm(200), whole.norm(200)
        everywhere(abs(split - reference) <= 1e-4 * reference, "norm of %r: %g against %g" % (op, split, reference))
    raises_everywhere(recon.InvalidArgument, lambda: (2 * A).to_scipy(), match="split over")
    bad = np.zeros(A.volume_shape if rank else (1, 2))
    raises_everywhere(recon.ShapeMismatch, lambda: (A @ D).forward(bad))


def test_a_rank_without_views():
    g = Geometry.cone((6, 10, 10), 2, (8, 14), 60, 30)  # 2 views: none on rank 2 of 3
    x_true, _ = data(g, np.float64, seed=6)
    S = Projector(g, device="cpu")
    y = S(x_true)
    A = Projector(g, device="cpu", comm=comm, distribute="views")
    yl = A.scatter_projections(y)
    everywhere(yl.shape == A.projection_shape and A.projection_shape[0] == A.views[1] - A.views[0], "share")
    everywhere(rel_max(A.adjoint(yl), S.adjoint(y)) <= 1e-12, "adjoint")
    everywhere(rel_max(A.forward(x_true), local_projections(A, y)) <= 1e-12 if yl.size else
               A.forward(x_true).size == 0, "forward")
    xs, rs = recon.ct.cgls(y, g, iters=8, tol=0.0, device="cpu", return_report=True)
    xd, rd = recon.ct.cgls(yl, A, iters=8, tol=0.0, return_report=True)
    everywhere(rd["iterations"] == rs["iterations"] and rel_l2(xd, xs) <= 1e-6, "cgls")


def test_cgls_to_a_tolerance_stops_where_the_serial_one_does():
    g = parallel3d()
    x_true, _ = data(g, np.float64, seed=2)
    y = Projector(g, device="cpu")(x_true)
    xs, rs = recon.ct.cgls(y, g, iters=200, tol=1e-3, device="cpu", return_report=True)
    A = Projector(g, device="cpu", comm=comm, distribute="slabs")
    # comm= on the solver makes the split projector itself.
    xd, rd = recon.ct.cgls(A.scatter_projections(y), g, iters=200, tol=1e-3, device="cpu", comm=comm,
                           distribute="slabs", return_report=True)
    everywhere(rd["iterations"] == rs["iterations"] < 200, "iterations")
    everywhere(rel_l2(xd, local_volume(A, xs)) <= 1e-6, "x")


@pytest.mark.parametrize("solver,distribute,init", [("pdhg", "views", "zero"), ("pdhg", "slabs", "zero"),
                                                    ("pdhg", "slabs", "fbp"), ("pdhg", "views", "fbp"),
                                                    ("apgm", "slabs", "zero")])
def test_reconstruct_equals_the_serial_solver(solver, distribute, init):
    g = cone()
    x_true, _ = data(g, np.float64, seed=4)
    y = Projector(g, device="cpu")(x_true)
    options = dict(lam=0.05, solver=solver, iters=15 if init == "zero" else 5, tol=0.0, device="cpu", init=init)
    xs, rs = recon.ct.reconstruct(y, g, return_report=True, **options)
    A = Projector(g, device="cpu", comm=comm, distribute=distribute)
    xd, rd = recon.ct.reconstruct(A.scatter_projections(y), A, return_report=True, **options)
    everywhere(rd["iterations"] == rs["iterations"], "iterations")
    everywhere(rel_l2(xd, local_volume(A, xs)) <= 1e-6, "x")
    everywhere(abs(rd["objective"] - rs["objective"]) <= 1e-6 * abs(rs["objective"]), "objective")


@pytest.mark.parametrize("name", sorted(GEOMETRIES))
def test_fbp_and_fdk_by_slabs_and_views_equal_the_serial_ones(name):
    g = GEOMETRIES[name]()
    x_true, _ = data(g, np.float64, seed=7)
    y = Projector(g, device="cpu")(x_true)
    analytic = recon.ct.fdk if g.type == "cone" else recon.ct.fbp
    xs = analytic(y, g, device="cpu")
    A = Projector(g, device="cpu", comm=comm, distribute="slabs")
    xd = analytic(A.scatter_projections(y), A)
    everywhere(xd.shape == A.volume_shape and rel_max(xd, local_volume(A, xs)) <= 1e-10, "slab of the serial FBP")
    B = Projector(g, device="cpu", comm=comm, distribute="views")
    xv = analytic(B.scatter_projections(y), B)  # each rank its views, the whole volume on every rank
    everywhere(xv.shape == g.volume_shape and rel_max(xv, xs) <= 1e-10, "the serial FBP, by views")


@pytest.mark.parametrize("shape", [(13, 12, 11), (17, 15)])
@pytest.mark.parametrize("solver", ["pdhg", "admm", "apgm", "lbfgs"])
def test_denoise_tv_by_slabs_equals_the_serial_one(shape, solver):
    r = np.random.default_rng(5)
    u = np.clip(np.add.outer(np.arange(shape[0]) > shape[0] // 2, np.zeros(shape[1:])), 0, 1)
    u = u + 0.2 * r.standard_normal(shape)
    # PDHG to a tolerance; ADMM (CG x-updates, a halo exchange per CG step: slow on oversubscribed
    # ranks) for a fixed number of iterations.
    iters, tol = (6, 0.0) if solver == "admm" else (400, 1e-4)
    penalty = recon.penalty.huber(delta=0.1) if solver == "lbfgs" else "l1"
    options = dict(lam=0.1, solver=solver, iters=iters, tol=tol, penalty=penalty, return_report=True)
    xs, rs = recon.denoise_tv(u, use_cg=solver == "admm", **options)
    ul = recon.dist.scatter(u if rank == 0 else None, comm)
    xd, rd = recon.denoise_tv(ul, comm=comm, **options)
    b, e = recon.dist.block(shape[0], comm)
    everywhere(rd["iterations"] == rs["iterations"] and (tol == 0 or rs["iterations"] < iters), "iterations")
    everywhere(rel_l2(xd, xs[b:e]) <= 1e-6, "x")
    everywhere(abs(rd["objective"] - rs["objective"]) <= 1e-6 * rs["objective"], "objective")
    whole = recon.dist.gather(xd, comm)
    everywhere(rank != 0 or rel_l2(whole, xs) <= 1e-6, "gathered x")


def test_a_sub_communicator():
    sub = comm.Split(rank % 2, rank)  # 3 ranks: {0, 2} and {1}; 2 ranks: two single ranks
    try:
        engine = recon.dist.engine_communicator(sub)
        everywhere(engine.size == sub.Get_size() and engine.rank == sub.Get_rank(), "sub-communicator's ranks")
        everywhere(recon.dist.engine_communicator(sub) is engine, "one duplicate per communicator")
        g = cone()
        x_true, _ = data(g, np.float64, seed=8)
        y = Projector(g, device="cpu")(x_true)
        xs, rs = recon.ct.cgls(y, g, iters=6, tol=0.0, device="cpu", return_report=True)
        A = Projector(g, device="cpu", comm=sub, distribute="slabs")
        everywhere(A.slices == recon.dist.block(g.volume_shape[0], sub), "slabs of the sub-communicator")
        xd, rd = recon.ct.cgls(A.scatter_projections(y), A, iters=6, tol=0.0, return_report=True)
        everywhere(rd["iterations"] == rs["iterations"] and rel_l2(xd, local_volume(A, xs)) <= 1e-6, "cgls")
    finally:
        sub.Free()


def test_dist_helpers_round_trip_on_any_axis():
    a = np.arange(5 * 7 * 3, dtype=np.float32).reshape(5, 7, 3)
    for axis in (0, 1, 2):
        part = recon.dist.scatter(a if rank == 0 else None, comm, axis=axis)
        b, e = recon.dist.block(a.shape[axis], comm)
        everywhere(np.array_equal(part, np.take(a, range(b, e), axis=axis)), "scatter axis %d" % axis)
        back = recon.dist.gather(part, comm, axis=axis)
        everywhere(rank != 0 or np.array_equal(back, a), "gather axis %d" % axis)
    everywhere(np.array_equal(recon.dist.broadcast(a if rank == 0 else None, comm), a), "broadcast")


# -- errors: raised on every rank, no rank left waiting ----------------------------------------

def raises_everywhere(kind, fn, match=None):
    with pytest.raises(kind, match=match):
        fn()
    comm.Barrier()  # every rank got here: nobody waits in a collective


def test_a_wrong_shape_on_one_rank_raises_on_every_rank():
    g = cone()
    A = Projector(g, device="cpu", comm=comm, distribute="slabs")
    x = np.zeros(A.volume_shape)
    if rank == size - 1:
        x = np.zeros((A.volume_shape[0] + 1,) + A.volume_shape[1:])
    raises_everywhere(recon.ShapeMismatch, lambda: A.forward(x), match="rank %d" % (size - 1) if rank != size - 1
                      else "x has shape")
    y = np.zeros(A.projection_shape, dtype=np.float32 if rank == 0 else np.float64)
    raises_everywhere(recon.InvalidArgument, lambda: A.adjoint(y), match="differ between the ranks")
    bad_y = np.zeros(A.projection_shape) if rank else np.zeros(3)
    raises_everywhere(recon.ShapeMismatch, lambda: recon.ct.cgls(bad_y, A, iters=2))


def test_bad_projector_arguments_raise_on_every_rank():
    g = cone()
    raises_everywhere(recon.InvalidArgument,
                      lambda: Projector(g, device="cpu", comm=comm, distribute="rows" if rank == 0 else "views"))
    other = Geometry.cone((9, 14, 16), 12, (12, 22), 60, 30) if rank == 1 else g
    raises_everywhere(recon.InvalidArgument, lambda: Projector(other, device="cpu", comm=comm),
                      match="geometries")
    few = Geometry.cone((size - 1, 8, 8), 5, (8, 10), 60, 30)  # fewer slices than ranks
    raises_everywhere(recon.InvalidArgument, lambda: Projector(few, device="cpu", comm=comm, distribute="slabs"),
                      match="slab")
    flat = Geometry.parallel2d((8, 8), 6, 10)
    raises_everywhere(recon.InvalidArgument, lambda: Projector(flat, device="cpu", comm=comm, distribute="slabs"))
    raises_everywhere(recon.InvalidArgument,
                      lambda: Projector(g.with_layout("astra"), device="cpu", comm=comm), match="layout")
    raises_everywhere(recon.InvalidArgument, lambda: recon.ct.cgls(np.zeros(3), Projector(g, device="cpu"),
                                                                   comm=comm), match="comm")


def test_scipy_and_pylops_adapters_of_a_split_projector_are_refused():
    A = Projector(cone(), device="cpu", comm=comm)
    raises_everywhere(recon.InvalidArgument, lambda: A.to_scipy(), match="split over")
    raises_everywhere(recon.InvalidArgument, lambda: A.to_pylops(), match="split over")


def test_denoise_tv_errors_raise_on_every_rank():
    b, e = recon.dist.block(12, comm)
    u = np.zeros((e - b + (1 if rank == 0 else 0), 6))
    raises_everywhere(recon.InvalidArgument, lambda: recon.denoise_tv(u, 0.1, comm=comm), match="rows")
    u = np.zeros((e - b, 6))
    raises_everywhere(recon.InvalidArgument, lambda: recon.denoise_tv(u, 0.1, solver="lbfgs", comm=comm),
                      match="differentiable")
    raises_everywhere(ValueError, lambda: recon.denoise_tv(u, 0.1 if rank else "x", comm=comm))
