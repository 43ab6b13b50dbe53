"""CT from Python: geometries (docs/ct-geometry.md, the CLI's JSON, ASTRA's dicts), Joseph's
projector A with its exact adjoint, FBP/FDK, SIRT/CGLS and TV-regularised reconstruction.

Conventions are recon's (docs/ct-geometry.md): volumes ``(ny, nx)`` / ``(nz, ny, nx)`` with y
growing with the row index, projections ``(views, cols)`` / ``(views, rows, cols)``, angles in
radians. A geometry made by :meth:`Geometry.from_astra` has ``layout == 'astra'``: the functions
of this module then take and return arrays in ASTRA's layout, so that a script ported from ASTRA
keeps its arrays (docs/python.md):

* 2D volumes: ASTRA's rows run with decreasing y. The projector absorbs this without touching the
  data: it works on the geometry mirrored in y (the same line integrals), so 2D arrays still cross
  without a copy. fbp() computes on recon's layout and writes the result flipped (one copy).
* 3D projections: ASTRA's are ``(rows, views, cols)``; they are transposed to recon's
  ``(views, rows, cols)`` on the way in and out (one copy each way). 3D volumes are the same
  ``(z, y, x)`` array in both.

``g.with_layout('recon')`` is the same geometry with recon's layout.
"""
import hashlib
import math

import numpy as np

from . import _cuda, _recon, dist
from ._arrays import as_input, check_shape, output
from ._recon import InvalidArgument
from .ops import Operator
from ._progress import progress_callback
from .penalty import as_function

__all__ = ["Geometry", "Projector", "fbp", "fdk", "sirt", "cgls", "reconstruct"]

_LAYOUTS = ("recon", "astra")


def _angles(angles, divergent):
    if isinstance(angles, (int, np.integer)):
        count = int(angles)
        if count <= 0:
            raise InvalidArgument("angles: a count must be positive, got %d" % count)
        stop = 2 * math.pi if divergent else math.pi
        return [stop * k / count for k in range(count)]
    a = np.asarray(angles, dtype=np.float64).ravel()
    return [float(v) for v in a]


def _xyz(value, ndim, name, fill):
    if np.ndim(value) == 0:
        v = [float(value)] * ndim
    else:
        v = [float(t) for t in value]
        if len(v) != ndim:
            raise InvalidArgument("%s: expected a number or %d values (x, y%s), got %d"
                                  % (name, ndim, ", z" if ndim == 3 else "", len(v)))
    return v + [fill] * (3 - ndim)


def _pixel(pixel):
    """(pixel_v, pixel_u) from a number or a pair (row spacing, column spacing)."""
    if np.ndim(pixel) == 0:
        return float(pixel), float(pixel)
    p = [float(t) for t in pixel]
    if len(p) != 2:
        raise InvalidArgument("pixel: expected a number or (pixel_v, pixel_u)")
    return p[0], p[1]


def _volume(shape, voxel_size, origin):
    shape = [int(n) for n in shape]
    if len(shape) not in (2, 3):
        raise InvalidArgument("shape: expected (ny, nx) or (nz, ny, nx), got %s" % (tuple(shape),))
    nd = len(shape)
    return shape, _xyz(voxel_size, nd, "voxel_size", 1.0), _xyz(0.0 if origin is None else origin, nd, "origin", 0.0)


class Geometry:
    """A CT acquisition geometry: the volume grid and the projection geometry, in one of four
    families (2D parallel, 2D fan, 3D parallel, 3D cone; circular or per-view vectors). Make one
    with :meth:`parallel2d`, :meth:`fan2d`, :meth:`parallel3d`, :meth:`cone`,
    :meth:`from_vectors`, :meth:`from_json` or :meth:`from_astra`.

    ``==`` compares the acquisition exactly (family, shapes, every number), not the layout;
    :meth:`isclose` compares the numbers to a tolerance."""

    def __init__(self, _geometry, layout="recon"):
        if not isinstance(_geometry, _recon._Geometry):
            raise TypeError("use Geometry.parallel2d/fan2d/parallel3d/cone/from_vectors/from_json/from_astra")
        if layout not in _LAYOUTS:
            raise InvalidArgument("layout '%s': expected 'recon' or 'astra'" % layout)
        self._g = _geometry
        self.layout = layout

    # -- families ---------------------------------------------------------------------------
    @staticmethod
    def parallel2d(shape, angles, cols, pixel=1.0, offset_u=0.0, voxel_size=1.0, origin=None):
        """2D parallel beam. shape (ny, nx); angles: radians, or a count of views equally spaced
        over [0, pi); cols detector columns of width ``pixel``, the detector centre shifted by
        ``offset_u``; voxel_size a number or (vx, vy); origin (x, y) of the volume centre."""
        shape, vox, org = _volume(shape, voxel_size, origin)
        return Geometry(_recon._Geometry.make_circular("parallel2d", shape, vox, org, 1, int(cols), 1.0, float(pixel),
                                                  _angles(angles, False), 0.0, 0.0, float(offset_u), 0.0))

    @staticmethod
    def fan2d(shape, angles, cols, source_origin, origin_detector, pixel=1.0, offset_u=0.0, voxel_size=1.0,
              origin=None):
        """2D fan beam, flat detector: source at distance ``source_origin`` from the rotation axis,
        detector centre at ``origin_detector`` beyond it. angles: radians, or a count over
        [0, 2 pi). Other arguments as :meth:`parallel2d`."""
        shape, vox, org = _volume(shape, voxel_size, origin)
        return Geometry(_recon._Geometry.make_circular("fan2d", shape, vox, org, 1, int(cols), 1.0, float(pixel),
                                                  _angles(angles, True), float(source_origin),
                                                  float(origin_detector), float(offset_u), 0.0))

    @staticmethod
    def parallel3d(shape, angles, detector_shape, pixel=1.0, offset_u=0.0, offset_v=0.0, voxel_size=1.0,
                   origin=None):
        """3D parallel beam. shape (nz, ny, nx); detector_shape (rows, cols); pixel a number or
        (pixel_v, pixel_u); angles radians or a count over [0, pi); voxel_size a number or
        (vx, vy, vz); origin (x, y, z)."""
        shape, vox, org = _volume(shape, voxel_size, origin)
        rows, cols = (int(n) for n in detector_shape)
        pv, pu = _pixel(pixel)
        return Geometry(_recon._Geometry.make_circular("parallel3d", shape, vox, org, rows, cols, pv, pu,
                                                  _angles(angles, False), 0.0, 0.0, float(offset_u),
                                                  float(offset_v)))

    @staticmethod
    def cone(shape, angles, detector_shape, source_origin, origin_detector, pixel=1.0, offset_u=0.0, offset_v=0.0,
             voxel_size=1.0, origin=None):
        """Circular cone beam, flat detector (angles radians or a count over [0, 2 pi)); other
        arguments as :meth:`parallel3d` and :meth:`fan2d`."""
        shape, vox, org = _volume(shape, voxel_size, origin)
        rows, cols = (int(n) for n in detector_shape)
        pv, pu = _pixel(pixel)
        return Geometry(_recon._Geometry.make_circular("cone", shape, vox, org, rows, cols, pv, pu, _angles(angles, True),
                                                  float(source_origin), float(origin_detector), float(offset_u),
                                                  float(offset_v)))

    @staticmethod
    def from_vectors(shape, vectors, detector_shape, divergent, voxel_size=1.0, origin=None):
        """A geometry given per view (ASTRA's ``*_vec`` order): ``vectors`` of shape (views, 6) in
        2D (source or ray direction, detector centre, u) or (views, 12) in 3D (source or ray,
        detector centre, u, v); ``detector_shape`` (cols,) or (rows, cols); ``divergent``: fan/cone
        (the first vector is the source) or parallel (the ray direction)."""
        shape, vox, org = _volume(shape, voxel_size, origin)
        det = [int(n) for n in np.atleast_1d(detector_shape)]
        rows, cols = (1, det[0]) if len(det) == 1 else det
        v = np.ascontiguousarray(vectors, dtype=np.float64)
        return Geometry(_recon._Geometry.make_vectors(len(shape), bool(divergent), shape, vox, org, rows, cols, v))

    # -- JSON ---------------------------------------------------------------------------------
    @staticmethod
    def from_json(text):
        """The geometry of a JSON text in the CLI's format (docs/ct-geometry.md); validated, with
        the field at fault named (:class:`recon.InvalidArgument`). A file: ``from_json(open(p).read())``."""
        return Geometry(_recon._Geometry.from_json(text))

    def to_json(self):
        """The CLI's JSON text for this geometry (``recon ct ... --geometry``); angles are written
        as a list, numbers to full precision (from_json(to_json()) == self). The layout is not
        part of it."""
        return self._g.to_json()

    # -- ASTRA --------------------------------------------------------------------------------
    def to_astra(self):
        """(vol_geom, proj_geom): ASTRA Toolbox dicts as ``astra.create_vol_geom`` /
        ``create_proj_geom`` make them. A circular geometry without detector offsets becomes
        ASTRA's circular form (parallel, fanflat, parallel3d, cone: the same angles, ASTRA's
        source at angle 0 on -y and u along +x, as recon's); others become ``*_vec`` with recon's
        per-view vectors (ASTRA's order). The volume window is recon's origin +- half the
        extent. ASTRA-layout arrays for it: ``layout='astra'`` (see the module docstring)."""
        g = self._g
        nd = g.ndim
        shape, vox, org = g.volume_shape, g.voxel_size, g.origin
        nxyz = list(reversed(shape))
        lo = [org[k] - 0.5 * nxyz[k] * vox[k] for k in range(nd)]
        hi = [org[k] + 0.5 * nxyz[k] * vox[k] for k in range(nd)]
        vol = {"GridRowCount": shape[-2], "GridColCount": shape[-1],
               "option": {"WindowMinX": lo[0], "WindowMaxX": hi[0], "WindowMinY": lo[1], "WindowMaxY": hi[1]}}
        if nd == 3:
            vol["GridSliceCount"] = shape[0]
            vol["option"].update(WindowMinZ=lo[2], WindowMaxZ=hi[2])
        kind = g.type
        if g.circular and g.offset_u == 0 and g.offset_v == 0:
            angles = np.array(g.angles, dtype=np.float64)
            if kind == "parallel2d":
                proj = {"type": "parallel", "DetectorWidth": g.pixel_u, "DetectorCount": g.cols,
                        "ProjectionAngles": angles}
            elif kind == "fan2d":
                proj = {"type": "fanflat", "DetectorWidth": g.pixel_u, "DetectorCount": g.cols,
                        "ProjectionAngles": angles, "DistanceOriginSource": g.source_origin,
                        "DistanceOriginDetector": g.origin_detector}
            else:
                proj = {"type": "parallel3d" if kind == "parallel3d" else "cone", "DetectorSpacingX": g.pixel_u,
                        "DetectorSpacingY": g.pixel_v, "DetectorRowCount": g.rows, "DetectorColCount": g.cols,
                        "ProjectionAngles": angles}
                if kind == "cone":
                    proj.update(DistanceOriginSource=g.source_origin, DistanceOriginDetector=g.origin_detector)
            return vol, proj
        name = {"parallel2d": "parallel_vec", "fan2d": "fanflat_vec", "parallel3d": "parallel3d_vec",
                "cone": "cone_vec"}[kind.replace("_vec", "")]
        proj = {"type": name, "Vectors": np.array(g.vectors)}
        if nd == 2:
            proj["DetectorCount"] = g.cols
        else:
            proj.update(DetectorRowCount=g.rows, DetectorColCount=g.cols)
        return vol, proj

    @staticmethod
    def from_astra(vol_geom, proj_geom):
        """The geometry of ASTRA Toolbox dicts (``parallel``, ``fanflat``, ``parallel3d``,
        ``cone`` and their ``*_vec`` forms), with ``layout='astra'``: the functions of this
        module then take ASTRA's arrays as they are (the module docstring says how). The numbers
        are ASTRA's: recon's axes and angles are the same as ASTRA's (docs/ct-benchmarks.md,
        "Geometry mapping"). from_astra(*g.to_astra()) == g."""
        try:
            rows_v, cols_v = int(vol_geom["GridRowCount"]), int(vol_geom["GridColCount"])
            slices = vol_geom.get("GridSliceCount")
            opt = vol_geom.get("option", {}) or {}
            n_xyz = [cols_v, rows_v] + ([int(slices)] if slices is not None else [])
            lo, hi = [], []
            for k, ax in enumerate("XYZ"[:len(n_xyz)]):
                lo.append(float(opt.get("WindowMin" + ax, -n_xyz[k] / 2.0)))
                hi.append(float(opt.get("WindowMax" + ax, n_xyz[k] / 2.0)))
            shape = list(reversed(n_xyz))
            vox = [(hi[k] - lo[k]) / n_xyz[k] for k in range(len(n_xyz))]
            org = [(hi[k] + lo[k]) / 2.0 for k in range(len(n_xyz))]
            t = proj_geom["type"]
            if t == "parallel":
                g = Geometry.parallel2d(shape, proj_geom["ProjectionAngles"], proj_geom["DetectorCount"],
                                        proj_geom["DetectorWidth"], voxel_size=vox, origin=org)
            elif t == "fanflat":
                g = Geometry.fan2d(shape, proj_geom["ProjectionAngles"], proj_geom["DetectorCount"],
                                   proj_geom["DistanceOriginSource"], proj_geom["DistanceOriginDetector"],
                                   proj_geom["DetectorWidth"], voxel_size=vox, origin=org)
            elif t in ("parallel3d", "cone"):
                det = (proj_geom["DetectorRowCount"], proj_geom["DetectorColCount"])
                pixel = (proj_geom["DetectorSpacingY"], proj_geom["DetectorSpacingX"])
                angles = np.atleast_1d(np.asarray(proj_geom["ProjectionAngles"], dtype=np.float64))
                if t == "parallel3d":
                    g = Geometry.parallel3d(shape, angles, det, pixel, voxel_size=vox, origin=org)
                else:
                    g = Geometry.cone(shape, angles, det, proj_geom["DistanceOriginSource"],
                                      proj_geom["DistanceOriginDetector"], pixel, voxel_size=vox, origin=org)
            elif t in ("parallel_vec", "fanflat_vec"):
                g = Geometry.from_vectors(shape, proj_geom["Vectors"], (proj_geom["DetectorCount"],),
                                          t == "fanflat_vec", voxel_size=vox, origin=org)
            elif t in ("parallel3d_vec", "cone_vec"):
                g = Geometry.from_vectors(shape, proj_geom["Vectors"],
                                          (proj_geom["DetectorRowCount"], proj_geom["DetectorColCount"]),
                                          t == "cone_vec", voxel_size=vox, origin=org)
            else:
                raise InvalidArgument("from_astra: projection geometry type '%s' is not supported (parallel, "
                                      "fanflat, parallel3d, cone and their _vec forms are)" % t)
        except KeyError as e:
            raise InvalidArgument("from_astra: the ASTRA dict lacks %s" % e) from None
        g.layout = "astra"
        return g

    def with_layout(self, layout):
        """The same geometry with arrays in ``'recon'`` or ``'astra'`` layout."""
        return Geometry(self._g, layout)

    # -- properties ---------------------------------------------------------------------------
    type = property(lambda self: self._g.type, doc="'parallel2d', 'fan2d', 'parallel3d' or 'cone' (+ '_vec').")
    ndim = property(lambda self: self._g.ndim, doc="2 or 3.")
    circular = property(lambda self: self._g.circular, doc="Circular (angles) rather than per-view vectors.")
    divergent = property(lambda self: self._g.divergent, doc="Fan or cone beam.")
    angles = property(lambda self: np.array(self._g.angles), doc="Radians (circular geometries; empty otherwise).")
    vectors = property(lambda self: self._g.vectors,
                       doc="Per-view vectors in ASTRA's *_vec order, (views, 6) or (views, 12), recon's world axes.")
    voxel_size = property(lambda self: tuple(self._g.voxel_size[:self.ndim]), doc="(vx, vy[, vz]).")
    origin = property(lambda self: tuple(self._g.origin[:self.ndim]), doc="World position of the volume centre.")
    detector_shape = property(lambda self: (self._g.cols,) if self.ndim == 2 else (self._g.rows, self._g.cols),
                              doc="(cols,) or (rows, cols).")
    pixel_size = property(lambda self: self._g.pixel_u if self.ndim == 2 else (self._g.pixel_v, self._g.pixel_u),
                          doc="pixel_u in 2D, (pixel_v, pixel_u) in 3D (circular geometries).")
    offset_u = property(lambda self: self._g.offset_u, doc="Detector shift along u (circular geometries).")
    offset_v = property(lambda self: self._g.offset_v, doc="Detector shift along v (circular 3D geometries).")
    source_origin = property(lambda self: self._g.source_origin, doc="Fan/cone: source to rotation axis.")
    origin_detector = property(lambda self: self._g.origin_detector, doc="Fan/cone: rotation axis to detector.")

    @property
    def views(self):
        """Number of views."""
        return self._g.projection_shape[0]

    @property
    def volume_shape(self):
        """Shape of the volume arrays: (ny, nx) or (nz, ny, nx) (the same in both layouts)."""
        return tuple(self._g.volume_shape)

    @property
    def projection_shape(self):
        """Shape of the projection arrays in this geometry's layout: (views, cols), (views, rows,
        cols); ASTRA's 3D layout (rows, views, cols)."""
        s = tuple(self._g.projection_shape)
        return (s[1], s[0], s[2]) if self.layout == "astra" and len(s) == 3 else s

    def __eq__(self, other):
        if not isinstance(other, Geometry):
            return NotImplemented
        return self._g == other._g

    def __hash__(self):
        return hash((self.type, self.volume_shape, tuple(self._g.projection_shape)))

    def isclose(self, other, rtol=1e-12):
        """Same family and shapes, and every number within rtol (relative to the largest
        magnitude of its kind: lengths, angles)."""
        a, b = self._g, other._g
        if (a.type, a.volume_shape, a.projection_shape, a.circular) != (b.type, b.volume_shape, b.projection_shape,
                                                                        b.circular):
            return False

        def close(x, y):
            x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
            scale = max(1.0, float(np.max(np.abs(x), initial=0.0)))
            return x.shape == y.shape and bool(np.all(np.abs(x - y) <= rtol * scale))

        lengths = lambda g: [*g.voxel_size, *g.origin, g.pixel_u, g.pixel_v, g.offset_u, g.offset_v,  # noqa: E731
                             g.source_origin, g.origin_detector]
        return close(lengths(a), lengths(b)) and close(a.angles, b.angles) and close(a.vectors, b.vectors)

    def __repr__(self):
        return "<recon.ct.Geometry %s: volume %s, projections %s, layout '%s'>" % (
            self.type, self.volume_shape, self.projection_shape, self.layout)


def _mirrored_y(g):
    """The 2D geometry mirrored in y (y -> -y): its projector on recon's row order is the
    original's on ASTRA's (rows with decreasing y)."""
    v = np.array(g.vectors)
    v[:, [1, 3, 5]] *= -1
    org = list(g.origin)
    org[1] = -org[1]
    return _recon._Geometry.make_vectors(2, g.divergent, list(g.volume_shape), list(g.voxel_size) + [1.0],
                                    org + [0.0], 1, g._g.cols, np.ascontiguousarray(v))


def _geometry_of(g):
    if isinstance(g, Projector):
        return g.geometry
    if not isinstance(g, Geometry):
        raise InvalidArgument("expected a recon.ct.Geometry or Projector, got %s" % type(g).__name__)
    return g


class Projector(Operator):
    """Joseph's ray-driven projector A (line integrals) with its exact adjoint A^T, on one device:
    ``device`` is ``'auto'`` (CUDA when available), ``'cpu'``, ``'cuda'`` or ``'cuda:N'``.
    ``memory_limit`` (bytes, or a size such as ``'4GiB'``) caps the device memory the projector
    uses: the arrays then stay in host memory and go through the device in z-slabs x view
    chunks that fit (for volumes and sinograms larger than the GPU; the results equal the
    in-memory projector's to float rounding; the CLI's ``--device-memory-limit``).

    ``A(x)`` / ``A.forward(x, out=None)``: projections of a volume; ``A.adjoint(y, out=None)``:
    the back-projection A^T y; ``A.T`` the adjoint as an operator; ``A.shape`` is
    (projection size, volume size), as scipy's LinearOperator has it; ``A.volume_shape`` and
    ``A.projection_shape`` are the array shapes (in the geometry's layout). float32 in, float32
    out; float64 in, float64 out; ``out`` must be a C-contiguous array of that dtype and shape.

    A :class:`recon.ops.Operator`: ``A.to_scipy(dtype=np.float32)``, ``A.to_pylops()``,
    ``A.to_torch()`` (a torch.autograd.Function, backward the exact adjoint, batched over
    leading axes) and the algebra (``A @ B``, ``A + B``, ``s * A``) are the ones every operator
    has; with ``comm=`` the operators made from A are split as A is (:mod:`recon.ops`).

    ``comm`` (an mpi4py communicator, e.g. ``MPI.COMM_WORLD``) splits A over its ranks
    (docs/python.md, "MPI"): ``distribute='views'`` (the engine's DistributedProjector: each rank
    the whole volume and its views ``A.views``) or ``'slabs'`` (SlabProjector, 3D only: each rank
    its slices ``A.slices`` and its band of detector rows ``A.rows`` of every view). forward and
    adjoint then take and return the rank's shares (``volume_shape``, ``projection_shape``);
    :meth:`scatter_volume`, :meth:`scatter_projections`, :meth:`gather_volume` and
    :meth:`gather_projections` cut whole arrays into shares and join them on one rank. Every
    rank makes the same calls (collective) with the same geometry; a bad argument on one rank
    raises on all of them. Not with ``memory_limit`` or an ASTRA layout."""

    _default_dtype = np.float32

    def __init__(self, geometry, device="auto", memory_limit=None, *, comm=None, distribute="views"):
        self.geometry = _geometry_of(geometry)
        g = self.geometry
        self._astra2d = g.layout == "astra" and g.ndim == 2
        self._astra3d = g.layout == "astra" and g.ndim == 3
        limit = "" if memory_limit is None else str(memory_limit)
        self.comm = comm
        self.distribute = None
        if comm is None:
            self._p = _recon._Projector(_mirrored_y(g) if self._astra2d else g._g, device, limit, None, "")
            return
        # Split over comm's ranks (docs/python.md, "MPI"): every rank passes the same geometry.
        dist._check_comm(comm, "Projector")

        def check():
            if distribute not in ("views", "slabs"):
                raise InvalidArgument("Projector: distribute must be 'views' or 'slabs', got %r" % (distribute,))
            if g.layout != "recon":
                raise InvalidArgument("Projector: comm= takes geometries in recon's layout; use "
                                      "g.with_layout('recon')")
            if memory_limit is not None:
                raise InvalidArgument("Projector: memory_limit cannot be combined with comm= (a split projector "
                                      "is not streamed)")

        dist.agreed(comm, check, same=lambda _: (hashlib.sha1(g.to_json().encode()).hexdigest()[:12], distribute),
                    what="the geometries or distribute")
        engine_comm = dist.engine_communicator(comm, "Projector")
        self._p = dist.agreed(comm, lambda: _recon._Projector(g._g, device, limit, engine_comm, distribute))
        self.distribute = distribute
        # Rows of every rank along the split axis of the volume and of the projections (axis,
        # counts; counts None: replicated).
        s, v, r = self.slices, self.views, self.rows
        counts = lambda share: comm.allgather(share[1] - share[0])  # noqa: E731
        if distribute == "views":
            self._splits = {"volume": (0, None), "projections": (0, counts(v))}
        else:
            self._splits = {"volume": (0, counts(s)), "projections": (1, counts(r))}

    _comm = property(lambda self: self.comm)
    _split = property(lambda self: (False, False) if self.comm is None else (self.distribute == "slabs", True),
                      doc="Whether (x, y) are this rank's shares (recon.ops.Operator): y always when split, x by "
                          "slabs.")

    device = property(lambda self: self._p.device, doc="'cpu' or 'cuda:N'.")
    streamed = property(lambda self: self._p.streamed,
                        doc="Whether the arrays stay in host memory and stream through the device (memory_limit).")
    volume_shape = property(lambda self: tuple(self._p.domain) if self.comm is not None else
                            self.geometry.volume_shape,
                            doc="Shape of x (with comm=: this rank's share, the whole volume by views).")
    projection_shape = property(lambda self: tuple(self._p.range) if self.comm is not None else
                                self.geometry.projection_shape,
                                doc="Shape of y (geometry's layout; with comm=: this rank's share).")

    domain_shape = property(lambda self: self.volume_shape, doc="volume_shape (recon.ops.Operator).")
    range_shape = property(lambda self: self.projection_shape, doc="projection_shape (recon.ops.Operator).")

    slices = property(lambda self: tuple(self._p.shares[0:2]),
                      doc="(begin, end): the volume slices (axis 0) this rank holds; all of them unless split by "
                          "slabs.")
    views = property(lambda self: tuple(self._p.shares[2:4]),
                     doc="(begin, end): the views (axis 0 of y) this rank holds; all of them unless split by views.")
    rows = property(lambda self: tuple(self._p.shares[4:6]),
                    doc="(begin, end): the detector rows (axis 1 of 3D y) this rank holds; all of them unless "
                        "split by slabs.")

    def _scatter(self, whole, what, root):
        if self.comm is None:
            return as_input(whole, name="scatter_" + what)
        axis, counts = self._splits[what]
        if counts is None:
            return dist.broadcast(whole, self.comm, root)
        return dist.scatter(whole, self.comm, root, axis, counts)

    def _gather(self, local, what, root):
        def checked():
            a = as_input(local, name="gather_" + what)
            check_shape(a, self.volume_shape if what == "volume" else self.projection_shape, "gather_" + what)
            return a

        local = self._agreed(checked, same=lambda a: a.dtype.name)
        if self.comm is None:
            return local
        axis, counts = self._splits[what]
        if counts is None:  # replicated: root's copy
            return local if self.comm.Get_rank() == root else None
        return dist.gather(local, self.comm, root, axis)

    def scatter_volume(self, x, root=0):
        """This rank's share of a whole volume that rank ``root`` passes (others may pass None):
        its slab (by slabs), or the whole volume broadcast (by views). Without comm: x."""
        return self._scatter(x, "volume", root)

    def scatter_projections(self, y, root=0):
        """This rank's share of the whole projections that rank ``root`` passes (others may pass
        None): its views (by views) or its band of detector rows of every view (by slabs)."""
        return self._scatter(y, "projections", root)

    def gather_volume(self, x, root=0):
        """The whole volume on rank ``root`` from every rank's share x (``volume_shape``); None on
        the other ranks. By views (a replicated volume) root's own copy."""
        return self._gather(x, "volume", root)

    def gather_projections(self, y, root=0):
        """The whole projections on rank ``root`` from every rank's share y
        (``projection_shape``); None on the other ranks."""
        return self._gather(y, "projections", root)

    def _forward_into(self, x, out):
        if self._astra3d and not self._cuda_check(x, "forward"):
            tmp = np.empty(self._p.range, dtype=x.dtype)
            self._p.apply(x, tmp, False)
            out[...] = tmp.transpose(1, 0, 2)
        else:
            self._p.apply(x, out, False, *_cuda.stream_args(x))

    def _adjoint_into(self, y, out):
        if self._astra3d and not self._cuda_check(y, "adjoint"):
            y = np.ascontiguousarray(y.transpose(1, 0, 2))
        self._p.apply(y, out, True, *_cuda.stream_args(y))

    def _cuda_check(self, a, what):
        """Whether a is a CUDA array this projector takes: raises for the ones it does not (a
        streamed projector computes from host arrays; ASTRA's 3D layout would need a transposed
        copy, which is done on the host only)."""
        if not _cuda.is_cuda(a):
            return False
        if self.streamed:
            raise InvalidArgument("%s: a streamed projector (memory_limit) takes host arrays, got a CUDA array"
                                  % what)
        if self._astra3d:
            raise InvalidArgument("%s: CUDA arrays in ASTRA's 3D layout are not supported; use "
                                  "g.with_layout('recon') (projections (views, rows, cols))" % what)
        return True

    def norm(self, iterations=100):
        """Largest singular value of A, estimated by the power method on A^T A (in double; an
        estimate from below)."""
        return self._p.norm(int(iterations))

    def _y_and_x(self, y, out, what):
        """y for the engine and the result array (the volume): CUDA arrays of y's library on its
        device when y is one this projector takes (the engine then runs on the caller's stream),
        else NumPy arrays with y in recon's layout."""
        if self._cuda_check(y, what):
            return _cuda.in_out(y, self.projection_shape, out, self.volume_shape, what, "y")
        yr = self._recon_y(y)
        return yr, output(out, self.volume_shape, yr.dtype)

    def _recon_y(self, y, dtype=None):
        """y in recon's layout for the engine."""
        y = as_input(y, dtype=dtype, name="y")
        check_shape(y, self.projection_shape, "y")
        return np.ascontiguousarray(y.transpose(1, 0, 2)) if self._astra3d else y

    def __repr__(self):
        return "<recon.ct.Projector %s on %s: %s -> %s>" % (self.geometry.type, self.device, self.volume_shape,
                                                          self.projection_shape)


def _analytic(y, g, filter, interpolation, out, device, cone):
    if isinstance(g, Projector) and g.comm is not None:
        return _analytic_split(y, g, filter, interpolation, out, cone)
    g = _geometry_of(g)
    _check_family(g, cone)
    name = "fdk" if cone else "fbp"
    if _cuda.is_cuda(y):
        if g.layout == "astra":
            raise InvalidArgument("%s: CUDA arrays with an ASTRA layout are not supported; use "
                                  "g.with_layout('recon')" % name)
        y, out = _cuda.in_out(y, g.projection_shape, out, g.volume_shape, name, "y")
        _recon.fbp(g._g, y, out, filter, interpolation, _cuda.stream_of(y))  # on y's device
        return out
    y = as_input(y, name="y")
    check_shape(y, g.projection_shape, "y")
    if g.layout == "astra" and g.ndim == 3:
        y = np.ascontiguousarray(y.transpose(1, 0, 2))
    out = output(out, g.volume_shape, y.dtype)
    if g.layout == "astra" and g.ndim == 2:
        tmp = np.empty(g.volume_shape, dtype=y.dtype)
        _recon.fbp(g._g, y, tmp, filter, interpolation, device)
        out[...] = tmp[::-1]
    else:
        _recon.fbp(g._g, y, out, filter, interpolation, device)
    return out


def _check_family(g, cone):
    if (g.type == "cone") != cone:
        raise InvalidArgument("%s: this is a %s geometry; use %s" % ("fdk" if cone else "fbp", g.type,
                                                                    "fdk" if g.type == "cone" else "fbp"))


def _analytic_split(y, a, filter, interpolation, out, cone):
    """FBP/FDK on a split Projector: by slabs (the engine's filtered_backprojection_slabs), y the
    rank's band of detector rows and the result its slab; by views (filtered_backprojection_views),
    y the rank's views and the result the whole volume, summed over the ranks."""
    def prepare():
        _check_family(a.geometry, cone)
        v = a._recon_y(y)
        return v, output(out, a.volume_shape, v.dtype)

    y, out = a._agreed(prepare, same=lambda r: r[0].dtype.name)
    _recon.fbp_split(a._p, y, out, str(filter), str(interpolation))
    return out


def fbp(y, g, filter="ramp", out=None, device="auto", interpolation="exact"):
    """Filtered back-projection of parallel2d, fan2d and parallel3d projections y (like
    ``recon ct fbp``): a circular geometry with equally spaced angles over 180 or 360 degrees
    (parallel), 360 degrees or a Parker-weighted short scan (fan). filter: ``'ramp'``,
    ``'shepp-logan'``, ``'cosine'`` or ``'hann'``. Returns the volume (attenuation per unit).
    interpolation: ``'exact'``, or ``'texture'``: on a GPU in float, the texture units' bilinear
    interpolation (8-bit weights, as ASTRA and TIGRE; faster); the CPU interpolates exactly either way.
    g: a Geometry or a Projector; a Projector split over MPI ranks (``comm=``) runs it split: by
    slabs (``distribute='slabs'``, 3D) y is the rank's band of detector rows and the result its
    slab; by views y is the rank's views and the result the whole volume (on every rank)."""
    return _analytic(y, g, filter, interpolation, out, device, False)


def fdk(y, g, filter="ramp", out=None, device="auto", interpolation="exact"):
    """FDK reconstruction of circular cone-beam projections (full circle or Parker-weighted
    short scan), like ``recon ct fdk``; filters, interpolation and a Projector split by slabs as
    :func:`fbp`."""
    return _analytic(y, g, filter, interpolation, out, device, True)


def _projector(g, device, memory_limit=None, comm=None, distribute="views"):
    """g itself when it is a Projector (its device and comm then win; a different comm is refused),
    else a Projector of the geometry (split over comm's ranks when comm is given)."""
    if isinstance(g, Projector):
        if comm is not None and comm is not g.comm:
            raise InvalidArgument("comm: the Projector was made with %s; give comm to the Projector or to the "
                                  "solver, not a different one to each" % ("no comm" if g.comm is None else
                                                                            "another communicator"))
        return g
    return Projector(_geometry_of(g), device, memory_limit, comm=comm, distribute=distribute)


def _quiet_off_root(a, progress):
    """progress on rank 0 only of a split projector (every rank runs the same iterations)."""
    return progress if a.comm is None or a.comm.Get_rank() == 0 else False


def _start(x, x0, what):
    """The iterative solvers' start in x: x0 (x itself: kept as it is), or zeros. x: a NumPy
    array, or a CUDA array (CuPy, torch) with x0 then read on its device."""
    if x0 is None:
        x[...] = 0
    elif x0 is not x:
        x[...] = _cuda.input_like(x0, x, what, "x0")


def _iterative(y, g, sirt, iters, tol, relaxation, nonneg, x0, out, callback, return_report, device, progress,
               comm, distribute):
    a = _projector(g, device, None, comm, distribute)
    name = "sirt" if sirt else "cgls"

    def prepare():
        yr, x = a._y_and_x(y, out, name)
        _start(x, x0, name)
        return yr, x, (int(iters), float(tol), float(relaxation), bool(nonneg))

    y, x, scalars = a._agreed(prepare, same=lambda r: str(r[0].dtype))
    with progress_callback(_quiet_off_root(a, progress), name, iters, callback) as cb:
        report = _recon.iterative(a._p, y, x, sirt, *scalars, cb, *_cuda.stream_args(y))
    return (x, report) if return_report else x


def sirt(y, g, iters=100, tol=1e-6, relaxation=1.0, nonneg=False, *, x0=None, out=None, callback=None,
         return_report=False, progress=False, device="auto", comm=None, distribute="views"):
    """SIRT (ASTRA's form): x <- P(x + relaxation C A^T R (y - A x)), like ``recon ct sirt``.
    g: a Geometry or a Projector (then its device is used). Stops after ``iters`` iterations or
    when ||y - A x|| <= tol ||y||. x0: start (zeros otherwise). callback(info dict) after every
    iteration; returning False stops, an exception stops and is raised. progress: True writes a
    progress line with an estimate of the time left to stderr (or give a stream); it composes
    with callback. Returns x, or (x, report) with ``return_report``.

    Split over MPI ranks: g a Projector made with ``comm=``, or comm (an mpi4py communicator) and
    distribute (``'views'`` or ``'slabs'``) here; y, x0, out and the result are then this rank's
    shares (:class:`Projector`), every rank runs the same iterations and progress is written by
    rank 0 only."""
    return _iterative(y, g, True, iters, tol, relaxation, nonneg, x0, out, callback, return_report, device,
                      progress, comm, distribute)


def cgls(y, g, iters=100, tol=1e-6, *, x0=None, out=None, callback=None, return_report=False, progress=False,
         device="auto", comm=None, distribute="views"):
    """CGLS least squares (like ``recon ct cgls``): stops after ``iters`` iterations or when
    ||A^T (y - A x)|| <= tol ||A^T y||. Arguments (comm and distribute included) as :func:`sirt`."""
    return _iterative(y, g, False, iters, tol, 1.0, False, x0, out, callback, return_report, device, progress,
                      comm, distribute)


def _tv_norm(tv, iso):
    """The TV norm's name from ``tv`` (``'iso'``/``'aniso'``) or ``iso`` (a bool), not both at odds."""
    if iso is None:
        return "iso" if tv is None else str(tv)
    name = "iso" if iso else "aniso"
    if tv is not None and str(tv) != name:
        raise InvalidArgument("reconstruct: tv='%s' and iso=%s disagree; give one of them" % (tv, bool(iso)))
    return name


def reconstruct(y, g, loss="sq-l2", penalty="l1", lam=0.01, solver="admm", iters=100, nonneg=True, callback=None, *,
                tv=None, iso=None, tol=1e-4, rho=1.0, cg_iters=10, check_every=1, inner_iters=10,
                inner_solver="pdhg", apgm_variant="monotone", init="zero", x0=None, out=None, return_report=False,
                progress=False, device="auto", memory_limit=None, comm=None, distribute="views"):
    """TV-regularised CT reconstruction, as ``recon ct recon`` computes it
    (engine/include/recon/engine/ct/tv_recon.hpp):

        min_x  sum loss(A x - y) + lam * sum phi(D x)  [+ x >= 0]

    with A Joseph's projector of ``g`` and D the forward-difference gradient of the volume.

    g: a Geometry or a Projector (then its device and memory limit are used; otherwise a
        Projector is made on ``device`` with ``memory_limit``, as :class:`Projector` takes them).
    loss, penalty: a name (``'sq-l2'``, ``'huber'``, ``'l1'``, ...) or a
        :class:`recon.penalty.Penalty` with its parameters (``recon.penalty.huber(delta=0.1)``).
    solver: ``'admm'`` (any loss and penalty; nonconvex ones reach a stationary point),
        ``'pdhg'`` (convex ones) or ``'apgm'`` (smooth losses: its TV prox is an inner
        ``denoise_tv`` solve of ``inner_iters`` iterations by ``inner_solver``, in the
        ``apgm_variant`` ``'monotone'``, ``'fista'`` or ``'ista'``).
    tv / iso: ``'iso'`` (phi of the gradient magnitude, the default) or ``'aniso'`` (every
        component); ``iso=True/False`` says the same.
    nonneg: add x >= 0 (the CLI's default; ``--allow-negative`` is ``nonneg=False``).
    iters, tol, rho, cg_iters, check_every: the CLI's --iters, --tol, --rho (ADMM's penalty
        before the per-operator scaling), --cg-iters (ADMM's CG per x-update), --check-every.
    init: ``'zero'`` or ``'fbp'`` (a ramp-filtered FBP/FDK start, as ``--init fbp``: circular
        geometries; computed in memory on the projector's device); x0: a start array instead.
    callback: called with a dict (iteration, objective, primal_residual, dual_residual, step,
        elapsed_s) as the solver reports progress; returning False stops the solver, an
        exception stops it and is raised from reconstruct.
    progress: True writes a progress line with an estimate of the time left to stderr (or give a
        stream), updated as the solver reports (every ``check_every`` iterations); it composes
        with ``callback``.
    out: the result array (the volume's shape, y's float dtype). y and the result follow the
        geometry's layout (``'astra'`` included), as :func:`sirt`; D differences the array as
        stored, so isotropic TV of a 2D ASTRA-layout image (rows with decreasing y) pairs the
        differences slightly otherwise than recon's layout does (anisotropic TV is the same).
    return_report: also return a dict (iterations, stop, converged, objective, last, solver,
        loss, penalty).
    comm, distribute: split over MPI ranks as :func:`sirt` (or g a Projector made with
        ``comm=``): y, x0, out and the result are this rank's shares; every solver by views,
        admm and pdhg by slabs; ``init='fbp'`` runs FBP/FDK by slabs (split by slabs) or gathers
        y on rank 0, which computes it and sends each rank the volume (split by views).
    y may be a CUDA array (CuPy, torch; docs/python.md, "CUDA arrays") when the projector is on its
    device: the solve then runs there on the caller's current stream, x0 and out must be CUDA
    arrays on that device, and the result is an array of y's library.
    Returns x (float32 for float32 y, else float64), or (x, report).
    """
    a = _projector(g, device, memory_limit, comm, distribute)

    def prepare():
        loss_fn, penalty_fn = as_function(loss), as_function(penalty)
        yr, x = a._y_and_x(y, out, "reconstruct")
        if init not in ("zero", "fbp"):
            raise InvalidArgument("reconstruct: init must be 'zero' or 'fbp', got '%s'" % (init,))
        if init == "fbp" and x0 is not None:
            raise InvalidArgument("reconstruct: give init='fbp' or x0, not both")
        if init == "fbp" and a.comm is not None and _cuda.is_cuda(yr):
            # The split FBP start gathers or cuts host arrays (recon.dist), not CUDA ones.
            raise InvalidArgument("reconstruct: init='fbp' split over MPI ranks takes host arrays; pass x0 "
                                  "(an FBP of your own) with CUDA arrays")
        if init == "zero":
            _start(x, x0, "reconstruct")
        scalars = (float(lam), _tv_norm(tv, iso), bool(nonneg), str(solver), int(iters), float(tol), float(rho), int(cg_iters),
                   int(check_every), int(inner_iters), str(inner_solver), str(apgm_variant))
        return loss_fn, penalty_fn, scalars, yr, x

    loss_fn, penalty_fn, scalars, yr, x = a._agreed(prepare, same=lambda r: _cuda.dtype_of(r[3]).name)
    if init == "fbp":
        cone = a.geometry.type == "cone"
        if a.comm is None:
            # In y's own layout: _analytic maps an ASTRA layout as the projector does.
            _analytic(y, a.geometry, "ramp", "exact", x, a.device, cone)
        else:  # FBP/FDK split as the projector is, as the CLI's ct recon --init fbp
            _analytic_split(yr, a, "ramp", "exact", x, cone)
    with progress_callback(_quiet_off_root(a, progress), "reconstruct", iters, callback) as cb:
        report = _recon.reconstruct(a._p, yr, x, loss_fn._fn, penalty_fn._fn, *scalars, cb,
                                    *_cuda.stream_args(yr))
    return (x, report) if return_report else x
