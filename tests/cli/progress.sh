#!/usr/bin/env bash
# Usage: progress.sh RECON WORK_DIR
# Off a terminal, a long command keeps stderr empty on success (scripts read its JSON on
# stdout), and --progress prints one line per tenth of the work with the time left.
set -eu
recon=$1 work=$2
mkdir -p "$work"
"$recon" phantom shepp-logan --size 32 "$work/p.npy" >/dev/null
"$recon" noise --kind gaussian --sigma 0.1 "$work/p.npy" "$work/n.npy" >/dev/null
"$recon" denoise "$work/n.npy" "$work/quiet.npy" --penalty l1 --iters 40 --check-every 1 --tol 0 \
  >/dev/null 2>"$work/quiet.err"
if [ -s "$work/quiet.err" ]; then echo "FAIL: stderr not empty without --progress: $(cat "$work/quiet.err")"; exit 1; fi
"$recon" --progress denoise "$work/n.npy" "$work/loud.npy" --penalty l1 --iters 40 --check-every 1 --tol 0 \
  >/dev/null 2>"$work/loud.err"
lines=$(grep -c "^recon denoise: [0-9]*/40 iterations ([0-9]*%), .* s elapsed, about .* s left" "$work/loud.err" || true)
if [ "$lines" -lt 5 ] || [ "$lines" -gt 11 ]; then
  echo "FAIL: expected 5 to 11 progress lines with --progress, got $lines: $(cat "$work/loud.err")"
  exit 1
fi
echo "ok: $lines progress lines; none without --progress"
