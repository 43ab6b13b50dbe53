#!/usr/bin/env python3
"""ASTRA Toolbox 2.5 against recon on the same CT geometry and the same GPU: the time of each
operation, its GUPS (volume voxels x views per second) and the relative difference of the two
results.

Rows (--quick: the same at small sizes, which a host runs in seconds):
  cone-256      256^3 unit voxels, 180 views of 256 rows x 384 columns, full circle
  parallel2d    2048^2, 1800 views over 180 degrees, 2900 columns
  cone-512      512^3, 360 views of 768 x 1024 (source-origin 1500, origin-detector 500, pixel 1.2)
  slices        8 slices of 2048^2 as one 3D parallel-beam geometry (recon's batched 2D form),
                1800 views of 8 x 2900
  operations: fp (ASTRA FP3D / FP), bp (BP3D / BP) against recon's exact adjoint A^T and, as
  bp-voxel, against its voxel-driven B (unmatched, like ASTRA's); fdk / fbp (FDK_CUDA /
  FBP_CUDA, recon's ramp filter), and fdk-texture / fbp-texture (recon's back-projection through
  the texture units, --interpolation texture, like ASTRA's); sirt (SIRT3D_CUDA, 20 iterations at 256^3, 10 at 512^3)
  against recon's SIRT with A^T and, as sirt-voxel, with B. The cone-512 SIRT rows run last.

Geometry: each case is one recon geometry (docs/ct-geometry.md); ASTRA gets its *_vec form,
which is recon's own per-view record (source or ray, detector centre, u, v) in ASTRA's order.
Arrays: ASTRA's 3D volume is recon's (z, y, x) array as it is, its 3D projections are
(rows, views, cols), recon's transposed; ASTRA's 2D volume has y decreasing with the row index
(pixelRowToCenterY), so the 2D image is flipped upside down (checked below on the CPU).
The mapping checks run first: on the CPU (any machine with ASTRA), recon's 2D parallel
projection and its adjoint against ASTRA's `linear` (Joseph) projector, FBP against ASTRA's
CPU FBP, the fan beam against `line_fanflat` (a line kernel: a few 1e-2 apart); on the GPU,
recon's forward projection of an off-centre volume with detector offsets (32^3 cone and 3D
parallel, 64^2 parallel and fan) against ASTRA's. A GPU check that disagrees also reports the
flip of an axis that would make it agree. Nothing fails: the differences are reported.

Timing: ASTRA on GPU-resident CuPy arrays linked through DLPack (astra.experimental.direct_FP3D
etc.; no host transfers), one warm-up and then the mean of up to 5 runs; where linking fails,
on NumPy arrays ("memory": "host", transfers included). recon: bench_ct's BM_ct_file_* cases
on the same geometry file (RECON_BENCH_CT_GEOMETRY; device-resident, Google Benchmark's manual
time, after a warm-up) and, for SIRT, the solver's own clock of `recon ct sirt` (the weights
included, as in ASTRA's run). Results compared come from the recon CLI (ct project,
backproject [--unmatched], fbp / fdk, sirt) on `recon phantom shepp-logan`; the input of
bp, fdk and sirt is recon's projection of that phantom, for both. rel_diff is
||astra - recon|| / ||recon||; scale is <astra, recon> / <recon, recon>; fdk and sirt also give
each result's distance to the phantom. GUPS: voxels x views / time (SIRT: 2 x iterations x
voxels x views / time).

Without ASTRA, or without CUDA in it (astra.use_cuda() False), one line says so and the ASTRA
side of every row is recorded as missing with the reason; recon's side still runs. A case that
fails or runs out of --budget is recorded as such. Writes one JSON (--out, rewritten after every
row) and prints a markdown table last. Run by scripts/gpu/check-run.sh on the GPU machine, ASTRA
installed there from carried wheels (scripts/gpu-deps); docs/ct-benchmarks.md says how to run it
by hand.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
except ImportError:
    sys.exit("astra_ct.py: error: numpy is not installed for %s" % sys.executable)

PI = math.pi


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        sys.exit("astra_ct.py: error: %s (see --help)" % message)


# ---------------------------------------------------------------------------------------------
# Geometries in recon's JSON form (docs/ct-geometry.md) and their ASTRA equivalents.

def cone(n, views, rows, cols, pixel, so, od, origin=(0, 0, 0), offset_u=0.0, offset_v=0.0):
    return {"volume": {"shape": [n, n, n], "voxel_size": 1.0, "origin": list(origin)},
            "projection": {"type": "cone", "detector_shape": [rows, cols], "pixel_size": pixel,
                           "offset_u": offset_u, "offset_v": offset_v,
                           "angles": {"start": 0, "stop": 2 * PI, "count": views},
                           "source_origin": so, "origin_detector": od}}


def fan2d(n, views, cols, pixel, so, od, origin=(0, 0), offset_u=0.0):
    return {"volume": {"shape": [n, n], "voxel_size": 1.0, "origin": list(origin)},
            "projection": {"type": "fan2d", "detector_shape": [cols], "pixel_size": pixel, "offset_u": offset_u,
                           "angles": {"start": 0, "stop": 2 * PI, "count": views},
                           "source_origin": so, "origin_detector": od}}


def parallel2d(n, views, cols, origin=(0, 0), offset_u=0.0):
    return {"volume": {"shape": [n, n], "voxel_size": 1.0, "origin": list(origin)},
            "projection": {"type": "parallel2d", "detector_shape": [cols], "pixel_size": 1.0, "offset_u": offset_u,
                           "angles": {"start": 0, "stop": PI, "count": views}}}


def parallel3d(nz, n, views, cols, origin=(0, 0, 0), offset_u=0.0, offset_v=0.0, rows=None):
    return {"volume": {"shape": [nz, n, n], "voxel_size": 1.0, "origin": list(origin)},
            "projection": {"type": "parallel3d", "detector_shape": [rows or nz, cols], "pixel_size": 1.0,
                           "offset_u": offset_u, "offset_v": offset_v,
                           "angles": {"start": 0, "stop": PI, "count": views}}}


def ndim(g):
    return len(g["volume"]["shape"])


def angles_of(g):
    a = g["projection"]["angles"]
    if isinstance(a, dict):  # recon's uniform_angles: stop excluded
        return [a["start"] + (a["stop"] - a["start"]) * k / a["count"] for k in range(a["count"])]
    return list(a)


def views_of(g):
    return len(angles_of(g))


def pixel_sizes(g):
    """(pixel_v, pixel_u)."""
    p = g["projection"]["pixel_size"]
    return (p[0], p[1]) if isinstance(p, list) else (p, p)


def vectors(g):
    """recon's per-view vectors (docs/ct-geometry.md), in ASTRA's *_vec order: 2D (src or ray,
    d, u), 3D (src or ray, d, u, v)."""
    p = g["projection"]
    parallel = p["type"].startswith("parallel")
    pv, pu = pixel_sizes(g)
    ou, ov = p.get("offset_u", 0.0), p.get("offset_v", 0.0)
    rows = []
    for a in angles_of(g):
        c, s = math.cos(a), math.sin(a)
        ray, u, v = np.array([-s, c, 0.0]), np.array([c, s, 0.0]), np.array([0.0, 0.0, 1.0])
        d = (0.0 if parallel else p["origin_detector"]) * ray + ou * u + (ov * v if ndim(g) == 3 else 0)
        src = ray if parallel else -p["source_origin"] * ray
        if ndim(g) == 2:
            rows.append([src[0], src[1], d[0], d[1], pu * u[0], pu * u[1]])
        else:
            rows.append(list(src) + list(d) + list(pu * u) + list(pv * v))
    return np.array(rows, dtype=np.float64)


def astra_geometry(astra, g, circular=False):
    """(vol_geom, proj_geom) for ASTRA: the volume's window from recon's origin and voxel size,
    the projections as *_vec, or with `circular` as ASTRA's circular form (parallel, fanflat,
    parallel3d, cone: the same vectors, ASTRA's genConeProjections etc.; no detector offset)."""
    shape, vs = g["volume"]["shape"], g["volume"]["voxel_size"]
    vs = vs if isinstance(vs, list) else [vs] * ndim(g)
    origin = g["volume"].get("origin", [0.0] * ndim(g))
    n_xyz = list(reversed(shape))  # x, y(, z)
    lo = [origin[k] - 0.5 * n_xyz[k] * vs[k] for k in range(ndim(g))]
    hi = [origin[k] + 0.5 * n_xyz[k] * vs[k] for k in range(ndim(g))]
    kind = g["projection"]["type"]
    vec = vectors(g)
    if circular:
        p = g["projection"]
        if p.get("offset_u", 0) or p.get("offset_v", 0):
            raise ValueError("ASTRA's circular geometries have no detector offset")
        pv, pu = pixel_sizes(g)
        th = np.array(angles_of(g))
        det = p["detector_shape"]
        if ndim(g) == 2:
            vol = astra.create_vol_geom(shape[0], shape[1], lo[0], hi[0], lo[1], hi[1])
            proj = (astra.create_proj_geom("parallel", pu, det[0], th) if kind == "parallel2d" else
                    astra.create_proj_geom("fanflat", pu, det[0], th, p["source_origin"], p["origin_detector"]))
        else:
            vol = astra.create_vol_geom(shape[1], shape[2], shape[0], lo[0], hi[0], lo[1], hi[1], lo[2], hi[2])
            proj = (astra.create_proj_geom("parallel3d", pu, pv, det[0], det[1], th) if kind == "parallel3d" else
                    astra.create_proj_geom("cone", pu, pv, det[0], det[1], th, p["source_origin"],
                                           p["origin_detector"]))
        return vol, proj
    if ndim(g) == 2:
        vol = astra.create_vol_geom(shape[0], shape[1], lo[0], hi[0], lo[1], hi[1])
        cols = g["projection"]["detector_shape"][0]
        proj = astra.create_proj_geom("parallel_vec" if kind == "parallel2d" else "fanflat_vec", cols, vec)
    else:
        vol = astra.create_vol_geom(shape[1], shape[2], shape[0], lo[0], hi[0], lo[1], hi[1], lo[2], hi[2])
        rows, cols = g["projection"]["detector_shape"]
        proj = astra.create_proj_geom("parallel3d_vec" if kind == "parallel3d" else "cone_vec", rows, cols, vec)
    return vol, proj


def to_astra_volume(g, x):
    return np.ascontiguousarray(x[::-1] if ndim(g) == 2 else x, dtype=np.float32)


def from_astra_volume(g, a):
    return np.asarray(a[::-1] if ndim(g) == 2 else a)


def to_astra_projections(g, p):
    return np.ascontiguousarray(p if ndim(g) == 2 else p.transpose(1, 0, 2), dtype=np.float32)


def from_astra_projections(g, a):
    return np.asarray(a if ndim(g) == 2 else a.transpose(1, 0, 2))


def fov_margin(g):
    """The smallest margin, in pixels, between the detector's edge and the shadow of the
    volume's box (its corners: a box's shadow is their hull) over all views, (u, v); negative
    when the volume is not fully in the field of view."""
    shape, vs = g["volume"]["shape"], g["volume"]["voxel_size"]
    vs = vs if isinstance(vs, list) else [vs] * ndim(g)
    origin = g["volume"].get("origin", [0.0] * ndim(g))
    n_xyz = list(reversed(shape))
    half = [0.5 * n_xyz[k] * vs[k] for k in range(ndim(g))] + ([0.0] if ndim(g) == 2 else [])
    o = list(origin) + ([0.0] if ndim(g) == 2 else [])
    corners = [np.array([o[0] + sx * half[0], o[1] + sy * half[1], o[2] + sz * half[2]])
               for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)]
    det = g["projection"]["detector_shape"]
    rows, cols = (1, det[0]) if ndim(g) == 2 else det
    parallel = g["projection"]["type"].startswith("parallel")
    mu = mv = math.inf
    for w in vectors(g):
        if ndim(g) == 2:
            src, d, u, v = (np.append(w[0:2], 0), np.append(w[2:4], 0), np.append(w[4:6], 0), np.array([0, 0, 1.0]))
        else:
            src, d, u, v = w[0:3], w[3:6], w[6:9], w[9:12]
        for c in corners:
            ray = src if parallel else c - src
            # c' = base + t ray on the detector plane d + a u + b v: solve [ray, -u, -v] (t, a, b) = d - base
            t, a, b = np.linalg.solve(np.column_stack([ray, -u, -v]), d - (c if parallel else src))
            mu = min(mu, cols / 2 - abs(a))
            if ndim(g) == 3:
                mv = min(mv, rows / 2 - abs(b))
    return round(float(mu), 2), (round(float(mv), 2) if ndim(g) == 3 else None)


def rel_diff(a, r):
    """(||a - r|| / ||r||, <a, r> / <r, r>) accumulated in float64, in chunks."""
    a, r = np.asarray(a).ravel(), np.asarray(r).ravel()
    if a.shape != r.shape:
        return None, None
    dd = ar = rr = 0.0
    step = 1 << 24
    for i in range(0, r.size, step):
        x, y = a[i:i + step].astype(np.float64), r[i:i + step].astype(np.float64)
        e = x - y
        dd += float(e @ e)
        ar += float(x @ y)
        rr += float(y @ y)
    if rr == 0:
        return None, None
    return math.sqrt(dd / rr), ar / rr


# ---------------------------------------------------------------------------------------------
# recon: the CLI for results, bench_ct for times.

BENCH_CASE = {"fp": "forward", "bp": "adjoint", "bp-voxel": "unmatched_adjoint", "fdk": "fbp", "fbp": "fbp",
              "fdk-texture": "fbp_texture", "fbp-texture": "fbp_texture"}
ANALYTIC = ("fdk", "fbp", "fdk-texture", "fbp-texture", "sirt", "sirt-voxel")  # compared with the phantom too


class Clock:
    def __init__(self, budget):
        self.end = time.monotonic() + budget if budget > 0 else math.inf

    def left(self):
        return self.end - time.monotonic()

    def timeout(self, floor=2.0):
        """Seconds a subprocess may take, or raise NoTime."""
        left = self.left()
        if left < floor:
            raise NoTime()
        return None if left == math.inf else left


class NoTime(Exception):
    pass


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


class Recon:
    def __init__(self, exe, bench, device, clock):
        self.exe, self.bench_exe, self.device, self.clock = exe, bench, device, clock

    def cli(self, *args):
        try:
            done = subprocess.run([self.exe, "--device", self.device, *map(str, args)], capture_output=True,
                                  text=True, timeout=self.clock.timeout())
        except subprocess.TimeoutExpired:
            raise RuntimeError("recon %s: timed out (budget)" % " ".join(map(str, args[:2])))
        if done.returncode != 0:
            raise RuntimeError("recon %s: %s" % (" ".join(map(str, args[:2])),
                                                 last_line(done.stderr) or "exit %d" % done.returncode))
        return json.loads(last_line(done.stdout))

    def bench(self, geometry_file, ops, work):
        """{op: (seconds, None) or (None, reason)} from bench_ct's file cases, one process."""
        names = sorted({BENCH_CASE[op] for op in ops})
        out = os.path.join(work, "bench.json")
        env = dict(os.environ, RECON_BENCH_CT_GEOMETRY=geometry_file)
        cmd = [self.bench_exe, "--device=%s" % self.device, "--benchmark_filter=^BM_ct_file_(%s)/" % "|".join(names),
               "--benchmark_min_time=0.2", "--benchmark_out=%s" % out, "--benchmark_out_format=json"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=self.clock.timeout())
            why = (None if done.returncode == 0 else
                   "bench_ct: %s" % (last_line(done.stderr) or "exit %d" % done.returncode))
        except subprocess.TimeoutExpired:
            why = "bench_ct: timed out (budget)"
        found = {}
        try:
            with open(out) as f:
                data = json.load(f)
            scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
            for b in data.get("benchmarks", []):
                name = b["name"].split("/")[0].removeprefix("BM_ct_file_")
                if b.get("error_occurred"):
                    found[name] = (None, "bench_ct: %s" % b.get("error_message", "error"))
                else:
                    found[name] = (b["real_time"] * scale[b.get("time_unit", "ns")], None)
            self.device_name = data.get("context", {}).get("recon_device_name")
        except (OSError, ValueError, KeyError) as e:
            why = why or "bench_ct: no JSON (%s)" % e
        return {op: found.get(BENCH_CASE[op], (None, why or "bench_ct: no result")) for op in ops}


# ---------------------------------------------------------------------------------------------
# ASTRA: GPU-resident through CuPy where it links, else NumPy (host memory).

class Astra:
    def __init__(self, want_gpu):
        self.astra = self.cp = None
        self.version = None
        self.cuda = False
        self.why = None
        try:
            import astra
            self.astra, self.version = astra, getattr(astra, "__version__", "?")
        except Exception as e:  # ImportError, or a library that does not load
            first = str(e).splitlines()[0] if str(e) else ""
            self.why = "ASTRA cannot be imported (%s: %s)" % (type(e).__name__, first)
            return
        try:
            import astra.experimental  # noqa: F401  (direct_FP3D etc.; not imported by `import astra`)
            self.cuda = bool(astra.use_cuda())
        except Exception as e:
            self.why = "ASTRA's CUDA check failed (%s: %s)" % (type(e).__name__, e)
        if want_gpu and not self.cuda:
            self.why = self.why or "ASTRA %s has no usable CUDA here (astra.use_cuda() is False)" % self.version
        if self.cuda:
            try:
                import cupy
                cupy.zeros(1)
                self.cp = cupy
            except Exception as e:
                self.cupy_missing = "CuPy unusable (%s: %s): ASTRA runs on host arrays" % (type(e).__name__, e)

    def gpu_ok(self):
        return self.astra is not None and self.cuda

    def sync(self):
        if self.cp is not None:
            self.cp.cuda.runtime.deviceSynchronize()

    def free(self):
        if self.cp is not None:
            self.cp.get_default_memory_pool().free_all_blocks()

    def arrays(self, *host, gpu=True):
        return [self.cp.asarray(a) for a in host] if (gpu and self.cp is not None) else [np.array(a) for a in host]

    def timed(self, run, warm_up=True, max_reps=5):
        """Mean seconds of up to max_reps runs after one warm-up (one run when the warm-up
        took over a second)."""
        reps = 1
        if warm_up:
            t0 = time.perf_counter()
            run()
            self.sync()
            w = time.perf_counter() - t0
            reps = 1 if w > 1.0 else max(1, min(max_reps, int(1.0 / max(w, 1e-3))))
        total = 0.0
        for _ in range(reps):
            t0 = time.perf_counter()
            run()
            self.sync()
            total += time.perf_counter() - t0
        return total / reps

    def host(self, a):
        return self.cp.asnumpy(a) if (self.cp is not None and not isinstance(a, np.ndarray)) else np.asarray(a)

    def _both(self, fn):
        """fn(gpu) on CuPy arrays, falling back to NumPy; -> (result..., memory)."""
        if self.cp is not None:
            try:
                return fn(True) + ("gpu",)
            except Exception as e:  # linking or the algorithm refused the GPU arrays
                self.gpu_link_error = "%s: %s" % (type(e).__name__, e)
                self.free()
        return fn(False) + ("host",)

    def project(self, g, x, adjoint, y=None):
        """FP (x -> projections) or BP (y -> volume); -> (seconds, result in recon's layout, memory)."""
        astra = self.astra
        vg, pg = astra_geometry(astra, g)
        self.last_geometry = pg["type"]
        three = ndim(g) == 3
        xa = to_astra_volume(g, x) if not adjoint else None
        ya = to_astra_projections(g, y) if adjoint else None
        vshape = tuple(g["volume"]["shape"])
        det = g["projection"]["detector_shape"]
        pshape = (det[0], views_of(g), det[1]) if three else (views_of(g), det[0])

        def fn(gpu):
            pid = (astra.create_projector("cuda3d", pg, vg) if three else astra.create_projector("cuda", pg, vg))
            try:
                if adjoint:
                    vol, proj = self.arrays(np.zeros(vshape, np.float32), ya, gpu=gpu)
                    op = astra.experimental.direct_BP3D if three else astra.experimental.direct_BP2D
                else:
                    vol, proj = self.arrays(xa, np.zeros(pshape, np.float32), gpu=gpu)
                    op = astra.experimental.direct_FP3D if three else astra.experimental.direct_FP2D
                secs = self.timed(lambda: op(pid, vol, proj))
                out = self.host(vol if adjoint else proj)
            finally:
                (astra.projector3d if three else astra.projector).delete(pid)
            return secs, out

        secs, out, memory = self._both(fn)
        self.free()
        res = from_astra_volume(g, out) if adjoint else from_astra_projections(g, out)
        return secs, res, memory

    def algorithm(self, g, y, name, iters=1):
        """FDK_CUDA / FBP_CUDA / SIRT3D_CUDA / SIRT_CUDA from zeros on projections y; -> (seconds,
        volume in recon's layout, memory). SIRT runs once (the projectors are warm by then)."""
        astra = self.astra
        three = ndim(g) == 3
        data = astra.data3d if three else astra.data2d
        ya = to_astra_projections(g, y)
        vshape = tuple(g["volume"]["shape"])
        try:
            vg, pg = astra_geometry(astra, g)
            secs, out, memory = self._algorithm(g, vg, pg, ya, vshape, data, name, iters)
            self.last_geometry = pg["type"]
        except Exception as e:  # the *_vec form refused (CPU FBP, say): ASTRA's circular form
            try:
                vg, pg = astra_geometry(astra, g, circular=True)
            except ValueError:
                raise e
            secs, out, memory = self._algorithm(g, vg, pg, ya, vshape, data, name, iters)
            self.last_geometry = "%s (the *_vec form failed: %s)" % (pg["type"], str(e).strip()[:120])
        return secs, from_astra_volume(g, out), memory

    def _algorithm(self, g, vg, pg, ya, vshape, data, name, iters):
        astra = self.astra

        def fn(gpu):
            vol, proj = self.arrays(np.zeros(vshape, np.float32), ya, gpu=gpu)
            vid, sid = data.link("-vol", vg, vol), data.link("-sino", pg, proj)
            ids = []
            try:
                cfg = astra.astra_dict(name)
                cfg["ReconstructionDataId"], cfg["ProjectionDataId"] = vid, sid
                if name in ("FBP_CUDA", "SIRT_CUDA"):  # 2D CUDA algorithms take a projector too
                    pid = astra.create_projector("cuda", pg, vg)
                    ids.append(pid)
                    cfg["ProjectorId"] = pid

                def run():
                    vol[...] = 0
                    aid = astra.algorithm.create(cfg)
                    try:
                        astra.algorithm.run(aid, iters)
                    finally:
                        astra.algorithm.delete(aid)

                secs = self.timed(run, warm_up=not name.startswith("SIRT"))
                out = self.host(vol)
            finally:
                data.delete([vid, sid])
                for pid in ids:
                    astra.projector.delete(pid)
            return secs, out

        result = self._both(fn)
        self.free()
        return result


# ---------------------------------------------------------------------------------------------
# Mapping checks.

def test_volume(shape, seed=1):
    """Asymmetric blocks and a little noise: any flip or shift of an axis shows."""
    rng = np.random.default_rng(seed)
    x = 0.05 * rng.random(shape).astype(np.float32)
    s = shape
    if len(s) == 2:
        x[s[0] // 8:s[0] // 2, s[1] // 4:3 * s[1] // 4] += 1.0
        x[5 * s[0] // 8:7 * s[0] // 8, s[1] // 16:s[1] // 4] += 2.0
    else:
        x[s[0] // 8:s[0] // 2, s[1] // 8:s[1] // 2, s[2] // 4:3 * s[2] // 4] += 1.0
        x[5 * s[0] // 8:7 * s[0] // 8, 5 * s[1] // 8:7 * s[1] // 8, s[2] // 16:s[2] // 4] += 2.0
    return x


def diagnose(g, a, r, astra_fp):
    """For a GPU check that disagrees: the flip of one volume axis (ASTRA's FP of the flipped
    volume) or one detector axis that brings ASTRA closest to recon."""
    x = test_volume(tuple(g["volume"]["shape"]))
    best = ("none", rel_diff(a, r)[0])
    for axis in range(x.ndim):
        d = rel_diff(astra_fp(np.ascontiguousarray(np.flip(x, axis))), r)[0]
        if d is not None and d < best[1]:
            best = ("volume axis %d flipped" % axis, d)
    for axis in range(1, r.ndim):
        d = rel_diff(np.flip(a, axis), r)[0]
        if d is not None and d < best[1]:
            best = ("projection axis %d flipped" % axis, d)
    return "%s (rel_diff %.3g)" % best


def cpu_checks(astra, recon, work):
    """recon's 2D projections against ASTRA's CPU projectors (no GPU needed)."""
    out = []
    cases = [("parallel2d", parallel2d(64, 90, 96, origin=(1.5, -2.0), offset_u=0.75)),
             ("fan2d", fan2d(64, 120, 128, 1.25, 160.0, 80.0, origin=(1.5, -2.0), offset_u=0.75))]
    for label, g in cases:
        gf, xf = os.path.join(work, "m.json"), os.path.join(work, "mx.npy")
        with open(gf, "w") as f:
            json.dump(g, f)
        x = test_volume(tuple(g["volume"]["shape"]))
        np.save(xf, x)
        vg, pg = astra_geometry(astra, g)
        kernel = "linear" if label == "parallel2d" else "line_fanflat"
        try:
            recon.cli("ct", "project", "--geometry", gf, xf, os.path.join(work, "mp.npy"))
            p = np.load(os.path.join(work, "mp.npy"))
            pid = astra.create_projector(kernel, pg, vg)
            sid, s = astra.create_sino(to_astra_volume(g, x), pid)
            astra.data2d.delete(sid)
            d, sc = rel_diff(from_astra_projections(g, s), p)
            sid, s = astra.create_sino(np.ascontiguousarray(x), pid)  # the image not flipped: far off
            astra.data2d.delete(sid)
            out.append({"check": "cpu %s fp (%s)" % (label, kernel), "rel_diff": d, "scale": sc,
                        "rel_diff_not_flipped": rel_diff(from_astra_projections(g, s), p)[0]})
            np.save(os.path.join(work, "my.npy"), p)
            recon.cli("ct", "backproject", "--geometry", gf, os.path.join(work, "my.npy"), os.path.join(work, "mb.npy"))
            bid, b = astra.create_backprojection(to_astra_projections(g, p), pid)
            astra.data2d.delete(bid)
            d, sc = rel_diff(from_astra_volume(g, b), np.load(os.path.join(work, "mb.npy")))
            out.append({"check": "cpu %s bp (%s)" % (label, kernel), "rel_diff": d, "scale": sc})
            if label == "parallel2d":  # ASTRA's CPU FBP takes the circular geometry: no detector offset
                pg_c = astra.create_proj_geom("parallel", 1.0, g["projection"]["detector_shape"][0],
                                              np.array(angles_of(g)))
                g_c = json.loads(json.dumps(g))
                g_c["projection"]["offset_u"] = 0.0
                with open(gf, "w") as f:
                    json.dump(g_c, f)
                recon.cli("ct", "project", "--geometry", gf, xf, os.path.join(work, "mp0.npy"))
                recon.cli("ct", "fbp", "--geometry", gf, os.path.join(work, "mp0.npy"), os.path.join(work, "mf.npy"))
                pid_c = astra.create_projector("linear", pg_c, vg)
                sid = astra.data2d.create("-sino", pg_c, np.load(os.path.join(work, "mp0.npy")))
                rid = astra.data2d.create("-vol", vg, 0)
                cfg = astra.astra_dict("FBP")
                cfg.update(ProjectorId=pid_c, ProjectionDataId=sid, ReconstructionDataId=rid)
                cfg["option"] = {"FilterType": "ram-lak"}
                aid = astra.algorithm.create(cfg)
                astra.algorithm.run(aid)
                f_astra = from_astra_volume(g, astra.data2d.get(rid))
                astra.algorithm.delete(aid)
                astra.data2d.delete([sid, rid])
                astra.projector.delete(pid_c)
                d, sc = rel_diff(f_astra, np.load(os.path.join(work, "mf.npy")))
                out.append({"check": "cpu parallel2d fbp (linear, ram-lak; no offset)", "rel_diff": d, "scale": sc})
            astra.projector.delete(pid)
        except Exception as e:
            out.append({"check": "cpu %s" % label, "error": "%s: %s" % (type(e).__name__, e)})
    return out


def gpu_check_cases():
    return [("cone 32^3", cone(32, 36, 60, 68, 1.3, 96.0, 48.0, origin=(2.0, -3.0, 1.5), offset_u=1.5, offset_v=-2.5)),
            ("parallel3d 32^3", parallel3d(32, 32, 36, 56, origin=(2.0, -3.0, 1.5), offset_u=1.5, offset_v=-2.5,
                                           rows=40)),
            ("parallel2d 64^2", parallel2d(64, 90, 96, origin=(1.5, -2.0), offset_u=0.75)),
            ("fan2d 64^2", fan2d(64, 120, 128, 1.25, 160.0, 80.0, origin=(1.5, -2.0), offset_u=0.75))]


def gpu_checks(ast, recon, work, cases=None):
    """recon's forward projection against ASTRA's on the GPU, off-centre volumes with detector
    offsets; diagnoses a disagreement."""
    out = []
    cases = cases or gpu_check_cases()
    for label, g in cases:
        gf, xf, pf = (os.path.join(work, n) for n in ("g.json", "x.npy", "p.npy"))
        with open(gf, "w") as f:
            json.dump(g, f)
        x = test_volume(tuple(g["volume"]["shape"]))
        np.save(xf, x)
        row = {"check": "gpu %s fp" % label, "fov_margin_pixels": fov_margin(g)}
        try:
            recon.cli("ct", "project", "--geometry", gf, xf, pf)
            r = np.load(pf)
            _, a, memory = ast.project(g, x, adjoint=False)
            row["rel_diff"], row["scale"] = rel_diff(a, r)
            row["memory"] = memory
            if row["rel_diff"] is None or row["rel_diff"] > 0.05:
                row["diagnosis"] = diagnose(g, a, r, lambda v: ast.project(g, v, adjoint=False)[1])
        except Exception as e:
            row["error"] = "%s: %s" % (type(e).__name__, e)
        out.append(row)
    return out


# ---------------------------------------------------------------------------------------------
# The benchmark cases.

def cases(quick):
    """[(name, geometry, ops, sirt_iterations)] in the order they run."""
    cone_ops = ["fp", "bp", "bp-voxel", "fdk", "fdk-texture", "sirt", "sirt-voxel"]
    if quick:
        return [("cone-64", cone(64, 90, 64, 96, 1.8, 187.5, 62.5), cone_ops, 20),
                ("parallel2d-256", parallel2d(256, 180, 364), ["fp", "bp", "bp-voxel", "fbp", "fbp-texture"], 0),
                ("slices-4x256", parallel3d(4, 256, 180, 364), ["fp", "bp", "bp-voxel"], 0)]
    return [("cone-256", cone(256, 180, 256, 384, 1.8, 750.0, 250.0), cone_ops, 20),
            ("parallel2d-2048", parallel2d(2048, 1800, 2900), ["fp", "bp", "bp-voxel", "fbp", "fbp-texture"], 0),
            ("cone-512", cone(512, 360, 768, 1024, 1.2, 1500.0, 500.0), ["fp", "bp", "bp-voxel", "fdk", "fdk-texture"],
             0),
            ("slices-8x2048", parallel3d(8, 2048, 1800, 2900), ["fp", "bp", "bp-voxel"], 0),
            ("cone-512", cone(512, 360, 768, 1024, 1.2, 1500.0, 500.0), ["sirt", "sirt-voxel"], 10)]


def run_case(name, g, ops, iters, ast, recon, work, emit):
    """Times and compares every op of one geometry; emit(row) after each."""
    shape = g["volume"]["shape"]
    views = views_of(g)
    voxels = int(np.prod(shape))
    gf, xf, yf = (os.path.join(work, n) for n in ("g.json", "x.npy", "y.npy"))
    with open(gf, "w") as f:
        json.dump(g, f)
    base = {"case": name, "geometry": g["projection"]["type"], "volume": shape,
            "detector": g["projection"]["detector_shape"], "views": views, "fov_margin_pixels": fov_margin(g)}
    rows = {op: dict(base, op=op, astra={}, recon={}) for op in ops}

    def fail_all(side, why):
        for r in rows.values():
            r[side].setdefault("error", why)

    # Inputs: the phantom and recon's projection of it (the fp row's recon result).
    x = y = None
    try:
        recon.cli("phantom", "shepp-logan", xf, "--size", "x".join(map(str, shape)))
        recon.cli("ct", "project", "--geometry", gf, xf, yf)
        x, y = np.load(xf), np.load(yf)
    except NoTime:
        fail_all("recon", "not run: no time left")
    except Exception as e:
        fail_all("recon", str(e))
    # recon's times.
    bench_ops = [op for op in ops if op in BENCH_CASE]
    if x is not None and bench_ops:
        try:
            for op, (secs, why) in recon.bench(gf, bench_ops, work).items():
                rows[op]["recon"].update({"seconds": secs, "source": "bench_ct"} if secs else {"error": why})
        except NoTime:
            fail_all("recon", "not run: no time left")
    # recon's results (and SIRT's time).
    results = {"fp": y}
    commands = {"bp": ["backproject"], "bp-voxel": ["backproject", "--unmatched"],
                "fdk": ["fdk"], "fbp": ["fbp"],
                "fdk-texture": ["fdk", "--interpolation", "texture"], "fbp-texture": ["fbp", "--interpolation", "texture"],
                "sirt": ["sirt", "--iters", iters, "--tol", 0],
                "sirt-voxel": ["sirt", "--iters", iters, "--tol", 0, "--backprojector", "voxel"]}
    for op in ops:
        if op == "fp" or x is None:
            continue
        out = os.path.join(work, "r-%s.npy" % op)
        try:
            s = recon.cli("ct", commands[op][0], "--geometry", gf, yf, out, *commands[op][1:])
            results[op] = np.load(out)
            os.remove(out)
            if s.get("streamed") is not None:  # recon's out-of-core path, where the CLI reports it
                rows[op]["recon"]["cli_streamed"] = s["streamed"]
            if op.startswith("sirt"):
                rows[op]["recon"].update(seconds=s["elapsed_s"], source="recon ct sirt elapsed_s", iterations=iters)
        except NoTime:
            rows[op]["recon"].setdefault("error", "not run: no time left")
        except Exception as e:
            rows[op]["recon"].setdefault("error", str(e))
    # ASTRA.
    done = {}
    for op in ops:
        row = rows[op]
        if not ast.gpu_ok():
            row["astra"]["error"] = ast.why
        elif x is None:
            row["astra"]["error"] = "no input (recon's phantom or projection failed)"
        else:
            key = op.split("-")[0]  # bp-voxel and sirt-voxel compare against the same ASTRA run
            try:
                if key not in done:
                    recon.clock.timeout(5.0)
                    if key == "fp":
                        done[key] = ast.project(g, x, adjoint=False) + (None,)
                    elif key == "bp":
                        done[key] = ast.project(g, None, adjoint=True, y=y) + (None,)
                    elif key in ("fdk", "fbp"):
                        algo = "FDK_CUDA" if key == "fdk" else "FBP_CUDA"
                        done[key] = ast.algorithm(g, y, algo) + (algo,)
                    else:
                        algo = "SIRT3D_CUDA" if ndim(g) == 3 else "SIRT_CUDA"
                        done[key] = ast.algorithm(g, y, algo, iters) + (algo,)
                    done[key] += (ast.last_geometry,)
                secs, res, memory, algo, geometry = done[key]
                row["astra"].update(seconds=secs, memory=memory, geometry=geometry)
                if algo:
                    row["astra"]["algorithm"] = algo
                if op in results:
                    row["rel_diff"], row["scale"] = rel_diff(res, results[op])
                if key in ("fdk", "fbp", "sirt"):
                    row["astra"]["rel_error_vs_phantom"] = rel_diff(res, x)[0]
            except NoTime:
                row["astra"]["error"] = "not run: no time left"
            except Exception as e:
                row["astra"]["error"] = "%s: %s" % (type(e).__name__, str(e).strip()[:300])
        if op in results and op in ANALYTIC and x is not None:
            row["recon"]["rel_error_vs_phantom"] = rel_diff(results[op], x)[0]
        updates = voxels * views * (2 * iters if op.startswith("sirt") else 1)
        row["updates"] = updates
        for side in ("astra", "recon"):
            t = row[side].get("seconds")
            if t:
                row[side]["gups"] = updates / t / 1e9
        ta, tr = row["astra"].get("seconds"), row["recon"].get("seconds")
        if ta and tr:
            row["astra_over_recon"] = ta / tr
        emit(row)
    for f in (xf, yf):
        if os.path.exists(f):
            os.remove(f)


def markdown(result):
    lines = []
    for m in result.get("mapping", []):
        val = (("rel_diff %.3g, scale %.4g" % (m["rel_diff"], m["scale"])) if m.get("rel_diff") is not None
               else m.get("error", "?"))
        lines.append("- mapping %s: %s%s" % (m["check"], val, ("; " + m["diagnosis"]) if m.get("diagnosis") else ""))
    lines += ["", "| case | op | ASTRA ms | recon ms | ASTRA / recon | ASTRA GUPS | recon GUPS | rel diff | note |",
              "|---|---|---|---|---|---|---|---|---|"]

    def ms(side):
        t = side.get("seconds")
        return "%.2f" % (1e3 * t) if t else "missing"

    for r in result["rows"]:
        notes = [("ASTRA: " + r["astra"]["error"][:80]) if "error" in r["astra"] else "",
                 ("recon: " + r["recon"]["error"][:80]) if "error" in r["recon"] else "",
                 "ASTRA on host arrays" if r["astra"].get("memory") == "host" else ""]
        lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["case"], r["op"], ms(r["astra"]), ms(r["recon"]),
            "%.2f" % r["astra_over_recon"] if r.get("astra_over_recon") else "",
            "%.1f" % r["astra"]["gups"] if r["astra"].get("gups") else "",
            "%.1f" % r["recon"]["gups"] if r["recon"].get("gups") else "",
            "%.3g" % r["rel_diff"] if r.get("rel_diff") is not None else "",
            "; ".join(n for n in notes if n)))
    return "\n".join(lines)


def main():
    parser = Parser(description=__doc__.split("\n")[0])
    parser.add_argument("--recon", required=True, help="the recon executable")
    parser.add_argument("--bench", help="bench_ct (default: beside recon, or ../bench/ of its folder)")
    parser.add_argument("--out", required=True, help="the JSON to write")
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"], help="recon's device (default cuda)")
    parser.add_argument("--quick", action="store_true", help="small sizes (64^3, 256^2) that a host runs in seconds")
    parser.add_argument("--checks-only", action="store_true", help="the mapping checks alone")
    parser.add_argument("--budget", type=float, default=0,
                        help="seconds for everything; rows left are recorded as not run")
    args = parser.parse_args()
    if not os.access(args.recon, os.X_OK):
        parser.error("--recon %s is not an executable" % args.recon)
    here = os.path.dirname(os.path.abspath(args.recon))
    beside = (os.path.join(here, "bench_ct"), os.path.join(here, "..", "bench", "bench_ct"))
    bench = args.bench or next((p for p in beside if os.access(p, os.X_OK)), None)
    if not bench or not os.access(bench, os.X_OK):
        parser.error("bench_ct not found (--bench)")
    clock = Clock(args.budget)
    recon = Recon(args.recon, bench, args.device, clock)
    ast = Astra(want_gpu=True)
    result = {"started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "quick": args.quick,
              "recon_device": args.device, "astra_version": ast.version, "astra_cuda": ast.cuda,
              "astra_missing": ast.why, "mapping": [], "rows": []}
    if ast.cuda:
        result["astra_arrays"] = "cupy (GPU-resident)" if ast.cp is not None else ast.cupy_missing
    if ast.why:
        print("astra_ct: %s: the ASTRA side is reported missing" % ast.why, flush=True)

    def save():
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(result, f, indent=1)
        os.replace(tmp, args.out)

    def emit(row):
        result["rows"].append(row)
        save()
        a, r = row["astra"], row["recon"]
        print("astra_ct: %s %s: ASTRA %s, recon %s%s" % (
            row["case"], row["op"], "%.2f ms" % (1e3 * a["seconds"]) if a.get("seconds") else "missing",
            "%.2f ms" % (1e3 * r["seconds"]) if r.get("seconds") else "missing",
            ", rel diff %.3g" % row["rel_diff"] if row.get("rel_diff") is not None else ""), flush=True)

    with tempfile.TemporaryDirectory(prefix="astra_ct.") as work:
        if ast.astra is not None:
            result["mapping"] += cpu_checks(ast.astra, recon, work)
        if ast.gpu_ok():
            result["mapping"] += gpu_checks(ast, recon, work)
        if hasattr(ast, "gpu_link_error"):
            result["astra_gpu_link_error"] = ast.gpu_link_error
        save()
        for m in result["mapping"]:
            print("astra_ct: mapping %s: %s" % (m["check"], m.get("rel_diff", m.get("error"))), flush=True)
        if not args.checks_only:
            for name, g, ops, iters in cases(args.quick):
                try:
                    clock.timeout(5.0)
                except NoTime:
                    for op in ops:
                        result["rows"].append({"case": name, "op": op, "views": views_of(g),
                                               "volume": g["volume"]["shape"],
                                               "astra": {"error": "not run: no time left"},
                                               "recon": {"error": "not run: no time left"}})
                    save()
                    continue
                run_case(name, g, ops, iters, ast, recon, work, emit)
                if hasattr(ast, "gpu_link_error"):
                    result["astra_gpu_link_error"] = ast.gpu_link_error
        result["recon_device_name"] = getattr(recon, "device_name", None)
        result["finished_utc"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        save()
    print(markdown(result))


if __name__ == "__main__":
    main()
