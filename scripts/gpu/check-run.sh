#!/usr/bin/env bash
# The device part of scripts/gpu-check: runs from an unpacked bundle (scripts/gpu-bundle) on the
# GPU machine, each step under its own time limit so the whole run ends inside about 7 minutes,
# writes every log into RESULTS, and ends with the summary (scripts/gpu/check-summary.py).
# Steps: nvidia-smi; recon info (measured copy bandwidth); every test executable (Host and Cuda
# cases, parity included); compute-sanitizer memcheck on the Cuda cases of the core suites and
# racecheck on the reductions; one short pass of every benchmark suite on the GPU; three
# end-to-end CLI runs on the GPU and on the host side by side.
# Usage: check-run.sh BUNDLE_DIR RESULTS_DIR
set -uo pipefail
bundle=$(cd "$1" && pwd)
results=$2
mkdir -p "$results"/{tests,sanitizer,bench,e2e}
export PATH="/usr/local/cuda/bin:$PATH"
export LD_LIBRARY_PATH="/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
recon=$bundle/bin/recon
cores=$(nproc)
start=$SECONDS
step() { echo "gpu-check: == $1 (at $((SECONDS - start)) s)" | tee -a "$results/steps.log"; }

step "nvidia-smi"
timeout 20 nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem --format=csv,noheader \
  >"$results/gpu.txt" 2>&1 || echo "no GPU visible (nvidia-smi failed)" >>"$results/gpu.txt"
cat "$results/gpu.txt"
timeout 20 nvidia-smi >"$results/nvidia-smi.txt" 2>&1

step "recon info (measured copy bandwidth)"
timeout 60 "$recon" info >"$results/info.json" 2>"$results/info.err"
echo "rc=$?" >>"$results/info.err"

# Tests: several executables at once (16 cores, one GPU); OpenMP threads shared out.
step "tests: every executable, ${RECON_CHECK_TEST_JOBS:-4} at a time"
run_test() {
  local t=$1 name
  name=$(basename "$t")
  local threads=$(( $(nproc) / ${RECON_CHECK_TEST_JOBS:-4} ))
  OMP_NUM_THREADS=$(( threads > 0 ? threads : 1 )) timeout "${RECON_CHECK_TEST_LIMIT:-150}" "$t" \
    --gtest_brief=1 --gtest_output="json:$2/tests/$name.json" >"$2/tests/$name.log" 2>&1
  echo "$name rc=$?" >>"$2/tests/rc.txt"
}
export -f run_test
find "$bundle/bin" -name 'test_*' -type f | sort | xargs -P "${RECON_CHECK_TEST_JOBS:-4}" -I{} bash -c 'run_test {} "$0"' "$results"

step "compute-sanitizer"
if command -v compute-sanitizer >/dev/null; then
  san() {  # tool, executable, filter
    local log=$results/sanitizer/$1-$2.log
    timeout "${RECON_CHECK_SAN_LIMIT:-75}" compute-sanitizer --tool "$1" --error-exitcode 3 \
      "$bundle/bin/$2" --gtest_brief=1 --gtest_filter="$3" >"$log" 2>&1
    echo "rc=$?" >>"$log"
  }
  san memcheck test_kernels_runtime '*Cuda*:*Parity*' &
  san memcheck test_penalties '*Cuda*:*Parity*' &
  san memcheck test_operators '*Cuda*:*Parity*' &
  san memcheck test_ct_projector '*Cuda*:*Parity*' &
  wait
  san racecheck test_kernels_runtime '*Cuda*Reduc*:*Cuda*reduc*:*Cuda*Sum*:*Cuda*Dot*' &
  san racecheck test_ct_projector '*Cuda*Adjoint*:*Parity*' &
  wait
else
  echo "compute-sanitizer not found" >"$results/sanitizer/missing.txt"
fi

step "benchmarks: one short pass of every suite on the GPU"
for b in "$bundle"/bin/bench_*; do
  name=$(basename "$b")
  timeout "${RECON_CHECK_BENCH_LIMIT:-25}" "$b" --device=cuda --benchmark_min_time=0.02 \
    --benchmark_out="$results/bench/$name-cuda.json" --benchmark_out_format=json >"$results/bench/$name.log" 2>&1
  echo "$name rc=$?" >>"$results/bench/rc.txt"
done

# End to end: the GPU runs in full; the host (all cores) runs the same problem with fewer
# iterations where the full count would not fit, and the summary compares time per iteration.
step "end to end: denoise ${RECON_CHECK_TV_N:-2048}^2, ct recon ${RECON_CHECK_CT_N:-256}^3 cone, ct fdk ${RECON_CHECK_FDK_N:-512}^3"
e2e=$results/e2e
work=$(mktemp -d)
timed() {  # name, limit, recon arguments...
  local name=$1 limit=$2
  shift 2
  local t0=$SECONDS
  timeout "$limit" "$recon" "$@" >"$e2e/$name.json" 2>"$e2e/$name.err"
  echo "{\"name\": \"$name\", \"rc\": $?, \"wall_s\": $((SECONDS - t0))}" >>"$e2e/runs.jsonl"
}
# Sizes: the target problems on the GPU; scripts/gpu-check rehearse shrinks them for a 2-core host.
tv_n=${RECON_CHECK_TV_N:-2048} ct_n=${RECON_CHECK_CT_N:-256} fdk_n=${RECON_CHECK_FDK_N:-512}
"$recon" phantom shepp-logan --size "$tv_n" "$work/clean.npy" >/dev/null &&
  "$recon" noise "$work/clean.npy" "$work/noisy.npy" --kind gaussian --sigma 0.1 --seed 1 >/dev/null
for dev in cuda cpu; do
  iters=500; [ $dev = cpu ] && iters=${RECON_CHECK_HOST_TV_ITERS:-100}
  timed "denoise-$dev" 60 --device $dev denoise "$work/noisy.npy" "$work/d-$dev.npy" --penalty l1 --lambda 0.1 \
    --solver pdhg --iters $iters --tol 0 --reference "$work/clean.npy"
done
cone_geometry() {  # FILE N DETECTOR VIEWS: an N^3 circular cone-beam scan over 360 degrees
  printf '{"volume": {"shape": [%d, %d, %d], "voxel_size": 1.0}, "projection": {"type": "cone", "detector_shape": [%d, %d], "pixel_size": 1.5, "angles": {"start": 0, "stop": 6.283185307179586, "count": %d}, "source_origin": %d, "origin_detector": %d}}\n' \
    "$2" "$2" "$2" "$3" "$3" "$4" $(($2 * 5 / 2)) $(($2 * 5 / 4)) >"$1"
}
cone_geometry "$work/cone256.json" "$ct_n" $((ct_n * 3 / 2)) $((ct_n * 45 / 32))
cone_geometry "$work/cone512.json" "$fdk_n" $((fdk_n * 3 / 2)) $((fdk_n * 45 / 32))
timed sim256 60 --device auto ct simulate "$work/s256.npy" --geometry "$work/cone256.json" --phantom shepp-logan \
  --truth "$work/t256.npy" --flux 1e5 --seed 2
for dev in cuda cpu; do
  iters=100; [ $dev = cpu ] && iters=${RECON_CHECK_HOST_CT_ITERS:-2}
  timed "ct-recon-$dev" 90 --device $dev ct recon "$work/s256.npy" "$work/r-$dev.npy" --geometry "$work/cone256.json" \
    --lambda 0.01 --iters $iters --tol 0 --cg-iters 5 --reference "$work/t256.npy"
done
timed sim512 60 --device auto ct simulate "$work/s512.npy" --geometry "$work/cone512.json" --phantom shepp-logan --seed 3
for dev in cuda cpu; do
  timed "ct-fdk-$dev" 90 --device $dev ct fdk "$work/s512.npy" "$work/f-$dev.npy" --geometry "$work/cone512.json"
done
rm -rf "$work"
step "done"
