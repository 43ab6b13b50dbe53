// Umbrella header of the operator layer.
#pragma once

#include "recon/kernels/kernels.hpp"
