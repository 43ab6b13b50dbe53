#!/usr/bin/env python3
"""scikit-image reference values for recon's tests (tests/io/test_real_data.cpp).

Usage: skimage_reference.py JOB.json  -> prints one JSON object on stdout.
JOB = {"load": [[image_file, out.npy], ...],          # skimage.io.imread -> img_as_float
                                                      # (rgb2gray for RGB/RGBA), saved float64
       "metrics": [[reference.npy, test.npy, data_range], ...]}
Output: {"metrics": [{"psnr", "ssim", "ms_ssim" (null when an extent is < 176)}, ...]}

PSNR and SSIM are scikit-image's peak_signal_noise_ratio and structural_similarity with
gaussian_weights=True, sigma=1.5, use_sample_covariance=False (MATH.md section 4).
scikit-image has no MS-SSIM: it is computed here from the same Gaussian filtering
(scipy.ndimage.gaussian_filter, truncate 3.5, reflect), which is first checked to reproduce
structural_similarity to 1e-10, with the definition of recon/engine/metrics.hpp.
"""
import json
import sys

import numpy as np
from scipy.ndimage import gaussian_filter
from skimage import img_as_float, io
from skimage.color import rgb2gray
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def ssim_and_cs(a, b, data_range):
    f = lambda x: gaussian_filter(x, sigma=1.5, truncate=3.5, mode="reflect")
    ux, uy = f(a), f(b)
    vx, vy, vxy = f(a * a) - ux * ux, f(b * b) - uy * uy, f(a * b) - ux * uy
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    cs = (2 * vxy + c2) / (vx + vy + c2)
    s = (2 * ux * uy + c1) / (ux * ux + uy * uy + c1) * cs
    interior = tuple(slice(5, n - 5) for n in a.shape)
    return s[interior].mean(dtype=np.float64), cs[interior].mean(dtype=np.float64)


def downsample(x):
    x = x[tuple(slice(0, (n // 2) * 2) for n in x.shape)]
    if x.ndim == 2:
        return x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2).mean(axis=(1, 3))
    return x.reshape(x.shape[0] // 2, 2, x.shape[1] // 2, 2, x.shape[2] // 2, 2).mean(axis=(1, 3, 5))


def ms_ssim(a, b, data_range):
    if min(a.shape) < 176:
        return None
    result = 1.0
    for level, w in enumerate(WEIGHTS):
        s, cs = ssim_and_cs(a, b, data_range)
        if level == len(WEIGHTS) - 1:
            return result * max(s, 0.0) ** w
        result *= max(cs, 0.0) ** w
        a, b = downsample(a), downsample(b)


def load(path):
    image = io.imread(path)
    if image.ndim == 3 and image.shape[-1] in (3, 4):
        return rgb2gray(image[..., :3])
    return img_as_float(image)


def main():
    with open(sys.argv[1]) as f:
        job = json.load(f)
    for src, out in job.get("load", []):
        np.save(out, load(src).astype(np.float64))
    results = []
    for ref_path, test_path, data_range in job.get("metrics", []):
        a = np.load(ref_path).astype(np.float64)
        b = np.load(test_path).astype(np.float64)
        ssim = structural_similarity(a, b, data_range=data_range, gaussian_weights=True, sigma=1.5,
                                     use_sample_covariance=False)
        own, _ = ssim_and_cs(a, b, data_range)
        if abs(own - ssim) > 1e-10:
            raise SystemExit(f"MS-SSIM reference filter disagrees with structural_similarity: {own} vs {ssim}")
        results.append({"psnr": peak_signal_noise_ratio(a, b, data_range=data_range), "ssim": ssim,
                        "ms_ssim": ms_ssim(a, b, data_range)})
    json.dump({"metrics": results}, sys.stdout)


if __name__ == "__main__":
    main()
