#!/usr/bin/env bash
# Runs on the GPU machine, from the bundle made by scripts/gpu-bundle:
#   1. every test executable (Host and Cuda cases), 2. the same under compute-sanitizer
#   (memcheck) when it is installed, 3. every benchmark on the GPU and on the host, JSON
#   into RESULTS_DIR, 4. `recon info`. Exit status: non-zero if any test or check failed.
# Usage: bash run-all.sh RESULTS_DIR [--quick]   (--quick: tests only)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
results=${1:?usage: run-all.sh RESULTS_DIR [--quick]}
quick=${2:-}
mkdir -p "$results"
export PATH="/usr/local/cuda/bin:$PATH"
export LD_LIBRARY_PATH="/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
failed=0

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | tee "$results/gpu.txt"
"$here/bin/recon" info | tee "$results/info.json" || failed=1

for t in "$here"/bin/test_*; do
  echo "=== $(basename "$t")"
  "$t" --gtest_brief=1 --gtest_output="json:$results/$(basename "$t").json" || failed=1
done

if [ "$quick" != "--quick" ]; then
  if command -v compute-sanitizer >/dev/null; then
    for t in "$here"/bin/test_*; do
      echo "=== compute-sanitizer $(basename "$t")"
      compute-sanitizer --tool memcheck --leak-check full --error-exitcode 3 \
        "$t" --gtest_brief=1 --gtest_filter='*Cuda*:*cuda*' >"$results/sanitizer-$(basename "$t").log" 2>&1 \
        || { failed=1; tail -20 "$results/sanitizer-$(basename "$t").log"; }
    done
  else
    echo "compute-sanitizer not found: memcheck not run" | tee "$results/sanitizer-missing.txt"
  fi
  for b in "$here"/bin/bench_*; do
    for dev in cuda cpu; do
      echo "=== $(basename "$b") on $dev"
      "$b" --device=$dev --benchmark_out="$results/$(basename "$b")-$dev.json" --benchmark_out_format=json || failed=1
    done
  done
fi
echo "run-all: $([ $failed = 0 ] && echo 'all passed' || echo 'FAILURES above')"
exit $failed
