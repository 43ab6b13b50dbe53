#!/usr/bin/env bash
# Usage: image_pipeline.sh RECON DIR
# The image subcommands end to end: a phantom converted through every writable format comes
# back identical (rmse 0), an 8-bit PNG within half a grey level, seeded noise is
# reproducible and has the requested strength (PSNR of sigma 0.1 on range 1 is 20 dB).
set -euo pipefail
recon=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir"
fail() { echo "FAIL: $*"; exit 1; }
field() { grep -o "\"$1\": [-0-9.e]*" | awk '{print $2}'; }  # a number from recon metrics' JSON

"$recon" phantom shepp-logan --size 64 "$dir/p.nii.gz" >/dev/null
for ext in tif mha mhd nrrd nii npy raw; do
  "$recon" convert "$dir/p.nii.gz" "$dir/p.$ext" >/dev/null
  rmse=$("$recon" metrics "$dir/p.nii.gz" "$dir/p.$ext" | field rmse)
  [ "$rmse" = "0.0" ] || fail "$ext: rmse $rmse after conversion"
done
"$recon" convert "$dir/p.nii.gz" "$dir/p.png" >/dev/null
"$recon" convert "$dir/p.nii.gz" "$dir/p16.tif" --bits 16 >/dev/null
for f in p.png p16.tif; do
  mae=$("$recon" metrics "$dir/p.nii.gz" "$dir/$f" --range 1 | field mae)
  awk -v m="$mae" 'BEGIN { exit !(m <= 0.5 / 255) }' || fail "$f: mae $mae above half an 8-bit level"
done

"$recon" phantom shepp-logan --size 32x40x48 "$dir/v.mha" | grep -q '"shape":\[32,40,48\]' || fail "3D phantom shape"

"$recon" noise --kind gaussian --sigma 0.1 --seed 7 "$dir/p.nii.gz" "$dir/n1.npy" >/dev/null
"$recon" noise --kind gaussian --sigma 0.1 --seed 7 "$dir/p.nii.gz" "$dir/n2.npy" >/dev/null
"$recon" noise --kind gaussian --sigma 0.1 --seed 8 "$dir/p.nii.gz" "$dir/n3.npy" >/dev/null
cmp -s "$dir/n1.npy" "$dir/n2.npy" || fail "same seed, different noise"
cmp -s "$dir/n1.npy" "$dir/n3.npy" && fail "different seeds, same noise"
psnr=$("$recon" metrics "$dir/p.nii.gz" "$dir/n1.npy" --range 1 | field psnr)
awk -v p="$psnr" 'BEGIN { exit !(p > 19.7 && p < 20.3) }' || fail "gaussian sigma 0.1: psnr $psnr, expected 20 dB"
for kind in "poisson --flux 1000" "cauchy --gamma 0.05" "impulsive --fraction 0.1 --amplitude 1"; do
  # shellcheck disable=SC2086
  "$recon" noise --kind $kind "$dir/p.nii.gz" "$dir/k.nii.gz" >/dev/null || fail "noise --kind $kind"
done
echo "ok: image pipeline"
