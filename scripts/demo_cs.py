"""Compressive-sensing and learned-unrolling part of the demo (scripts/demo.py); every number comes
from the `recon` tool in this run.
  - an exactly k-sparse signal (n = 1024, k = 31) from m = 461 Gaussian measurements at 30 dB SNR,
    recovered by monotone APGM with l1 and the log penalty, squared-l2 and Barron losses
    (lambda from a 4-point grid against the truth, the same budget for each);
  - paper 003's Table 8 experiment (scripts/cs_table8.py): six 256^2 images from 32000 of their
    65536 Walsh-Hadamard coefficients with Cauchy noise of dispersion 1, recovered by the best
    least-squares and the best robust (Barron) combination of that script's tuning run
    (bench/results/cs_table8.json), side by side with the back-projection A^T y;
  - LPG-Net trained for a minute and evaluated against ISTA/FISTA/ADMM at K = 20 (docs/lpgnet.md).
"""
import json
import os
import subprocess

import numpy as np

import cs_table8

# (penalty, its parameters, loss, its parameters, the loss's curvature psi''(0)): lambda is
# scaled by the curvature so that every loss weighs small residuals alike (as scripts/cs_tables.py).
SPARSE_COMBOS = [("l1", [], "sq-l2", [], 1.0), ("log", ["p=0.5,eps=0.1"], "sq-l2", [], 1.0),
                 ("log", ["p=0.5,eps=0.1"], "barron", ["alpha=0,c=0.05"], 1 / 0.05 ** 2)]
LAMBDAS = [0.003, 0.01, 0.03, 0.1]
SPARSE_ITERS, IMAGE_ITERS, LPG_EPOCHS = 1000, 300, None  # None: recon lpgnet train's default
# The tuned Table 8 combinations, and which reading of the paper's noise the demo shows (the
# literal one: dispersion 1 on the orthonormal coefficients, where the loss matters).
TABLE8 = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench", "results",
                      "cs_table8.json")
READING = "orthonormal"
IMAGES = cs_table8.IMAGES


def quick():
    """The demo's --quick budgets: one lambda, fewer iterations, one image, a short training."""
    global LAMBDAS, SPARSE_ITERS, IMAGE_ITERS, LPG_EPOCHS, IMAGES
    LAMBDAS, SPARSE_ITERS, IMAGE_ITERS, LPG_EPOCHS, IMAGES = [0.01], 200, 10, 2, ["camera"]


def runs():
    """How many recon runs this part makes (for the demo's progress estimate)."""
    return len(SPARSE_COMBOS) * len(LAMBDAS) + len(IMAGES) * 7 + 2


def sparse_signal(path, n=1024, k=31, seed=4):
    rng = np.random.default_rng(seed)
    x = np.zeros(n, np.float32)
    x[rng.choice(n, k, replace=False)] = rng.standard_normal(k)
    np.save(path, x)
    return x


def gaussian_sparse(recon, work):
    sig = os.path.join(work, "cs_sparse.npy")
    x = sparse_signal(sig)
    rows = []
    for pen, pparams, loss, lparams, curvature in SPARSE_COMBOS:
        best = None
        for lam in [l0 * curvature for l0 in LAMBDAS]:
            out = os.path.join(work, f"cs_sparse_{pen}_{loss}_{lam}.npy")
            args = ["--threads", 1, "cs", sig, out, "--sensing", "gaussian", "--rate", 461 / 1024, "--noise", "snr:30",
                    "--seed", 2, "--penalty", pen, "--loss", loss, "--lambda", lam, "--solver", "apgm", "--iters", SPARSE_ITERS]
            args += [a for p in pparams for a in ("--param", p)] + [a for p in lparams for a in ("--loss-param", p)]
            res = recon(*args)
            err = float(np.abs(np.load(out) - x).sum())
            if best is None or err < best[0]:
                best = (err, lam, res["iterations"])
        rows.append({"penalty": pen, "loss": loss, "lambda": best[1], "l1_error": best[0], "iterations": best[2]})
    return rows


def best_combinations():
    """The best l2 and the best Barron row of the committed tuning run, by mean PSNR."""
    try:
        with open(TABLE8) as f:
            rows = [r for r in json.load(f)["rows"] if r["reading"] == READING]
    except (OSError, ValueError, KeyError) as e:
        raise SystemExit(f"demo: cannot read the tuned Table 8 settings {TABLE8}: {e} (run scripts/cs_table8.py "
                         "--json bench/results/cs_table8.json)")
    return [max((r for r in rows if r["loss"] == loss), key=lambda r: r["psnr"]) for loss in ("l2", "barron")]


def label(row):
    return f"{row['penalty']}-{row['prior']} + {row['loss']}"


def hadamard_images(recon, data, work, out_dir, panel):
    """Back-projection, best l2 and best Barron on every image; a panel per image."""
    for name in IMAGES:
        recon.progress(f"convert {name}")
    paths = cs_table8.prepare_images(recon.binary, data, work, IMAGES)
    combos = best_combinations()
    gamma = combos[0]["gamma"]
    rows = []
    for name in IMAGES:
        clean, results, shown = paths[name], {}, [np.load(paths[name])]
        runs = [("A^T y", cs_table8.back_projection_args(gamma))]
        runs += [(label(r), cs_table8.solver_args(r["prior"], r["penalty"], r["loss"], (r["lambda0"], r["c"]), gamma,
                                                  IMAGE_ITERS)) for r in combos]
        for method, args in runs:
            out = os.path.join(work, f"cs8_{name}_{len(results)}.npy")
            res = recon("--threads", 1, "cs", clean, out, *args)
            met = recon("metrics", "--range", 255, clean, out)
            results[method] = {"psnr": res["psnr"], "ssim": met["ssim"], "iterations": res["iterations"]}
            shown.append(np.load(out))
        rows.append({"image": name, "results": results})
        panel(os.path.join(out_dir, f"cs_table8_{name}.png"), f"{name}: 32000 of 65536 Hadamard coefficients, "
              f"Cauchy noise (dispersion {gamma:g})", [np.clip(a / 255, 0, 1) for a in shown],
              ["truth"] + [f"{m} ({r['psnr']:.2f} dB)" for m, r in results.items()])
    return {"gamma": gamma, "combinations": combos, "rows": rows}


def lpgnet(recon, binary, work):
    """The evaluation's table as printed by `recon lpgnet eval` (its last line is the JSON summary)."""
    params = os.path.join(work, "lpgnet.json")
    epochs = ["--epochs", LPG_EPOCHS] if LPG_EPOCHS else []
    recon("lpgnet", "train", "--n", 256, "--m", 128, "--k", 10, "--snr", 30, "--layers", 20, "--seed", 1,
          "--out", params, *epochs)
    recon.progress("lpgnet eval")
    done = subprocess.run([binary, "lpgnet", "eval", "--params", params], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[:-1]


def report(sparse, image, lpg):
    lines = ["### Sparse recovery (Gaussian, n = 1024, k = 31, m = 461, 30 dB)", "",
             "| penalty | loss | lambda | l1 error of x | iterations |", "|---|---|---|---|---|"]
    lines += [f"| {r['penalty']} | {r['loss']} | {r['lambda']:g} | {r['l1_error']:.3f} | {r['iterations']} |"
              for r in sparse]
    methods = list(image["rows"][0]["results"])
    lines += ["", f"### Paper 003 Table 8: 256^2 images from 32000 of 65536 Hadamard coefficients, Cauchy noise of "
              f"dispersion {image['gamma']:g}", "",
              "The best least-squares and the best robust combination of `scripts/cs_table8.py`'s tuning run "
              "(`bench/results/cs_table8.json`, every combination with the same budget, tuned on camera; "
              "`docs/cs.md` has the whole table), re-run here with at most "
              f"{IMAGE_ITERS} iterations: " + "; ".join(
                  f"{label(r)}: lambda {r['lambda']:.3g}" + (f", c {r['c']:.3g}" if r["c"] else "")
                  for r in image["combinations"]) + ".", "",
              "| image | " + " | ".join(f"{m}: PSNR / SSIM" for m in methods) + " |", "|---" * (len(methods) + 1) + "|"]
    for r in image["rows"]:
        lines.append(f"| {r['image']} | " + " | ".join(
            f"{r['results'][m]['psnr']:.2f} / {r['results'][m]['ssim']:.3f}" for m in methods) + " |")
    mean = {m: [np.mean([r["results"][m][k] for r in image["rows"]]) for k in ("psnr", "ssim")] for m in methods}
    lines.append("| mean | " + " | ".join(f"{mean[m][0]:.2f} / {mean[m][1]:.3f}" for m in methods) + " |")
    lines += [""] + [f"![{r['image']}](cs_table8_{r['image']}.png)" for r in image["rows"]]
    lines += ["", "### LPG-Net (K = 20) against ISTA / FISTA / ADMM, held-out samples", "",
              "```", *lpg, "```"]
    return lines
