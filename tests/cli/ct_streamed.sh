#!/usr/bin/env bash
# Usage: ct_streamed.sh RECON WORKDIR
# --device-memory-limit below what a ct command's arrays need streams the projector through the
# device in pieces (ct/streamed.hpp): for each geometry family, project, backproject, SIRT and
# CGLS under the limit report a streamed plan and write what the in-memory run writes (PSNR
# against it above 100 dB: float rounding only), and so do FBP / FDK (the volume in slabs); a
# limit too small for one piece or for FDK's filtered projections, the voxel-driven
# back-projector (not streamed) and a malformed size give one error line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
recon=$1; dir=$2
mkdir -p "$dir"; cd "$dir"
rm -f ./*.npy ./*.json

source "$here/compare.sh"
same() { psnr_above "$1" "$2" 100 "$3"; }  # REFERENCE TEST WHAT: float rounding only
angles='"angles": {"start": 0, "stop": 6.283185307179586, "count": 40}'
cat >parallel2d.json <<JSON
{"volume": {"shape": [64, 64]}, "projection": {"type": "parallel2d", "detector_shape": [96], "pixel_size": 1.0, $angles}}
JSON
cat >fan2d.json <<JSON
{"volume": {"shape": [64, 60]}, "projection": {"type": "fan2d", "detector_shape": [120], "pixel_size": 1.2, $angles,
 "source_origin": 150, "origin_detector": 80}}
JSON
cat >parallel3d.json <<JSON
{"volume": {"shape": [24, 32, 32]}, "projection": {"type": "parallel3d", "detector_shape": [28, 48], "pixel_size": 1.0, $angles}}
JSON
cat >cone.json <<JSON
{"volume": {"shape": [24, 32, 30], "voxel_size": [1, 1, 1.2], "origin": [0.5, 0, 1]},
 "projection": {"type": "cone", "detector_shape": [36, 48], "pixel_size": 1.4, $angles,
 "source_origin": 120, "origin_detector": 60, "offset_u": 1.1, "offset_v": -0.7}}
JSON
# Limits below each command's in-memory arrays (2D: 2 x (16 + 15) KiB; 3D: 2 x (96 + 210) KiB).
declare -A limit=([parallel2d]=56KiB [fan2d]=56KiB [parallel3d]=160KiB [cone]=160KiB)
for g in parallel2d fan2d parallel3d cone; do
  "$recon" --device cpu ct simulate --geometry $g.json $g-y.npy --truth $g-x.npy >/dev/null
  lim="--device-memory-limit ${limit[$g]}"
  for cmd in project backproject; do
    in=$g-x.npy; [ $cmd = backproject ] && in=$g-y.npy
    "$recon" --device cpu ct $cmd --geometry $g.json $in $g-$cmd-mem.npy | grep -q '"streamed":null' ||
      fail "$g $cmd: the in-memory run was streamed"
    out=$("$recon" --device cpu $lim ct $cmd --geometry $g.json $in $g-$cmd-str.npy)
    grep -q '"streamed":{"pieces":' <<<"$out" || fail "$g $cmd under $lim: not streamed: $out"
    same $g-$cmd-mem.npy $g-$cmd-str.npy "$g $cmd"
  done
  for solver in sirt cgls; do
    "$recon" --device cpu ct $solver --geometry $g.json $g-y.npy $g-$solver-mem.npy --iters 5 >/dev/null
    out=$("$recon" --device cpu $lim ct $solver --geometry $g.json $g-y.npy $g-$solver-str.npy --iters 5)
    grep -q '"streamed":{"pieces":' <<<"$out" || fail "$g $solver under $lim: not streamed: $out"
    # Five iterations amplify the rounding of the summation order a little.
    psnr_above $g-$solver-mem.npy $g-$solver-str.npy 90 "$g $solver"
  done
  echo "ok: $g streamed ($(grep -o '"streamed":{[^}]*}' <<<"$out"))"
done
# FBP / FDK: the volume in slabs against the filtered projections (which must fit: 3D limits
# between one sinogram and the in-memory 2 volumes + 3 sinograms).
limit[parallel3d]=320KiB limit[cone]=320KiB
for g in parallel2d fan2d parallel3d cone; do
  m=fbp; [ $g = cone ] && m=fdk
  "$recon" --device cpu ct $m --geometry $g.json $g-y.npy $g-$m-mem.npy | grep -q '"streamed":null' ||
    fail "$g $m: the in-memory run was streamed"
  out=$("$recon" --device cpu --device-memory-limit ${limit[$g]} ct $m --geometry $g.json $g-y.npy $g-$m-str.npy)
  grep -q '"streamed":{"slab_depth":' <<<"$out" || fail "$g $m under ${limit[$g]}: not streamed: $out"
  same $g-$m-mem.npy $g-$m-str.npy "$g $m"
done
echo "ok: fbp/fdk streamed"
"$here/expect_error.sh" "ct fdk: .*the filtered projections \(40, 36, 48\) and one slice need .* \(FBP/FDK stream the volume, not the views\)" \
  --no-file fdk.npy -- "$recon" --device cpu --device-memory-limit 200KiB ct fdk --geometry cone.json cone-y.npy fdk.npy
"$here/expect_error.sh" "not even one volume slice against one view fits" --no-file tiny.npy \
  -- "$recon" --device cpu --device-memory-limit 4KiB ct project --geometry cone.json cone-x.npy tiny.npy
"$here/expect_error.sh" "--device-memory-limit: '4 parsecs' is not a memory size; expected a number" \
  -- "$recon" --device-memory-limit "4 parsecs" info --no-measure
"$here/expect_error.sh" "voxel-driven back-projector is not streamed" --no-file voxel.npy \
  -- "$recon" --device cpu --device-memory-limit 56KiB ct sirt --geometry fan2d.json fan2d-y.npy voxel.npy \
  --backprojector voxel
echo "ok: ct streamed"
