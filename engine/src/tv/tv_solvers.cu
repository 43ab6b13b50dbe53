// The TV solvers in one translation unit: each kernel template of tv_kernels.cuh is then
// instantiated once. nvcc's extended lambdas misbehave when the same template holding one is
// instantiated in several translation units of a CUDA build (host runs crashed), and inside
// anonymous namespaces (commit 675f823).
#include "tv_fused_split.cuh"
#include "tv_lbfgs.cuh"
