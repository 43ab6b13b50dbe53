#!/usr/bin/env bash
# LPG-Net vs ISTA / FISTA / ADMM at K = 20 (paper sec. 4.2-4.6): trains the full model and the
# three ablations with `recon lpgnet train` defaults (n 256, m 128, k 10, 30 dB), evaluates each
# on 256 held-out samples with sparsity and SNR sweeps, and prints markdown tables.
# Usage: bench/lpgnet_eval/run.sh RECON_BINARY OUT_DIR [extra train flags...]
set -euo pipefail
recon=$1; out=$2; shift 2
mkdir -p "$out"
for ab in none no-adaptive-step no-monotone shared-threshold; do
  "$recon" --device cpu lpgnet train --ablation "$ab" --out "$out/$ab.json" "$@" >"$out/train_$ab.log"
  "$recon" --device cpu lpgnet eval --params "$out/$ab.json" --sweep-k 5,20,30 --sweep-snr 10,20,40 \
    --json "$out/eval_$ab.json" >"$out/eval_$ab.txt"
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
def load(ab): return json.load(open(f"{out}/eval_{ab}.json"))
full = load("none")
print("| k | SNR (dB) | " + " | ".join(f"{m} MAE | {m} F1" for m in ["LPG-Net", "ISTA", "FISTA", "ADMM"]) + " |")
print("|---|---|" + "---|---|" * 4)
for p in full["points"]:
    cells = " | ".join(f"{m['mae']:.4f} | {m['f1']:.3f}" for m in p["methods"])
    print(f"| {p['k']} | {p['snr_db']:g} | {cells} |")
print()
print("| method | F(x) after 1 | 5 | 10 | 20 layers/iterations | latency median ms | p90 ms |")
print("|---|---|---|---|---|---|---|")
for m in full["points"][0]["methods"]:
    o = m["objective"]
    print(f"| {m['method']} | {o[1]:.4f} | {o[5]:.4f} | {o[10]:.4f} | {o[20]:.4f} | "
          f"{m['latency_median_ms']:.3f} | {m['latency_p90_ms']:.3f} |")
print()
print("| variant | MAE | F1 | F(x_K) | final training loss |")
print("|---|---|---|---|---|")
for ab in ["none", "no-adaptive-step", "no-monotone", "shared-threshold"]:
    m = load(ab)["points"][0]["methods"][0]
    t = json.loads(open(f"{out}/train_{ab}.log").read().strip().splitlines()[-1])
    print(f"| {ab} | {m['mae']:.5f} | {m['f1']:.3f} | {m['objective'][-1]:.4f} | {t['loss_last_epoch']:.4f} |")
PY
