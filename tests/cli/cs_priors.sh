#!/usr/bin/env bash
# Usage: cs_priors.sh RECON WORKDIR
# `recon cs --basis haar|db2|dct` on a 32^2 Shepp-Logan from 35% Gaussian measurements: a wavelet
# or the DCT basis recovers the piecewise-constant image better than pixel sparsity (PSNR at
# least 2 dB higher with the same penalty, lambda and iterations); the saved spec carries the
# basis and its levels, and `cs recover` from it reproduces the result; --levels beyond what the
# size allows and --levels with a non-wavelet basis give one error line. A TV prior (--tv
# iso|aniso, ADMM) on a 64^2 Shepp-Logan from 35% subsampled Hadamard rows gains at least 8 dB
# over pixel sparsity (the wavelet bases gain nothing there: docs/cs.md); --tv with a basis or a
# non-ADMM solver is one error line.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
recon=$1; dir=$2
mkdir -p "$dir"; cd "$dir"
rm -f ./*.npy ./*.json
source "$here/compare.sh"
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p"; }
"$recon" phantom shepp-logan --size 32 ph.npy >/dev/null
run() {  # BASIS OUT [extra]
  local b=$1 out=$2; shift 2
  "$recon" --device cpu cs ph.npy "$out" --sensing gaussian --rate 0.35 --basis "$b" --penalty l1 --lambda 0.003 \
    --iters 1000 --seed 3 --solver fista "$@"
}
none=$(run none none.npy | field psnr)
out=$(run haar haar.npy --save-spec spec.json --save-y y.npy)
haar=$(field psnr <<<"$out")
db2=$(run db2 db2.npy --levels 3 | field psnr)
dct_out=$(run dct dct.npy --save-spec dct_spec.json --save-y ydct.npy)
dct=$(field psnr <<<"$dct_out")
echo "PSNR: pixels $none dB, haar $haar dB, db2 (3 levels) $db2 dB, dct $dct dB"
grep -q '"basis":"haar"' <<<"$out" && grep -q '"levels":5' <<<"$out" || fail "summary: $out"
grep -q '"basis":"dct"' <<<"$dct_out" && grep -q '"levels":0' <<<"$dct_out" || fail "summary: $dct_out"
awk -v a="$haar" -v b="$none" 'BEGIN { exit !(a > b + 2) }' || fail "haar $haar dB is not 2 dB above pixels $none dB"
awk -v a="$db2" -v b="$none" 'BEGIN { exit !(a > b + 2) }' || fail "db2 $db2 dB is not 2 dB above pixels $none dB"
awk -v a="$dct" -v b="$none" 'BEGIN { exit !(a > b + 2) }' || fail "dct $dct dB is not 2 dB above pixels $none dB"
grep -q '"levels":5' spec.json || fail "the spec does not carry the levels"
"$recon" --device cpu cs recover --operator spec.json y.npy again.npy --penalty l1 --lambda 0.003 --iters 1000 \
  --solver fista >/dev/null
psnr_above haar.npy again.npy 100 "cs recover from the spec"
grep -q '"basis":"dct"' dct_spec.json || fail "the spec does not carry the dct basis"
"$recon" --device cpu cs recover --operator dct_spec.json ydct.npy dct_again.npy --penalty l1 --lambda 0.003 \
  --iters 1000 --solver fista >/dev/null
psnr_above dct.npy dct_again.npy 100 "cs recover from the dct spec"
"$here/expect_error.sh" "axis 0 of \(32, 32\) has length 32, not divisible by 2\^6" --no-file bad.npy \
  -- "$recon" --device cpu cs ph.npy bad.npy --basis db2 --levels 6
"$here/expect_error.sh" "levels \(2\) apply to wavelet bases only, not 'hadamard'" --no-file bad.npy \
  -- "$recon" --device cpu cs ph.npy bad.npy --basis hadamard --levels 2
"$here/expect_error.sh" "levels \(2\) apply to wavelet bases only, not 'dct'" --no-file bad.npy \
  -- "$recon" --device cpu cs ph.npy bad.npy --basis dct --levels 2
echo "ok: cs wavelet and dct bases"
"$recon" phantom shepp-logan --size 64 ph64.npy >/dev/null
tv() {  # OUT [extra]: 64^2 from 35% Hadamard rows, ADMM
  local out=$1; shift
  "$recon" --device cpu cs ph64.npy "$out" --sensing hadamard --rate 0.35 --penalty l1 --lambda 0.01 --iters 300 \
    --seed 3 --solver admm "$@"
}
pix=$(tv pix.npy | field psnr)
out=$(tv iso.npy --tv iso)
iso=$(field psnr <<<"$out")
aniso=$(tv aniso.npy --tv aniso | field psnr)
echo "PSNR from Hadamard rows: pixels $pix dB, TV iso $iso dB, TV aniso $aniso dB"
grep -q '"tv":"iso"' <<<"$out" || fail "summary: $out"
awk -v a="$iso" -v b="$pix" 'BEGIN { exit !(a > b + 8) }' || fail "TV iso $iso dB is not 8 dB above pixels $pix dB"
awk -v a="$aniso" -v b="$pix" 'BEGIN { exit !(a > b + 8) }' || fail "TV aniso $aniso dB is not 8 dB above pixels $pix dB"
"$here/expect_error.sh" "cs: --tv puts the prior on the gradient of x; use it with --basis none, not 'haar'" \
  --no-file bad.npy -- "$recon" --device cpu cs ph.npy bad.npy --tv iso --solver admm --basis haar
"$here/expect_error.sh" "cs: a TV prior \(--tv\) is solved by admm, not fista" --no-file bad.npy \
  -- "$recon" --device cpu cs ph.npy bad.npy --tv iso --solver fista
echo "ok: cs TV prior"
