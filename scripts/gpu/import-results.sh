#!/usr/bin/env bash
# After a device run of scripts/gpu-check: copies what came back (the folder the device tool
# put its files in) into bench/results/: h200-check.json and .md (the summary), and the
# benchmark JSONs as h200-<suite>.json, merged as bench/merge.py does into
# cuda-<device name>.json with its roofline chart (bench/roofline.py), and bench/astra_ct.py's
# side by side with ASTRA as astra_ct_<GPU name>.json (e.g. astra_ct_nvidia-h200.json).
# Usage: scripts/gpu/import-results.sh FILES_AT
set -euo pipefail
cd "$(dirname "$0")/../.."
from=${1:?usage: import-results.sh FILES_AT (the folder holding gpu-check.tar.gz)}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
tar -C "$scratch" -xzf "$from/gpu-check.tar.gz"
cp "$scratch/results/check.json" bench/results/h200-check.json
cp "$scratch/results/check.md" bench/results/h200-check.md
for f in "$scratch"/results/bench/*-cuda.json; do
  [ -s "$f" ] || continue
  name=$(basename "$f" -cuda.json)
  cp "$f" "bench/results/h200-${name#bench_}.json"
  mkdir -p "$scratch/merge"
  cp "$f" "$scratch/merge/$name.json"
done
astra=$scratch/results/astra/astra_ct.json
if [ -s "$astra" ]; then
  gpu=$(python3 -c 'import json, re, sys; g = json.load(open(sys.argv[1])).get("gpu") or "unknown"
print(re.sub(r"[^a-z0-9]+", "-", g.lower()).strip("-"))' "$scratch/results/check.json")
  cp "$astra" "bench/results/astra_ct_$gpu.json"
  ls -l "bench/results/astra_ct_$gpu.json"
fi
if [ -d "$scratch/merge" ]; then
  merged=$(python3 bench/merge.py "$scratch/merge" bench/results)
  /usr/bin/python3 bench/roofline.py "$merged"
fi
ls -l bench/results/h200-*
