#!/usr/bin/env bash
# Lays out a CUDA build as the folder scripts/gpu/check-run.sh runs from: bin/ (every test and
# benchmark executable and the `recon` tool, stripped; in a build with MPI also MPICH's launcher,
# mpiexec.hydra and hydra_pmi_proxy, since the GPU image has no MPI runtime) and lib/ (recon's
# shared libraries and every other library they load, except glibc, the loader and the CUDA
# driver/toolkit libraries, which a GPU machine provides in versions matching its driver, and
# NCCL's libnccl.so.2: 199 MB, over what travels; check-run.sh finds the machine's own through
# scripts/gpu/nccl-lib.sh), with RPATH $ORIGIN/../lib where
# patchelf exists (check-run.sh puts lib/ on LD_LIBRARY_PATH as well, so a machine without
# patchelf loads the same libraries). Shared by scripts/gpu-bundle (here) and
# `scripts/gpu-check device-build` (on the GPU machine, from the libraries of .gpu-deps).
# Usage: layout.sh BUILD_DIR OUT_DIR [EXTRA_LIBRARY_DIRS]   (EXTRA_LIBRARY_DIRS: ':'-separated,
#   searched first when resolving what the binaries load, e.g. the unpacked .gpu-deps prefix)
set -euo pipefail
build=$(cd "$1" && pwd)
out=$2
extra=${3:-}

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
mapfile -t exes < <(find "$build/tests" "$build/bench" -maxdepth 2 -type f -executable \
  \( -name 'test_*' -o -name 'bench_*' \) | sort)
# The recon tool: <build>/bin/recon since it moved to apps/recon, <build>/engine/recon before;
# the newest one wins where a reused build folder holds both.
recon=$(find "$build" -path "$build/CMakeFiles" -prune -o -name recon -type f -executable -printf '%T@ %p\n' |
  sort -n | tail -n 1 | cut -d' ' -f2-)
[ -n "$recon" ] || { echo "layout: no recon executable under $build" >&2; exit 1; }
exes+=("$recon")
# MPICH's Hydra (the launcher the build's tests ran under) where the binaries link MPI: the
# dist step of check-run.sh starts the ranks with it (mpiexec.hydra finds hydra_pmi_proxy beside
# itself).
mpiexec=$(sed -n 's/^MPIEXEC_EXECUTABLE:FILEPATH=//p' "$build/CMakeCache.txt" 2>/dev/null)
if [ -n "$mpiexec" ] && ldd "$recon" 2>/dev/null | grep -q 'libmpi'; then
  hydra=$(readlink -f "$mpiexec")
  if [ "$(basename "$hydra")" = mpiexec.hydra ] && [ -x "$(dirname "$hydra")/hydra_pmi_proxy" ]; then
    exes+=("$hydra" "$(dirname "$hydra")/hydra_pmi_proxy")
  else
    echo "layout: $mpiexec is not MPICH's Hydra: no launcher in the bundle" >&2
  fi
fi
have_strip=$(command -v strip || true)
for exe in "${exes[@]}"; do
  cp "$exe" "$out/bin/"
  [ -z "$have_strip" ] || strip --strip-unneeded "$out/bin/$(basename "$exe")"
done

system_lib='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread|libdl\.so|librt\.so|libcuda\.so|libcublas|libcublasLt|libcufft|libcudart|libcurand|libcusolver|libcusparse|libnvJitLink|libnccl\.so)'
missing=0
for exe in "$out"/bin/*; do
  while read -r name arrow path _; do
    [[ $name =~ $system_lib ]] && continue
    if [ "$path" = "not" ]; then  # "libx.so => not found"
      echo "layout: $(basename "$exe") needs $name, which is not found" >&2
      missing=1
      continue
    fi
    [ -e "$out/lib/$name" ] && continue
    echo "$name $path" >>"$out/LIBS.txt"  # where each library came from
    cp -L "$path" "$out/lib/$name"
    [ -z "$have_strip" ] || strip --strip-unneeded "$out/lib/$name"
  done < <(LD_LIBRARY_PATH="$extra${extra:+:}${LD_LIBRARY_PATH:-}" ldd "$exe" | awk '/=>/ {print $1, $2, $3}')
done
[ "$missing" = 0 ] || exit 1
if command -v patchelf >/dev/null; then
  for f in "$out"/bin/* "$out"/lib/*; do patchelf --set-rpath '$ORIGIN/../lib:$ORIGIN' "$f"; done
else
  echo "layout: no patchelf: the binaries keep their build RPATH; check-run.sh puts $out/lib on LD_LIBRARY_PATH"
fi
echo "layout: $out: ${#exes[@]} executables, $(ls "$out/lib" | wc -l) libraries, $(du -sm "$out" | cut -f1) MiB"
