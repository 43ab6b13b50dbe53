#!/usr/bin/env bash
# One-off check that the largest target sizes work end to end through the CLI (not run in CI:
# it needs ~20 GiB of memory and disk and minutes of CPU): a 1024^3 Shepp-Logan is projected
# by the cone-beam Joseph projector on a 1024^2 detector and back-projected, and the same
# object on a 256^3 grid (voxels 4x larger, same detector) gives the reference line
# integrals. Any 32-bit index overflow or chunking error shows up as a gross mismatch; the
# difference left is the discretisation of the phantom's edges. Writes a JSON summary.
# Usage: bench/ct_large/run.sh BUILD_DIR OUT_JSON [WORK_DIR]
set -euo pipefail
build=$1 out=$2 work=${3:-$(mktemp -d)}
recon=$build/bin/recon
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
geometry() {  # N: volume side; the detector and distances stay fixed in world units
  local n=$1 voxel=$2
  cat <<JSON
{"volume": {"shape": [$n, $n, $n], "voxel_size": $voxel},
 "projection": {"type": "cone", "detector_shape": [1024, 1024], "pixel_size": 3.0,
  "angles": {"start": 0, "stop": 6.283185307179586, "count": 4},
  "source_origin": 3072, "origin_detector": 3072}}
JSON
}
geometry 1024 1 >"$work/g1024.json"
geometry 256 4 >"$work/g256.json"
since() { python3 -c "print(round($(date +%s.%N) - $1, 1))"; }
t0=$(date +%s.%N)
"$recon" phantom shepp-logan "$work/x1024.npy" --size 1024x1024x1024 >/dev/null
t_phantom=$(since "$t0")
"$recon" phantom shepp-logan "$work/x256.npy" --size 256x256x256 >/dev/null
t0=$(date +%s.%N)
"$recon" ct project --geometry "$work/g1024.json" "$work/x1024.npy" "$work/p1024.npy" >/dev/null
t_project=$(since "$t0")
"$recon" ct project --geometry "$work/g256.json" "$work/x256.npy" "$work/p256.npy" >/dev/null
t0=$(date +%s.%N)
"$recon" ct backproject --geometry "$work/g1024.json" "$work/p1024.npy" "$work/b1024.npy" >/dev/null
t_back=$(since "$t0")
/usr/bin/python3 "$here/compare.py" "$work" "$t_phantom" "$t_project" "$t_back" >"$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
