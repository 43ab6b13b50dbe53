// Umbrella header of the engine layer: every public engine header, plus the operators layer
// (and through it kernels) that the solvers are written against.
#pragma once

#include "recon/engine/apgm.hpp"
#include "recon/engine/build_info.hpp"
#include "recon/engine/cg.hpp"
#include "recon/engine/choose.hpp"
#include "recon/engine/composite.hpp"
#include "recon/engine/cs.hpp"
#include "recon/engine/ct/cgls.hpp"
#include "recon/engine/ct/sirt.hpp"
#include "recon/engine/ct/tv_recon.hpp"
#include "recon/engine/lbfgs.hpp"
#include "recon/engine/lpgnet.hpp"
#include "recon/engine/metrics.hpp"
#include "recon/engine/overparam.hpp"
#include "recon/engine/solver_types.hpp"
#include "recon/engine/tv.hpp"
#include "recon/operators/operators.hpp"
