// recon: everything a reconstruction pipeline links against, in one include.
#pragma once

#include "recon/datasets/datasets.hpp"
#include "recon/engine/engine.hpp"
#include "recon/io/io.hpp"
#include "recon/kernels/kernels.hpp"
#include "recon/operators/operators.hpp"
