"""CT part of the demo (scripts/demo.py): three acquisition scenarios on two 2D ground truths
(the analytic Shepp-Logan phantom and the real CT_small DICOM slice converted to attenuation),
reconstructed by FBP, SIRT and regularised ADMM (l1-TV and log-TV, lambda tuned over a fixed grid
of multiples of the voxel size against the truth, as the denoising part does), and a 3D cone-beam
sparse-view Shepp-Logan by FDK and l1-TV (a 2-point grid). Every number comes from the `recon` tool in this run.
"""
import json
import math
import os
import time

import numpy as np

# name -> (angles, incident photons per ray)
SCENARIOS = {
    "sparse view: 60 views over 180 deg, 2e4 photons": ({"start": 0, "stop": math.pi, "count": 60}, 2e4),
    "limited angle: 120 views over 120 deg, 2e4 photons": ({"start": 0, "stop": 2 * math.pi / 3, "count": 120}, 2e4),
    "low dose: 180 views over 180 deg, 1e3 photons": ({"start": 0, "stop": math.pi, "count": 180}, 1e3),
}
# penalty -> (parameters, lambda grid in units of the voxel size); the same budget for every run.
# A^T (A x - y) scales with the voxel size, so lambda / voxel is what carries across geometries.
TV_PENALTIES = {"l1": ([], [0.05, 0.2, 0.8]), "log": (["p=0.5", "eps=0.1"], [0.05, 0.2, 0.8])}
TV_ITERS, TV_CG, SIRT_ITERS = 100, 5, 100
# The cone-beam TV runs: lambda grid (in voxel units) and ADMM iterations.
CONE_KAPPAS, CONE_ITERS = (0.05, 0.2), 40


def quick():
    """The demo's --quick budgets: one lambda per penalty, a tenth of the iterations."""
    global TV_PENALTIES, TV_ITERS, SIRT_ITERS, CONE_KAPPAS, CONE_ITERS
    TV_PENALTIES = {pen: (params, [lambdas[1]]) for pen, (params, lambdas) in TV_PENALTIES.items()}
    TV_ITERS, SIRT_ITERS, CONE_KAPPAS, CONE_ITERS = 10, 10, (0.2,), 5


def runs_2d():
    """How many recon runs scenarios_2d makes (for the demo's progress estimate)."""
    per_scenario = {s: 1 + (0 if "limited" in s else 2) + 2 + sum(len(l) + 1 for _, l in TV_PENALTIES.values())
                    for s in SCENARIOS}
    return 1 + 2 * sum(per_scenario.values())


def runs_3d():
    return 2 + len(CONE_KAPPAS) + 2
# Attenuation of water at ~70 keV, 1/cm; CT_small's pixels are 0.066 cm.
MU_WATER, CT_SMALL_VOXEL_CM = 0.192, 0.066


def geometry(path, n, voxel, angles):
    with open(path, "w") as f:
        json.dump({"volume": {"shape": [n, n], "voxel_size": voxel},
                   "projection": {"type": "parallel2d", "detector_shape": [int(n * 1.45)], "pixel_size": voxel,
                                  "angles": angles}}, f)


def truths(recon, data, work):
    """name -> (truth .npy, voxel size); Shepp-Logan sampled by `ct simulate --truth`."""
    hu = os.path.join(work, "ct_small_hu.npy")
    recon("convert", os.path.join(data, "pydicom", "CT_small.dcm"), hu)
    mu = np.clip(MU_WATER * (1 + np.load(hu).astype(np.float64) / 1000), 0, None).astype(np.float32)
    real = os.path.join(work, "ct_small_mu.npy")
    np.save(real, mu)
    return {"Shepp-Logan 128^2": (None, 0.01), "CT_small 128^2 (real slice)": (real, CT_SMALL_VOXEL_CM)}


def scenarios_2d(recon, load, panel, data, work, out):
    rows = []
    for truth_name, (truth_src, voxel) in truths(recon, data, work).items():
        tag = "sl" if truth_src is None else "real"
        images = {}
        for k, (scenario, (angles, flux)) in enumerate(SCENARIOS.items()):
            geom = os.path.join(work, f"ct_{tag}_{k}.json")
            geometry(geom, 128, voxel, angles)
            sino, truth = os.path.join(work, f"ct_{tag}_{k}_sino.npy"), os.path.join(work, f"ct_{tag}_truth.npy")
            if truth_src is None:
                recon("ct", "simulate", sino, "--geometry", geom, "--phantom", "shepp-logan", "--truth", truth,
                      "--flux", flux, "--seed", 3)
            else:
                np.save(truth, np.load(truth_src))
                recon("ct", "simulate", sino, "--geometry", geom, "--volume", truth, "--flux", flux, "--seed", 3)
            data_range = float(np.load(truth).max())
            runs = [("FBP (ramp)", ["fbp"], [])] if "limited" not in scenario else []
            runs.append((f"SIRT ({SIRT_ITERS}, x >= 0)", ["sirt"], ["--iters", SIRT_ITERS, "--nonneg"]))
            for pen, (params, lambdas) in TV_PENALTIES.items():
                best = None
                for lam in [kappa * voxel for kappa in lambdas]:
                    args = ["--lambda", lam, "--iters", TV_ITERS, "--cg-iters", TV_CG, "--penalty", pen]
                    for p in params:
                        args += ["--param", p]
                    cand = os.path.join(work, f"ct_{tag}_{k}_{pen}_{lam}.npy")
                    res = recon("ct", "recon", sino, cand, "--geometry", geom, "--reference", truth,
                                "--range", data_range, *args)
                    if best is None or res["psnr"] > best[0]["psnr"]:
                        best = (res, lam, cand)
                runs.append((f"ADMM {pen}-TV (lambda {best[1]:g}, {TV_ITERS} it.)", None, best))
            for label, cmd, extra in runs:
                if cmd is None:
                    res, _, path = extra
                    seconds = res["elapsed_s"]
                else:
                    path = os.path.join(work, f"ct_{tag}_{k}_{cmd[0]}.npy")
                    t0 = time.time()
                    recon("ct", *cmd, sino, path, "--geometry", geom, *extra)
                    seconds = time.time() - t0
                m = recon("metrics", truth, path, "--range", data_range)
                rows.append({"truth": truth_name, "scenario": scenario, "method": label, "psnr": m["psnr"],
                             "ssim": m["ssim"], "seconds": seconds})
                images[(scenario, label)] = load(path) / data_range
        t = load(truth) / data_range
        for k, scenario in enumerate(SCENARIOS):
            labels = [lab for (s, lab) in images if s == scenario]
            panel(os.path.join(out, f"ct_{tag}_{k}.png"), f"{truth_name}: {scenario}",
                  [t] + [images[(scenario, lab)] for lab in labels], ["truth"] + labels)
    return rows


def cone_3d(recon, load, work):
    """64^3 Shepp-Logan, circular cone beam, 40 views over 360 deg, 2e4 photons: FDK vs l1-TV."""
    geom = os.path.join(work, "ct_cone.json")
    with open(geom, "w") as f:
        json.dump({"volume": {"shape": [64, 64, 64], "voxel_size": 0.02},
                   "projection": {"type": "cone", "detector_shape": [96, 96], "pixel_size": 0.04,
                                  "angles": {"start": 0, "stop": 2 * math.pi, "count": 40},
                                  "source_origin": 4.0, "origin_detector": 4.0}}, f)
    sino, truth = os.path.join(work, "ct_cone_sino.npy"), os.path.join(work, "ct_cone_truth.npy")
    recon("ct", "simulate", sino, "--geometry", geom, "--phantom", "shepp-logan", "--truth", truth, "--flux", 2e4,
          "--seed", 5)
    rows = []
    fdk = os.path.join(work, "ct_cone_fdk.npy")
    t0 = time.time()
    recon("ct", "fdk", sino, fdk, "--geometry", geom)
    fdk_seconds = time.time() - t0
    best = None
    for kappa in CONE_KAPPAS:
        tv = os.path.join(work, f"ct_cone_tv_{kappa}.npy")
        res = recon("ct", "recon", sino, tv, "--geometry", geom, "--lambda", kappa * 0.02, "--iters", CONE_ITERS,
                    "--cg-iters", 4, "--init", "fbp", "--reference", truth, "--range", 1.0)
        if best is None or res["psnr"] > best[0]["psnr"]:
            best = (res, kappa * 0.02, tv)
    res, lam, tv = best
    for label, path, seconds in [("FDK (ramp)", fdk, fdk_seconds),
                                 (f"ADMM l1-TV (lambda {lam:g}, {CONE_ITERS} it., FDK start)", tv, res["elapsed_s"])]:
        m = recon("metrics", truth, path, "--range", 1.0)
        rows.append({"truth": "Shepp-Logan 64^3", "scenario": "cone beam: 40 views over 360 deg, 2e4 photons",
                     "method": label, "psnr": m["psnr"], "ssim": m["ssim"], "seconds": seconds})
    return rows


def report(rows):
    lines = ["| ground truth | scenario | method | PSNR (dB) | SSIM | time (s) |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['truth']} | {r['scenario']} | {r['method']} | {r['psnr']:.2f} | {r['ssim']:.4f} | "
                     f"{r['seconds']:.1f} |")
    return lines
