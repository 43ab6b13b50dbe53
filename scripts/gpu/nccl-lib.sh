#!/usr/bin/env bash
# Prints the folder holding libnccl.so.2 for a bundle built with NCCL (RECON_NCCL), which
# scripts/gpu/layout.sh leaves out (199 MB: over what travels to the GPU machine). In order:
# RECON_NCCL_LIB; the nvidia-nccl-cu13 package of the machine's python3 (the GPU image has it); the
# loader's cache; the checkout's .deps/nccl/lib (scripts/setup-deps). Prints nothing when none is
# found (a bundle without NCCL needs none).
# Usage: nccl-lib.sh [ROOT]   (ROOT: the checkout, default this script's)
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
found() { [ -n "$1" ] && [ -e "$1/libnccl.so.2" ] && { echo "$1"; exit 0; }; }
found "${RECON_NCCL_LIB:-}"
found "$(python3 -c 'import os, nvidia.nccl as m; print(os.path.join(list(m.__path__)[0], "lib"))' 2>/dev/null)"
found "$(ldconfig -p 2>/dev/null | awk '$1 == "libnccl.so.2" { print $NF; exit }' | xargs -r dirname)"
found "$root/.deps/nccl/lib"
exit 0
