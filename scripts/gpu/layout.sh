#!/usr/bin/env bash
# Lays out a CUDA build as the folder scripts/gpu/check-run.sh runs from: bin/ (every test and
# benchmark executable and the `recon` tool, stripped) and lib/ (recon's shared libraries and
# every other library they load, except glibc, the loader and the CUDA driver/toolkit libraries,
# which a GPU machine provides in versions matching its driver), with RPATH $ORIGIN/../lib where
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
have_strip=$(command -v strip || true)
for exe in "${exes[@]}"; do
  cp "$exe" "$out/bin/"
  [ -z "$have_strip" ] || strip --strip-unneeded "$out/bin/$(basename "$exe")"
done

system_lib='^(linux-vdso|ld-linux|libc\.so|libm\.so|libpthread|libdl\.so|librt\.so|libcuda\.so|libcublas|libcublasLt|libcufft|libcudart|libcurand|libcusolver|libcusparse|libnvJitLink)'
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
