"""Every `recon ct` subcommand against the same classes of bad input: a missing or malformed
geometry, the wrong beam for the command (fdk needs a cone, fbp refuses one), arrays whose shape
is not the geometry's, arrays holding NaN or Inf, an unknown filter or phantom, iteration counts
out of range. Each must be one `recon: error:` line naming the file or option, and no file."""
import numpy as np

from common import json_file, npy, parallel_geometry, text
from driver import Case

CONE = {"volume": {"shape": [8, 8, 8]},
        "projection": {"type": "cone", "detector_shape": [12, 12],
                       "angles": {"start": 0, "stop": 6.283185307179586, "count": 16},
                       "source_origin": 40, "origin_detector": 20}}
# subcommand -> (what it reads: "sino" or "volume", needs a cone geometry)
COMMANDS = {"project": ("volume", None), "backproject": ("sino", None), "fbp": ("sino", False),
            "fdk": ("sino", True), "sirt": ("sino", None), "cgls": ("sino", None), "recon": ("sino", None)}


def inputs(folder):
    json_file(folder, "par.json", parallel_geometry())
    json_file(folder, "cone.json", CONE)
    npy(folder, "sino.npy", np.linspace(0, 1, 20 * 24, dtype=np.float32).reshape(20, 24))
    npy(folder, "cone_sino.npy", np.linspace(0, 1, 16 * 12 * 12, dtype=np.float32).reshape(16, 12, 12))
    npy(folder, "vol.npy", np.linspace(0, 1, 256, dtype=np.float32).reshape(16, 16))
    npy(folder, "cone_vol.npy", np.linspace(0, 1, 512, dtype=np.float32).reshape(8, 8, 8))
    npy(folder, "wrong.npy", np.ones((3, 5), dtype=np.float32))
    npy(folder, "wrong3d.npy", np.ones((4, 16, 16), dtype=np.float32))
    bad = np.linspace(0, 1, 20 * 24, dtype=np.float32).reshape(20, 24)
    bad[3, 4], bad[5, 6] = np.nan, -np.inf
    npy(folder, "nonfinite_sino.npy", bad)
    vol = np.ones((16, 16), dtype=np.float32)
    vol[0, 0] = np.inf
    npy(folder, "nonfinite_vol.npy", vol)
    text(folder, "truncated.json", '{"volume": {"shape": [16, 16]}, "projection": {"type": "parall')
    json_file(folder, "string_count.json", {**parallel_geometry(), "projection": {
        **parallel_geometry()["projection"], "angles": {"start": 0, "stop": 3.14, "count": "many"}}})


def cases(work):
    out = []
    for cmd, (reads, cone) in COMMANDS.items():
        geometry = "cone.json" if cone else "par.json"
        good = ("cone_" if cone else "") + ("vol.npy" if reads == "volume" else "sino.npy")
        base = ["ct", cmd, "--geometry"]
        out += [
            Case(f"{cmd}-missing-geometry", base + ["nowhere.json", good, "out.npy"],
                 r"cannot open geometry file 'nowhere.json'", setup=inputs),
            Case(f"{cmd}-truncated-geometry", base + ["truncated.json", good, "out.npy"], r"truncated.json",
                 setup=inputs),
            Case(f"{cmd}-geometry-wrong-type", base + ["string_count.json", good, "out.npy"],
                 r"string_count.json: projection.angles.count: .*expected a positive integer", setup=inputs),
            Case(f"{cmd}-missing-input", base + [geometry, "absent.npy", "out.npy"], r"absent.npy", setup=inputs),
            Case(f"{cmd}-wrong-shape", base + [geometry, "wrong.npy", "out.npy"],
                 r"wrong.npy has shape \(3, 5\) but the geometry's", setup=inputs),
            Case(f"{cmd}-nonfinite-input",
                 base + [geometry, "nonfinite_vol.npy" if reads == "volume" else "nonfinite_sino.npy", "out.npy"],
                 r"nonfinite_(vol|sino).npy holds [12] non-finite values? \(NaN or Inf\); expected finite data",
                 setup=inputs),
            Case(f"{cmd}-unknown-option", base + [geometry, good, "out.npy", "--bogus"], r"--bogus", setup=inputs,
                 code=2),
            Case(f"{cmd}-output-is-the-input", base + [geometry, good, good], r"'" + good + "'", setup=inputs),
        ]
        if reads == "volume":
            out.append(Case(f"{cmd}-3d-volume-for-2d-geometry", base + [geometry, "wrong3d.npy", "out.npy"],
                            r"wrong3d.npy has shape \(4, 16, 16\) but the geometry's volume shape is \(16, 16\)",
                            setup=inputs))
    out += [
        Case("fdk-needs-a-cone", ["ct", "fdk", "--geometry", "par.json", "sino.npy", "out.npy"],
             r"par.json is a parallel2d geometry; use 'ct fbp'", setup=inputs),
        Case("fbp-refuses-a-cone", ["ct", "fbp", "--geometry", "cone.json", "cone_sino.npy", "out.npy"],
             r"cone.json is a cone geometry; use 'ct fdk'", setup=inputs),
        Case("fdk-unknown-filter", ["ct", "fdk", "--geometry", "cone.json", "cone_sino.npy", "out.npy",
                                    "--filter", "bogus"], r"--filter: bogus not in", setup=inputs, code=2),
        Case("fbp-unknown-filter", ["ct", "fbp", "--geometry", "par.json", "sino.npy", "out.npy", "--filter", ""],
             r"--filter", setup=inputs, code=2),
        Case("simulate-unknown-phantom", ["ct", "simulate", "--geometry", "par.json", "out.npy", "--phantom", "x"],
             r"--phantom: x not in", setup=inputs, code=2),
        Case("simulate-negative-flux", ["ct", "simulate", "--geometry", "par.json", "out.npy", "--flux", "-3"],
             r"--flux: -3 is out of range", setup=inputs, code=2),
        Case("simulate-volume-wrong-shape", ["ct", "simulate", "--geometry", "par.json", "out.npy", "--volume",
                                             "wrong.npy"], r"wrong.npy has shape \(3, 5\)", setup=inputs),
        Case("sirt-negative-iterations", ["ct", "sirt", "--geometry", "par.json", "sino.npy", "out.npy",
                                          "--iters", "-1"], r"--iters: -1 is out of range", setup=inputs, code=2),
        Case("cgls-iterations-not-a-number", ["ct", "cgls", "--geometry", "par.json", "sino.npy", "out.npy",
                                              "--iters", "ten"], r"--iters", setup=inputs, code=2),
        Case("recon-unknown-solver", ["ct", "recon", "--geometry", "par.json", "sino.npy", "out.npy", "--solver",
                                      "magic"], r"--solver", setup=inputs, code=2),
        Case("recon-unknown-penalty", ["ct", "recon", "--geometry", "par.json", "sino.npy", "out.npy", "--penalty",
                                       "mpc"], r"unknown penalty or loss 'mpc'", setup=inputs),
    ]
    return out
