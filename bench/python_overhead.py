#!/usr/bin/env python3
"""What driving recon from Python costs: a cone-beam CGLS iteration from Python against the same
solve from C++ (the CLI `recon ct cgls`, whose JSON gives the solver's own elapsed_s).

Measured, per iteration, on one geometry (an n^3 volume, a 1.5n x 1.5n detector, 45n/32 views
over 360 degrees: n = 256 is check-run.sh's cone, 384^2 x 360):
  cli      `recon --device D ct cgls`: its elapsed_s / iterations (the engine's solve alone: no
           start-up, reading or writing)
  python   recon.ct.cgls(y, A, iters, tol=0) on arrays of --arrays (cupy, torch: CUDA arrays,
           zero copy, on the current stream; numpy: host arrays, staged through the device):
           wall time of the call, the device synchronised, / iterations
  loop     CGLS written in Python (the array library's vector operations, recon's A and A^T on
           those arrays): wall time / iterations; the overhead of one operator call from Python
The ratio python / cli is the figure the Python package's target names (within 5%). Each timing
is the best of --repeat runs after one warm-up run (plans, the projector's set-up, the allocator).

  python3 bench/python_overhead.py --recon build/bin/recon --n 256 --iters 10 --arrays cupy
Without a GPU: --device cpu --arrays numpy --n 24 (a rehearsal of the flow, not a measurement).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

import recon
from recon.ct import Geometry, Projector


def geometry(n):
    views = max(8, n * 45 // 32)
    det = n * 3 // 2
    return Geometry.cone((n, n, n), views, (det, det), n * 5 // 2, n * 5 // 4, pixel=1.5)


def phantom(n):
    z, y, x = np.meshgrid(*(np.linspace(-1, 1, n, dtype=np.float32),) * 3, indexing="ij")
    return ((x * x + y * y + z * z < 0.8).astype(np.float32) + 0.5 * ((x - 0.2) ** 2 + y * y < 0.1)).astype(np.float32)


class Lib:
    """The array library's device transfers, synchronisation and vector operations."""

    def __init__(self, name):
        self.name = name
        if name == "cupy":
            import cupy

            self.m = cupy
            self.sync = lambda: cupy.cuda.get_current_stream().synchronize()
            self.put = cupy.asarray
            self.get = cupy.asnumpy
            self.dot = lambda a, b: float(cupy.vdot(a, b))
        elif name == "torch":
            import torch

            self.m = torch
            self.sync = torch.cuda.synchronize
            self.put = lambda a: torch.from_numpy(a).cuda()
            self.get = lambda a: a.cpu().numpy()
            self.dot = lambda a, b: float(torch.vdot(a.ravel(), b.ravel()))
        else:
            self.m = np
            self.sync = lambda: None
            self.put = lambda a: a
            self.get = lambda a: a
            self.dot = lambda a, b: float(np.vdot(a, b))


def cgls_loop(lib, a, y, iters):
    """CGLS in Python (the same recurrence as engine/include/recon/engine/ct/cgls.hpp), A and A^T
    by recon on the library's arrays."""
    x = a.adjoint(y) * 0
    r = y * 1
    s = a.adjoint(r)
    p = s * 1
    gamma = lib.dot(s, s)
    q = a.forward(p)
    for _ in range(iters):
        a.forward(p, out=q)
        alpha = gamma / lib.dot(q, q)
        x += alpha * p
        r -= alpha * q
        a.adjoint(r, out=s)
        gamma_new = lib.dot(s, s)
        p *= gamma_new / gamma
        p += s
        gamma = gamma_new
    return x


def best(run, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recon", help="the CLI of the same build (default: none, no cli row)")
    ap.add_argument("--n", type=int, default=256)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--arrays", choices=["cupy", "torch", "numpy"], default="cupy")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--out", help="write the results as JSON here")
    args = ap.parse_args()

    lib = Lib(args.arrays)
    g = geometry(args.n)
    a = Projector(g, device=args.device)
    y_host = a.forward(phantom(args.n))
    y = lib.put(y_host)
    res = {"n": args.n, "views": g.projection_shape[0], "detector": list(g.projection_shape[1:]),
           "iters": args.iters, "arrays": args.arrays, "device": a.device, "recon_cuda_built": recon._recon.cuda_built}

    def py_cgls():
        x, rep = recon.ct.cgls(y, a, iters=args.iters, tol=0, return_report=True)
        lib.sync()
        res["python_engine_elapsed_s"] = rep["last"]["elapsed_s"]

    def loop():
        cgls_loop(lib, a, y, args.iters)
        lib.sync()

    py_cgls()  # warm-up
    res["python_s_per_iter"] = best(py_cgls, args.repeat) / args.iters
    loop()
    res["loop_s_per_iter"] = best(loop, args.repeat) / args.iters

    if args.recon:
        with tempfile.TemporaryDirectory() as work:
            gp, yp, xp = (os.path.join(work, f) for f in ("g.json", "y.npy", "x.npy"))
            with open(gp, "w") as f:
                f.write(g.to_json())
            np.save(yp, y_host)
            cli = []
            for _ in range(args.repeat + 1):  # the first warms the file cache and the driver
                out = subprocess.run([args.recon, "--device", args.device, "ct", "cgls", yp, xp, "--geometry", gp,
                                      "--iters", str(args.iters), "--tol", "0"], check=True, capture_output=True,
                                     text=True).stdout
                cli.append(json.loads(out)["elapsed_s"] / args.iters)
            res["cli_s_per_iter"] = min(cli[1:])
            res["python_over_cli"] = res["python_s_per_iter"] / res["cli_s_per_iter"]
            res["loop_over_cli"] = res["loop_s_per_iter"] / res["cli_s_per_iter"]

    print("| what | s per iteration | / cli |")
    print("| --- | --- | --- |")
    for key, label in (("cli", "recon ct cgls (C++)"), ("python", "recon.ct.cgls from Python"),
                       ("loop", "CGLS loop in Python")):
        t = res.get(key + "_s_per_iter")
        if t is not None:
            ratio = res.get(key + "_over_cli", 1.0 if key == "cli" else None)
            print("| %s | %.4f | %s |" % (label, t, "-" if ratio is None else "%.3f" % ratio))
    print("(%s arrays, %s, n=%d, %d views of %s, %d iterations)" % (args.arrays, a.device, args.n,
                                                                  res["views"], res["detector"], args.iters))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(res, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
