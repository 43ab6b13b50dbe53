#!/usr/bin/env bash
# The device part of scripts/gpu-check: runs from a bundle folder (scripts/gpu/layout.sh: bin/,
# lib/) on the GPU machine and writes every log into RESULTS; check-summary.py summarises them.
# Steps, in order of what matters most when time runs short: nvidia-smi; recon info (measured copy
# bandwidth); every test executable (Host and Cuda cases, parity included); the distributed runs
# on the one GPU (test_device under the bundle's mpiexec: 1 rank through NCCL, 2 ranks sharing the
# GPU staged through host memory; ct cgls split by views on 1 and 2 ranks against the serial
# file); the end-to-end CLI
# runs on the GPU; one short pass of every benchmark suite (JSON per suite); TV against its GPU
# peers (bench/gpu_tv_peers.py); ASTRA 2.5 against recon on the same CT geometries
# (bench/astra_ct.py); CT at size (CGLS at 512^3 and 1024^3, resident and streamed under
# --device-memory-limit); compute-sanitizer memcheck on the Cuda cases of the core suites and
# racecheck on the reductions; last, the same end-to-end problems on the host (all cores; fewer
# iterations, FDK at half size).
# RECON_CHECK_STEPS (default all): a comma-separated choice of tests, dist, e2e (GPU and host), bench,
# peers, astra, ctlarge (CGLS at 512^3 and 1024^3, resident and under a 4 GiB limit), sanitizer; nvidia-smi and recon info always run. RECON_CHECK_STEPS=astra gives
# the ASTRA comparison the whole budget (scripts/gpu-check device-auto with it: docs/ct-benchmarks.md).
# Time: everything ends by RECON_CHECK_BUDGET seconds (default 360): each step has its own limit
# and no process runs past the deadline (a step with no time left is recorded as skipped). A
# process stopped at its limit is recorded with rc 124 and reported as a timeout, not fatal.
# Without a GPU (nvidia-smi absent or listing none: a host rehearsal) the end-to-end problems
# shrink to host sizes unless RECON_CHECK_*_N are given, the GPU runs still run (and report that
# there is no CUDA device), and the benchmarks run as a host smoke pass (the first two
# benchmarks of each suite on the CPU: the flags and the JSON are exercised, not the figures),
# and the ASTRA comparison runs its --quick sizes with recon on the CPU.
# Usage: check-run.sh BUNDLE_DIR RESULTS_DIR
set -uo pipefail
bundle=$(cd "$1" && pwd)
results=$2
mkdir -p "$results"/{tests,sanitizer,bench,e2e}
export PATH="/usr/local/cuda/bin:$PATH"
# lib/ first: a bundle laid out without patchelf has no $ORIGIN RPATH.
export LD_LIBRARY_PATH="$bundle/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
recon=$bundle/bin/recon
root=$(cd "$(dirname "$0")/../.." && pwd)  # the working tree (bench/ scripts, .gpu-deps)
# NCCL, which the bundle leaves out (layout.sh): the machine's own, after the bundle's libraries.
nccl_lib=$(bash "$root/scripts/gpu/nccl-lib.sh" "$root")
[ -z "$nccl_lib" ] || export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$nccl_lib"
start=$SECONDS
# Absolute times (EPOCHSECONDS): the test runner's `bash -c` children have their own SECONDS.
deadline=$((EPOCHSECONDS + ${RECON_CHECK_BUDGET:-360}))
step() { echo "gpu-check: == $1 (at $((SECONDS - start)) s)" | tee -a "$results/steps.log"; }
steps=${RECON_CHECK_STEPS:-all}
want() { [[ ",$steps," == *",all,"* || ",$steps," == *",$1,"* ]]; }
[ "$steps" = all ] || echo "$steps" >"$results/steps-chosen.txt"
# limit CAP [END]: CAP seconds, or less so as to end by END (default the deadline); 0 = no time.
limit() {
  local cap=$1 end=${2:-$deadline} left
  [ "$end" -le "$deadline" ] || end=$deadline
  left=$((end - EPOCHSECONDS))
  [ "$left" -ge "$cap" ] || cap=$left
  echo $((cap > 0 ? cap : 0))
}
# bounded LIMIT command...: runs it under timeout (and KILL 5 s after), or returns 124 at once
# when LIMIT is under 2 s.
bounded() {
  local l=$1
  shift
  [ "$l" -ge 2 ] || return 124
  timeout -k 5 "$l" "$@"
}

step "nvidia-smi"
gpu=0
if ! command -v nvidia-smi >/dev/null; then
  echo "none: nvidia-smi not found" >"$results/gpu.txt"
elif ! timeout 20 nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,clocks.mem \
  --format=csv,noheader >"$results/gpu.txt" 2>&1 || ! [ -s "$results/gpu.txt" ]; then
  sed -i '1s/^/none: nvidia-smi failed: /' "$results/gpu.txt"
else
  gpu=1
  timeout 20 nvidia-smi >"$results/nvidia-smi.txt" 2>&1
fi
[ "$gpu" = 1 ] || touch "$results/no-gpu"
cat "$results/gpu.txt"

step "recon info (measured copy bandwidth)"
bounded "$(limit 60)" "$recon" info >"$results/info.json" 2>"$results/info.err"
echo "rc=$?" >>"$results/info.err"

# Tests: several executables at once (16 cores, one GPU); OpenMP threads shared out.
jobs=${RECON_CHECK_TEST_JOBS:-4}
tests_end=$((EPOCHSECONDS + ${RECON_CHECK_TESTS_PHASE:-150}))
run_test() {  # EXECUTABLE RESULTS
  local t=$1 name l threads
  name=$(basename "$t")
  threads=$(($(nproc) / jobs))
  l=$(limit "${RECON_CHECK_TEST_LIMIT:-120}" "$tests_end")
  OMP_NUM_THREADS=$((threads > 0 ? threads : 1)) bounded "$l" "$t" --gtest_brief=1 \
    --gtest_output="json:$2/tests/$name.json" >"$2/tests/$name.log" 2>&1
  echo "$name rc=$? limit=$l" >>"$2/tests/rc.txt"
}
export -f run_test limit bounded
export jobs tests_end deadline
if want tests; then
  step "tests: every executable, $jobs at a time"
  find "$bundle/bin" -name 'test_*' -type f | sort | xargs -P "$jobs" -I{} bash -c 'run_test {} "$0"' "$results"
fi

# Sizes: the issue's problems on the GPU; without one they shrink to what a small host runs in
# seconds (scripts/gpu-check rehearse), unless given.
if [ "$gpu" = 1 ]; then
  tv_n=${RECON_CHECK_TV_N:-2048} ct_n=${RECON_CHECK_CT_N:-256} fdk_n=${RECON_CHECK_FDK_N:-512}
else
  tv_n=${RECON_CHECK_TV_N:-256} ct_n=${RECON_CHECK_CT_N:-48} fdk_n=${RECON_CHECK_FDK_N:-64}
fi
host_fdk_n=${RECON_CHECK_HOST_FDK_N:-$((fdk_n / 2))}
e2e=$results/e2e
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
timed() {  # name, cap (s), recon arguments...
  local name=$1 l
  l=$(limit "$2" "${phase_end:-$deadline}")
  shift 2
  local t0=$SECONDS
  bounded "$l" "$recon" "$@" >"$e2e/$name.json" 2>"$e2e/$name.err"
  echo "{\"name\": \"$name\", \"rc\": $?, \"wall_s\": $((SECONDS - t0)), \"limit_s\": $l}" >>"$e2e/runs.jsonl"
}
cone_geometry() {  # FILE N DETECTOR VIEWS: an N^3 circular cone-beam scan over 360 degrees
  printf '{"volume": {"shape": [%d, %d, %d], "voxel_size": 1.0}, "projection": {"type": "cone", "detector_shape": [%d, %d], "pixel_size": 1.5, "angles": {"start": 0, "stop": 6.283185307179586, "count": %d}, "source_origin": %d, "origin_detector": %d}}\n' \
    "$2" "$2" "$2" "$3" "$3" "$4" $(($2 * 5 / 2)) $(($2 * 5 / 4)) >"$1"
}
cone() { cone_geometry "$1" "$2" $(($2 * 3 / 2)) $(($2 * 45 / 32)); }  # 256: 384^2 detector, 360 views
tv_iters=500 ct_iters=100
# Distributed runs on the one GPU (docs/distributed.md). The GPU image has no MPI runtime: the
# bundle carries MPICH's Hydra (bin/mpiexec.hydra, bin/hydra_pmi_proxy; fork launcher, one node)
# and libmpich (lib/). test_device's Cuda cases under mpiexec -n 1 (NCCL, in a build with it) and
# -n 2 with RECON_DIST_STAGING=host (the two ranks share the GPU, which NCCL refuses), then the
# CLI's CGLS split by views on 1 rank (NCCL) and 2 ranks (staged) against the serial file, the
# same bits or PSNR >= 100 dB expected (float rounding of the all-reduced back-projection). About a
# minute on the GPU. Without one (a host rehearsal) the same flow on the CPU at a small size.
if want dist; then
  dist=$results/dist
  mkdir -p "$dist"
  dist_end=$((EPOCHSECONDS + ${RECON_CHECK_DIST_PHASE:-75}))
  hydra=$bundle/bin/mpiexec.hydra
  if [ "$gpu" = 1 ]; then
    dist_dev=cuda dist_n=${RECON_CHECK_DIST_N:-96}
  else
    dist_dev=cpu dist_n=${RECON_CHECK_DIST_N:-24}
  fi
  step "distributed: test_device on 1 rank (NCCL) and 2 ranks (staged), ct cgls ${dist_n}^3 by views on 1 and 2 ranks against serial"
  echo "{\"device\": \"$dist_dev\", \"n\": $dist_n, \"nccl_lib\": \"${nccl_lib:-}\"}" >"$dist/setup.json"
  if [ ! -x "$hydra" ]; then
    echo "no mpiexec.hydra in the bundle: built without MPI" >"$dist/missing.txt"
  else
    # mpi NAME RANKS STAGING CAP COMMAND...: under the bundle's Hydra; "NAME rc=.." into rc.txt.
    # MPI only ever sees host memory here (staged, or NCCL's unique id): MPICH's GPU support off.
    # NCCL's warnings go into the log.
    mpi() {
      local name=$1 ranks=$2 staging=$3 l
      l=$(limit "$4" "$dist_end")
      shift 4
      RECON_DIST_STAGING=$staging MPIR_CVAR_ENABLE_GPU=0 NCCL_DEBUG=${NCCL_DEBUG:-WARN} OMP_NUM_THREADS=4 \
        PATH="$bundle/bin:$PATH" \
        bounded "$l" "$hydra" -launcher fork -n "$ranks" "$@" >"$dist/$name.log" 2>&1
      echo "$name rc=$? limit=$l ranks=$ranks staging=${staging:-auto}" >>"$dist/rc.txt"
    }
    # gtest's JSON report per rank (NAME-RANK.json; check-summary.py reads rank 0's).
    per_rank_report='exec "$0" --gtest_brief=1 --gtest_output="json:$1-${PMI_RANK:-0}.json"'
    mpi ranks-n2 2 host 10 sh -c 'echo "rank $PMI_RANK: CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES-unset}"'
    mpi test_device-n1 1 "" 60 bash -c "$per_rank_report" "$bundle/bin/test_device" "$dist/test_device-n1"
    mpi test_device-n2 2 host 60 bash -c "$per_rank_report" "$bundle/bin/test_device" "$dist/test_device-n2"
    cone "$work/dist.json" "$dist_n"
    bounded "$(limit 30 "$dist_end")" "$recon" --device auto ct simulate "$work/dist-y.npy" --geometry "$work/dist.json" \
      --phantom shepp-logan --seed 6 >"$dist/simulate.json" 2>&1
    cgls=(--device "$dist_dev" ct cgls "$work/dist-y.npy" --geometry "$work/dist.json" --iters 10 --tol 0)
    bounded "$(limit 30 "$dist_end")" "$recon" "${cgls[@]:0:5}" "$work/dist-serial.npy" "${cgls[@]:5}" \
      >"$dist/cgls-serial.json" 2>&1
    echo "cgls-serial rc=$? ranks=0" >>"$dist/rc.txt"
    for ranks in 1 2; do
      staging=$([ "$ranks" = 1 ] && echo "" || echo host)
      mpi "cgls-n$ranks" "$ranks" "$staging" 30 "$recon" "${cgls[@]:0:5}" "$work/dist-n$ranks.npy" "${cgls[@]:5}" \
        --distribute views
      if [ -f "$work/dist-serial.npy" ] && [ -f "$work/dist-n$ranks.npy" ]; then
        cmp -s "$work/dist-serial.npy" "$work/dist-n$ranks.npy" && echo same >"$dist/cgls-n$ranks.same"
        bounded "$(limit 20 "$dist_end")" "$recon" --device cpu metrics "$work/dist-serial.npy" "$work/dist-n$ranks.npy" \
          >"$dist/cgls-n$ranks-vs-serial.json" 2>&1
      fi
    done
    rm -f "$work"/dist-*.npy
  fi
fi

if want e2e; then
  echo "{\"tv_n\": $tv_n, \"ct_n\": $ct_n, \"fdk_n\": $fdk_n, \"host_fdk_n\": $host_fdk_n, \"tv_iters\": $tv_iters, \"ct_iters\": $ct_iters, \"host_tv_iters\": ${RECON_CHECK_HOST_TV_ITERS:-100}, \"host_ct_iters\": ${RECON_CHECK_HOST_CT_ITERS:-1}}" >"$e2e/sizes.json"

  # End to end on the GPU: the problems, made on the GPU (--device auto), then solved there.
  phase_end=$((EPOCHSECONDS + ${RECON_CHECK_E2E_PHASE:-150}))
  step "end to end on the GPU: denoise ${tv_n}^2, ct recon ${ct_n}^3 cone, ct fdk ${fdk_n}^3"
  bounded "$(limit 30 "$phase_end")" "$recon" phantom shepp-logan --size "$tv_n" "$work/clean.npy" >/dev/null &&
    bounded "$(limit 30 "$phase_end")" "$recon" noise "$work/clean.npy" "$work/noisy.npy" --kind gaussian \
      --sigma 0.1 --seed 1 >/dev/null
  cone "$work/cone-ct.json" "$ct_n"
  cone "$work/cone-fdk.json" "$fdk_n"
  cone "$work/cone-fdk-host.json" "$host_fdk_n"
  timed sim-ct 40 --device auto ct simulate "$work/s-ct.npy" --geometry "$work/cone-ct.json" --phantom shepp-logan \
    --truth "$work/t-ct.npy" --flux 1e5 --seed 2
  timed sim-fdk 40 --device auto ct simulate "$work/s-fdk.npy" --geometry "$work/cone-fdk.json" --phantom shepp-logan --seed 3
  denoise() { timed "denoise-$1" "$2" --device "$1" denoise "$work/noisy.npy" "$work/d-$1.npy" --penalty l1 --lambda 0.1 \
    --solver pdhg --iters "$3" --tol 0 --reference "$work/clean.npy"; }
  ct_recon() { timed "ct-recon-$1" "$2" --device "$1" ct recon "$work/s-ct.npy" "$work/r-$1.npy" --geometry "$work/cone-ct.json" \
    --lambda 0.01 --iters "$3" --tol 0 --cg-iters 5 --reference "$work/t-ct.npy"; }
  denoise cuda 40 $tv_iters
  ct_recon cuda 100 $ct_iters
  timed ct-fdk-cuda 40 --device cuda ct fdk "$work/s-fdk.npy" "$work/f-cuda.npy" --geometry "$work/cone-fdk.json"
  # The texture units' interpolation beside the exact one: its time, and its PSNR against the exact result.
  timed ct-fdk-cuda-texture 40 --device cuda ct fdk "$work/s-fdk.npy" "$work/f-cuda-texture.npy" \
    --geometry "$work/cone-fdk.json" --interpolation texture
  [ "$gpu" = 1 ] && timed ct-fdk-texture-vs-exact 30 --device cpu metrics "$work/f-cuda.npy" "$work/f-cuda-texture.npy"
  phase_end=""
fi

if want bench; then
  bench_end=$((EPOCHSECONDS + ${RECON_CHECK_BENCH_PHASE:-80}))
  if [ "$gpu" = 1 ]; then
    step "benchmarks: one short pass of every suite on the GPU"
  else
    step "benchmarks: no GPU, a host smoke pass (the first two benchmarks of each suite)"
  fi
  for b in "$bundle"/bin/bench_*; do
    name=$(basename "$b")
    filter=()
    dev=cuda
    if [ "$gpu" = 0 ]; then
      dev=cpu
      first=$(timeout 20 "$b" --device=cpu --benchmark_list_tests=true 2>/dev/null | head -n 2 |
        sed 's/[][\\.^$*+?(){}|]/\\&/g' | paste -sd'|')
      filter=("--benchmark_filter=^($first)\$")
    fi
    l=$(limit "${RECON_CHECK_BENCH_LIMIT:-40}" "$bench_end")
    # --benchmark_min_time in seconds as a plain number: Google Benchmark 1.7 (Debian 12, bundled).
    bounded "$l" "$b" --device=$dev --benchmark_min_time=0.02 "${filter[@]}" \
      --benchmark_out="$results/bench/$name-$dev.json" --benchmark_out_format=json >"$results/bench/$name.log" 2>&1
    echo "$name rc=$? device=$dev limit=$l" >>"$results/bench/rc.txt"
  done
fi

# TV side by side with its GPU peers (bench/gpu_tv_peers.py), installed from the wheels that
# scripts/gpu-deps puts in .gpu-deps/wheels (the image has CuPy and PyTorch, not the peers).
if [ "$gpu" = 1 ] && want peers; then
  step "TV against its GPU peers: ccpi-regularisation-cupy PD_TV, deepinv TVDenoiser"
  mkdir -p "$results/peers"
  site=$(mktemp -d)
  wheels=$root/.gpu-deps/wheels
  if ls "$wheels"/*.whl >/dev/null 2>&1; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$site" "$wheels"/*.whl \
      >"$results/peers/pip.log" 2>&1
  else
    echo "no wheels in $wheels: the peers are reported missing" >"$results/peers/pip.log"
  fi
  PYTHONPATH="$site${PYTHONPATH:+:$PYTHONPATH}" bounded "$(limit "${RECON_CHECK_PEERS_LIMIT:-60}")" \
    python3 "$root/bench/gpu_tv_peers.py" --recon "$recon" --out "$results/peers/tv.json" >"$results/peers/tv.md" 2>&1
  echo "rc=$?" >>"$results/peers/tv.md"
fi

# ASTRA 2.5 against recon on the same CT geometries (bench/astra_ct.py). scripts/gpu-deps puts
# ASTRA's cp312 wheel, the CUDA 12 runtime's wheel and a libcufft.so.11 that forwards to the
# machine's CUDA 13 libcufft.so.12 (ASTRA's wheel wants CUDA 12's cuFFT, ~200 MB as a wheel) in
# .gpu-deps/astra; they go into a private folder, the libraries onto LD_LIBRARY_PATH (not
# PYTHONPATH: the image's own nvidia.* packages stay as they are). Without a GPU: the --quick
# sizes, recon on the CPU, ASTRA's CPU mapping checks where it imports.
if want astra; then
  step "ASTRA against recon: FP, BP, FDK/FBP, SIRT on the same geometries (bench/astra_ct.py)"
  mkdir -p "$results/astra"
  astra_deps=$root/.gpu-deps/astra
  astra_site=$(mktemp -d)
  astra_libs=$astra_site-libs
  {
    if ls "$astra_deps"/*.whl >/dev/null 2>&1; then
      python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$astra_site" \
        "$astra_deps"/*.whl && mv "$astra_site/nvidia" "$astra_libs"
    else
      echo "no wheels in $astra_deps (scripts/gpu-deps): ASTRA is reported missing"
    fi
    mkdir -p "$astra_libs/cufft/lib"
    if [ -f "$astra_deps/libcufft.so.11" ]; then
      cp "$astra_deps/libcufft.so.11" "$astra_libs/cufft/lib/"
    elif [ -f "$astra_deps/cufft11_shim.c" ] && command -v gcc >/dev/null; then
      gcc -shared -fPIC -O2 -Wl,--version-script="$astra_deps/libcufft11.map" -Wl,-soname,libcufft.so.11 \
        -o "$astra_libs/cufft/lib/libcufft.so.11" "$astra_deps/cufft11_shim.c" -ldl
    fi
    # The machine's CUDA 13 cuFFT, which the shim opens: the loader's cache, the toolkit, Python's packages.
    cufft12=$(ldconfig -p 2>/dev/null | awk '$1 == "libcufft.so.12" { print $NF; exit }')
    for f in /usr/local/cuda/lib64/libcufft.so.12 /usr/local/cuda-*/lib64/libcufft.so.12 \
      /usr/local/cuda/targets/x86_64-linux/lib/libcufft.so.12; do
      [ -n "$cufft12" ] || { [ -e "$f" ] && cufft12=$f; }
    done
    if [ -z "$cufft12" ]; then
      for d in $(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null); do
        [ -n "$cufft12" ] || cufft12=$(find "$d/nvidia" -name 'libcufft.so.12' 2>/dev/null | head -n 1)
      done
    fi
    echo "libcufft.so.12: ${cufft12:-not found: FBP_CUDA and FDK_CUDA will fail}"
  } >"$results/astra/setup.log" 2>&1
  astra_ld="$astra_libs/cuda_runtime/lib:$astra_libs/cufft/lib${cufft12:+:$(dirname "$cufft12")}"
  if [ "$gpu" = 1 ]; then
    astra_args=(--device cuda)
    astra_cap=$([ "$steps" = astra ] && echo 100000 || echo "${RECON_CHECK_ASTRA_LIMIT:-150}")
  else
    astra_args=(--device cpu --quick)
    astra_cap=${RECON_CHECK_ASTRA_LIMIT:-120}
  fi
  l=$(limit "$astra_cap")
  # Its own budget ends 10 s before the limit, so that it writes its JSON and table itself.
  PYTHONPATH="$astra_site${PYTHONPATH:+:$PYTHONPATH}" LD_LIBRARY_PATH="$astra_ld:$LD_LIBRARY_PATH" PYTHONUNBUFFERED=1 \
    bounded "$l" python3 "$root/bench/astra_ct.py" --recon "$recon" --bench "$bundle/bin/bench_ct" \
    --out "$results/astra/astra_ct.json" --budget $((l > 20 ? l - 10 : l)) "${astra_args[@]}" \
    >"$results/astra/astra_ct.md" 2>&1
  echo "rc=$? limit=$l" >>"$results/astra/astra_ct.md"
  rm -rf "$astra_site" "$astra_libs"
fi

# CT at the sizes of the CT-speed targets: CGLS per iteration on 512^3 x 360 views of 768 x 1024
# and on 1024^3 x 512 views of 1024^2 with the data resident on the GPU, then the 1024^3 problem
# again under --device-memory-limit 4GiB, streamed through the device in slabs (ct/streamed.hpp);
# FDK of it resident and under the same limit.
# Without a GPU: small sizes on the host, the cap shrunk to match.
if want ctlarge; then
  if [ "$gpu" = 1 ]; then
    mid=(512 768 1024 360 1.5) big=(1024 1024 1024 512 2.5) cap=4GiB dev=cuda
  else
    mid=(32 48 64 36 1.5) big=(48 48 48 40 2.5) cap=512KiB dev=cpu
  fi
  step "CT at size: cgls ${mid[0]}^3 x ${mid[3]}, ${big[0]}^3 x ${big[3]} resident and under a $cap device limit"
  cone_scan() {  # FILE N ROWS COLS VIEWS PIXEL: a circular scan over 360 degrees, magnification 1.5
    printf '{"volume": {"shape": [%d, %d, %d]}, "projection": {"type": "cone", "detector_shape": [%d, %d], "pixel_size": %s, "angles": {"start": 0, "stop": 6.283185307179586, "count": %d}, "source_origin": %d, "origin_detector": %d}}\n' \
      "$2" "$2" "$2" "$3" "$4" "$6" "$5" $(($2 * 5 / 2)) $(($2 * 5 / 4)) >"$1"
  }
  cone_scan "$work/mid.json" "${mid[@]}"
  cone_scan "$work/big.json" "${big[@]}"
  timed sim-mid 60 --device auto ct simulate "$work/s-mid.npy" --geometry "$work/mid.json" --seed 4
  timed ct-cgls-mid-$dev 90 --device $dev ct cgls "$work/s-mid.npy" "$work/c-mid.npy" --geometry "$work/mid.json" \
    --iters 3 --tol 0
  timed sim-big 120 --device auto ct simulate "$work/s-big.npy" --geometry "$work/big.json" --seed 5
  rm -f "$work/s-mid.npy" "$work/c-mid.npy"
  timed ct-cgls-big-$dev 120 --device $dev ct cgls "$work/s-big.npy" "$work/c-big.npy" --geometry "$work/big.json" \
    --iters 2 --tol 0
  timed ct-cgls-big-capped-$dev 180 --device $dev --device-memory-limit $cap ct cgls "$work/s-big.npy" \
    "$work/c-big-capped.npy" --geometry "$work/big.json" --iters 2 --tol 0
  timed ct-cgls-big-streamed-vs-resident 60 --device cpu metrics "$work/c-big.npy" "$work/c-big-capped.npy"
  rm -f "$work/c-big.npy" "$work/c-big-capped.npy"
  timed ct-fdk-big-$dev 60 --device $dev ct fdk "$work/s-big.npy" "$work/f-big.npy" --geometry "$work/big.json"
  timed ct-fdk-big-capped-$dev 120 --device $dev --device-memory-limit $cap ct fdk "$work/s-big.npy" \
    "$work/f-big-capped.npy" --geometry "$work/big.json"
  timed ct-fdk-big-streamed-vs-resident 60 --device cpu metrics "$work/f-big.npy" "$work/f-big-capped.npy"
  rm -f "$work"/*big*.npy
fi

if want sanitizer; then
  step "compute-sanitizer"
  if ! command -v compute-sanitizer >/dev/null; then
    echo "compute-sanitizer not found" >"$results/sanitizer/missing.txt"
  elif [ "$gpu" = 0 ]; then
    echo "no GPU: compute-sanitizer not run" >"$results/sanitizer/missing.txt"
  else
    san_end=$((EPOCHSECONDS + ${RECON_CHECK_SAN_PHASE:-80}))
    san() {  # tool, executable, filter, cap
      local log=$results/sanitizer/$1-$2.log l
      l=$(limit "$4" "$san_end")
      bounded "$l" compute-sanitizer --tool "$1" --error-exitcode 3 \
        "$bundle/bin/$2" --gtest_brief=1 --gtest_filter="$3" >"$log" 2>&1
      echo "rc=$? limit=$l" >>"$log"
    }
    san memcheck test_kernels_runtime '*Cuda*:*Parity*' 50 &
    san memcheck test_penalties '*Cuda*:*Parity*' 50 &
    san memcheck test_operators '*Cuda*:*Parity*' 50 &
    san memcheck test_ct_projector '*Cuda*:*Parity*' 50 &
    wait
    san racecheck test_kernels_runtime '*Cuda*Reduc*:*Cuda*reduc*:*Cuda*Sum*:*Cuda*Dot*' 30 &
    san racecheck test_ct_projector '*Cuda*Adjoint*:*Parity*' 30 &
    wait
  fi
fi

if want e2e; then
  # The host side, last: the same problems on every core, with fewer iterations (per-iteration
  # times compare) and FDK at half size (a full 512^3, 720-view FDK takes minutes on 16 cores).
  step "end to end on the host: denoise ${tv_n}^2, ct recon ${ct_n}^3 (${RECON_CHECK_HOST_CT_ITERS:-1} iterations), ct fdk ${host_fdk_n}^3"
  denoise cpu 30 "${RECON_CHECK_HOST_TV_ITERS:-100}"
  ct_recon cpu 60 "${RECON_CHECK_HOST_CT_ITERS:-1}"
  timed sim-fdk-host 40 --device auto ct simulate "$work/s-fdk-host.npy" --geometry "$work/cone-fdk-host.json" \
    --phantom shepp-logan --seed 3
  timed ct-fdk-cpu 60 --device cpu ct fdk "$work/s-fdk-host.npy" "$work/f-cpu.npy" --geometry "$work/cone-fdk-host.json"
fi
# The Python package with CUDA arrays (scripts/gpu/python-step.sh): the CUDA module built there,
# tests/python/test_cuda_arrays.py and bench/python_overhead.py. Not part of `all`: only when
# RECON_CHECK_STEPS names `python`, since building the module there takes most of a run.
if [[ ",$steps," == *",python,"* ]]; then
  step "python: build the CUDA module, CuPy/torch arrays (tests/python/test_cuda_arrays.py), bench/python_overhead.py"
  l=$(limit "${RECON_CHECK_PYTHON_LIMIT:-520}")
  bash "$root/scripts/gpu/python-step.sh" "$bundle" "$results" "$l" >"$results/python-step.log" 2>&1
  echo "rc=$? limit=$l" >>"$results/python-step.log"
fi
step "done"
