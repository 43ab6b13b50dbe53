#!/usr/bin/env python3
"""A volumetric cone-beam script with recon: simulate a scan of a 3D phantom, reconstruct it with
FDK and with CGLS, smooth the CGLS volume by TV denoising, print the error of each, and save a
preview PNG of the central slices.

Usage: cone_beam.py [--size N] [--views V] [--device auto|cpu|cuda] [--memory-limit SIZE] [--out DIR]
(--memory-limit, e.g. 64MiB, streams the data through the device in pieces.)
The TV step is post-processing (min 0.5||x - x_cgls||^2 + lam TV(x)); the TV-regularised
reconstruction itself (`recon ct recon`) is not in the Python package yet.
"""
import argparse
import os
import sys
import time

import numpy as np

import recon


def phantom(n):
    """Three ellipsoids of attenuation 1, 0.5 and -0.3 (inside the first) on an n^3 grid."""
    c = (np.arange(n) - (n - 1) / 2) / (n / 2)
    z, y, x = np.meshgrid(c, c, c, indexing="ij")
    vol = np.zeros((n, n, n), np.float32)
    for (cx, cy, cz, ax, ay, az, v) in [(0, 0, 0, 0.7, 0.8, 0.75, 1.0), (0.25, -0.2, 0.1, 0.2, 0.25, 0.3, -0.5),
                                        (-0.3, 0.25, -0.2, 0.15, 0.15, 0.2, 0.5)]:
        vol[((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 + ((z - cz) / az) ** 2 <= 1] += v
    return vol


def stage(name, t0=[time.perf_counter()]):
    """One line per stage with the time so far (the progress of this script)."""
    print(f"\r[{time.perf_counter() - t0[0]:6.1f} s] {name}", flush=True)


def rmse(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=128)
    p.add_argument("--views", type=int, default=0, help="default: 1.5 x size")
    p.add_argument("--device", default="auto")
    p.add_argument("--memory-limit", default=None)
    p.add_argument("--out", default="cone-beam-out")
    a = p.parse_args()
    if a.size < 8:
        sys.exit("cone_beam.py: error: --size must be at least 8")
    n, views = a.size, a.views or (3 * a.size) // 2
    os.makedirs(a.out, exist_ok=True)

    g = recon.ct.Geometry.cone((n, n, n), views, (n + n // 2, n + n // 2), source_origin=4 * n,
                               origin_detector=2 * n, pixel=1.5)
    A = recon.ct.Projector(g, device=a.device, memory_limit=a.memory_limit)
    stage(f"geometry: {g.type}, volume {g.volume_shape}, projections {g.projection_shape}, on {A.device}"
          + (" (streamed)" if A.streamed else ""))
    truth = phantom(n)
    y = A(truth)
    y += np.random.default_rng(0).normal(0, 0.01 * float(y.max()), y.shape).astype(np.float32)
    stage("simulated the scan (1% Gaussian noise)")
    x_fdk = recon.ct.fdk(y, g, filter="hann", device=a.device)
    stage(f"FDK: rmse {rmse(x_fdk, truth):.4f}")
    x_cgls = recon.ct.cgls(y, A, iters=20,
                           callback=lambda it: print(f"  cgls {it['iteration']}", end="\r", flush=True))
    stage(f"CGLS (20 iterations): rmse {rmse(x_cgls, truth):.4f}")
    x_tv = recon.denoise_tv(x_cgls, 0.02, penalty="l1", solver="pdhg", iters=200, device=a.device)
    stage(f"CGLS + TV denoising: rmse {rmse(x_tv, truth):.4f}")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(12, 3.4))
    for ax, (name, v) in zip(axes, [("truth", truth), ("FDK", x_fdk), ("CGLS", x_cgls), ("CGLS + TV", x_tv)]):
        ax.imshow(v[n // 2], cmap="gray", vmin=-0.1, vmax=1.1)
        ax.set_title(name)
        ax.axis("off")
    fig.tight_layout()
    path = os.path.join(a.out, "slices.png")
    fig.savefig(path, dpi=100)
    for name, v in [("fdk", x_fdk), ("cgls", x_cgls), ("cgls_tv", x_tv)]:
        np.save(os.path.join(a.out, name + ".npy"), v)
    stage(f"wrote {path} and the volumes")


if __name__ == "__main__":
    main()
