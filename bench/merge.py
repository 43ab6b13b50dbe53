#!/usr/bin/env python3
"""Merges the Google Benchmark JSON files of one device's run (one per suite, named
<suite>.json) into <dst>/<device>-<device name>.json, the device and its measured copy bandwidth
in the context, and prints that path. Usage: bench/merge.py SRC_DIR DST_DIR"""
import json
import os
import re
import sys

if len(sys.argv) != 3:
    sys.exit(__doc__.strip())
src, dst = sys.argv[1], sys.argv[2]
merged = None
try:
    names = sorted(n for n in os.listdir(src) if n.endswith(".json"))
except OSError as e:
    sys.exit(f"merge: {src}: {e.strerror}")
for name in names:
    try:
        with open(os.path.join(src, name)) as f:
            data = json.load(f)
        missing = [k for k in ("context", "benchmarks") if k not in data]
        if missing:
            raise KeyError(", ".join(missing))
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"merge: {os.path.join(src, name)}: not a Google Benchmark JSON ({e})")
    if merged is None:
        merged = {"context": data["context"], "benchmarks": []}
    for b in data["benchmarks"]:
        b["executable"] = name[:-5]
        merged["benchmarks"].append(b)
if merged is None:
    sys.exit(f"merge: no benchmark JSON in {src}")
slug = re.sub(r"[^A-Za-z0-9]+", "-", merged["context"]["recon_device_name"]).strip("-").lower()
os.makedirs(dst, exist_ok=True)
out = os.path.join(dst, f"{merged['context']['recon_device']}-{slug}.json")
tmp = out + ".tmp"
with open(tmp, "w") as f:
    json.dump(merged, f, indent=1)
os.replace(tmp, out)
print(out)
