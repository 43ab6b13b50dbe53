#!/usr/bin/python3
"""Side-by-side CPU benchmark of 2D parallel-beam CT: recon's bench_ct (host backend) against
scikit-image's radon / iradon, the CPU baseline (target: recon >= 10x faster).

Sizes: 256^2 image, 180 views over 180 degrees. skimage (circle=False) uses a 363-pixel
detector, bench_ct a 384-pixel one (both cover the image's diagonal); the figures are also
given per voxel x view update (GUPS), which the detector width hardly changes.
  forward       skimage radon                         vs recon A (Joseph, matched)
  back-project  skimage iradon(filter_name=None)      vs recon A^T (exact adjoint) and, when
                (its unfiltered back-projection)         bench_ct has it, the voxel-driven one
  FBP           skimage iradon(filter_name='ramp')    vs recon FBP (ramp)
skimage runs in one thread (numpy/scipy); recon once with OMP_NUM_THREADS=1 and once with all
cores. Times are the median of repeated runs (wall clock); the load average is recorded,
since on a shared host the timings are lower bounds.
The build's -march (RECON_HOST_ARCH, "default" when unset) is recorded with recon's times.
Usage: bench/skimage_ct.py BUILD_DIR [OUT_JSON]   (default bench/results/skimage_ct_host.json)
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
from skimage.data import shepp_logan_phantom
from skimage.transform import iradon, radon, resize

N, VIEWS, REPEATS = 256, 180, 5


def median_seconds(fn):
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def skimage_times():
    image = resize(shepp_logan_phantom(), (N, N)).astype(np.float64)
    theta = np.arange(VIEWS) * 180.0 / VIEWS
    sino = radon(image, theta, circle=False)
    return {
        "forward": median_seconds(lambda: radon(image, theta, circle=False)),
        "backproject": median_seconds(lambda: iradon(sino, theta, circle=False, filter_name=None)),
        "fbp": median_seconds(lambda: iradon(sino, theta, circle=False, filter_name="ramp")),
        "detector_cols": int(sino.shape[0]),
    }


def recon_times(build, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([os.path.join(build, "bench", "bench_ct"), "--device=cpu",
                          "--benchmark_filter=parallel2d", "--benchmark_format=json",
                          f"--benchmark_repetitions={REPEATS}", "--benchmark_report_aggregates_only=true"],
                         env=env, check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    times = {"host_arch": report["context"].get("recon_host_arch", "default"),
             "host_clone": report["context"].get("recon_host_clone", "none")}
    for b in report["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        case = b["run_name"].split("parallel2d_")[1].split("/")[0]
        times[case] = b["real_time"] / {"ms": 1e3, "us": 1e6, "ns": 1e9, "s": 1}[b["time_unit"]]
        times["label"] = b.get("label", "")
    return times


def main():
    build = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else "bench/results/skimage_ct_host.json"
    sk = skimage_times()
    ours = {f"{t}_threads": recon_times(build, t) for t in sorted({1, os.cpu_count()})}
    pairs = {"forward": "forward", "backproject": "adjoint", "fbp": "fbp"}
    speedup = {f"{case}_{t}": sk[case] / r[ours_case]
               for t, r in ours.items() for case, ours_case in pairs.items() if ours_case in r}
    for t, r in ours.items():
        if "unmatched_adjoint" in r:
            speedup[f"backproject_unmatched_{t}"] = sk["backproject"] / r["unmatched_adjoint"]
    result = {"size": f"{N}^2 x {VIEWS} views", "skimage_seconds": sk, "recon_seconds": ours,
              "speedup_over_skimage": speedup, "load_average": os.getloadavg(), "cpu_count": os.cpu_count()}
    with open(out + ".tmp", "w") as f:
        json.dump(result, f, indent=1)
    os.replace(out + ".tmp", out)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
