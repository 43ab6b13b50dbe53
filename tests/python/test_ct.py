"""recon.ct: the adjoint through Python, the CLI's results on the same inputs, geometry JSON and
ASTRA round trips, ASTRA's array layout, and ASTRA's own projector where astra imports."""
import numpy as np
import pytest
from conftest import rel
from geometries import circular, every_family, smooth_volume, vector_forms

import recon
from recon.ct import Geometry, Projector

FAMILIES = every_family()


@pytest.mark.parametrize("name", sorted(FAMILIES))
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_adjoint(name, dtype, tol):
    g = FAMILIES[name]
    a = Projector(g, device="cpu")
    rng = np.random.default_rng(3)
    x = rng.standard_normal(a.volume_shape).astype(dtype)
    y = rng.standard_normal(a.projection_shape).astype(dtype)
    ax, aty = a(x), a.T(y)
    assert ax.dtype == dtype and aty.dtype == dtype
    assert ax.shape == g.projection_shape and aty.shape == g.volume_shape
    lhs, rhs = np.vdot(ax.astype(np.float64), y), np.vdot(x, aty.astype(np.float64))
    assert abs(lhs - rhs) <= tol * np.linalg.norm(ax) * np.linalg.norm(y)
    assert np.linalg.norm(ax) > 0
    assert a.shape == (y.size, x.size) and a.T.shape == (x.size, y.size)


def test_norm_is_the_largest_singular_value():
    g = circular()["parallel2d"]
    a = Projector(g, device="cpu")
    n = a.volume_shape[0] * a.volume_shape[1]
    m = np.stack([a(e.reshape(a.volume_shape)).ravel() for e in np.eye(n)], axis=1)  # the dense matrix
    s = np.linalg.svd(m, compute_uv=False)[0]
    assert abs(a.norm(200) - s) <= 1e-6 * s


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_project_and_backproject_equal_the_cli(cli, name):
    g = FAMILIES[name]
    a = Projector(g, device="cpu")
    x = smooth_volume(g.volume_shape, dtype=np.float32)
    gf = cli.geometry(g)
    cli.run("ct", "project", "--geometry", gf, cli.save("x.npy", x), cli.path("y.npy"))
    y_cli = np.load(cli.path("y.npy"))
    y = a(x)
    assert y_cli.shape == y.shape
    assert rel(y, y_cli) <= 1e-6
    cli.run("ct", "backproject", "--geometry", gf, cli.path("y.npy"), cli.path("b.npy"))
    assert rel(a.T(y_cli), np.load(cli.path("b.npy"))) <= 1e-5  # atomic scatter: order may differ


@pytest.mark.parametrize("name,method", [("parallel2d", "fbp"), ("fan2d", "fbp"), ("parallel3d", "fbp"),
                                         ("cone", "fdk")])
def test_fbp_fdk_equal_the_cli(cli, name, method):
    g = circular()[name]
    y = Projector(g, device="cpu")(smooth_volume(g.volume_shape, dtype=np.float32))
    gf = cli.geometry(g)
    cli.run("ct", method, "--geometry", gf, "--filter", "hann", cli.save("y.npy", y), cli.path("f.npy"))
    f = getattr(recon.ct, method)(y, g, filter="hann", device="cpu")
    assert f.dtype == np.float32
    assert rel(f, np.load(cli.path("f.npy"))) <= 1e-5
    # The CPU interpolates exactly whatever is asked: texture (a GPU's) gives the same values.
    np.testing.assert_array_equal(getattr(recon.ct, method)(y, g, filter="hann", device="cpu",
                                                            interpolation="texture"), f)
    with pytest.raises(recon.InvalidArgument, match="interpolation"):
        getattr(recon.ct, method)(y, g, device="cpu", interpolation="cubic")
    other = "fdk" if method == "fbp" else "fbp"
    with pytest.raises(recon.InvalidArgument, match="use " + method):
        getattr(recon.ct, other)(y, g)


@pytest.mark.parametrize("name", ["parallel2d", "cone_vec"])
@pytest.mark.parametrize("solver", ["sirt", "cgls"])
def test_sirt_cgls_equal_the_cli(cli, name, solver):
    g = FAMILIES[name]
    y = Projector(g, device="cpu")(smooth_volume(g.volume_shape, dtype=np.float32))
    gf = cli.geometry(g)
    out = cli.run("ct", solver, "--geometry", gf, "--iters", "12", "--tol", "0", cli.save("y.npy", y),
                  cli.path("x.npy"))
    x, report = getattr(recon.ct, solver)(y, g, iters=12, tol=0, return_report=True, device="cpu")
    assert report["iterations"] == out["iterations"] == 12
    assert rel(x, np.load(cli.path("x.npy"))) <= 1e-4


def test_sirt_callback_stops_and_nonneg():
    g = circular()["fan2d"]
    a = Projector(g, device="cpu")
    y = a(smooth_volume(g.volume_shape))
    seen = []
    x, rep = recon.ct.sirt(y, a, iters=50, nonneg=True, callback=lambda it: seen.append(it["iteration"]) or
                           it["iteration"] < 4, return_report=True)
    assert seen == [1, 2, 3, 4] and rep["iterations"] == 4 and rep["stop"] != "max-iterations"
    assert x.min() >= 0


@pytest.mark.parametrize("name", ["parallel3d", "cone", "fan2d"])
def test_memory_limit_streams_and_equals_the_in_memory_projector(name):
    g = FAMILIES[name]
    a = Projector(g, device="cpu")
    vol, proj = int(np.prod(g.volume_shape)), int(np.prod(g.projection_shape))
    # Bytes below A's two arrays; a 2D image is not split: two images and half the views fit.
    limit = 4 * (vol + proj) * 3 // 4 if g.ndim == 3 else int(4 * (2 * vol + proj // 2) / 0.9) + 64
    assert limit < 4 * (vol + proj)
    s = Projector(g, device="cpu", memory_limit=int(limit))
    assert s.streamed and not a.streamed
    rng = np.random.default_rng(9)
    x = rng.standard_normal(a.volume_shape).astype(np.float32)
    y = rng.standard_normal(a.projection_shape).astype(np.float32)
    assert rel(s(x), a(x)) < 1e-5 and rel(s.T(y), a.T(y)) < 1e-5
    assert rel(recon.ct.cgls(a(x), s, iters=5), recon.ct.cgls(a(x), a, iters=5)) < 1e-4
    with pytest.raises(ValueError, match="memory_limit: '4 parsecs' is not a memory size"):
        Projector(g, device="cpu", memory_limit="4 parsecs")


def test_to_scipy_is_the_projector_for_scipys_solvers():
    from scipy.sparse.linalg import lsqr

    g = circular()["fan2d"]
    a = Projector(g, device="cpu")
    op = a.to_scipy(np.float64)
    rng = np.random.default_rng(5)
    x = rng.standard_normal(a.volume_shape)
    y = rng.standard_normal(a.projection_shape)
    assert op.shape == a.shape and op.dtype == np.float64
    assert np.array_equal(op.matvec(x.ravel()), a(x).ravel())
    assert np.array_equal(op.rmatvec(y.ravel()), a.T(y).ravel())
    # scipy's LSQR through the operator reaches recon's CGLS solution (same least-squares problem).
    b = a(smooth_volume(g.volume_shape))
    ours = recon.ct.cgls(b, a, iters=3000, tol=1e-10)
    theirs = lsqr(op, b.ravel(), atol=1e-12, btol=1e-12, iter_lim=3000)[0].reshape(a.volume_shape)
    assert rel(theirs, ours) < 1e-5


def test_cgls_converges_to_least_squares():
    g = circular()["parallel2d"]
    a = Projector(g, device="cpu")
    xt = smooth_volume(g.volume_shape)
    y = a(xt)
    x, rep = recon.ct.cgls(y, a, iters=3000, tol=1e-9, return_report=True)
    assert rep["converged"] and rep["iterations"] < 3000
    grad = a.T(y - a(x))  # the normal equations' residual, computed here
    assert np.linalg.norm(grad) <= 1e-7 * np.linalg.norm(a.T(y))
    assert rel(a(x), y) < 1e-3


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_json_round_trip(name):
    g = FAMILIES[name]
    h = Geometry.from_json(g.to_json())
    assert h == g and h.type == g.type and h.layout == "recon"
    assert not (h == circular()["cone"]) or name == "cone"


def test_json_errors_name_the_field():
    text = circular()["cone"].to_json().replace('"source_origin"', '"source_orgin"')
    with pytest.raises(recon.InvalidArgument, match="source_orgin"):
        Geometry.from_json(text)
    with pytest.raises(ValueError):
        Geometry.parallel2d((16, 16), 10, 0)


# -- ASTRA ---------------------------------------------------------------------------------

def astra_proj_geom(kind, *args):
    """What astra.create_proj_geom returns (astra/creators.py), for the tests without ASTRA."""
    keys = {"parallel": ["DetectorWidth", "DetectorCount", "ProjectionAngles"],
            "fanflat": ["DetectorWidth", "DetectorCount", "ProjectionAngles", "DistanceOriginSource",
                        "DistanceOriginDetector"],
            "parallel3d": ["DetectorSpacingX", "DetectorSpacingY", "DetectorRowCount", "DetectorColCount",
                           "ProjectionAngles"],
            "cone": ["DetectorSpacingX", "DetectorSpacingY", "DetectorRowCount", "DetectorColCount",
                     "ProjectionAngles", "DistanceOriginSource", "DistanceOriginDetector"]}[kind]
    return dict(type=kind, **dict(zip(keys, args)))


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_astra_round_trip_every_family(name):
    g = FAMILIES[name]
    vol, proj = g.to_astra()
    h = Geometry.from_astra(vol, proj)
    # A circular geometry with detector offsets has no ASTRA circular form: it goes as *_vec and
    # comes back as the vector geometry with the same per-view vectors.
    expected = g
    if g.circular and (g.offset_u or g.offset_v):
        assert proj["type"].endswith("_vec")
        expected = Geometry.from_vectors(g.volume_shape, g.vectors, g.detector_shape, g.divergent,
                                         voxel_size=g.voxel_size, origin=g.origin)
    assert h == expected, (h, expected)
    assert h.layout == "astra" and h.with_layout("recon").layout == "recon"
    assert Geometry.from_astra(*h.to_astra()) == h


@pytest.mark.parametrize("name", sorted(circular(offsets=False)))
def test_astra_round_trip_circular_forms(name):
    g = circular(offsets=False)[name]
    vol, proj = g.to_astra()
    assert proj["type"] == {"parallel2d": "parallel", "fan2d": "fanflat"}.get(name, name)
    assert Geometry.from_astra(vol, proj) == g
    # awkward numbers: exact up to the window arithmetic (min/max of ASTRA's volume window)
    h = Geometry.cone((5, 7, 9), np.linspace(0.1, 6.0, 17), (11, 13), 97.3, 31.1, pixel=(0.7, 1.3),
                      voxel_size=(0.3, 0.7, 1.1), origin=(0.1, -0.2, 0.3))
    back = Geometry.from_astra(*h.to_astra())
    assert back.isclose(h, 1e-13)
    assert not back.isclose(Geometry.cone((5, 7, 9), np.linspace(0.1, 6.0, 17), (11, 13), 97.3, 31.2,
                                          pixel=(0.7, 1.3), voxel_size=(0.3, 0.7, 1.1), origin=(0.1, -0.2, 0.3)))


def test_from_astra_reads_astras_dicts():
    vol = {"GridRowCount": 24, "GridColCount": 20,
           "option": {"WindowMinX": -8.5, "WindowMaxX": 11.5, "WindowMinY": -16.0, "WindowMaxY": 8.0}}
    angles = np.linspace(0, np.pi, 30, endpoint=False)
    g = Geometry.from_astra(vol, astra_proj_geom("parallel", 1.25, 36, angles))
    assert g == Geometry.parallel2d((24, 20), angles, 36, pixel=1.25, origin=(1.5, -4.0))
    assert g.voxel_size == (1.0, 1.0)
    vol3 = {"GridRowCount": 16, "GridColCount": 14, "GridSliceCount": 8, "option": {}}  # default window
    g3 = Geometry.from_astra(vol3, astra_proj_geom("cone", 1.5, 1.25, 14, 28, angles, 48.0, 24.0))
    assert g3 == Geometry.cone((8, 16, 14), angles, (14, 28), 48.0, 24.0, pixel=(1.25, 1.5))
    assert g3.projection_shape == (14, 30, 28)  # ASTRA's (rows, views, cols)
    with pytest.raises(recon.InvalidArgument, match="sparse_matrix"):
        Geometry.from_astra(vol, {"type": "sparse_matrix"})
    with pytest.raises(recon.InvalidArgument, match="DetectorCount"):
        Geometry.from_astra(vol, {"type": "parallel", "DetectorWidth": 1.0, "ProjectionAngles": angles})


@pytest.mark.parametrize("name", ["parallel2d", "fan2d", "parallel2d_vec", "fan2d_vec"])
def test_astra_layout_2d_is_the_flipped_image(name):
    g = FAMILIES[name]
    a, b = Projector(g, device="cpu"), Projector(g.with_layout("astra"), device="cpu")
    x = smooth_volume(g.volume_shape)
    xa = np.ascontiguousarray(x[::-1])  # ASTRA's image: row 0 at the largest y
    assert rel(b(xa), a(x)) <= 1e-12
    y = np.random.default_rng(1).standard_normal(a.projection_shape)
    assert rel(b.T(y), a.T(y)[::-1]) <= 1e-12
    assert rel(b(x), a(x)) > 0.05  # the layout matters for this object
    assert rel(recon.ct.sirt(a(x), b, iters=5), recon.ct.sirt(a(x), a, iters=5)[::-1]) <= 1e-10
    if g.circular:
        assert rel(recon.ct.fbp(a(x), g.with_layout("astra")), recon.ct.fbp(a(x), g)[::-1]) == 0


@pytest.mark.parametrize("name", ["parallel3d", "cone", "cone_vec"])
def test_astra_layout_3d_transposes_the_projections(name):
    g = FAMILIES[name]
    a, b = Projector(g, device="cpu"), Projector(g.with_layout("astra"), device="cpu")
    x = smooth_volume(g.volume_shape)
    ya = b(x)
    assert ya.shape == (g.detector_shape[0], g.views, g.detector_shape[1])
    assert np.array_equal(ya, a(x).transpose(1, 0, 2))
    assert rel(b.T(ya), a.T(a(x))) <= 1e-12
    out = np.empty_like(ya)
    assert b(x, out=out) is out
    assert rel(recon.ct.sirt(ya, b, iters=3), recon.ct.sirt(a(x), a, iters=3)) <= 1e-12
    if name == "cone":
        assert rel(recon.ct.fdk(ya, g.with_layout("astra")), recon.ct.fdk(a(x), g)) <= 1e-12
    with pytest.raises(recon.ShapeMismatch):  # recon's layout is refused where ASTRA's is expected
        b.adjoint(a(x))


@pytest.mark.parametrize("kind", ["parallel", "fanflat"])
def test_astra_cpu_projector_agrees(kind):
    """ASTRA's CPU projectors on ASTRA's own dicts and arrays against recon with from_astra:
    'linear' is Joseph's method like recon's (measured 1.1e-6 forward, 7.8e-7 back); ASTRA's CPU
    fan projectors are line kernels only (measured 1.6e-2 forward, 2.8e-2 back). The same image
    in recon's layout is far off (0.60): the layout is what from_astra adds."""
    astra = pytest.importorskip("astra", reason="ASTRA Toolbox is not installed (pip install astra-toolbox)")
    vol = astra.create_vol_geom(48, 40, -18.0, 22.0, -26.0, 22.0)  # off-centre, unit pixels
    if kind == "parallel":
        proj, kernel, tol = astra.create_proj_geom("parallel", 1.0, 72, np.linspace(0, np.pi, 60, False)), \
            "linear", 1e-5
    else:
        proj, kernel, tol = astra.create_proj_geom("fanflat", 1.25, 96, np.linspace(0, 2 * np.pi, 90, False), 120.0,
                                                   60.0), "line_fanflat", 4e-2
    x = smooth_volume((48, 40)).astype(np.float32)  # ASTRA's layout
    pid = astra.create_projector(kernel, proj, vol)
    sid, y_astra = astra.create_sino(x, pid)
    astra.data2d.delete(sid)
    bid, b_astra = astra.create_backprojection(y_astra, pid)
    astra.data2d.delete(bid)
    astra.projector.delete(pid)
    g = Geometry.from_astra(vol, proj)
    a = Projector(g, device="cpu")
    assert rel(a(x), y_astra) <= tol
    assert rel(a.T(y_astra), b_astra) <= tol
    assert rel(Projector(g.with_layout("recon"), device="cpu")(x), y_astra) > 0.3
    assert Projector(Geometry.from_astra(vol, astra.geom_2vec(proj)), device="cpu")(x).tolist() == a(x).tolist()
    # and back: recon's geometry through to_astra into ASTRA, recon's image flipped for it
    vg, pg = g.to_astra()
    pid = astra.create_projector(kernel, pg, vg)
    sid, y2 = astra.create_sino(x, pid)
    astra.data2d.delete(sid)
    astra.projector.delete(pid)
    assert np.array_equal(y2, y_astra)
