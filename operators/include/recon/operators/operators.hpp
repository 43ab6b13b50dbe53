// Umbrella header of the operator layer: every public operator header, the CT ones included,
// and the kernels layer they are written against.
// json_reader.hpp is left out: it is the library's own JSON parsing helper and needs
// nlohmann/json, which the installed package does not export to consumers.
#pragma once

#include "recon/kernels/kernels.hpp"
#include "recon/operators/convolution.hpp"
#include "recon/operators/ct/fbp.hpp"
#include "recon/operators/ct/geometry.hpp"
#include "recon/operators/ct/projector.hpp"
#include "recon/operators/ct/streamed.hpp"
#include "recon/operators/ct/unmatched_projector.hpp"
#include "recon/operators/dct.hpp"
#include "recon/operators/dense_matrix.hpp"
#include "recon/operators/elementwise.hpp"
#include "recon/operators/finite_difference.hpp"
#include "recon/operators/fourier.hpp"
#include "recon/operators/hadamard.hpp"
#include "recon/operators/linear_operator.hpp"
#include "recon/operators/operator.hpp"
#include "recon/operators/wavelet.hpp"
