#!/usr/bin/python3
"""recon tune's lambda search: --lambda-range LO:HI --evals N makes exactly N runs per parameter
point, all inside the range, and on a unimodal PSNR(lambda) the golden-section search comes within
0.05 dB of a 25-point grid over the same range; --select ssim picks the run with the best SSIM.
Usage: tune_search.py RECON WORK_DIR"""
import json
import os
import subprocess
import sys

recon, work = sys.argv[1], sys.argv[2]
os.makedirs(work, exist_ok=True)
clean, noisy = os.path.join(work, "clean.npy"), os.path.join(work, "noisy.npy")


def run(*args):
    done = subprocess.run([recon, *map(str, args)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("FAIL: recon %s: %s" % (" ".join(map(str, args)), done.stderr.strip()))
    return json.loads(done.stdout) if done.stdout.strip() else {}


def check(ok, message):
    if not ok:
        sys.exit("FAIL: " + message)


run("phantom", "shepp-logan", "--size", 64, clean)
run("noise", clean, noisy, "--kind", "gaussian", "--sigma", 0.1, "--seed", 3)
common = [noisy, clean, "--iters", 60]
lo, hi = 0.005, 0.5
grid = [lo * (hi / lo) ** (k / 24) for k in range(25)]
by_grid = run("tune", *common, "--penalty", "l1", "--lambdas", ",".join("%.8g" % v for v in grid))
search = run("tune", *common, "--penalty", "l1", "--lambda-range", "%g:%g" % (lo, hi), "--evals", 8)
check(len(search["grid"]) == 8, "expected 8 runs, got %d" % len(search["grid"]))
check(all(lo <= r["lambda"] <= hi for r in search["grid"]), "a searched lambda is outside the range")
check(len({r["lambda"] for r in search["grid"]}) == 8, "the search repeated a lambda")
check(search["best"]["psnr"] >= by_grid["best"]["psnr"] - 0.05,
      "search best %.3f dB vs grid best %.3f dB" % (search["best"]["psnr"], by_grid["best"]["psnr"]))
check(search["best"]["psnr"] == max(r["psnr"] for r in search["grid"]), "best is not the best PSNR")

points = run("tune", *common, "--penalty", "mcp", "--param", "mu=1", "--grid", "theta=0.5:4",
             "--lambda-range", "%g:%g" % (lo, hi), "--evals", 5, "--select", "ssim")
check(len(points["grid"]) == 10, "expected 2 points x 5 runs, got %d" % len(points["grid"]))
check(points["select"] == "ssim", "summary does not say select ssim")
check(points["best"]["ssim"] == max(r["ssim"] for r in points["grid"]), "best is not the best SSIM")
print("ok: search %.3f dB in 8 runs, grid %.3f dB in 25" % (search["best"]["psnr"], by_grid["best"]["psnr"]))
