#!/usr/bin/env python3
"""Roofline chart of one device's benchmark run: the achieved GB/s of every memory-bound kernel
(each benchmark at its largest size, the one beyond the caches; the CT projectors, judged in GUPS,
are left out) as a bar, against the copy
bandwidth measured on the same device in the same run (the roof these kernels can reach).

Usage: bench/roofline.py bench/results/<device>.json [out.png]   (default: the .json's name as .png)
"""
import json
import os
import sys


def largest_instances(benchmarks):
    """Per benchmark family (name without its size argument), the instance with the most bytes."""
    best = {}
    for b in benchmarks:
        # The CT projectors are judged in GUPS (voxel updates), not against the copy roof.
        if b.get("run_type") != "iteration" or not b.get("GB/s") or not b.get("bytes") or "GUPS" in b:
            continue
        parts = b["name"].split("/")
        family = "/".join(p for p in parts if not p.isdigit() and p != "manual_time")
        if family not in best or b["bytes"] > best[family]["bytes"]:
            best[family] = b
    return best


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip())
    src = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.splitext(src)[0] + ".png"
    try:
        with open(src) as f:
            data = json.load(f)
        ctx = data["context"]
        copy = float(ctx["recon_copy_bandwidth_gbps"])
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"roofline: {src}: not a bench/run result ({e})")
    rows = largest_instances(data["benchmarks"])
    if not rows:
        sys.exit(f"roofline: {src}: no benchmark reports GB/s")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit(f"roofline: matplotlib is not installed for {sys.executable} (scripts/setup-deps installs it)")

    names = sorted(rows, key=lambda k: (rows[k]["executable"], k))
    gbps = [rows[k]["GB/s"] for k in names]
    labels = [k.removeprefix("BM_") for k in names]
    fig, ax = plt.subplots(figsize=(9, 0.22 * len(names) + 1.5))
    ax.barh(range(len(names)), gbps, color=["C0" if g <= copy else "C2" for g in gbps])
    ax.axvline(copy, color="C3", linestyle="--", label=f"measured copy {copy:.1f} GB/s")
    ax.set_yticks(range(len(names)), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("achieved GB/s (bytes each kernel must move / time), largest size of each")
    device = f"{ctx.get('recon_device', '?')}: {ctx.get('recon_device_name', '?')}"
    threads = ctx.get("recon_host_threads")
    if ctx.get("recon_device") == "host" and threads:
        device += f", {threads} threads"
    ax.set_title(f"recon kernels against the copy roofline ({device})", fontsize=9)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    tmp = out + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, out)
    print(f"roofline: {len(names)} kernels -> {out}")


if __name__ == "__main__":
    main()
