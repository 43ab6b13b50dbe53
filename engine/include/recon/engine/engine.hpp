// Umbrella header of the engine layer.
#pragma once

#include "recon/engine/build_info.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/operators/operators.hpp"
