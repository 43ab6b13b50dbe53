#!/usr/bin/python3
"""Side-by-side benchmark of isotropic l1-TV denoising: recon (ADMM and PDHG, host, through the
`recon denoise` CLI) against scikit-image's denoise_tv_chambolle (Chambolle 2004's projection
algorithm), on the same objective

    F(x) = 0.5 ||x - u||^2 + lambda * sum_i |(D x)_i|_2

D: forward differences with a zero last difference per axis (Neumann), the same in both.
Parameterisation: skimage's `weight` is recon's lambda. Its loop keeps p = -weight * q with q
Chambolle's dual variable (|q_i| <= 1) and returns x = u - weight * D^T q, the minimiser of
F with lambda = weight; `check_parameterisation` verifies it on a small image. skimage's own
stopping energy E = (||x - u||^2 + weight * TV(x)) / size lacks the 1/2 (and is divided by
the size): it is only used for its stopping rule, all objectives here are F, in float64.

Measured per case (2D 512^2 and 2048^2, 3D 128^3 Shepp-Logan + Gaussian noise sigma 0.1,
lambda 0.1, float32 data in both):
  per-iteration time  skimage (numpy, one thread): a fixed number of iterations (eps = 0);
                      recon: a fixed number of iterations with one check at the end, the
                      solver's own clock, with 1 and with --threads host threads. Also the
                      CPU time (process time; recon: of the child, minus a 1-iteration run),
                      which a loaded host inflates much less than the wall-clock time
  time to skimage's objective, two targets: F_default, skimage's default run (eps 2e-4, at
                      most 200 iterations), and F_200, 200 iterations (eps = 0); recon (one host
                      thread, as numpy: on an oversubscribed host more threads only wait at
                      the barriers, see the per-iteration columns) logs F every 5 iterations (the check time is counted),
                      its time is the first logged time with F <= the target (wall clock; the CPU
                      time estimate is those iterations times the CPU time per iteration)
Writes bench/results/skimage_tv_host.json. On a loaded shared host the timings are lower
bounds of what the machine can do; the load average is recorded.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import numpy as np
from skimage.restoration import denoise_tv_chambolle

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAMBDA = 0.1
SIGMA = 0.1


def tv_objective(x, u, lam):
    """F(x) in float64, D as in recon (operators/finite_difference.hpp, Neumann)."""
    x = x.astype(np.float64)
    sq = np.zeros_like(x)
    for ax in range(x.ndim):
        d = np.diff(x, axis=ax, append=np.take(x, [-1], axis=ax))
        sq += d * d
    return 0.5 * float(np.sum((x - u.astype(np.float64)) ** 2)) + lam * float(np.sum(np.sqrt(sq)))


def run_recon(args, *cli, threads=None):
    threads = threads or args.threads
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    cmd = [args.recon, "--device", "cpu", "--threads", str(threads)] + [str(c) for c in cli]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit("skimage_tv.py: %s failed: %s" % (" ".join(cmd), done.stderr.strip()))
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    summary["cpu_s"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return summary


def recon_denoise(args, work, u_path, solver, iters, check_every, tol=0.0, threads=None):
    out, log = os.path.join(work, "x.npy"), os.path.join(work, "log.json")
    summary = run_recon(args, "denoise", u_path, out, "--penalty", "l1", "--lambda", LAMBDA, "--tv", "iso",
                        "--solver", solver, "--iters", iters, "--tol", tol, "--check-every", check_every,
                        "--log", log, threads=threads)
    with open(log) as f:
        records = json.load(f)
    return summary, records, np.load(out)


def check_parameterisation(args, work):
    """skimage run to convergence and recon's dual FISTA at lambda = weight: the same minimiser."""
    rng = np.random.default_rng(3)
    u = (np.kron(rng.random((8, 8)), np.ones((8, 8))) + 0.1 * rng.standard_normal((64, 64)))
    u_path = os.path.join(work, "check.npy")
    np.save(u_path, u.astype(np.float32))
    x_sk = denoise_tv_chambolle(u.astype(np.float64), weight=LAMBDA, eps=0, max_num_iter=20000)
    _, _, x_re = recon_denoise(args, work, u_path, "apgm", 20000, 50, tol=1e-7)
    return {"shape": [64, 64], "weight_equals_lambda": LAMBDA, "max_abs_difference": float(np.max(np.abs(x_sk - x_re))),
            "objective_skimage": tv_objective(x_sk, u, LAMBDA), "objective_recon": tv_objective(x_re, u, LAMBDA)}


def bench_case(args, work, size, iters_fixed, iters_trajectory):
    clean, noisy = os.path.join(work, "clean.npy"), os.path.join(work, "noisy.npy")
    run_recon(args, "phantom", "shepp-logan", clean, "--size", size, "--bits", 32)
    run_recon(args, "noise", clean, noisy, "--kind", "gaussian", "--sigma", SIGMA, "--seed", 1)
    u = np.load(noisy).astype(np.float32)
    case = {"size": size, "shape": list(u.shape), "lambda": LAMBDA, "sigma": SIGMA}

    t0, c0 = time.perf_counter(), time.process_time()
    denoise_tv_chambolle(u, weight=LAMBDA, eps=0, max_num_iter=iters_fixed)
    sk_iter = (time.perf_counter() - t0) / iters_fixed
    sk = {"seconds_per_iteration": sk_iter, "cpu_seconds_per_iteration": (time.process_time() - c0) / iters_fixed}
    for target, kwargs in (("default", {}), ("200", {"eps": 0, "max_num_iter": 200})):
        t0, c0 = time.perf_counter(), time.process_time()
        x_sk = denoise_tv_chambolle(u, weight=LAMBDA, **kwargs)
        sk[target] = {"seconds": time.perf_counter() - t0, "cpu_seconds": time.process_time() - c0,
                      "objective": tv_objective(x_sk, u, LAMBDA)}
    sk["default"]["iterations_estimate"] = round(sk["default"]["seconds"] / sk_iter)
    case["skimage"] = sk

    for solver in ("admm", "pdhg"):
        r = {"seconds_per_iteration": {}, "cpu_seconds_per_iteration": {}}
        for threads in sorted({1, args.threads}):
            # A 1-iteration twin (the CLI takes at least one) carries the same start-up CPU time.
            start, _, _ = recon_denoise(args, work, noisy, solver, 1, 1, threads=threads)
            summary, _, _ = recon_denoise(args, work, noisy, solver, iters_fixed, iters_fixed, threads=threads)
            r["seconds_per_iteration"][str(threads)] = summary["elapsed_s"] / iters_fixed
            r["cpu_seconds_per_iteration"][str(threads)] = (summary["cpu_s"] - start["cpu_s"]) / (iters_fixed - 1)
        summary, records, x = recon_denoise(args, work, noisy, solver, iters_trajectory, 5, threads=1)
        for target in ("default", "200"):
            reached = next((rec for rec in records if rec["objective"] <= sk[target]["objective"]), None)
            r["to_skimage_" + target] = {
                "seconds": reached["elapsed_s"] if reached else None,
                "iterations": reached["iteration"] if reached else None,
                "cpu_seconds_estimate": reached["iteration"] * r["cpu_seconds_per_iteration"]["1"]
                if reached else None}
        r.update({"final_iterations": summary["iterations"], "final_seconds": records[-1]["elapsed_s"],
                  "final_objective_logged": records[-1]["objective"],
                  "final_objective_numpy": tv_objective(x, u, LAMBDA)})
        case[solver] = r
    best = min(case["admm"]["final_objective_numpy"], case["pdhg"]["final_objective_numpy"])
    for target in ("default", "200"):
        sk[target]["relative_gap_to_best_seen"] = (sk[target]["objective"] - best) / best
    return case


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recon", default=os.path.join(REPO, "build", "io-cpu", "engine", "recon"))
    parser.add_argument("--out", default=os.path.join(REPO, "bench", "results", "skimage_tv_host.json"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="512^2 only (a smoke run)")
    args = parser.parse_args()

    # Enough fixed iterations that the CPU time of the run dwarfs that of its 1-iteration twin.
    cases = [("512", 100, 300)] if args.quick else [("512", 100, 300), ("2048", 20, 150), ("128x128x128", 20, 150)]
    result = {"threads": args.threads, "trajectory_threads": 1, "load_average_start": os.getloadavg(),
              "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
              "note": "loaded shared 2-core host: timings are lower bounds of the machine's speed"}
    import skimage
    result["skimage_version"] = skimage.__version__
    with tempfile.TemporaryDirectory() as work:
        result["parameterisation_check"] = check_parameterisation(args, work)
        result["cases"] = [bench_case(args, work, *c) for c in cases]
    result["load_average_end"] = os.getloadavg()
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    os.replace(tmp, args.out)
    print(markdown(result))


def markdown(result):
    threads = str(result["threads"])
    rows = ["| case | method | ms / iteration, 1 thread: wall (CPU) | ms / iteration, %s threads: wall (CPU) "
            "| to skimage's default stop, 1 thread: s wall (s CPU), iterations | to skimage's 200 iterations, "
            "1 thread: s wall (s CPU), iterations |" % threads, "|---|---|---|---|---|---|"]
    for c in result["cases"]:
        sk = c["skimage"]
        rows.append("| %s | skimage chambolle | %.1f (%.1f) | | %.2f (%.2f), ~%d; gap %.1e | %.2f (%.2f), 200; gap %.1e |" % (
            c["size"], 1e3 * sk["seconds_per_iteration"], 1e3 * sk["cpu_seconds_per_iteration"], sk["default"]["seconds"],
            sk["default"]["cpu_seconds"], sk["default"]["iterations_estimate"], sk["default"]["relative_gap_to_best_seen"],
            sk["200"]["seconds"], sk["200"]["cpu_seconds"], sk["200"]["relative_gap_to_best_seen"]))
        for solver in ("admm", "pdhg"):
            r = c[solver]
            cells = []
            for target in ("default", "200"):
                t = r["to_skimage_" + target]
                cells.append("%.2f (%.2f), %d" % (t["seconds"], t["cpu_seconds_estimate"], t["iterations"])
                             if t["seconds"] is not None else "not in %d" % r["final_iterations"])
            wall, cpu = r["seconds_per_iteration"], r["cpu_seconds_per_iteration"]
            rows.append("| %s | recon %s | %.1f (%.1f) | %.1f (%.1f) | %s | %s |" % (
                c["size"], solver, 1e3 * wall["1"], 1e3 * cpu["1"], 1e3 * wall[threads], 1e3 * cpu[threads], cells[0],
                cells[1]))
    return "\n".join(rows)


if __name__ == "__main__":
    main()
