// Umbrella header of the datasets layer: phantoms, test signals and noise.
#pragma once

#include "recon/datasets/noise.hpp"
#include "recon/datasets/phantoms.hpp"
#include "recon/datasets/random.hpp"
#include "recon/datasets/signals.hpp"
