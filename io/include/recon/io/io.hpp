// Umbrella header of the I/O layer: every public header of recon/io/.
#pragma once

#include "recon/io/atomic_file.hpp"
#include "recon/io/image.hpp"
#include "recon/io/npy.hpp"
#include "recon/io/output_set.hpp"
#include "recon/io/raw.hpp"
