#!/usr/bin/env python3
"""recon's 2D parallel projector and FBP against scikit-image's radon / iradon.

Usage: skimage_compare.py RECON WORKDIR. Exits non-zero with a message on a mismatch.
Conventions (docs/ct-geometry.md): on an odd n x n image with skimage's circle=True, skimage's
angle theta (degrees) is recon's angle -theta (radians); both rotate about pixel (n-1)/2 and
use n detector columns of unit width centred on the axis.
Tolerances: the projectors differ (skimage rotates the image with bilinear interpolation,
recon walks rays with Joseph's method): 1% relative L2. FBP uses the same ramp taps and
windows on the same padded length, so ramp / shepp-logan / cosine agree to float rounding
(1e-5); skimage's Hann is np.hanning(N), whose period is N - 1 rather than N: 2e-3.
"""
import json
import os
import subprocess
import sys

import numpy as np
from skimage.transform import iradon, radon

recon, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
os.chdir(work)
n = 65
yy, xx = np.mgrid[0:n, 0:n]
img = ((xx - 40) ** 2 + (yy - 25) ** 2 < 12 ** 2) + 0.5 * ((xx - 20) ** 2 + (yy - 38) ** 2 < 8 ** 2)
img = img.astype(np.float32)
np.save("img.npy", img)
failures = []


def run(*args):
    subprocess.run([recon, "--device", "cpu", "ct", *args], check=True, capture_output=True)


def geometry(path, angles):
    g = {"volume": {"shape": [n, n]}, "projection": {"type": "parallel2d", "detector_shape": [n], "angles": angles}}
    with open(path, "w") as f:
        json.dump(g, f)


deg = np.array([0, 30, 75, 120, 160.0])
sk = radon(img, theta=deg, circle=True)
geometry("few.json", list(-np.deg2rad(deg)))
run("project", "--geometry", "few.json", "img.npy", "proj.npy")
p = np.load("proj.npy").T
err = np.linalg.norm(p - sk) / np.linalg.norm(sk)
print(f"radon: relative L2 difference {err:.2e}")
if err > 1e-2:
    failures.append(f"projector differs from skimage radon by {err:.2e} (> 1e-2)")

deg = np.arange(180.0)
sk = radon(img, theta=deg, circle=True)
np.save("sino.npy", np.ascontiguousarray(sk.T.astype(np.float32)))
geometry("full.json", {"start": 0, "stop": -np.pi, "count": 180})
inside = (xx - 32) ** 2 + (yy - 32) ** 2 < 30 ** 2
for name, tol in [("ramp", 1e-5), ("shepp-logan", 1e-5), ("cosine", 1e-5), ("hann", 2e-3)]:
    ref = iradon(sk, theta=deg, circle=True, filter_name=name, output_size=n)
    run("fbp", "--geometry", "full.json", "sino.npy", "rec.npy", "--filter", name)
    rec = np.load("rec.npy")
    err = np.linalg.norm((rec - ref)[inside]) / np.linalg.norm(ref[inside])
    print(f"iradon {name}: relative L2 difference {err:.2e}")
    if err > tol:
        failures.append(f"fbp --filter {name} differs from skimage iradon by {err:.2e} (> {tol})")
if failures:
    print("FAIL: " + "; ".join(failures))
    sys.exit(1)
