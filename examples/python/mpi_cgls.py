#!/usr/bin/env python3
"""CGLS of a cone-beam scan split by z-slabs over MPI ranks with mpi4py: rank 0 simulates the
projections of a 3D phantom, each rank receives its band of detector rows, runs CGLS on its slab
of the volume, and rank 0 gathers the volume, compares it with the serial CGLS and saves it.

Usage: mpiexec -n 2 python examples/python/mpi_cgls.py [--size N] [--views V] [--iters K] [--out DIR]
(docs/python.md, "MPI"; every rank runs this script, rank 0 alone prints and writes.)
"""
import argparse
import os
import time

import numpy as np
from mpi4py import MPI

import recon


def phantom(n):
    """Two ellipsoids (attenuation 1 and 0.5 inside it) on an n^3 grid."""
    c = (np.arange(n) - (n - 1) / 2) / (n / 2)
    z, y, x = np.meshgrid(c, c, c, indexing="ij")
    vol = np.zeros((n, n, n), np.float32)
    vol[(x / 0.7) ** 2 + (y / 0.8) ** 2 + (z / 0.75) ** 2 <= 1] = 1.0
    vol[((x - 0.2) / 0.25) ** 2 + ((y + 0.2) / 0.2) ** 2 + ((z - 0.1) / 0.3) ** 2 <= 1] = 0.5
    return vol


def rmse(a, b):
    return float(np.sqrt(np.mean((a - b) ** 2)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--views", type=int, default=0, help="default: 1.5 x size")
    p.add_argument("--iters", type=int, default=20)
    p.add_argument("--out", default="mpi-cgls-out")
    a = p.parse_args()
    comm = MPI.COMM_WORLD
    rank, size = comm.Get_rank(), comm.Get_size()
    n, views = a.size, a.views or (3 * a.size) // 2

    # Every rank makes the same geometry and the split projector (a collective call).
    g = recon.ct.Geometry.cone((n, n, n), views, (n + n // 2, n + n // 2), source_origin=4 * n,
                               origin_detector=2 * n, pixel=1.5)
    A = recon.ct.Projector(g, device="cpu", comm=comm, distribute="slabs")
    shares = comm.gather((A.slices, A.rows), root=0)

    truth = phantom(n) if rank == 0 else None
    y_whole = recon.ct.Projector(g, device="cpu")(truth) if rank == 0 else None  # the simulated scan
    y = A.scatter_projections(y_whole)  # this rank's band of detector rows of every view

    t0 = time.perf_counter()
    x, report = recon.ct.cgls(y, A, iters=a.iters, tol=0.0, return_report=True)  # x: this rank's slab
    elapsed = time.perf_counter() - t0
    volume = A.gather_volume(x)  # the whole volume on rank 0, None elsewhere

    if rank == 0:
        for r, (slices, rows) in enumerate(shares):
            print(f"rank {r}: slices {slices[0]}..{slices[1]}, detector rows {rows[0]}..{rows[1]}")
        serial = recon.ct.cgls(y_whole, g, iters=a.iters, tol=0.0, device="cpu")
        print(f"CGLS by slabs on {size} ranks: {report['iterations']} iterations in {elapsed:.2f} s, "
              f"rmse {rmse(volume, truth):.6f}, serial {rmse(serial, truth):.6f} "
              f"(max |split - serial| {float(np.max(np.abs(volume - serial))):.2e})")
        os.makedirs(a.out, exist_ok=True)
        np.save(os.path.join(a.out, "cgls.npy"), volume)
        print(f"saved {os.path.join(a.out, 'cgls.npy')}")


if __name__ == "__main__":
    main()
