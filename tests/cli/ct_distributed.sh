#!/usr/bin/env bash
# Usage: ct_distributed.sh RECON WORKDIR MPIEXEC
# `recon ct` under mpiexec, split by views and by z-slabs (docs/distributed.md), against the
# serial runs on a small cone-beam geometry whose 31 views split unevenly (15 + 16 on 2 ranks,
# 10 + 10 + 11 on 3) and whose 16 slices split 8 + 8 and 5 + 5 + 6:
# by views, project writes the serial file byte for byte (the rows of each view are computed
# alike); backproject, CGLS, SIRT and TV-regularised ct recon (ADMM on 2 ranks, PDHG on 3) write
# what the serial run writes up to the all-reduce's float rounding (PSNR above 120 dB; about
# 140-160 dB measured); by slabs, project (a sum of the slabs' partial projections), backproject,
# CGLS and SIRT likewise; with no --distribute, slabs when the view split exceeds the memory
# limit and the slab split fits; under a limit no rank fits, streamed through the device (slabs
# and views). Only rank 0 prints a summary, with "ranks" and "distribute".
# ct recon by slabs too (ADMM on 3 ranks, PDHG on 2: the TV term differenced with halos).
# ct recon --init fbp by views (each rank its views, one all-reduce) and by slabs (FBP by slabs); ct fdk
# by slabs on 2 and 3 ranks.
# ct recon --solver apgm by slabs too (2 ranks: its inner TV prox by slabs, by PDHG and by APGM).
# By slabs under a memory limit the window of rows held a chunk of views at a time.
# Failures: a volume with fewer slices than ranks and an undistributed command each give one
# error line, a non-zero exit and no output file.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
recon=$1; dir=$2; mpiexec=$3
mkdir -p "$dir"; cd "$dir"
rm -f ./*.npy ./*.json
source "$here/compare.sh"
export OMP_NUM_THREADS=1  # the ranks share the machine's cores
run() { local n=$1; shift; "$mpiexec" -n "$n" "$recon" --device cpu "$@"; }
on2=("$mpiexec" -n 2 "$recon" --device cpu)  # for expect_error.sh, which runs a command line

cat >cone.json <<'JSON'
{"volume": {"shape": [16, 24, 24], "voxel_size": [1, 1, 1.1], "origin": [0.3, 0, 0.5]},
 "projection": {"type": "cone", "detector_shape": [20, 32], "pixel_size": 1.5,
  "angles": {"start": 0, "stop": 6.283185307179586, "count": 31},
  "source_origin": 80, "origin_detector": 40, "offset_u": 0.7}}
JSON
"$recon" --device cpu ct simulate --geometry cone.json y.npy --truth x.npy >/dev/null

# Forward: byte for byte on 2 and 3 ranks.
"$recon" --device cpu ct project --geometry cone.json x.npy p-serial.npy >/dev/null
for n in 2 3; do
  out=$(run $n ct project --distribute views --geometry cone.json x.npy p-$n.npy)
  [ "$(wc -l <<<"$out")" -eq 1 ] || fail "project on $n ranks: expected one summary line, got: $out"
  grep -q "\"distribute\":\"views\"" <<<"$out" && grep -q "\"ranks\":$n" <<<"$out" ||
    fail "project on $n ranks: summary without ranks/distribute: $out"
  cmp -s p-serial.npy p-$n.npy || fail "project on $n ranks differs from the serial projection"
done
echo "ok: project on 2 and 3 ranks is byte-identical to the serial run"

"$recon" --device cpu ct backproject --geometry cone.json y.npy b-serial.npy >/dev/null
out=$(run 2 ct backproject --geometry cone.json y.npy b-2.npy)
grep -q '"distribute":"views"' <<<"$out" || fail "backproject on 2 ranks without --distribute: not split by views: $out"
psnr_above b-serial.npy b-2.npy 120 "backproject on 2 ranks"
echo "ok: backproject on 2 ranks (PSNR $(psnr b-serial.npy b-2.npy) dB against serial)"

for solver in cgls sirt; do
  "$recon" --device cpu ct $solver --geometry cone.json y.npy $solver-serial.npy --iters 10 >/dev/null
  for n in 2 3; do
    out=$(run $n ct $solver --distribute views --geometry cone.json y.npy $solver-$n.npy --iters 10 \
      --log $solver-$n.json)
    grep -q "\"iterations\":10" <<<"$out" || fail "$solver on $n ranks: $out"
    [ -s $solver-$n.json ] || fail "$solver on $n ranks: no log written"
    psnr_above $solver-serial.npy $solver-$n.npy 120 "$solver on $n ranks"
    echo "ok: $solver on $n ranks (PSNR $(psnr $solver-serial.npy $solver-$n.npy) dB against serial)"
  done
done

# Split by z-slabs: each rank a slab of the volume and its band of detector rows of every view
# (read, written and gathered through rank 0).
for n in 2 3; do
  out=$(run $n ct project --distribute slabs --geometry cone.json x.npy ps-$n.npy)
  [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q '"distribute":"slabs"' <<<"$out" && grep -q "\"ranks\":$n" <<<"$out" ||
    fail "project --distribute slabs on $n ranks: expected one summary line with ranks and slabs: $out"
  psnr_above p-serial.npy ps-$n.npy 120 "project --distribute slabs on $n ranks"
  out=$(run $n ct backproject --distribute slabs --geometry cone.json y.npy bs-$n.npy)
  grep -q '"distribute":"slabs"' <<<"$out" || fail "backproject --distribute slabs on $n ranks: $out"
  psnr_above b-serial.npy bs-$n.npy 120 "backproject --distribute slabs on $n ranks"
  echo "ok: slabs on $n ranks: project (PSNR $(psnr p-serial.npy ps-$n.npy) dB), backproject ($(psnr b-serial.npy bs-$n.npy) dB)"
  for solver in cgls sirt; do
    out=$(run $n ct $solver --distribute slabs --geometry cone.json y.npy $solver-s$n.npy --iters 10 \
      --log $solver-s$n.json)
    [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q '"iterations":10' <<<"$out" && grep -q '"distribute":"slabs"' <<<"$out" ||
      fail "$solver --distribute slabs on $n ranks: $out"
    [ -s $solver-s$n.json ] || fail "$solver --distribute slabs on $n ranks: no log written"
    psnr_above $solver-serial.npy $solver-s$n.npy 120 "$solver --distribute slabs on $n ranks"
    echo "ok: $solver --distribute slabs on $n ranks (PSNR $(psnr $solver-serial.npy $solver-s$n.npy) dB against serial)"
  done
done

# The default split under a memory limit: with 4 views the volume dominates; CGLS holds 5
# volumes and 4 projection stacks: by views 5 x 36 KiB + 4 x 5 KiB (2 of the 4 views) per rank
# (200 KiB), by slabs 5 x 18 KiB + 4 bands of about half the detector rows (5 KiB each) and one
# window's rows (under 10 KiB): under 130 KiB. Under a 160000-byte limit only the slabs fit.
sed 's/"count": 31/"count": 4/' cone.json >few.json
"$recon" --device cpu ct simulate --geometry few.json y4.npy >/dev/null
"$recon" --device cpu ct cgls --geometry few.json y4.npy c4-serial.npy --iters 5 >/dev/null
out=$(run 2 --device-memory-limit 160000 ct cgls --geometry few.json y4.npy c4-2.npy --iters 5)
grep -q '"distribute":"slabs"' <<<"$out" || fail "cgls on 2 ranks under a memory limit: not split by slabs: $out"
psnr_above c4-serial.npy c4-2.npy 120 "cgls on 2 ranks under a memory limit"
out=$(run 2 ct cgls --geometry few.json y4.npy c4-v.npy --iters 5)
grep -q '"distribute":"views"' <<<"$out" || fail "cgls on 2 ranks without a limit: not split by views: $out"
echo "ok: the default split is slabs when only they fit"

# Beyond the device: under a 60000-byte limit no rank's arrays fit (by slabs about 300 KiB per
# rank), so they stay in host memory and each rank's projector streams through the device in
# pieces; the summary gives the plan; the result is the serial one to rounding. By views too.
for split in slabs views; do
  out=$(run 2 --device-memory-limit 60000 ct cgls --distribute $split --geometry cone.json y.npy cgls-st-$split.npy \
    --iters 10)
  grep -q "\"distribute\":\"$split\"" <<<"$out" && grep -q '"streamed":{' <<<"$out" ||
    fail "cgls by $split on 2 ranks under a 60000-byte limit: not streamed: $out"
  psnr_above cgls-serial.npy cgls-st-$split.npy 120 "cgls by $split, streamed, on 2 ranks"
  echo "ok: cgls by $split on 2 ranks streamed through a 60000-byte device (PSNR $(psnr cgls-serial.npy cgls-st-$split.npy) dB against serial)"
done

sed 's/"shape": \[16, 24, 24\]/"shape": [2, 24, 24]/' cone.json >thin.json
"$recon" --device cpu ct simulate --geometry thin.json y2.npy --truth x2.npy >/dev/null
"$here/expect_error.sh" "ct project: a volume of 2 slices cannot be split into 3 slabs; use at most 2 ranks or --distribute views" \
  --no-file e6.npy -- "$mpiexec" -n 3 "$recon" --device cpu ct project --distribute slabs --geometry thin.json x2.npy e6.npy

# Regularised: isotropic TV, x >= 0, against the serial runs. ADMM on 2 ranks to a tolerance:
# it stops at the serial iteration (157) only when its residuals are summed over the ranks, with
# the serial objective (the data term summed over the ranks) to float rounding; PDHG on 3 ranks.
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
# By z-slabs (ADMM on 3 ranks, PDHG and APGM on 2) the TV term is the slab gradient with one-slice
# halos (APGM: its inner TV prox by slabs).
for case in "admm 2 views --iters 300 --tol 1e-2" "pdhg 3 views --iters 10" "admm 3 slabs --iters 300 --tol 1e-2" \
  "pdhg 2 slabs --iters 10" "apgm 2 slabs --iters 8"; do
  read -r solver n split stop <<<"$case"
  opts=(--geometry cone.json y.npy --solver $solver --lambda 0.05 $stop)
  [ -e tv-$solver-serial.npy ] || "$recon" --device cpu ct recon "${opts[@]}" tv-$solver-serial.npy >tv-$solver-serial.out
  serial=$(cat tv-$solver-serial.out)
  out=$(run $n ct recon "${opts[@]}" --distribute $split tv-$solver-$n.npy --reference x.npy --log tv-$solver-$n.json)
  grep -q "\"distribute\":\"$split\"" <<<"$out" || fail "ct recon --solver $solver --distribute $split on $n ranks: $out"
  grep -q '"psnr"' <<<"$out" || fail "ct recon --solver $solver --distribute $split on $n ranks: no PSNR: $out"
  [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "\"ranks\":$n" <<<"$out" ||
    fail "ct recon --solver $solver on $n ranks: expected one summary with the ranks: $out"
  [ "$(field iterations <<<"$out")" = "$(field iterations <<<"$serial")" ] ||
    fail "ct recon --solver $solver on $n ranks: $(field iterations <<<"$out") iterations, serially $(field iterations <<<"$serial")"
  awk -v a="$(field objective <<<"$out")" -v b="$(field objective <<<"$serial")" \
    'BEGIN { d = a - b; exit !(d * d <= 1e-10 * b * b) }' ||
    fail "ct recon --solver $solver on $n ranks: objective $(field objective <<<"$out"), serially $(field objective <<<"$serial")"
  [ -s tv-$solver-$n.json ] || fail "ct recon --solver $solver on $n ranks: no log written"
  psnr_above tv-$solver-serial.npy tv-$solver-$n.npy 120 "ct recon --solver $solver on $n ranks"
  echo "ok: ct recon (TV, $solver) by $split on $n ranks, $(field iterations <<<"$out") iterations as serially (PSNR $(psnr tv-$solver-serial.npy tv-$solver-$n.npy) dB against serial)"
done

# APGM by slabs whose inner TV prox runs APGM too (FISTA on the dual, its sums over the ranks).
inner=(--geometry cone.json y.npy --solver apgm --inner-solver apgm --lambda 0.05 --iters 6)
"$recon" --device cpu ct recon "${inner[@]}" inner-apgm-serial.npy >/dev/null
run 2 ct recon "${inner[@]}" --distribute slabs inner-apgm-2.npy >/dev/null
psnr_above inner-apgm-serial.npy inner-apgm-2.npy 120 "ct recon --inner-solver apgm by slabs on 2 ranks"
echo "ok: ct recon --solver apgm --inner-solver apgm by slabs on 2 ranks (PSNR $(psnr inner-apgm-serial.npy inner-apgm-2.npy) dB against serial)"

# The FBP start of a split run: by views each rank filtering and back-projecting its views into a
# whole volume (one all-reduce), by slabs each rank filtering its band of rows and back-projecting
# its slab.
"$recon" --device cpu ct recon --init fbp --solver pdhg --iters 5 --geometry cone.json y.npy fbp-serial.npy >/dev/null
for case in "2 views" "3 views" "3 slabs"; do
  read -r n split <<<"$case"
  run $n ct recon --init fbp --solver pdhg --iters 5 --distribute $split --geometry cone.json y.npy fbp-$n.npy >/dev/null
  psnr_above fbp-serial.npy fbp-$n.npy 120 "ct recon --init fbp by $split on $n ranks"
  echo "ok: ct recon --init fbp by $split on $n ranks (PSNR $(psnr fbp-serial.npy fbp-$n.npy) dB against serial)"
done
# FDK by slabs (its default under mpiexec): each rank filters its band of detector rows, gathers
# its window's filtered rows and back-projects its slab; by views: each rank filters and
# back-projects its views into a whole volume, then one all-reduce.
"$recon" --device cpu ct fdk --filter hann --geometry cone.json y.npy fdk-serial.npy >/dev/null
for split in slabs views; do
  for n in 2 3; do
    flag=(); [ "$split" = views ] && flag=(--distribute views)
    out=$(run $n ct fdk --filter hann "${flag[@]}" --geometry cone.json y.npy fdk-$n.npy)
    [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "\"distribute\":\"$split\"" <<<"$out" && grep -q "\"ranks\":$n" <<<"$out" ||
      fail "fdk on $n ranks: expected one summary with ranks and $split: $out"
    psnr_above fdk-serial.npy fdk-$n.npy 120 "fdk by $split on $n ranks"
    echo "ok: fdk by $split on $n ranks (PSNR $(psnr fdk-serial.npy fdk-$n.npy) dB against serial)"
  done
done
"$here/expect_error.sh" "ct fdk: a volume of 2 slices cannot be split into 3 slabs; use at most 2 ranks or --distribute views" \
  --no-file e8.npy -- "$mpiexec" -n 3 "$recon" --device cpu ct fdk --geometry thin.json y2.npy e8.npy
"$here/expect_error.sh" "ct simulate: does not run distributed \(2 ranks\)" --no-file e9.npy \
  -- "${on2[@]}" ct simulate --geometry cone.json e9.npy
out=$(run 2 info --no-measure)
grep -q '"ranks": 2' <<<"$out" && [ "$(grep -c '"version"' <<<"$out")" -eq 1 ] ||
  fail "info on 2 ranks: expected one report with the ranks: $out"
# Inputs: each rank reads its own part of a .npy (its views, its slab, its band of rows of every
# view); other formats rank 0 reads whole and scatters: the same volumes either way. A .npy of
# another shape, or with a NaN on the last rank's part only, gives one error line and no file.
"$recon" convert y.npy y.raw >/dev/null
for split in views slabs; do
  run 2 ct cgls --distribute $split --geometry cone.json y.npy parts-$split.npy --iters 3 >/dev/null
  run 2 ct cgls --distribute $split --geometry cone.json y.raw root-$split.npy --iters 3 >/dev/null
  cmp -s parts-$split.npy root-$split.npy || fail "ct cgls by $split: a .npy read in parts and a .raw read by rank 0 differ"
  "$here/expect_error.sh" "ct: x.npy has shape \(16, 24, 24\) but the geometry's projection shape is" \
    --no-file e10.npy -- "${on2[@]}" ct cgls --distribute $split --geometry cone.json x.npy e10.npy
done
cp y.npy nan.npy
printf '\x00\x00\xc0\x7f' | dd of=nan.npy bs=1 seek=$(($(stat -c %s nan.npy) - 4)) conv=notrunc status=none
for split in views slabs; do
  "$here/expect_error.sh" "nan.npy holds 1 non-finite value \(NaN or Inf\); expected finite data" \
    --no-file e11.npy -- "${on2[@]}" ct cgls --distribute $split --geometry cone.json nan.npy e11.npy
done
echo "ok: each rank reads its part of a .npy (views and slabs), equal to rank 0 reading a .raw; errors agreed"
# Outputs: each rank writes its part of a .npy into rank 0's temporary (ct project above wrote the
# serial file byte for byte that way, by views); other formats rank 0 gathers and writes: the same
# values, by views and by slabs.
# A failed write leaves no file and no temporary.
for split in views slabs; do
  run 2 ct project --distribute $split --geometry cone.json x.npy yp-$split.npy >/dev/null
  run 2 ct project --distribute $split --geometry cone.json x.npy yp-$split.raw >/dev/null
  "$recon" convert yp-$split.raw yp-root-$split.npy >/dev/null
  cmp -s yp-$split.npy yp-root-$split.npy ||
    fail "ct project by $split: the .npy written in parts and the .raw written by rank 0 differ"
  "$here/expect_error.sh" "cannot write 'missing/e12.npy': directory 'missing' does not exist" \
    -- "${on2[@]}" ct project --distribute $split --geometry cone.json x.npy missing/e12.npy
done
[ -z "$(find . -name '*.tmp*')" ] || fail "temporaries left behind: $(find . -name '*.tmp*')"
echo "ok: each rank writes its part of a .npy; a .raw through rank 0 is the same; a failed write leaves nothing"
# By slabs under a memory limit that holds the slab and its band but not the whole window of
# rows: the window is held a chunk of views at a time ("view_chunk" in the summary), not streamed;
# the projection is the unchunked file byte for byte, CGLS the unchunked volume to rounding.
run 2 ct project --distribute slabs --geometry cone.json x.npy pw-whole.npy >/dev/null
out=$(run 2 --device-memory-limit 150000 ct project --distribute slabs --geometry cone.json x.npy pw-chunks.npy)
grep -q '"view_chunk":' <<<"$out" && grep -q '"streamed":null' <<<"$out" ||
  fail "ct project by slabs under 150000 bytes: expected view chunks, not streaming: $out"
cmp -s pw-whole.npy pw-chunks.npy || fail "ct project by slabs in view chunks differs from the whole window's"
run 2 ct cgls --distribute slabs --geometry cone.json y.npy cw-whole.npy --iters 3 >/dev/null
out=$(run 2 --device-memory-limit 300000 ct cgls --distribute slabs --geometry cone.json y.npy cw-chunks.npy --iters 3)
grep -q '"view_chunk":' <<<"$out" || fail "ct cgls by slabs under 300000 bytes: expected view chunks: $out"
psnr_above cw-whole.npy cw-chunks.npy 120 "ct cgls by slabs in view chunks"
echo "ok: by slabs the window in chunks of views under a memory limit (project byte for byte, CGLS $(psnr cw-whole.npy cw-chunks.npy) dB)"
echo "ok: ct distributed"
