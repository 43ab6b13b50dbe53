#!/usr/bin/env python3
"""A typical ASTRA Toolbox 2D script, ported to recon. The ASTRA original:

    vol_geom = astra.create_vol_geom(256, 256)
    proj_geom = astra.create_proj_geom('parallel', 1.0, 384, np.linspace(0, np.pi, 180, False))
    proj_id = astra.create_projector('linear', proj_geom, vol_geom)
    sino_id, sino = astra.create_sino(image, proj_id)
    rec_id = astra.data2d.create('-vol', vol_geom)
    cfg = astra.astra_dict('SIRT'); cfg['ProjectorId'] = proj_id
    cfg['ProjectionDataId'] = sino_id; cfg['ReconstructionDataId'] = rec_id
    alg_id = astra.algorithm.create(cfg); astra.algorithm.run(alg_id, 100)
    rec = astra.data2d.get(rec_id)

The same dicts go into recon.ct.Geometry.from_astra, and the arrays keep ASTRA's layout (image
rows with decreasing y), so the numbers are ASTRA's up to the projector model (Joseph vs ASTRA's
'linear': ~1e-6 relative). Where astra imports, the script also runs ASTRA's CPU projector and
prints the difference.

Usage: astra_port.py [--size N]
"""
import argparse

import numpy as np

import recon


def create_vol_geom(rows, cols):
    """astra.create_vol_geom(rows, cols), without ASTRA."""
    return {"GridRowCount": rows, "GridColCount": cols,
            "option": {"WindowMinX": -cols / 2, "WindowMaxX": cols / 2, "WindowMinY": -rows / 2,
                       "WindowMaxY": rows / 2}}


def create_proj_geom_parallel(width, count, angles):
    """astra.create_proj_geom('parallel', width, count, angles), without ASTRA."""
    return {"type": "parallel", "DetectorWidth": width, "DetectorCount": count, "ProjectionAngles": angles}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=256)
    a = p.parse_args()
    n = a.size
    image = np.zeros((n, n), np.float32)
    image[n // 4:3 * n // 4, n // 3:2 * n // 3] = 1
    image[n // 2:n // 2 + n // 8, n // 8:n // 4] = 0.5
    vol_geom = create_vol_geom(n, n)
    proj_geom = create_proj_geom_parallel(1.0, (3 * n) // 2, np.linspace(0, np.pi, 180, False))

    g = recon.ct.Geometry.from_astra(vol_geom, proj_geom)  # layout 'astra'
    A = recon.ct.Projector(g, device="cpu")
    sino = A(image)                                         # astra.create_sino
    rec = recon.ct.sirt(sino, A, iters=100)                 # SIRT, 100 iterations
    fbp = recon.ct.fbp(sino, g, filter="ramp")              # FBP
    err = lambda r: float(np.linalg.norm(r - image) / np.linalg.norm(image))
    print(f"sinogram {sino.shape}; SIRT relative error {err(rec):.4f}; FBP relative error {err(fbp):.4f}")
    try:
        import astra
    except ImportError:
        print("astra is not installed: the comparison with ASTRA's projector is skipped")
        return
    proj_id = astra.create_projector("linear", proj_geom, vol_geom)
    sino_id, theirs = astra.create_sino(image, proj_id)
    print(f"ASTRA 'linear' sinogram against recon's: relative difference "
          f"{np.linalg.norm(theirs - sino) / np.linalg.norm(theirs):.2e}")
    astra.data2d.delete(sino_id)
    astra.projector.delete(proj_id)


if __name__ == "__main__":
    main()
