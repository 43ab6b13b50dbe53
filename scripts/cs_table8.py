#!/usr/bin/python3
"""Table 8 of Pinilla & Thiyagalingam, "Global optimality for non-linear constrained restoration
problems via invexity", with real priors: does a robust loss (Barron, eq. 7) beat least squares
under heavy-tailed noise when the image has a prior it is sparse under?

Setup (docs/cs.md says why each choice): scikit-image's camera, brick, grass, gravel, moon and
astronaut (512^2, astronaut to grey with rgb2gray's weights) reduced to 256^2 by 2x2 block means,
grey levels 0..255; y = 32000 of the 65536 orthonormal natural-order Walsh-Hadamard coefficients
(uniformly drawn, seed 1, whose draw holds the DC coefficient) plus Cauchy noise of dispersion
gamma on those coefficients, for two readings of the paper's "dispersion 1":
  orthonormal    gamma = 1 on recon's orthonormal coefficients (the literal reading);
  unnormalised   gamma = 1 on the +-1 Hadamard transform, i.e. 1/256 on the orthonormal one.
Combinations {l2, Barron (alpha = 0)} x {l1, log (eq. 3: p = 0.5, eps = 25.5, the paper's 0.1
at the scale of 0..255 images)} on
  haar  x = W^T c, W the orthonormal Haar transform with 5 levels, penalty on c, monotone APGM;
  tv    the penalty on the isotropic gradient of x, ADMM (admm_composite).
Every combination gets the same budget of 24 runs, tuned on camera (best PSNR), then run on all
six: golden-section searches of log(lambda0) over [0.01, 1e4] (as `recon tune --lambda-range`),
l2 one search of 24 runs, Barron one search of 6 runs for each c in {0.1, 1, 10, 100}.
lambda = lambda0 psi''(0) and the ADMM rho = psi''(0) (psi''(0) = 1 / c^2 for Barron, 1 for l2):
every loss weighs small residuals alike and ADMM sees the same conditioning. 300 iterations at
most, tol 1e-5, start A^T y. PSNR and SSIM with range 255.

usage: scripts/cs_table8.py [--recon BUILD/bin/recon] [--data DIR] [--work DIR] [--jobs N]
                            [--iters T] [--readings orthonormal,unnormalised] [--json OUT.json]
Prints markdown tables; --json keeps every run (bench/results/cs_table8.json).
"""
import argparse
import concurrent.futures
import itertools
import json
import os
import subprocess
import sys
import threading
import time

import numpy as np

IMAGES = ["camera", "brick", "grass", "gravel", "moon", "astronaut"]
READINGS = {"orthonormal": 1.0, "unnormalised": 1 / 256}
PRIORS = {"haar": ["--basis", "haar", "--levels", "5", "--solver", "apgm"],
          "tv": ["--tv", "iso", "--solver", "admm"]}
# eq. 3's eps = 0.1 is for unit-range images; on 0..255 grey levels with eps = 0.1 the ADMM's
# weak-convexity floor on rho (MATH.md 3.1) leaves the log penalty no effect at any lambda.
PENALTIES = {"l1": ["--penalty", "l1"], "log": ["--penalty", "log", "--param", "p=0.5,eps=25.5"]}
LOSSES = ["l2", "barron"]
BUDGET = 24
SCALES = [0.1, 1, 10, 100]  # Barron's c
LAMBDA0_RANGE = (0.01, 1e4)
RATE, SEED = 32000 / 65536, 1


def searches(loss):
    """The tuning of one combination: [(c, runs)], one golden-section search of lambda0 each
    (c = None for l2), BUDGET runs in all."""
    if loss == "l2":
        return [(None, BUDGET)]
    return [(c, BUDGET // len(SCALES)) for c in SCALES]


def golden_section_maximise(lo, hi, evals, f):
    """Calls f(t) `evals` times, t in (lo, hi), closing in on a maximum by golden sections; the
    same search as apps/recon/golden_search.hpp (Kiefer 1953)."""
    if evals == 1:
        f(0.5 * (lo + hi))
        return
    g = (5 ** 0.5 - 1) / 2
    a, b = lo, hi
    c, d = b - g * (b - a), a + g * (b - a)
    fc, fd = f(c), f(d)
    for _ in range(2, evals):
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - g * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + g * (b - a)
            fd = f(d)


def solver_args(prior, penalty, loss, setting, gamma, iters):
    """recon cs options for one run (everything after IN OUT)."""
    l0, c = setting
    curvature = 1.0 if c is None else 1 / c ** 2  # psi''(0)
    args = ["--sensing", "hadamard", "--rate", repr(RATE), "--seed", str(SEED), "--noise", "cauchy:%r" % gamma,
            "--range", "255", "--iters", str(iters), "--tol", "1e-5", *PRIORS[prior], *PENALTIES[penalty],
            "--lambda", "%.6g" % (l0 * curvature)]
    if c is not None:
        args += ["--loss", "barron", "--loss-param", "alpha=0,c=%.6g" % c]
    if prior == "tv":
        args += ["--rho", "%.6g" % curvature]
    return args


def describe(setting):
    l0, c = setting
    return "lambda0 %.3g" % l0 + ("" if c is None else ", c %.3g" % c)


def prepare_images(recon, data, work, names=IMAGES):
    """name -> path of the 256^2 float image (grey levels 0..255), made with recon convert."""
    paths = {}
    for name in names:
        full = os.path.join(work, name + "_512.npy")
        subprocess.run([recon, "convert", "--scaling", "stored", os.path.join(data, "skimage", name + ".png"), full],
                       check=True, capture_output=True)
        a = np.load(full).astype(np.float64)
        h, w = a.shape
        paths[name] = os.path.join(work, name + ".npy")
        np.save(paths[name], a.reshape(h // 2, 2, w // 2, 2).mean(axis=(1, 3)).astype(np.float32))
    return paths


def run_cs(recon, clean, out, args):
    """One recon cs run; returns its JSON summary with the SSIM of the result added."""
    done = subprocess.run([recon, "--threads", "1", "cs", clean, out, *args], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit("cs_table8: recon cs %s failed: %s" % (" ".join(args), done.stderr.strip()))
    res = json.loads(done.stdout.strip().splitlines()[-1])
    met = subprocess.run([recon, "metrics", "--range", "255", clean, out], capture_output=True, text=True, check=True)
    res["ssim"] = json.loads(met.stdout)["ssim"]
    return res


class Pool:
    """Runs tasks (each a sequence of recon cs runs) on N workers; a progress line per run with an
    estimate."""

    def __init__(self, recon, work, jobs, total):
        self.recon, self.work, self.total, self.done, self.start = recon, work, total, 0, time.time()
        self.executor = concurrent.futures.ThreadPoolExecutor(jobs)
        self.lock = threading.Lock()

    def cs(self, clean, args):
        """One run (thread-safe); its output file is removed."""
        out = os.path.join(self.work, "out_%d_%d.npy" % (os.getpid(), threading.get_ident()))
        try:
            res = run_cs(self.recon, clean, out, args)
        finally:
            if os.path.exists(out):
                os.remove(out)
        with self.lock:
            self.done += 1
            spent = time.time() - self.start
            print("cs_table8: %d/%d runs, %.0f s, about %.0f s left" % (
                self.done, self.total, spent, spent / self.done * (self.total - self.done)), file=sys.stderr,
                flush=True)
        return res

    def run(self, tasks):
        """tasks: callables -> their results in order, run concurrently."""
        return [f.result() for f in [self.executor.submit(t) for t in tasks]]


def combinations():
    return list(itertools.product(PRIORS, PENALTIES, LOSSES))


def search_task(pool, clean, combo, c, runs, gamma, iters):
    """A golden-section search of log(lambda0) at loss scale c: [(setting, result)] in run order."""
    prior, penalty, loss = combo
    trace = []

    def psnr_at(log_l0):
        setting = (float(np.exp(log_l0)), c)
        trace.append((setting, pool.cs(clean, solver_args(prior, penalty, loss, setting, gamma, iters))))
        return trace[-1][1]["psnr"]

    golden_section_maximise(np.log(LAMBDA0_RANGE[0]), np.log(LAMBDA0_RANGE[1]), runs, psnr_at)
    return trace


def tune_and_run(pool, images, reading, iters):
    """For every combination: its searches on camera (all concurrently, longest first), then the
    best setting on the other images."""
    gamma = READINGS[reading]
    combos = combinations()
    tasks = [(combo, c, runs) for combo in combos for c, runs in searches(combo[2])]
    tasks.sort(key=lambda t: -t[2])
    traces = pool.run([lambda t=t: search_task(pool, images["camera"], t[0], t[1], t[2], gamma, iters)
                       for t in tasks])
    tuned = {combo: [run for t, trace in zip(tasks, traces) if t[0] == combo for run in trace] for combo in combos}
    best = {combo: max(tuned[combo], key=lambda run: run[1]["psnr"]) for combo in combos}
    others = [n for n in images if n != "camera"]
    jobs = [(combo, n) for combo in combos for n in others]
    results = pool.run([lambda j=j: pool.cs(images[j[1]], solver_args(*j[0], best[j[0]][0], gamma, iters))
                        for j in jobs])
    rows = []
    for combo in combos:
        prior, penalty, loss = combo
        setting, camera = best[combo]
        per_image = {"camera": camera, **{n: r for (cb, n), r in zip(jobs, results) if cb == combo}}
        rows.append({
            "reading": reading, "gamma": gamma, "prior": prior, "penalty": penalty, "loss": loss,
            "lambda0": setting[0], "c": setting[1], "lambda": camera["lambda"],
            "grid": [{"lambda0": s[0], "c": s[1], "psnr": r["psnr"], "iterations": r["iterations"]}
                     for s, r in tuned[combo]],
            "images": {n: {"psnr": r["psnr"], "ssim": r["ssim"], "iterations": r["iterations"]}
                       for n, r in per_image.items()},
            "psnr": float(np.mean([r["psnr"] for r in per_image.values()])),
            "ssim": float(np.mean([r["ssim"] for r in per_image.values()])),
        })
    return rows


def back_projection_args(gamma):
    """A^T y alone: the start, kept by one APGM step with lambda 0 (A A^T = I on the kept rows, so
    the gradient there is zero)."""
    return ["--sensing", "hadamard", "--rate", repr(RATE), "--seed", str(SEED), "--noise", "cauchy:%r" % gamma,
            "--range", "255", "--iters", "1", "--penalty", "l1", "--lambda", "0"]


def back_projection(pool, images, reading):
    args = back_projection_args(READINGS[reading])
    runs = pool.run([lambda n=n: pool.cs(images[n], args) for n in images])
    return {"psnr": float(np.mean([r["psnr"] for r in runs])), "ssim": float(np.mean([r["ssim"] for r in runs]))}


def markdown(rows, baselines, iters):
    lines = []
    for reading in dict.fromkeys(r["reading"] for r in rows):
        sel = [r for r in rows if r["reading"] == reading]
        base = baselines[reading]
        lines += ["", "#### Cauchy dispersion %g on the orthonormal coefficients (%s reading)" %
                  (sel[0]["gamma"], reading), "",
                  "| prior | penalty | l2: PSNR / SSIM | Barron: PSNR / SSIM | Barron - l2 (dB) |",
                  "|---|---|---|---|---|"]
        for prior, penalty in itertools.product(PRIORS, PENALTIES):
            cell = {r["loss"]: r for r in sel if r["prior"] == prior and r["penalty"] == penalty}
            l2, ba = cell["l2"], cell["barron"]
            lines.append("| %s | %s | %.2f / %.3f | %.2f / %.3f | %+.2f |" % (
                prior, penalty, l2["psnr"], l2["ssim"], ba["psnr"], ba["ssim"], ba["psnr"] - l2["psnr"]))
        lines += ["", "Back-projection A^T y: %.2f dB / SSIM %.3f. Mean of 6 images, at most %d iterations." %
                  (base["psnr"], base["ssim"], iters), "", "Tuned on camera:", "",
                  "| prior | penalty | loss | setting | lambda | " + " | ".join(IMAGES) + " |",
                  "|---|---|---|---|---|" + "---|" * len(IMAGES)]
        for r in sel:
            lines.append("| %s | %s | %s | %s | %.3g | %s |" % (
                r["prior"], r["penalty"], r["loss"], describe((r["lambda0"], r["c"])), r["lambda"],
                " | ".join("%.2f" % r["images"][n]["psnr"] for n in IMAGES)))
    return "\n".join(lines)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recon", default=os.path.join(root, "build", "lead", "bin", "recon"))
    ap.add_argument("--data", default=os.environ.get("RECON_DATA_DIR", os.path.join(root, "build", "data")))
    ap.add_argument("--work", default="/tmp/recon_cs_table8")
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--readings", default=",".join(READINGS))
    ap.add_argument("--json")
    args = ap.parse_args()
    readings = args.readings.split(",")
    for r in readings:
        if r not in READINGS:
            sys.exit("cs_table8: unknown reading '%s' (expected %s)" % (r, " or ".join(READINGS)))
    os.makedirs(args.work, exist_ok=True)
    images = prepare_images(args.recon, args.data, args.work)
    per_reading = len(combinations()) * (BUDGET + len(IMAGES) - 1) + len(IMAGES)
    pool = Pool(args.recon, args.work, args.jobs, per_reading * len(readings))
    start = time.time()
    rows, baselines = [], {}
    for reading in readings:
        baselines[reading] = back_projection(pool, images, reading)
        rows += tune_and_run(pool, images, reading, args.iters)
    table = markdown(rows, baselines, args.iters)
    print(table)
    print("\n%d recon cs runs, %.0f s on %d workers." % (pool.done, time.time() - start, args.jobs))
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump({"iters": args.iters, "budget": BUDGET, "seconds": time.time() - start, "jobs": args.jobs,
                       "baselines": baselines, "rows": rows}, f, indent=1)
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()
