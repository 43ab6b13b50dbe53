#!/usr/bin/env bash
# Usage: denoise_distributed.sh RECON WORKDIR MPIEXEC
# `recon denoise` under mpiexec, split into blocks of rows along axis 0 (z-slabs; docs/
# distributed.md), against the serial runs: a noisy 13 x 32 x 32 Shepp-Logan volume whose 13
# slices split 6 + 7 on 2 ranks and 4 + 4 + 5 on 3.
#   - PDHG (isotropic TV) and ADMM (its x-update by CG when split) to a tolerance: the serial
#     iteration count and objective, PSNR above 120 dB against the serial volume; one summary line
#     with "ranks" and "distribute":"slabs"; the --log written, with the PSNR of --reference;
#   - linearised ADMM with a fixed rho and no tolerance (no step depends on a sum over the ranks):
#     2 and 3 ranks write the serial file byte for byte (the same fused passes, on blocks padded
#     with halo rows);
#   - APGM (FISTA on the dual) and L-BFGS (Huber) to a tolerance on 2 ranks: the serial iteration
#     count, PSNR above 120 dB against the serial volume;
#   - a 2D PNG image split into row blocks;
#   - failures: fewer slices than ranks, a penalty the solver cannot take (lbfgs with l1), a
#     missing input: one error line, a non-zero exit and no output file.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
recon=$1; dir=$2; mpiexec=$3
mkdir -p "$dir"; cd "$dir"
rm -f ./*.npy ./*.json ./*.png
source "$here/compare.sh"
export OMP_NUM_THREADS=1  # the ranks share the machine's cores
run() { local n=$1; shift; "$mpiexec" -n "$n" "$recon" --device cpu "$@"; }
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }

"$recon" phantom shepp-logan clean.npy --size 13x32x32 >/dev/null
"$recon" noise clean.npy noisy.npy --kind gaussian --sigma 0.1 >/dev/null

for case in "pdhg 2 l1 1e-4" "pdhg 3 l1 1e-4" "admm 2 l1 1e-4" "apgm 2 l1 1e-4" "lbfgs 2 huber 1e-6"; do
  read -r solver n penalty tol <<<"$case"
  params=()
  [ "$penalty" = huber ] && params=(--param delta=0.1)
  opts=(noisy.npy --penalty $penalty "${params[@]}" --solver $solver --lambda 0.05 --tol $tol --iters 400)
  serial=$("$recon" --device cpu denoise "${opts[@]}" $solver-serial.npy)
  out=$(run $n denoise "${opts[@]}" $solver-$n.npy --reference clean.npy --log $solver-$n.json)
  [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "\"ranks\":$n" <<<"$out" && grep -q '"distribute":"slabs"' <<<"$out" ||
    fail "denoise --solver $solver on $n ranks: expected one summary with ranks and distribute: $out"
  [ "$(field iterations <<<"$out")" = "$(field iterations <<<"$serial")" ] ||
    fail "denoise --solver $solver on $n ranks: $(field iterations <<<"$out") iterations, serially $(field iterations <<<"$serial")"
  awk -v a="$(field objective <<<"$out")" -v b="$(field objective <<<"$serial")" \
    'BEGIN { d = a - b; exit !(d * d <= 1e-10 * b * b) }' ||
    fail "denoise --solver $solver on $n ranks: objective $(field objective <<<"$out"), serially $(field objective <<<"$serial")"
  grep -q '"psnr"' $solver-$n.json || fail "denoise --solver $solver on $n ranks: the log has no PSNR"
  psnr_above $solver-serial.npy $solver-$n.npy 120 "denoise --solver $solver on $n ranks"
  echo "ok: denoise ($solver) on $n ranks, $(field iterations <<<"$out") iterations as serially (PSNR $(psnr $solver-serial.npy $solver-$n.npy) dB against serial)"
done

ladmm=(noisy.npy --penalty l1 --solver ladmm --rho 2 --lambda 0.05 --tol 0 --iters 25)
"$recon" --device cpu denoise "${ladmm[@]}" ladmm-serial.npy >/dev/null
for n in 2 3; do
  run $n denoise "${ladmm[@]}" ladmm-$n.npy >/dev/null
  cmp -s ladmm-serial.npy ladmm-$n.npy || fail "linearised ADMM on $n ranks: the file differs from the serial one"
done
echo "ok: linearised ADMM on 2 and 3 ranks writes the serial file byte for byte"

"$recon" phantom shepp-logan clean.png --size 40 >/dev/null
"$recon" noise clean.png noisy.png --kind gaussian --sigma 0.1 >/dev/null
"$recon" --device cpu denoise noisy.png img-serial.npy --penalty l1 --solver pdhg --lambda 0.05 --tol 1e-4 >/dev/null
run 2 denoise noisy.png img-2.npy --penalty l1 --solver pdhg --lambda 0.05 --tol 1e-4 >/dev/null
psnr_above img-serial.npy img-2.npy 120 "denoise of a PNG image on 2 ranks"
echo "ok: a 2D PNG image on 2 ranks (PSNR $(psnr img-serial.npy img-2.npy) dB against serial)"

"$recon" phantom shepp-logan thin.npy --size 2x16x16 >/dev/null
"$here/expect_error.sh" "denoise: thin.npy has 2 rows along axis 0, fewer than the 3 ranks it is split over; run it on at most 2 ranks" \
  --no-file e1.npy -- "$mpiexec" -n 3 "$recon" --device cpu denoise thin.npy e1.npy --penalty l1
"$here/expect_error.sh" "tv_denoise\\(lbfgs\\): needs a differentiable penalty .*'l1' is not differentiable" \
  --no-file e2.npy -- "$mpiexec" -n 2 "$recon" --device cpu denoise noisy.npy e2.npy --penalty l1 --solver lbfgs
"$here/expect_error.sh" "cannot read 'missing.npy'" \
  --no-file e3.npy -- "$mpiexec" -n 2 "$recon" --device cpu denoise missing.npy e3.npy --penalty l1
echo "PASS"
