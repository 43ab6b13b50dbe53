#!/usr/bin/python3
"""The main job: recon's pipelines on bundled real data, written to OUT_DIR.

Run by scripts/demo after the build (Debian's python3 with numpy and matplotlib, installed by
scripts/setup-deps). Every number in report.md is measured by the `recon` tool in this run.
  1. TV denoising of real photographs (scikit-image's test images, fetched from Debian's
     python3-skimage, 256^2): Gaussian noise sigma 0.1, every penalty tuned over lambda and its
     shape parameters with the same budget of runs (recon tune), PSNR/SSIM, previews and
     convergence plots.
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
# penalty -> (fixed parameters, searched shape grid). Every penalty gets BUDGET runs per image: at
# each point of its shape grid a golden-section search of lambda over LAMBDA_RANGE (recon tune
# --lambda-range) with BUDGET / (grid points) runs; ITERS ADMM iterations per run.
PENALTIES = {
    "l1": ([], []),
    "mcp": (["mu=1"], ["theta=0.1:0.3:1:4"]),
    "log": ([], ["p=0.5:1", "eps=0.01:0.1"]),
    "capped-log": (["p=0.5", "eps=0.1"], ["theta=0.1:0.2:0.4:1.5"]),
    "weep": ([], ["a=20:3000", "b=0.3:1"]),
}
BUDGET, LAMBDA_RANGE, ITERS, SELECT, TV = 24, "0.0001:1", 150, "ssim", "aniso"
if QUICK:
    IMAGES = ["camera"]
    PENALTIES = {"l1": ([], []), "mcp": (["mu=1"], ["theta=0.3:4"])}
    BUDGET, ITERS = 4, 30
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
recon.binary = RECON


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


def grid_points(grid):
    """How many parameter points a list of --grid key=v1:v2:... spans."""
    return int(np.prod([len(g.split("=", 1)[1].split(":")) for g in grid]))


def chosen_parameters(described):
    """'weep(a=3000,b=0.3)' -> ['a=3000', 'b=0.3']: the tuned penalty's parameters for denoise."""
    inside = described[described.index("(") + 1:-1] if "(" in described else ""
    return [p.strip() for p in inside.split(",") if p.strip()]


def image_256(name):
    """The 512^2 test image as 256^2 (2x2 block means, values in [0, 1]), as .npy."""
    full, path = os.path.join(WORK, f"{name}_512.npy"), os.path.join(WORK, f"{name}.npy")
    recon("convert", os.path.join(DATA, "skimage", f"{name}.png"), full)
    a = np.load(full).astype(np.float64)
    np.save(path, a.reshape(a.shape[0] // 2, 2, a.shape[1] // 2, 2).mean(axis=(1, 3)).astype(np.float32))
    return path


def denoising(info):
    PROGRESS.begin("TV denoising", len(IMAGES) * (3 + 2 * len(PENALTIES)))
    rows = []
    for name in IMAGES:
        clean = image_256(name)
        noisy = os.path.join(WORK, f"{name}_noisy.npy")
        recon("noise", clean, noisy, "--kind", "gaussian", "--sigma", 0.1, "--seed", 7)
        base = recon("metrics", clean, noisy)
        best_img, best_score, best_label, logs = None, -1, "", {}
        for pen, (fixed, grid) in PENALTIES.items():
            t0 = time.time()
            args = ["tune", noisy, clean, "--penalty", pen, "--lambda-range", LAMBDA_RANGE, "--evals",
                    BUDGET // grid_points(grid), "--iters", ITERS, "--select", SELECT, "--tv", TV]
            args += [a for p in fixed for a in ("--param", p)] + [a for g in grid for a in ("--grid", g)]
            tuned = recon(*args)["best"]
            out = os.path.join(WORK, f"{name}_{pen}.npy")
            log = os.path.join(WORK, f"{name}_{pen}_log.json")
            args = ["denoise", noisy, out, "--penalty", pen, "--lambda", tuned["lambda"], "--iters", ITERS,
                    "--tv", TV, "--reference", clean, "--log", log, "--check-every", 5]
            args += [a for p in chosen_parameters(tuned["penalty"]) for a in ("--param", p)]
            run = recon(*args)
            with open(log) as f:
                logs[pen] = json.load(f)
            rows.append({"image": name, "penalty": run["penalty"], "lambda": tuned["lambda"],
                         "psnr": run["psnr"], "ssim": run["ssim"], "iterations": run["iterations"],
                         "seconds": run["elapsed_s"], "tuning_seconds": time.time() - t0,
                         "noisy_psnr": base["psnr"], "noisy_ssim": base["ssim"]})
            if run[SELECT] > best_score:
                best_score, best_img, best_label = run[SELECT], out, run["penalty"]
        c, n, b = load(clean), load(noisy), load(best_img)
        panel(os.path.join(OUT, f"denoise_{name}.png"), f"{name}: best {best_label}, {SELECT} {best_score:.3f}",
              [c, n, b, np.abs(b - c)], ["clean", f"noisy ({base['psnr']:.2f} dB)", "denoised", "|difference|"])
        convergence(os.path.join(OUT, f"convergence_{name}.png"), f"ADMM on {name}", logs)
    return rows


def denoising_report(rows):
    """The denoising section: the setup, every tuned run, and which penalty won each image."""
    lines = ["## TV denoising of real images (256^2, Gaussian noise, sigma = 0.1)", "",
             f"{'Anisotropic' if TV == 'aniso' else 'Isotropic'} TV, ADMM, {ITERS} iterations per run. Every "
             f"penalty gets the same budget of {BUDGET} runs per image: at each point of its shape grid, a "
             f"golden-section search of lambda over [{LAMBDA_RANGE.replace(':', ', ')}] (`recon tune "
             "--lambda-range`) with the budget divided by the grid's size; best by "
             f"{SELECT.upper()} against the clean image. Shape grids: " +
             "; ".join(f"{pen} {' '.join(fixed + grid) or '(none)'}" for pen, (fixed, grid) in PENALTIES.items()) +
             ".", "",
             "| image | penalty (chosen parameters) | lambda | PSNR (dB) | SSIM | noisy PSNR | time (s) |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['image']} | {r['penalty']} | {r['lambda']:.4g} | {r['psnr']:.2f} | {r['ssim']:.4f} | "
              f"{r['noisy_psnr']:.2f} | {r['seconds']:.2f} |" for r in rows]
    lines += [""]
    for name in IMAGES:
        mine = [r for r in rows if r["image"] == name]
        by_ssim, by_psnr = max(mine, key=lambda r: r["ssim"]), max(mine, key=lambda r: r["psnr"])
        nonconvex = [r for r in mine if not r["penalty"].startswith("l1")]
        lines.append(f"- {name}: best SSIM {by_ssim['penalty']} ({by_ssim['ssim']:.4f}), best PSNR "
                     f"{by_psnr['penalty']} ({by_psnr['psnr']:.2f} dB)" +
                     (f"; among the nonconvex penalties {max(nonconvex, key=lambda r: r['ssim'])['penalty']} "
                      "by SSIM" if nonconvex else ""))
    return lines + [""]


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
    cs = {"sparse": demo_cs.gaussian_sparse(recon, WORK),
          "image": demo_cs.hadamard_images(recon, DATA, WORK, OUT, panel),
          "lpgnet": demo_cs.lpgnet(recon, RECON, WORK)}
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"info": info, "denoising": den, "ct": ctrows, "cs": cs}, f, indent=1)
    lines = ["# recon demo report", "",
             f"Device: **{device['name']}** ({info['selected_device']}), recon {info['version']}, "
             f"CUDA build: {info['build']['cuda']}. Every number below was measured in this run.", "",
             *(["**Quick mode** (`scripts/demo --quick`): small budgets that check every pipeline runs; "
                "these figures do not measure the methods.", ""] if QUICK else []),
             *denoising_report(den)]
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
