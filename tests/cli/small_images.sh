#!/usr/bin/env bash
# Usage: small_images.sh RECON WORK_DIR
# Images smaller than SSIM's 11-tap window: denoise --reference and tune succeed and leave SSIM
# out of their summaries (it used to fail after all the work, naming the internal ssim());
# tune --select ssim refuses them with one error line.
set -eu
recon=$1 work=$2
mkdir -p "$work"
"$recon" phantom shepp-logan --size 8 "$work/p.npy" >/dev/null
out=$("$recon" tune "$work/p.npy" "$work/p.npy" --penalty l1 --lambdas 0.1,0.2 --iters 5)
grep -q '"psnr"' <<<"$out" || { echo "FAIL: tune summary without psnr: $out"; exit 1; }
if grep -q '"ssim"' <<<"$out"; then echo "FAIL: tune reports SSIM on 8x8: $out"; exit 1; fi
if err=$("$recon" tune "$work/p.npy" "$work/p.npy" --penalty l1 --lambdas 0.1 --iters 5 --select ssim 2>&1); then
  echo "FAIL: tune --select ssim succeeded on 8x8: $err"; exit 1
fi
grep -q "select ssim needs SSIM, which is undefined" <<<"$err" || { echo "FAIL: unexpected error: $err"; exit 1; }
out=$("$recon" denoise "$work/p.npy" "$work/d.npy" --penalty l1 --reference "$work/p.npy" --iters 5)
if grep -q '"ssim"' <<<"$out"; then echo "FAIL: denoise reports SSIM on 8x8: $out"; exit 1; fi
echo "ok"
