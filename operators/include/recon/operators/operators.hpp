// Umbrella header of the operator layer.
#pragma once

#include "recon/kernels/kernels.hpp"
#include "recon/operators/convolution.hpp"
#include "recon/operators/dense_matrix.hpp"
#include "recon/operators/elementwise.hpp"
#include "recon/operators/finite_difference.hpp"
#include "recon/operators/fourier.hpp"
#include "recon/operators/hadamard.hpp"
#include "recon/operators/linear_operator.hpp"
#include "recon/operators/operator.hpp"
