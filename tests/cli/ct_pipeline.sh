#!/usr/bin/env bash
# Usage: ct_pipeline.sh RECON WORKDIR
# Runs every `recon ct` subcommand on a small fan-beam problem and checks that each one exits 0,
# prints its JSON summary and writes a float32 .npy of the expected size (header + 4 bytes per
# value), and that SIRT and the regularised recon write their per-iteration logs.
set -euo pipefail
recon=$1; dir=$2
mkdir -p "$dir"; cd "$dir"
rm -f ./*.npy ./*.json
cat >fan.json <<'JSON'
{"volume": {"shape": [24, 28], "voxel_size": 1.0},
 "projection": {"type": "fan2d", "detector_shape": [40], "pixel_size": 1.2, "offset_u": 0.5,
                "angles": {"start": 0, "stop": 6.283185307179586, "count": 36},
                "source_origin": 60, "origin_detector": 30}}
JSON
npy_values() {  # number of 4-byte values after the header
  local size header
  size=$(stat -c %s "$1")
  header=$(( $(od -An -tu2 -j8 -N2 "$1" | tr -d ' ') + 10 ))
  echo $(( (size - header) / 4 ))
}
check() {  # FILE VALUES
  [ -f "$1" ] || { echo "FAIL: $1 not written"; exit 1; }
  local n; n=$(npy_values "$1")
  [ "$n" -eq "$2" ] || { echo "FAIL: $1 holds $n values, expected $2"; exit 1; }
}
"$recon" --device cpu ct simulate --geometry fan.json sino.npy --truth truth.npy --flux 1e5 --seed 3 | grep -q '"source":"analytic shepp-logan"'
check sino.npy $((36 * 40)); check truth.npy $((24 * 28))
"$recon" --device cpu ct fbp --geometry fan.json sino.npy fbp.npy --filter hann | grep -q '"method":"fbp"'
check fbp.npy $((24 * 28))
# Texture interpolation is a GPU's: the CPU interpolates exactly, the same bytes.
"$recon" --device cpu ct fbp --geometry fan.json sino.npy fbpt.npy --filter hann --interpolation texture |
  grep -q '"interpolation":"texture"'
cmp -s fbp.npy fbpt.npy || { echo "FAIL: --interpolation texture changed the CPU's FBP"; exit 1; }
if "$recon" --device cpu ct fbp --geometry fan.json sino.npy bad.npy --interpolation cubic 2>err.txt; then
  echo "FAIL: --interpolation cubic accepted"; exit 1
fi
[ "$(wc -l <err.txt)" -eq 1 ] && grep -q "interpolation" err.txt && [ ! -e bad.npy ] ||
  { echo "FAIL: --interpolation cubic: expected one error line and no output"; cat err.txt; exit 1; }
"$recon" --device cpu ct sirt --geometry fan.json sino.npy sirt.npy --iters 5 --nonneg --log sirt.json | grep -q '"iterations":5'
check sirt.npy $((24 * 28))
grep -q '"iteration": 5' sirt.json || { echo "FAIL: sirt.json lacks iteration 5"; exit 1; }
"$recon" --device cpu ct cgls --geometry fan.json sino.npy cgls.npy --iters 4 | grep -q '"solver":"cgls"'
check cgls.npy $((24 * 28))
"$recon" --device cpu ct project --geometry fan.json truth.npy proj.npy | grep -q '"adjoint":false'
check proj.npy $((36 * 40))
"$recon" --device cpu ct backproject --geometry fan.json proj.npy bp.npy | grep -q '"adjoint":true'
check bp.npy $((24 * 28))
"$recon" --device cpu ct simulate --geometry fan.json vsino.npy --volume truth.npy --sigma 0.1 | grep -q '"source":"truth.npy"'
check vsino.npy $((36 * 40))
"$recon" --device cpu ct recon --geometry fan.json sino.npy tv.npy --iters 20 --lambda 0.01 --penalty log \
  --param p=0.5,eps=0.1 --loss cauchy --loss-param delta=0.1 --reference truth.npy --log tv.json | grep -q '"iterations":20'
check tv.npy $((24 * 28))
grep -q '"psnr"' tv.json || { echo "FAIL: tv.json lacks the PSNR record"; exit 1; }
"$recon" --device cpu ct recon --geometry fan.json sino.npy tvp.npy --solver pdhg --iters 10 --init fbp | grep -q '"solver":"pdhg"'
check tvp.npy $((24 * 28))
echo "ok: ct pipeline"
