"""Bad command lines and bad JSON inputs of the `recon` commands: usage errors, out-of-range and
non-finite option values, lists and sizes with empty parts, JSON files with wrong types or
numbers beyond a double, requests that cannot fit in memory, and input arrays holding NaN or
Inf. Each must be one `recon: error:` line (exit 2 for a bad command line, 1 for bad input),
fast, and leave no file behind."""
import numpy as np

from common import json_file, npy, parallel_geometry, text
from driver import Case


def image(folder):
    npy(folder, "img.npy", np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8))


def image_and_ref(folder):
    image(folder)
    npy(folder, "ref.npy", np.full((8, 8), 0.5, dtype=np.float32))


def nan_image(count):
    def setup(folder):
        a = np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8)
        a.flat[:count] = np.nan
        if count > 1:
            a.flat[1] = np.inf
        npy(folder, "img.npy", a)
    return setup


def geometry(name="g.json", **change):
    """A small parallel-beam geometry with `change` applied inside "projection"/"volume"."""
    def setup(folder):
        g = parallel_geometry()
        for key, value in change.items():
            part, field = key.split("__")
            target = g[part] if part != "angles" else g["projection"]["angles"]
            target[field] = value
        json_file(folder, name, g)
    return setup


def geometry_text(content):
    return lambda folder: text(folder, "g.json", content)


def geometry_and_sino(fill=0.0, bad=0):
    def setup(folder):
        json_file(folder, "g.json", parallel_geometry())
        s = np.full((20, 24), fill, dtype=np.float32)
        s.flat[:bad] = np.nan
        npy(folder, "sino.npy", s)
    return setup


def cs_spec(**change):
    def setup(folder):
        spec = {"sensing": "hadamard", "shape": [16], "measurements": 4, "seed": 3, "basis": "none",
                "indices": [1, 4, 7, 9]}
        spec.update(change)
        json_file(folder, "spec.json", spec)
        npy(folder, "y.npy", np.zeros(4, dtype=np.float32))
    return setup


def lpg_params(**change):
    def setup(folder):
        p = {"model": "lpgnet", "version": 1,
             "problem": {"n": 16, "m": 8, "k": 2, "snr_db": 30, "lambda": 0.05, "seed": 1},
             "layers": 2, "lipschitz": 1.5, "alpha_min": 0, "alpha_max": 2, "beta": 0.1, "gamma": 1e-4,
             "ablation": "none", "w": [0, 0], "c": [0, 0], "theta": [0.1, 0.1]}
        for key, value in change.items():
            if key.startswith("problem_"):
                p["problem"][key[len("problem_"):]] = value
            else:
                p[key] = value
        json_file(folder, "p.json", p)
    return setup


def cases(work):
    d = ["denoise", "img.npy", "out.npy", "--penalty", "l1"]
    sim = ["ct", "simulate", "--geometry", "g.json", "out.npy"]
    out = []
    add = out.append

    # 1. Usage errors: `recon: error:`, exit 2, short range messages (no DBL_MAX).
    add(Case("usage-no-subcommand", [], r"subcommand is required", code=2))
    add(Case("usage-unknown-command", ["bogus"], r"^unknown command 'bogus'; expected one of info, prox", code=2))
    add(Case("usage-unknown-ct-command", ["ct", "radon", "--geometry", "g.json"],
             r"^ct: unknown command 'radon'; expected one of project", code=2))
    add(Case("usage-unknown-option", d + ["--bogus", "1"], r"--bogus", setup=image, code=2))
    add(Case("usage-missing-required", ["denoise", "img.npy", "out.npy"], r"--penalty is required",
             setup=image, code=2))
    add(Case("range-lambda-negative", d + ["--lambda", "-1"],
             r"^--lambda: -1 is out of range; expected a finite value >= 0$", setup=image, code=2))
    add(Case("range-threads-negative", ["--threads", "-2", "info", "--no-measure"],
             r"^--threads: -2 is out of range; expected an integer in \[0, 4096\]$", code=2))
    add(Case("range-threads-huge", ["--threads", "100000000", "info", "--no-measure"],
             r"^--threads: 100000000 is out of range", code=2))
    add(Case("range-noise-fraction", ["noise", "--kind", "impulsive", "--fraction", "1.5", "--amplitude", "1",
                                      "img.npy", "out.npy"],
             r"^--fraction: 1.5 is out of range; expected a finite value in \[0, 1\]$", setup=image, code=2))
    add(Case("range-metrics-range-zero", ["metrics", "img.npy", "img.npy", "--range", "0"],
             r"^--range: 0 is out of range; expected a finite value > 0$", setup=image, code=2))
    add(Case("range-sirt-relaxation", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "out.npy",
                                       "--relaxation", "2"],
             r"--relaxation: 2 is out of range; expected a finite value in \(0, 2\)", setup=geometry_and_sino(),
             code=2))
    add(Case("range-cs-rate", ["cs", "img.npy", "out.npy", "--rate", "0"], r"--rate: 0 is out of range",
             setup=image, code=2))
    add(Case("range-ct-recon-iters-zero", ["ct", "recon", "--geometry", "g.json", "sino.npy", "out.npy",
                                           "--iters", "0"],
             r"--iters: 0 is out of range; expected an integer >= 1", setup=geometry_and_sino(), code=2))
    add(Case("range-lpgnet-alpha-max", ["lpgnet", "train", "--out", "p.json", "--alpha-max", "1"],
             r"--alpha-max: 1 is out of range; expected a finite value > 1", code=2))

    add(Case("range-lambda-huge", d + ["--lambda", "1e308"],
             r"^--lambda: 1e308 is out of range; expected a finite value <= 1e\+12$", setup=image, code=2))
    add(Case("range-rho-tiny", ["ct", "recon", "--geometry", "g.json", "sino.npy", "out.npy", "--rho", "1e-300"],
             r"^--rho: 1e-300 is out of range; expected a finite value >= 1e-12$", setup=geometry_and_sino(), code=2))
    add(Case("range-rho-huge", d + ["--rho", "1e300"], r"^--rho: 1e300 is out of range", setup=image, code=2))
    add(Case("overflow-sirt-result", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "out.npy"],
             r"^ct sirt: the result holds 256 non-finite values \(float32 overflow\); expected the values of sino.npy",
             setup=geometry_and_sino(fill=3e38)))

    # Non-finite and non-decimal option values.
    for name, value in [("nan", "nan"), ("inf", "inf"), ("overflow", "1e400"), ("hex", "0x10")]:
        add(Case(f"value-lambda-{name}", d + ["--lambda", value], r"^--lambda: .*expected a finite value >= 0$",
                 setup=image, code=2))
    add(Case("value-ct-sigma-nan", sim + ["--sigma", "nan"], r"--sigma: 'nan' is not a number",
             setup=geometry(), code=2))
    add(Case("value-iters-float", d + ["--iters", "2.5"], r"--iters: '2.5' is not an integer", setup=image, code=2))
    add(Case("value-iters-huge", d + ["--iters", "99999999999"], r"--iters: 99999999999 is out of range",
             setup=image, code=2))

    # 4. Silent acceptance: seeds, lists, sizes, key=value parameters.
    add(Case("seed-negative-ct", sim + ["--seed", "-1"], r"--seed: -1 is out of range; expected an integer >= 0",
             setup=geometry(), code=2))
    add(Case("seed-negative-noise", ["noise", "--kind", "gaussian", "--sigma", "0.1", "--seed", "-5", "img.npy",
                                     "out.npy"], r"--seed: -5 is out of range", setup=image, code=2))
    add(Case("seed-negative-lpgnet", ["lpgnet", "train", "--out", "p.json", "--seed", "-1"],
             r"--seed: -1 is out of range", code=2))
    add(Case("seed-negative-cs", ["cs", "img.npy", "out.npy", "--seed", "-1"], r"--seed: -1 is out of range",
             setup=image, code=2))
    tune = ["tune", "img.npy", "ref.npy", "--penalty", "l1"]
    add(Case("list-tune-lambdas-empty", tune + ["--lambdas", ""], r"--lambdas: the list is empty",
             setup=image_and_ref, code=2))
    add(Case("list-tune-lambdas-empty-item", tune + ["--lambdas", "0.1,,0.2"], r"--lambdas: .* has an empty item",
             setup=image_and_ref, code=2))
    add(Case("list-tune-lambdas-trailing", tune + ["--lambdas", "0.1,"], r"--lambdas: .* has an empty item",
             setup=image_and_ref, code=2))
    add(Case("list-tune-lambdas-negative", tune + ["--lambdas", "0.1,-2"], r"--lambdas: -2 is out of range",
             setup=image_and_ref, code=2))
    add(Case("list-tune-lambdas-nan", tune + ["--lambdas", "nan"], r"--lambdas: 'nan' is not a number",
             setup=image_and_ref, code=2))
    add(Case("tune-no-lambdas", tune, r"tune: expected either --lambdas \(a list\) or --lambda-range",
             setup=image_and_ref, code=2))
    add(Case("tune-lambdas-and-range", tune + ["--lambdas", "0.1", "--lambda-range", "0.01:1"],
             r"not both", setup=image_and_ref, code=2))
    add(Case("tune-range-reversed", tune + ["--lambda-range", "1:0.1"],
             r"--lambda-range '1:0.1': expected LO:HI with 0 < LO < HI", setup=image_and_ref, code=2))
    add(Case("tune-range-zero", tune + ["--lambda-range", "0:1"], r"expected LO:HI with 0 < LO < HI",
             setup=image_and_ref, code=2))
    add(Case("tune-evals-without-range", tune + ["--lambdas", "0.1", "--evals", "4"],
             r"--evals requires --lambda-range", setup=image_and_ref, code=2))
    add(Case("tune-evals-zero", tune + ["--lambda-range", "0.01:1", "--evals", "0"], r"--evals: 0 is out of range",
             setup=image_and_ref, code=2))
    add(Case("tune-select-unknown", tune + ["--lambdas", "0.1", "--select", "mse"], r"--select: mse not in",
             setup=image_and_ref, code=2))
    add(Case("list-tune-grid-empty-value", tune + ["--lambdas", "0.1", "--grid", "theta=1::2"],
             r"--grid 'theta=1::2': .* has an empty item", setup=image_and_ref, code=2))
    add(Case("list-tune-grid-no-key", tune + ["--lambdas", "0.1", "--grid", "=1:2"], r"--grid '=1:2': expected",
             setup=image_and_ref, code=2))
    add(Case("list-tune-param-twice", ["tune", "img.npy", "ref.npy", "--penalty", "mcp", "--lambdas", "0.1",
                                       "--param", "gamma=2", "--param", "gamma=3"],
             r"--param 'gamma' is given twice", setup=image_and_ref, code=2))
    add(Case("list-sweep-k-empty-item", ["lpgnet", "eval", "--params", "p.json", "--sweep-k", "1,,2"],
             r"--sweep-k: .* has an empty item", setup=lpg_params(), code=2))
    add(Case("list-sweep-snr-text", ["lpgnet", "eval", "--params", "p.json", "--sweep-snr", "10,abc"],
             r"--sweep-snr: 'abc' is not a number", setup=lpg_params(), code=2))
    for name, size in [("trailing-x", "64x"), ("leading-x", "x64"), ("double-x", "8xx8"), ("zero", "0"),
                       ("one", "1x2x2"), ("four-axes", "2x2x2x2"), ("negative", "-4"), ("empty", ""),
                       ("huge", "99999999999999999999"), ("float", "4.5")]:
        add(Case(f"size-{name}", ["phantom", "shepp-logan", "--size", size, "out.npy"], r"--size", code=2))
    add(Case("param-empty-item", d + ["--param", "a=1,,b=2"], r"--param: .* has an empty item", setup=image,
             code=2))
    add(Case("param-nan", ["denoise", "img.npy", "out.npy", "--penalty", "mcp", "--param", "gamma=nan"],
             r"--param 'gamma=nan': 'nan' is not a number", setup=image, code=2))
    add(Case("param-no-value", ["prox", "--penalty", "mcp", "--param", "gamma", "img.npy", "out.npy"],
             r"--param 'gamma': expected key=value", setup=image, code=2))
    add(Case("loss-param-overflow", ["cs", "img.npy", "out.npy", "--loss", "huber", "--loss-param", "delta=1e999"],
             r"--loss-param 'delta=1e999': 1e999 is out of range", setup=image, code=2))
    add(Case("window-nan", ["convert", "img.npy", "out.png", "--window", "nan:1"], r"--window",
             setup=image, code=2))
    add(Case("window-percentile-above-100", ["convert", "img.npy", "out.png", "--window", "p1:p200"],
             r"--window 'p1:p200': 200 is out of range", setup=image, code=2))
    add(Case("lpgnet-batch-over-samples", ["lpgnet", "train", "--out", "p.json", "--batch", "64",
                                           "--train-samples", "8"], r"--batch: 64 is out of range", code=2))
    add(Case("lpgnet-k-over-n", ["lpgnet", "train", "--out", "p.json", "--n", "8", "--k", "9"],
             r"--k: 9 is out of range", code=2))

    # 2. JSON inputs: types, key paths, numbers beyond a double, seeds that would wrap.
    add(Case("geometry-type-string-count", sim, r"g.json: projection.angles.count: found the string \"many\"; "
             r"expected a positive integer", setup=geometry(angles__count="many")))
    add(Case("geometry-number-overflow", sim, r"g.json: .*too large for a double",
             setup=geometry_text('{"volume": {"shape": [16, 16]}, "projection": {"type": "parallel2d", '
                                 '"detector_shape": [24], "angles": {"start": 0, "stop": 1e400, "count": 4}}}')))
    add(Case("geometry-shape-float", sim, r"volume.shape\[0\]: found 2.5; expected a positive integer",
             setup=geometry(volume__shape=[2.5, 16])))
    add(Case("geometry-shape-string", sim, r"volume.shape\[1\]: found the string", setup=geometry(volume__shape=[16, "16"])))
    add(Case("geometry-shape-object", sim, r"volume.shape: found an object",
             setup=geometry(volume__shape={"ny": 16})))
    add(Case("geometry-count-zero", sim, r"projection.angles.count: found 0; expected a positive integer",
             setup=geometry(angles__count=0)))
    add(Case("geometry-shape-zero", sim, r"volume.shape\[1\]: found 0; expected a positive integer",
             setup=geometry(volume__shape=[16, 0])))
    add(Case("geometry-detector-zero", sim, r"projection.detector_shape\[0\]: found 0",
             setup=geometry(projection__detector_shape=[0])))
    add(Case("spec-measurements-zero", ["cs", "recover", "--operator", "spec.json", "y.npy", "out.npy"],
             r"spec.json: measurements: found 0; expected an integer >= 1", setup=cs_spec(measurements=0)))
    add(Case("lpg-layers-zero", ["lpgnet", "eval", "--params", "p.json"], r"p.json: layers: found 0",
             setup=lpg_params(layers=0)))
    add(Case("geometry-type-number", sim, r"projection.type: found 7; expected a string",
             setup=geometry(projection__type=7)))
    add(Case("geometry-angle-null", sim, r"projection.angles\[1\]: found null; expected a number",
             setup=geometry(projection__angles=[0, None])))
    add(Case("geometry-count-huge-int", sim, r"g.json: projection.angles.count: found 1e\+30; expected a positive integer",
             setup=geometry(angles__count=10 ** 30)))
    add(Case("geometry-not-object", sim, r"g.json: geometry: found an array", setup=geometry_text("[1, 2]")))
    add(Case("geometry-folder", ["ct", "simulate", "--geometry", ".", "out.npy"], r"cannot open geometry file"))
    add(Case("geometry-binary", sim, r"g.json: not valid JSON", setup=geometry_text(b"\x00\xff\xfe{")))
    rec = ["cs", "recover", "--operator", "spec.json", "y.npy", "out.npy"]
    add(Case("spec-seed-negative", rec, r"spec.json: seed: found -1; expected an integer >= 0", setup=cs_spec(seed=-1)))
    add(Case("spec-seed-float", rec, r"spec.json: seed: found 1.5", setup=cs_spec(seed=1.5)))
    add(Case("spec-shape-string", rec, r"spec.json: shape\[0\]: found the string", setup=cs_spec(shape=["16"])))
    add(Case("spec-measurements-null", rec, r"spec.json: measurements: found null", setup=cs_spec(measurements=None)))
    add(Case("spec-indices-float", rec, r"spec.json: indices\[1\]: found 4.5", setup=cs_spec(indices=[1, 4.5, 7, 9])))
    add(Case("spec-overflow", rec, r"spec.json: .*too large for a double",
             setup=lambda f: (cs_spec()(f), text(f, "spec.json", '{"sensing": "hadamard", "shape": [16], '
                                                 '"measurements": 4, "seed": 1e400}'))))
    add(Case("spec-sensing-unknown", rec, r"spec.json: unknown sensing 'radon'", setup=cs_spec(sensing="radon")))
    add(Case("spec-unknown-key", rec, r"spec.json: spec.seeds: unknown key", setup=cs_spec(seeds=1)))
    add(Case("spec-huge-shape", rec, r"spec.json: a signal of shape .* needs .* available",
             setup=cs_spec(sensing="fourier", shape=[65536, 65536], indices=[1, 4, 7, 9])))
    ev = ["lpgnet", "eval", "--params", "p.json"]
    add(Case("lpg-layers-string", ev, r"p.json: layers: found the string \"2\"", setup=lpg_params(layers="2")))
    add(Case("lpg-seed-negative", ev, r"p.json: problem.seed: found -1", setup=lpg_params(problem_seed=-1)))
    add(Case("lpg-n-float", ev, r"p.json: problem.n: found 16.5", setup=lpg_params(problem_n=16.5)))
    add(Case("lpg-w-strings", ev, r"p.json: w\[0\]: found the string", setup=lpg_params(w=["a", "b"])))
    add(Case("lpg-lipschitz-zero", ev, r"p.json: lipschitz: found 0; expected a number > 0",
             setup=lpg_params(lipschitz=0)))
    add(Case("lpg-model-wrong", ev, r"p.json: model: found the string \"other\"", setup=lpg_params(model="other")))
    add(Case("lpg-overflow", ev, r"p.json: .*too large for a double",
             setup=lambda f: text(f, "p.json", '{"model": "lpgnet", "version": 1, "lipschitz": -1e999}')))
    add(Case("lpg-huge-problem", ev, r"lpgnet eval of p.json .* needs .* available",
             setup=lpg_params(problem_n=10 ** 7, problem_m=10 ** 7)))

    # 3. Memory: refused at once, naming the input, the shape and the bytes needed and available.
    add(Case("memory-simulate-1e8-angles", sim,
             r"ct simulate: g.json: ct simulate with the volume \(16, 16\) and the sinogram \(100000000, 24\) "
             r"needs .*GiB, but only .* is available on the host", setup=geometry(angles__count=10 ** 8), timeout=10))
    add(Case("memory-simulate-1e12-angles", sim, r"sinogram \(1000000000000, 24\) needs .* available",
             setup=geometry(angles__count=10 ** 12), timeout=10))
    add(Case("memory-simulate-truth-1e5-cubed", sim + ["--truth", "t.npy"],
             r"the volume \(100000, 100000, 100000\) .* needs .* available",
             setup=lambda f: json_file(f, "g.json", {
                 "volume": {"shape": [100000, 100000, 100000]},
                 "projection": {"type": "parallel3d", "detector_shape": [4, 4], "angles": [0, 1]}}), timeout=10))
    add(Case("memory-recon-large-volume", ["ct", "recon", "--geometry", "g.json", "sino.npy", "out.npy"],
             r"ct recon with the volume \(60000, 60000\) .* needs", setup=lambda f: (
                 json_file(f, "g.json", dict(parallel_geometry(), volume={"shape": [60000, 60000]})),
                 npy(f, "sino.npy", np.zeros((20, 24), dtype=np.float32))), timeout=10))
    add(Case("memory-vector-geometry-shape-overflow", sim, r"g.json: geometry: the volume .* has more elements than an array can index",
             setup=lambda f: json_file(f, "g.json", {
                 "volume": {"shape": [4000000000, 4000000000, 4000000000]},
                 "projection": {"type": "parallel3d", "detector_shape": [4, 4], "angles": [0]}}), timeout=10))
    add(Case("memory-phantom-size", ["phantom", "shepp-logan", "--size", "100000x100000x100000", "out.npy"],
             r"phantom: --size 100000x100000x100000: a phantom of shape \(100000, 100000, 100000\) needs .* available",
             timeout=10))
    add(Case("memory-denoise-log", d + ["--iters", "2000000000", "--check-every", "1", "--log", "log.json"],
             r"--log of 2000000001 records .* needs .* available", setup=image, timeout=10))
    add(Case("memory-lpgnet-train", ["lpgnet", "train", "--out", "p.json", "--n", "10000000", "--m", "10000000"],
             r"lpgnet train with --n 10000000, --m 10000000.* needs .* available", timeout=10))

    # Non-finite input data is refused when it is read, naming the file.
    add(Case("nan-denoise-input", d, r"^img.npy holds 1 non-finite value \(NaN or Inf\); expected finite data$",
             setup=nan_image(1)))
    add(Case("nan-prox-input", ["prox", "--penalty", "l1", "img.npy", "out.npy"],
             r"img.npy holds 3 non-finite values", setup=nan_image(3)))
    add(Case("nan-metrics-input", ["metrics", "img.npy", "img.npy"], r"img.npy holds 2 non-finite values",
             setup=nan_image(2)))
    add(Case("nan-noise-input", ["noise", "--kind", "gaussian", "--sigma", "1", "img.npy", "out.npy"],
             r"img.npy holds", setup=nan_image(1)))
    add(Case("nan-cs-input", ["cs", "img.npy", "out.npy"], r"img.npy holds", setup=nan_image(1)))
    add(Case("nan-ct-sino-cgls", ["ct", "cgls", "--geometry", "g.json", "sino.npy", "out.npy"],
             r"^sino.npy holds 3 non-finite values", setup=geometry_and_sino(bad=3)))
    add(Case("nan-ct-sino-recon", ["ct", "recon", "--geometry", "g.json", "sino.npy", "out.npy"],
             r"^sino.npy holds 1 non-finite value", setup=geometry_and_sino(bad=1)))
    add(Case("nan-tune-reference", ["tune", "ref.npy", "img.npy", "--penalty", "l1", "--lambdas", "0.1"],
             r"img.npy holds", setup=lambda f: (nan_image(1)(f), npy(f, "ref.npy", np.zeros((8, 8), np.float32)))))
    return out
