"""Summary for bench/ct_large/run.sh: line integrals of the 1024^3 volume against the 256^3
reference, and the adjoint identity <A x, A x> = <x, A^T (A x)> at full size (float64 sums)."""
import json
import os
import platform
import sys

import numpy as np

work, t_phantom, t_project, t_back = sys.argv[1], *map(float, sys.argv[2:5])
load = lambda name: np.load(os.path.join(work, name), mmap_mode="r")
p_fine, p_coarse = load("p1024.npy").astype(np.float64), load("p256.npy").astype(np.float64)
x, b = load("x1024.npy"), load("b1024.npy")
inside = p_coarse > 0.05 * p_coarse.max()
rel = np.abs(p_fine - p_coarse)[inside] / p_coarse[inside]
lhs = float(np.dot(p_fine.ravel(), p_fine.ravel()))
rhs = sum(float(np.dot(x[z].astype(np.float64).ravel(), b[z].astype(np.float64).ravel())) for z in range(x.shape[0]))
print(json.dumps({
    "host": platform.node(), "cpu_count": os.cpu_count(),
    "volume": list(x.shape), "projections": list(p_fine.shape),
    "seconds": {"phantom_1024^3": t_phantom, "project_cli": t_project, "backproject_cli": t_back},
    "line_integrals_vs_256^3": {"rays_compared": int(inside.sum()), "median_rel_diff": float(np.median(rel)),
                                "p99_rel_diff": float(np.quantile(rel, 0.99)),
                                "max_abs_diff": float(np.abs(p_fine - p_coarse).max()),
                                "max_line_integral": float(p_coarse.max())},
    "adjoint_identity": {"<Ax,Ax>": lhs, "<x,A^T A x>": rhs, "rel_mismatch": abs(lhs - rhs) / abs(lhs)},
    "finite": bool(np.isfinite(p_fine).all() and np.isfinite(b).all()),
}, indent=1))
