#!/usr/bin/env bash
# Usage: ct_unmatched.sh RECON WORKDIR
# The voxel-driven back-projector from the CLI on a small fan-beam problem:
# `ct backproject --unmatched` writes a volume that differs from the exact adjoint's but is
# close to it (PSNR > 20 dB against it), and `ct sirt --backprojector voxel` runs with the
# unmatched operator and reconstructs Shepp-Logan within 1 dB of matched SIRT.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
recon=$1; dir=$2
mkdir -p "$dir"; cd "$dir"
rm -f ./*.npy ./*.json
cat >fan.json <<'JSON'
{"volume": {"shape": [32, 32], "voxel_size": 1.0},
 "projection": {"type": "fan2d", "detector_shape": [60], "pixel_size": 1.0,
                "angles": {"start": 0, "stop": 6.283185307179586, "count": 60},
                "source_origin": 80, "origin_detector": 40}}
JSON
source "$here/compare.sh"
"$recon" --device cpu ct simulate --geometry fan.json sino.npy --truth truth.npy >/dev/null
"$recon" --device cpu ct backproject --geometry fan.json sino.npy bp.npy | grep -q '"operator":"ct.joseph_fan2d"'
"$recon" --device cpu ct backproject --geometry fan.json sino.npy bpu.npy --unmatched \
  | grep -q '"operator":"ct.unmatched_fan2d"' || fail "backproject --unmatched did not use the unmatched operator"
p=$(psnr bp.npy bpu.npy)
[ "$p" != "null" ] || fail "the unmatched back-projection equals the exact adjoint"
awk -v p="$p" 'BEGIN { exit !(p > 20) }' || fail "unmatched back-projection PSNR $p dB against A^T y, expected > 20"
"$recon" --device cpu ct sirt --geometry fan.json sino.npy sirt.npy --iters 40 --nonneg | grep -q '"operator":"ct.joseph_fan2d"'
"$recon" --device cpu ct sirt --geometry fan.json sino.npy sirtu.npy --iters 40 --nonneg --backprojector voxel \
  | grep -q '"operator":"ct.unmatched_fan2d"' || fail "sirt --backprojector voxel did not use the unmatched operator"
pm=$(psnr truth.npy sirt.npy); pu=$(psnr truth.npy sirtu.npy)
echo "backprojection PSNR vs A^T: $p dB; SIRT PSNR matched $pm dB, voxel $pu dB"
awk -v a="$pm" -v b="$pu" 'BEGIN { exit !(b > a - 1) }' || fail "voxel SIRT $pu dB, matched $pm dB"
echo "ok: ct unmatched"
