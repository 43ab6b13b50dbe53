#!/usr/bin/env python3
"""Side-by-side GPU benchmark of isotropic l1-TV denoising on one device: recon's PDHG
(`recon denoise --device cuda --solver pdhg`) against ccpi-regularisation-cupy's PD_TV and
deepinv's TVDenoiser (both primal-dual methods of Chambolle and Pock; deepinv over-relaxed as in
Condat's), on the same objective

    F(x) = 0.5 ||x - u||^2 + lambda * sum_i |(D x)_i|_2,   D forward differences, Neumann,

(PD_TV's regularisation_parameter and TVDenoiser's ths are lambda; F is evaluated for every
output in float64 with bench/skimage_tv.py's tv_objective, so a mismatch in the problem shows).
Per case (Shepp-Logan + Gaussian noise sigma 0.1, float32, 512^2, 2048^2, 256^3): the time per
iteration as the difference of a run of 2N and one of N iterations over N (start-up, transfers
and compilation cancel), and F after the longer run. recon's time is its solver's own clock
(the CLI's summary line). Writes one JSON (--out) and prints a markdown table last.

Peers missing on the machine are recorded as such, not skipped silently. Run by
scripts/gpu/check-run.sh on the GPU machine, the peers installed from carried wheels.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from skimage_tv import LAMBDA, SIGMA, tv_objective  # noqa: E402  (the same F and parameters)

CASES = [("512", 200), ("2048", 100), ("256x256x256", 40)]


def recon_cli(recon, *args, device="cuda"):
    done = subprocess.run([recon, "--device", device, *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "exit %d" % done.returncode)
    return json.loads(done.stdout.strip().splitlines()[-1])


def time_recon(recon, work, noisy, iters):
    out = os.path.join(work, "x.npy")
    seconds = {}
    for n in (iters, 2 * iters):
        s = recon_cli(recon, "denoise", noisy, out, "--penalty", "l1", "--lambda", LAMBDA, "--tv", "iso",
                      "--solver", "pdhg", "--iters", n, "--tol", 0, "--check-every", n)
        seconds[n] = s["elapsed_s"]
    return (seconds[2 * iters] - seconds[iters]) / iters, np.load(out)


def time_ccpi(u, iters):
    import cupy as cp
    from ccpi.filters.regularisersCuPy import PD_TV

    d = cp.asarray(u)
    PD_TV(d, LAMBDA, 2, 0, 0, 8.0 if u.ndim == 2 else 12.0)  # compile the kernels
    seconds = {}
    for n in (iters, 2 * iters):
        start, stop = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        x = PD_TV(d, LAMBDA, n, 0, 0, 8.0 if u.ndim == 2 else 12.0)
        stop.record()
        stop.synchronize()
        seconds[n] = cp.cuda.get_elapsed_time(start, stop) / 1e3
    return (seconds[2 * iters] - seconds[iters]) / iters, cp.asnumpy(x)


def time_deepinv(u, iters):
    import torch
    from deepinv.models import TVDenoiser

    y = torch.from_numpy(u).cuda()[None, None]
    seconds = {}
    for n in (2, iters, 2 * iters):
        den = TVDenoiser(n_it_max=n, crit=0.0)  # crit 0: exactly n iterations
        torch.cuda.synchronize()
        t0 = time.perf_counter()
        x = den(y, ths=LAMBDA)
        torch.cuda.synchronize()
        seconds[n] = time.perf_counter() - t0
    return (seconds[2 * iters] - seconds[iters]) / iters, x[0, 0].cpu().numpy()


def bench_case(recon, work, size, iters):
    clean, noisy = os.path.join(work, "clean.npy"), os.path.join(work, "noisy.npy")
    recon_cli(recon, "phantom", "shepp-logan", clean, "--size", size, "--bits", 32, device="auto")
    recon_cli(recon, "noise", clean, noisy, "--kind", "gaussian", "--sigma", SIGMA, "--seed", 1, device="auto")
    u = np.load(noisy).astype(np.float32)
    case = {"size": size, "shape": list(u.shape), "lambda": LAMBDA, "iterations": [iters, 2 * iters]}
    for name, run in (("recon_pdhg", lambda: time_recon(recon, work, noisy, iters)),
                      ("ccpi_pd_tv", lambda: time_ccpi(u, iters)),
                      ("deepinv_tv", lambda: time_deepinv(u, iters))):
        try:
            per_iter, x = run()
            case[name] = {"seconds_per_iteration": per_iter, "objective": tv_objective(x, u, LAMBDA)}
        except Exception as e:  # a missing peer or a failure is a result, recorded with its reason
            case[name] = {"error": "%s: %s" % (type(e).__name__, e)}
    return case


def markdown(result):
    rows = ["| case | method | us / iteration | F after 2N iterations | recon's speed-up |", "|---|---|---|---|---|"]
    for c in result["cases"]:
        base = c["recon_pdhg"].get("seconds_per_iteration")
        for name in ("recon_pdhg", "ccpi_pd_tv", "deepinv_tv"):
            r = c[name]
            if "error" in r:
                rows.append("| %s | %s | %s | | |" % (c["size"], name, r["error"]))
                continue
            t = r["seconds_per_iteration"]
            ratio = "%.1fx" % (t / base) if base and name != "recon_pdhg" else ""
            rows.append("| %s | %s | %.1f | %.6g | %s |" % (c["size"], name, 1e6 * t, r["objective"], ratio))
    return "\n".join(rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recon", required=True, help="the recon executable (a CUDA build)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true", help="512^2 only")
    args = parser.parse_args()
    result = {"started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cases": []}
    with tempfile.TemporaryDirectory() as work:
        for size, iters in CASES[:1] if args.quick else CASES:
            result["cases"].append(bench_case(args.recon, work, size, iters))
            print("gpu_tv_peers: %s done" % size, flush=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, args.out)
    print(markdown(result))


if __name__ == "__main__":
    main()
