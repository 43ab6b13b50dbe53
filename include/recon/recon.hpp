// recon: the whole public API in one include, for projects built against the installed
// package (find_package(recon), target recon::recon). Each layer's umbrella lists every
// public header of its include dir: kernels (arrays, contexts, penalties), operators (CT
// included), engine (solvers), io and datasets. Safe for a plain C++17 compiler: headers
// that need nvcc or a private dependency are left out of the umbrellas (see kernels.hpp,
// operators.hpp). Tested by examples/consumer.
#pragma once

#include "recon/datasets/datasets.hpp"
#include "recon/engine/engine.hpp"
#include "recon/io/io.hpp"
#include "recon/kernels/kernels.hpp"
#include "recon/operators/operators.hpp"
