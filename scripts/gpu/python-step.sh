#!/usr/bin/env bash
# check-run.sh's `python` step (RECON_CHECK_STEPS=python; not part of `all`, since the build takes
# most of a device run): builds the CUDA Python module there from the carried working tree (the
# machine's Python is 3.12, this host's 3.11, so a module built here would not import there), then
# runs tests/python/test_cuda_arrays.py (CuPy and torch CUDA arrays: zero copy, stream order,
# results equal to the NumPy path) and bench/python_overhead.py (a cone-beam CGLS iteration from
# Python against `recon ct cgls`), and leaves their logs and JSON in RESULTS/python.
# Only the target _recon is built (the C++ side of the benchmark is the bundle's recon) (the libraries it links: kernels, operators, engine, io), for
# sm_90 alone, with the machine's nvcc, CMake, ninja, nanobind and scikit-build-core; FFTW,
# OpenBLAS and the other Debian packages come from .gpu-deps (the prefix `scripts/gpu-check
# device-build` unpacked, or one unpacked here with dpkg -x).
# Usage: python-step.sh BUNDLE_DIR RESULTS_DIR LIMIT_SECONDS
# Without a GPU (a host rehearsal) it builds and runs the same; the GPU tests then skip, and the
# benchmark runs on the CPU with NumPy arrays at a small size.
set -uo pipefail
bundle=$1
results=$2/python
limit=$3
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$results"
end=$((EPOCHSECONDS + limit))
left() { echo $((end - EPOCHSECONDS)); }
note() { echo "python-step: $*" | tee -a "$results/steps.txt"; }

python=${RECON_CHECK_PYTHON:-python3}
"$python" -c 'import sys, nanobind; print(sys.version.split()[0], "nanobind", nanobind.__version__)' \
  >"$results/python.txt" 2>&1 || { note "no usable $python with nanobind: $(tail -c 200 "$results/python.txt")"; exit 1; }

build_module() {
  # The Debian packages' prefix: device-build's, or unpacked here.
  prefix=$(cd "$bundle/.." && pwd)/prefix
  if [ ! -d "$prefix/usr" ]; then
    prefix=$(mktemp -d)/prefix
    if ! command -v dpkg >/dev/null; then
      note "no dpkg to unpack .gpu-deps (run 'scripts/gpu-check device-build' with RECON_CHECK_STEPS=python)"
      return 1
    fi
    mkdir -p "$prefix"
    for f in "$root"/.gpu-deps/*.deb; do [ -f "$f" ] && dpkg -x "$f" "$prefix"; done
    find "$prefix" -type l -lname '/*' | while read -r l; do ln -sfn "$prefix$(readlink "$l")" "$l"; done
    find "$prefix" -name '*.pc' -exec sed -i "s|^prefix=/usr\$|prefix=$prefix/usr|" {} +
  fi
  libdir=$prefix/usr/lib/x86_64-linux-gnu
  libs="$libdir/openblas-pthread:$libdir:$prefix/lib/x86_64-linux-gnu"
  export PKG_CONFIG_PATH="$libdir/pkgconfig:$prefix/usr/share/pkgconfig" PATH="/usr/local/cuda/bin:$PATH"
  export LD_LIBRARY_PATH="$libs:${LD_LIBRARY_PATH:-}"

  build=$(mktemp -d)/build
  jobs=${RECON_JOBS:-$(nproc)}
  arch=${RECON_CHECK_PYTHON_ARCH:-90-real}
  t0=$EPOCHSECONDS
  if ! timeout -k 5 "$(left)" cmake -S "$root" -B "$build" -G Ninja -DRECON_CUDA=ON -DRECON_PYTHON=ON \
    -DRECON_BUILD_TESTS=OFF -DRECON_BUILD_BENCH=OFF -DRECON_ITK=OFF -DRECON_MPI=OFF -DRECON_NCCL=OFF \
    -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CUDA_ARCHITECTURES=$arch" "-DPython_EXECUTABLE=$(command -v "$python")" \
    "-DCMAKE_PREFIX_PATH=$prefix/usr" "-DCMAKE_LIBRARY_PATH=${libs//:/;}" "-DCMAKE_INCLUDE_PATH=$prefix/usr/include" \
    "-DCMAKE_BUILD_RPATH=${libs//:/;}" >"$results/configure.log" 2>&1; then
    note "configuration failed: $(grep -m 3 -i error "$results/configure.log")"
    return 1
  fi
  if ! timeout -k 5 "$(left)" cmake --build "$build" -j "$jobs" --target _recon >"$results/build.log" 2>&1; then
    note "the build of _recon failed or ran out of time after $((EPOCHSECONDS - t0)) s: $(grep -m 3 'error' "$results/build.log")"
    return 1
  fi
  note "built _recon in $((EPOCHSECONDS - t0)) s with $jobs jobs (sm $arch)"
}

# RECON_CHECK_PYTHON_BUILD: a build folder that already holds the module (a rehearsal on a host
# with a build of its own: the steps after the build).
# `scripts/gpu-check device-build` may have built it already (RECON_PYTHON=AUTO finds nanobind).
device_build=$(cd "$bundle/.." && pwd)/build
if [ -z "${RECON_CHECK_PYTHON_BUILD:-}" ] && ls "$device_build"/python/recon/_recon*.so >/dev/null 2>&1; then
  RECON_CHECK_PYTHON_BUILD=$device_build
fi
if [ -n "${RECON_CHECK_PYTHON_BUILD:-}" ]; then
  build=$(cd "$RECON_CHECK_PYTHON_BUILD" && pwd)
  note "using the module of $build (not built by this step)"
else
  build_module || exit 1
fi

# The C++ side of the comparison: the bundle's recon (check-run.sh put its lib/ on LD_LIBRARY_PATH).
export PYTHONPATH="$build/python${PYTHONPATH:+:$PYTHONPATH}" RECON_CLI="$bundle/bin/recon" PYTHONUNBUFFERED=1
"$python" -c 'import recon; print(recon.__version__, recon._recon.cuda_built, recon.devices())' \
  >"$results/import.txt" 2>&1
note "import: $(tail -n 1 "$results/import.txt")"

timeout -k 5 "$(($(left) < 240 ? $(left) : 240))" "$python" -m pytest -q -rs "$root/tests/python/test_cuda_arrays.py" \
  "$root/tests/python/test_torch.py" --junitxml="$results/pytest.xml" >"$results/pytest.log" 2>&1
note "pytest rc=$? ($(tail -n 1 "$results/pytest.log"))"

if [ -e "$2/no-gpu" ]; then  # check-run.sh's mark
  bench=(--device cpu --arrays numpy --n "${RECON_CHECK_PYTHON_N:-24}" --iters 3)
else
  bench=(--device cuda --arrays "${RECON_CHECK_PYTHON_ARRAYS:-cupy}" --n "${RECON_CHECK_PYTHON_N:-256}" --iters 10)
fi
timeout -k 5 "$(($(left) < 120 ? $(left) : 120))" "$python" "$root/bench/python_overhead.py" --recon "$RECON_CLI" \
  "${bench[@]}" --out "$results/python_overhead.json" >"$results/python_overhead.md" 2>&1
note "python_overhead rc=$?"
cat "$results/python_overhead.md"
