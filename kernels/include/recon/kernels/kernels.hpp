// Umbrella header of the device layer.
#pragma once

#include "recon/kernels/array.hpp"
#include "recon/kernels/bandwidth.hpp"
#include "recon/kernels/context.hpp"
#include "recon/kernels/error.hpp"
#include "recon/kernels/macros.hpp"
#include "recon/kernels/parallel_for.hpp"
#include "recon/kernels/reduce.hpp"
#include "recon/kernels/shape.hpp"
#include "recon/kernels/vector_ops.hpp"
