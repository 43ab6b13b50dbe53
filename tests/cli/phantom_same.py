#!/usr/bin/env python3
"""Usage: phantom_same.py RECON WORKDIR

`recon phantom shepp-logan --size S` and `recon ct simulate --truth` (the analytic phantom of
the geometry's volume) write the same modified Shepp-Logan array: one phantom, sampled by
recon/datasets/phantoms.hpp on one grid convention (the phantom's [-1, 1] spans the volume edge
to edge, index growing with x, y, z). Exact equality on unit voxels, 2D and 3D, even and odd
and unequal extents; on the CT demo's 0.01-voxel grid the phantom scales with the extent, so
the arrays agree to float rounding.
"""
import json
import os
import subprocess
import sys

import numpy as np

recon, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)


def run(*args):
    out = subprocess.run([recon, *map(str, args)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def compare(shape, voxel, exact):
    tag = "x".join(map(str, shape)) + f"_v{voxel}"
    geom = os.path.join(work, f"g_{tag}.json")
    if len(shape) == 2:
        projection = {"type": "parallel2d", "detector_shape": [int(1.5 * shape[1]) + 2], "pixel_size": voxel,
                      "angles": {"start": 0, "stop": np.pi, "count": 8}}
    else:
        projection = {"type": "parallel3d", "detector_shape": [int(1.5 * shape[0]) + 2, int(1.5 * shape[2]) + 2],
                      "pixel_size": voxel, "angles": {"start": 0, "stop": np.pi, "count": 4}}
    with open(geom, "w") as f:
        json.dump({"volume": {"shape": list(shape), "voxel_size": voxel}, "projection": projection}, f)
    truth, sino, phantom = (os.path.join(work, f"{n}_{tag}.npy") for n in ("truth", "sino", "phantom"))
    run("ct", "simulate", "--geometry", geom, sino, "--phantom", "shepp-logan", "--truth", truth)
    size = str(shape[0]) if len(shape) == 2 else "x".join(map(str, shape))
    run("phantom", "shepp-logan", "--size", size, phantom)
    t, p = np.load(truth), np.load(phantom)
    assert t.shape == p.shape == tuple(shape), (tag, t.shape, p.shape)
    assert t.dtype == p.dtype == np.float32, (tag, t.dtype, p.dtype)
    # Not a trivial match: values in [0, 1], brain (0.2) over a good part of the volume, skull and
    # partial-volume edges above it.
    assert -1e-6 < float(p.min()) and float(p.max()) < 1 + 1e-6, (tag, p.min(), p.max())
    assert np.count_nonzero(np.isclose(p, 0.2)) > 0.1 * p.size and float(p.max()) > 0.5, tag
    diff = float(np.abs(t.astype(np.float64) - p).max())
    if exact:
        assert np.array_equal(t, p), f"{tag}: ct simulate --truth and recon phantom differ by up to {diff}"
    else:
        assert diff <= 1e-6, f"{tag}: ct simulate --truth and recon phantom differ by up to {diff}"
    print(f"{tag}: same array (max |difference| {diff})")


for shape in [(64, 64), (37, 37)]:
    compare(shape, 1.0, exact=True)
for shape in [(16, 20, 24), (21, 21, 21)]:
    compare(shape, 1.0, exact=True)
compare((128, 128), 0.01, exact=False)  # scripts/demo_ct.py's 2D grid
compare((32, 32, 32), 0.02, exact=False)  # and its cone-beam voxel size
print("ok")
