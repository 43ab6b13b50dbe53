// Umbrella header of the I/O layer.
#pragma once

#include "recon/io/atomic_file.hpp"
#include "recon/io/image.hpp"
#include "recon/io/npy.hpp"
#include "recon/io/raw.hpp"
