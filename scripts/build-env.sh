# Sourced by scripts/demo and scripts/test: nvcc on PATH where the CUDA toolkit sits in
# /usr/local/cuda, and ccache as the compiler launcher where it is installed (set-up installs
# it), with paths taken relative to the checkout so that every build folder shares the cache.
[ -x /usr/local/cuda/bin/nvcc ] && export PATH="/usr/local/cuda/bin:$PATH"
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(pwd)} CCACHE_NOHASHDIR=1
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_CUDA_COMPILER_LAUNCHER=ccache)
fi
