#!/usr/bin/python3
"""The main job: recon's pipelines on bundled real data, written to OUT_DIR.

Run by scripts/demo after the build (Debian's python3 with numpy and matplotlib, installed by
scripts/setup-deps). Every number in report.md is measured by the `recon` tool in this run.
  1. TV denoising of real photographs (scikit-image's test images, fetched from Debian's
     python3-skimage): Gaussian noise sigma 0.1, each penalty tuned over lambda with the same
     iteration budget (recon tune), PSNR/SSIM, previews and convergence plots.
  2. CT (scripts/demo_ct.py): sparse-view, limited-angle and low-dose parallel-beam scans of
     Shepp-Logan and of a real CT slice, FBP vs SIRT vs regularised ADMM; 3D cone-beam FDK vs TV.
  3. Compressive sensing and LPG-Net (scripts/demo_cs.py).
Usage: demo.py RECON_BINARY DATA_DIR OUT_DIR [--quick]
--quick runs every stage on small inputs with small budgets (a few minutes on 2 cores; CI runs it
so that a broken main job cannot land): its figures check the pipeline, not the methods.
"""
import json
import os
import subprocess
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import demo_cs  # noqa: E402
import demo_ct  # noqa: E402
from demo_progress import Progress  # noqa: E402

RECON, DATA, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
QUICK = "--quick" in sys.argv[4:]
PROGRESS = Progress()
WORK = os.path.join(OUT, "work")
os.makedirs(WORK, exist_ok=True)

IMAGES = ["camera", "brick", "grass", "gravel"]
# penalty -> (fixed parameters, lambda grid); the same budget (ITERS) for every run.
PENALTIES = {
    "l1": ([], [0.04, 0.06, 0.08, 0.11]),
    "mcp": (["mu=1", "theta=4"], [0.05, 0.08, 0.11, 0.15]),
    "log": (["p=0.5", "eps=0.1"], [0.03, 0.05, 0.08, 0.12]),
    "capped-log": (["p=0.5", "eps=0.1", "theta=1.5"], [0.03, 0.05, 0.08, 0.12]),
    "weep": (["a=20", "b=1"], [0.04, 0.06, 0.08, 0.11]),
}
ITERS = 150
if QUICK:
    IMAGES = ["camera"]
    PENALTIES = {"l1": ([], [0.06, 0.11]), "mcp": (["mu=1", "theta=4"], [0.08, 0.15])}
    ITERS = 30
    demo_ct.quick()
    demo_cs.quick()


def number(text):
    """'0.013200000000000002' -> '0.0132'; other text unchanged."""
    try:
        return f"{float(text):g}"
    except ValueError:
        return text


def describe(args):
    """A short label for a run: the command words, the first input's name, penalty and lambda."""
    args = list(map(str, args))
    if args[:1] == ["--threads"]:
        args = args[2:]
    words = []
    for a in args:
        if a.startswith("-") or os.sep in a or "." in a:
            break
        words.append(a)
    first = next((os.path.basename(a) for a in args if os.sep in a), "")
    extra = [f"{k[2:]} {number(args[i + 1])}" for i, k in enumerate(args[:-1])
             if k in ("--penalty", "--loss", "--lambda")]
    return " ".join(words + [first] + extra).strip()


def recon(*args):
    """Runs the recon tool; returns its JSON output. Any failure stops the demo."""
    PROGRESS.run(describe(args))
    cmd = [RECON, *map(str, args)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"demo: `{' '.join(cmd)}` failed: {done.stderr.strip()}")
    return json.loads(done.stdout) if done.stdout.strip() else {}


recon.progress = PROGRESS.run  # for runs a stage makes without this wrapper


def load(path):
    return np.load(path)


def panel(path, title, images, labels, cmap="gray"):
    fig, axes = plt.subplots(1, len(images), figsize=(4 * len(images), 4.3))
    for ax, img, label in zip(axes, images, labels):
        vmax = 1.0 if label != "|difference|" else 0.3
        ax.imshow(img, cmap="magma" if label == "|difference|" else cmap, vmin=0, vmax=vmax)
        ax.set_title(label, fontsize=11)
        ax.axis("off")
    fig.suptitle(title, fontsize=13)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def convergence(path, title, logs):
    fig, ax = plt.subplots(figsize=(6, 4))
    for label, log in logs.items():
        it = [r["iteration"] for r in log]
        obj = np.array([r["objective"] for r in log])
        ax.semilogy(it, obj - obj.min() + 1e-6 * abs(obj.min()), label=label)
    ax.set_xlabel("iteration")
    ax.set_ylabel("objective - min (log)")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def denoising(info):
    PROGRESS.begin("TV denoising", len(IMAGES) * (3 + 2 * len(PENALTIES)))
    rows = []
    for name in IMAGES:
        clean = os.path.join(WORK, f"{name}.npy")
        noisy = os.path.join(WORK, f"{name}_noisy.npy")
        recon("convert", os.path.join(DATA, "skimage", f"{name}.png"), clean)
        recon("noise", clean, noisy, "--kind", "gaussian", "--sigma", 0.1, "--seed", 7)
        base = recon("metrics", clean, noisy)
        best_img, best_psnr, best_label, logs = None, -1, "", {}
        for pen, (params, lambdas) in PENALTIES.items():
            t0 = time.time()
            args = ["tune", noisy, clean, "--penalty", pen, "--lambdas", ",".join(map(str, lambdas)),
                    "--iters", ITERS]
            for p in params:
                args += ["--param", p]
            tuned = recon(*args)["best"]
            out = os.path.join(WORK, f"{name}_{pen}.npy")
            log = os.path.join(WORK, f"{name}_{pen}_log.json")
            args = ["denoise", noisy, out, "--penalty", pen, "--lambda", tuned["lambda"], "--iters", ITERS,
                    "--reference", clean, "--log", log, "--check-every", 5]
            for p in params:
                args += ["--param", p]
            run = recon(*args)
            with open(log) as f:
                logs[pen] = json.load(f)
            rows.append({"image": name, "penalty": run["penalty"], "lambda": tuned["lambda"],
                         "psnr": run["psnr"], "ssim": run["ssim"], "iterations": run["iterations"],
                         "seconds": run["elapsed_s"], "tuning_seconds": time.time() - t0,
                         "noisy_psnr": base["psnr"], "noisy_ssim": base["ssim"]})
            if run["psnr"] > best_psnr:
                best_psnr, best_img, best_label = run["psnr"], out, run["penalty"]
        c, n, b = load(clean), load(noisy), load(best_img)
        panel(os.path.join(OUT, f"denoise_{name}.png"), f"{name}: best {best_label}, {best_psnr:.2f} dB",
              [c, n, b, np.abs(b - c)], ["clean", f"noisy ({base['psnr']:.2f} dB)", "denoised", "|difference|"])
        convergence(os.path.join(OUT, f"convergence_{name}.png"), f"ADMM on {name}", logs)
    return rows


def main():
    PROGRESS.begin("set-up", 1)
    info = recon("info")
    device = next((d for d in info["devices"] if d["device"] == info["selected_device"]), info["devices"][0])
    den = denoising(info)
    PROGRESS.begin("CT 2D", demo_ct.runs_2d())
    ctrows = demo_ct.scenarios_2d(recon, load, panel, DATA, WORK, OUT)
    PROGRESS.begin("CT 3D cone beam", demo_ct.runs_3d())
    ctrows += demo_ct.cone_3d(recon, load, WORK)
    PROGRESS.begin("compressive sensing and LPG-Net", demo_cs.runs())
    cs = {"sparse": demo_cs.gaussian_sparse(recon, WORK), "image": demo_cs.hadamard_image(recon, DATA, WORK),
          "lpgnet": demo_cs.lpgnet(recon, RECON, WORK)}
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"info": info, "denoising": den, "ct": ctrows, "cs": cs}, f, indent=1)
    lines = ["# recon demo report", "",
             f"Device: **{device['name']}** ({info['selected_device']}), recon {info['version']}, "
             f"CUDA build: {info['build']['cuda']}. Every number below was measured in this run.", "",
             *(["**Quick mode** (`scripts/demo --quick`): small budgets that check every pipeline runs; "
                "these figures do not measure the methods.", ""] if QUICK else []),
             "## TV denoising of real images (Gaussian noise, sigma = 0.1)", "",
             f"Isotropic TV, ADMM, {ITERS} iterations per run; lambda tuned per image and penalty over the "
             "same grid size by `recon tune` (best PSNR against the clean image).", "",
             "| image | penalty | lambda | PSNR (dB) | SSIM | noisy PSNR | time (s) |",
             "|---|---|---|---|---|---|---|"]
    for r in den:
        lines.append(f"| {r['image']} | {r['penalty']} | {r['lambda']} | {r['psnr']:.2f} | {r['ssim']:.4f} | "
                     f"{r['noisy_psnr']:.2f} | {r['seconds']:.2f} |")
    lines += [""]
    for name in IMAGES:
        lines += [f"![{name}](denoise_{name}.png)", f"![{name} convergence](convergence_{name}.png)", ""]
    lines += ["## CT: sparse view, limited angle, low dose (parallel beam 128^2) and 3D cone beam", "",
              "Poisson transmission noise at the stated photons per ray; the real slice is CT_small.dcm's "
              f"Hounsfield units as attenuation mu = {demo_ct.MU_WATER} (1 + HU/1000) per cm. ADMM: "
              "`recon ct recon` (x >= 0, isotropic TV), lambda tuned over {"
              f"{', '.join(map(str, demo_ct.TV_PENALTIES['l1'][1]))}}} x voxel size against the truth; "
              "FBP needs 180 degrees, so the limited-angle rows have none.", ""]
    lines += demo_ct.report(ctrows)
    lines += [""] + [f"![CT](ct_{tag}_{k}.png)" for tag in ("sl", "real") for k in range(len(demo_ct.SCENARIOS))]
    lines += [""]
    lines += ["## Compressive sensing and LPG-Net", ""] + demo_cs.report(cs["sparse"], cs["image"], cs["lpgnet"])
    with open(os.path.join(OUT, "report.md"), "w") as f:
        f.write("\n".join(lines))
    PROGRESS.end()
    print(f"demo: report written to {os.path.join(OUT, 'report.md')}")


if __name__ == "__main__":
    main()
