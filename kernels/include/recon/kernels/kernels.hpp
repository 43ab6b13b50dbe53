// Umbrella header of the device layer: every public header of recon/kernels/, penalties
// included, so that one include gives the whole layer.
// cuda_check.hpp needs the CUDA runtime headers, so it comes only in nvcc translation units;
// a g++ consumer of a CUDA build still gets everything else.
#pragma once

#include "recon/kernels/array.hpp"
#include "recon/kernels/bandwidth.hpp"
#include "recon/kernels/config.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/host_clones.hpp"
#include "recon/kernels/macros.hpp"
#include "recon/kernels/memory.hpp"
#include "recon/kernels/memory_budget.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/penalties/apply.hpp"
#include "recon/kernels/penalties/barron.hpp"
#include "recon/kernels/penalties/constraints.hpp"
#include "recon/kernels/penalties/convex.hpp"
#include "recon/kernels/penalties/even_function.hpp"
#include "recon/kernels/penalties/folded_concave.hpp"
#include "recon/kernels/penalties/function.hpp"
#include "recon/kernels/penalties/log.hpp"
#include "recon/kernels/penalties/properties.hpp"
#include "recon/kernels/penalties/robust_losses.hpp"
#include "recon/kernels/penalties/scalar_math.hpp"
#include "recon/kernels/penalties/sparse.hpp"
#include "recon/kernels/penalties/stationary_prox.hpp"
#include "recon/kernels/penalties/validation.hpp"
#include "recon/kernels/penalties/weep.hpp"
#include "recon/kernels/reduce.hpp"
#include "recon/kernels/shape.hpp"
#include "recon/kernels/vector_ops.hpp"
#if defined(__CUDACC__)
#include "recon/kernels/cuda_check.hpp"
#endif
