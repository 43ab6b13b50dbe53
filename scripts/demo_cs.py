"""Compressive-sensing and learned-unrolling part of the demo (scripts/demo.py); every number comes
from the `recon` tool in this run.
  - an exactly k-sparse signal (n = 1024, k = 31) from m = 461 Gaussian measurements at 30 dB SNR,
    recovered by monotone APGM with l1 and the log penalty, squared-l2 and Barron losses
    (lambda from a 4-point grid against the truth, the same budget for each);
  - the camera image (256^2) from half of its Walsh-Hadamard coefficients with Cauchy noise
    (docs/cs.md: every combination ends near the back-projection A^T y, and why);
  - LPG-Net trained for a minute and evaluated against ISTA/FISTA/ADMM at K = 20 (docs/lpgnet.md).
"""
import os
import subprocess

import numpy as np

# (penalty, its parameters, loss, its parameters, the loss's curvature psi''(0)): lambda is
# scaled by the curvature so that every loss weighs small residuals alike (as scripts/cs_tables.py).
SPARSE_COMBOS = [("l1", [], "sq-l2", [], 1.0), ("log", ["p=0.5,eps=0.1"], "sq-l2", [], 1.0),
                 ("log", ["p=0.5,eps=0.1"], "barron", ["alpha=0,c=0.05"], 1 / 0.05 ** 2)]
LAMBDAS = [0.003, 0.01, 0.03, 0.1]
SPARSE_ITERS, IMAGE_ITERS, LPG_EPOCHS = 1000, 100, None  # None: recon lpgnet train's default


def quick():
    """The demo's --quick budgets: one lambda, fewer iterations, a short training."""
    global LAMBDAS, SPARSE_ITERS, IMAGE_ITERS, LPG_EPOCHS
    LAMBDAS, SPARSE_ITERS, IMAGE_ITERS, LPG_EPOCHS = [0.01], 200, 10, 2


def runs():
    """How many recon runs this part makes (for the demo's progress estimate)."""
    return len(SPARSE_COMBOS) * len(LAMBDAS) + 3 + 2


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


def hadamard_image(recon, data, work):
    img = os.path.join(work, "cs_camera.npy")
    full = os.path.join(work, "cs_camera_512.npy")
    recon("convert", os.path.join(data, "skimage", "camera.png"), full)
    a = np.load(full).astype(np.float64)
    np.save(img, (255 * a.reshape(256, 2, 256, 2).mean(axis=(1, 3))).astype(np.float32))
    common = ["--sensing", "hadamard", "--rate", 32000 / 65536, "--noise", "cauchy:0.00390625", "--seed", 1,
              "--range", 255, "--tol", 1e-5]
    rows = []
    for label, extra in [("l1 + l2", ["--penalty", "l1", "--lambda", 1]),
                         ("log + Barron", ["--penalty", "log", "--param", "p=0.5,eps=0.1", "--loss", "barron",
                                           "--loss-param", "alpha=0,c=0.05", "--lambda", 1])]:
        res = recon("--threads", 1, "cs", img, os.path.join(work, f"cs_cam_{label.split()[0]}.npy"), *common, *extra,
                    "--iters", IMAGE_ITERS)
        rows.append({"method": label, "psnr": res["psnr"]})
    return rows


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
    lines += ["", "### Camera 256^2 from 32000 of 65536 Hadamard coefficients, Cauchy noise", "",
              "| method | PSNR (dB) |", "|---|---|"]
    lines += [f"| {r['method']} | {r['psnr']:.2f} |" for r in image]
    lines += ["", "### LPG-Net (K = 20) against ISTA / FISTA / ADMM, held-out samples", "",
              "```", *lpg, "```"]
    return lines
