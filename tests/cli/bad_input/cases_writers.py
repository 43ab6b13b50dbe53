"""Writers, output integrity and all-or-nothing commands:
  - a write that fails part-way (RLIMIT_FSIZE: the kernel refuses bytes past the limit with
    EFBIG, as a full disk refuses them with ENOSPC) is an error in every output format, and
    leaves neither the output nor a temporary behind;
  - a command that fails after writing one output (a --log, --save-y, --save-spec, --truth or
    OUT into a missing folder) leaves none of its outputs, and an existing file it would have
    replaced keeps its old contents;
  - no output may replace a file the command reads, or that file's sidecar or data file.
"""
import os
import resource
import signal

import numpy as np

from common import json_file, npy, parallel_geometry, text
from driver import Case

FORMATS = ["npy", "raw", "png", "tif", "nii", "nii.gz", "mha", "mhd", "nrrd", "nhdr"]


def file_size_limit(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write(2) with EFBIG, not a kill
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def stdout_to_dev_full():
    os.dup2(os.open("/dev/full", os.O_WRONLY), 1)


def noisy_image(shape):
    """Random values (incompressible), so every format's file exceeds a small size limit."""
    def setup(folder):
        npy(folder, "in.npy", np.random.default_rng(1).random(shape).astype(np.float32))
    return setup


def ct_inputs(folder, views=20, det=24, n=16):
    json_file(folder, "g.json", parallel_geometry(n, views, det))
    npy(folder, "sino.npy", np.random.default_rng(2).random((views, det)).astype(np.float32))


def with_old_output(setup, name):
    """setup, plus an existing output that must survive the failing command unchanged."""
    def both(folder):
        setup(folder)
        text(folder, name, "the previous result\n")
    return both


def raw_sinogram(folder):
    ct_inputs(folder)
    np.load(os.path.join(folder, "sino.npy")).tofile(os.path.join(folder, "sino.raw"))
    json_file(folder, "sino.json", {"format": "recon-raw", "dtype": "float32", "byte_order": "little",
                                    "shape": [20, 24]})


def cs_input(folder):
    npy(folder, "x.npy", np.random.default_rng(3).random(64).astype(np.float32))


def mhd_with_raw_data(folder):
    """a.mhd whose data file is a.raw (what `convert a.mhd a.raw` would replace)."""
    text(folder, "a.mhd", "ObjectType = Image\nNDims = 2\nDimSize = 4 3\nElementType = MET_FLOAT\n"
                          "ElementDataFile = a.raw\n")
    with open(os.path.join(folder, "a.raw"), "wb") as f:
        f.write(np.arange(12, dtype=np.float32).tobytes())


def cases(work):
    out = []
    full = "cannot write 'out\\.[a-z.]+': .*(File too large|incomplete|room on the disk)"
    for fmt in FORMATS:
        for limit in (0, 300, 16384):
            out.append(Case(f"size_limit_{limit}_{fmt.replace('.', '_')}", ["convert", "in.npy", f"out.{fmt}"],
                            full, setup=noisy_image((256, 256)), limits=file_size_limit(limit)))
    for fmt in ["tif", "nii.gz", "mha", "nrrd", "npy"]:
        out.append(Case(f"size_limit_volume_{fmt.replace('.', '_')}", ["convert", "in.npy", f"out.{fmt}"], full,
                        setup=noisy_image((16, 64, 64)), limits=file_size_limit(20000)))
    for bits in ("8", "16"):
        out.append(Case(f"size_limit_png_{bits}bit", ["convert", "--bits", bits, "in.npy", "out.png"], full,
                        setup=noisy_image((256, 256)), limits=file_size_limit(4096)))
    out.append(Case("size_limit_keeps_old_output", ["convert", "in.npy", "out.nii.gz"], full,
                    setup=with_old_output(noisy_image((256, 256)), "out.nii.gz"), limits=file_size_limit(16384)))
    for fmt in ["npy", "nii.gz", "png"]:  # the kernel's default for SIGXFSZ is a kill: recon ignores it
        out.append(Case(f"size_limit_default_sigxfsz_{fmt.replace('.', '_')}", ["convert", "in.npy", f"out.{fmt}"],
                        full, setup=noisy_image((256, 256)), limits=lambda: resource.setrlimit(
                            resource.RLIMIT_FSIZE, (5000, 5000))))
    out.append(Case("size_limit_log_after_output", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "out.npy",
                                                    "--iters", "300", "--tol", "0", "--log", "log.json"],
                    "cannot write 'log.json': .*File too large", setup=ct_inputs, limits=file_size_limit(6000)))
    out.append(Case("output_is_a_directory", ["convert", "in.npy", "sub.npy"], "sub.npy': it is a directory",
                    setup=lambda f: (noisy_image((8, 8))(f), os.mkdir(os.path.join(f, "sub.npy")))))
    out.append(Case("output_is_a_fifo", ["convert", "in.npy", "out.npy"], "out.npy': it is not a regular file",
                    setup=lambda f: (noisy_image((8, 8))(f), os.mkfifo(os.path.join(f, "out.npy")))))
    out.append(Case("log_is_a_fifo", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "out.npy", "--iters", "2",
                                      "--log", "log.json"], "log.json': it is not a regular file",
                    setup=lambda f: (ct_inputs(f), os.mkfifo(os.path.join(f, "log.json")))))
    out.append(Case("output_folder_is_a_file", ["convert", "in.npy", "in.npy/out.npy"],
                    "directory 'in.npy' does not exist", setup=noisy_image((8, 8))))
    for name, argv in [("convert", ["convert", "in.npy", "out.npy"]),
                       ("sirt_with_log", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "out.npy", "--iters", "2",
                                          "--log", "log.json"])]:
        out.append(Case(f"stdout_is_a_full_disk_{name}", argv, "standard output",
                        setup=lambda f: (noisy_image((8, 8))(f), ct_inputs(f)), limits=stdout_to_dev_full))
    out.append(Case("size_limit_phantom", ["phantom", "shepp-logan", "--size", "64x64x64", "out.nii"], full,
                    limits=file_size_limit(100000)))
    # A later output fails: the earlier ones go too.
    missing = "missing/"
    out += [
        Case("log_into_missing_folder_sirt", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "out.npy", "--iters",
                                              "2", "--log", missing + "log.json"], "missing", setup=ct_inputs),
        Case("log_into_missing_folder_cgls", ["ct", "cgls", "--geometry", "g.json", "sino.npy", "out.nii.gz",
                                              "--iters", "2", "--log", missing + "log.json"], "missing",
             setup=ct_inputs),
        Case("log_into_missing_folder_ct_recon", ["ct", "recon", "--geometry", "g.json", "sino.npy", "out.raw",
                                                  "--iters", "2", "--log", missing + "log.json"], "missing",
             setup=ct_inputs),
        Case("log_into_missing_folder_denoise", ["denoise", "--penalty", "l1", "in.npy", "out.png", "--iters", "2", "--log",
                                                 missing + "log.json"], "missing", setup=noisy_image((16, 16))),
        Case("log_failure_keeps_old_output", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "out.npy", "--iters",
                                              "2", "--log", missing + "log.json"], "missing",
             setup=with_old_output(ct_inputs, "out.npy")),
        Case("save_y_into_missing_folder", ["cs", "x.npy", "out.npy", "--iters", "2", "--save-y", missing + "y.npy"],
             "missing", setup=cs_input),
        Case("save_spec_into_missing_folder", ["cs", "x.npy", "out.npy", "--iters", "2", "--save-y", "y.npy",
                                               "--save-spec", missing + "spec.json"], "missing", setup=cs_input),
        Case("save_spec_failure_keeps_old_y", ["cs", "x.npy", "out.npy", "--iters", "2", "--save-y", "y.npy",
                                               "--save-spec", missing + "spec.json"], "missing",
             setup=with_old_output(cs_input, "y.npy")),
        Case("simulate_out_fails_after_truth", ["ct", "simulate", "--geometry", "g.json", missing + "sino.npy",
                                                "--truth", "truth.npy"], "missing", setup=ct_inputs),
        Case("simulate_out_bad_format_after_truth", ["ct", "simulate", "--geometry", "g.json", "sino.jpg",
                                                     "--truth", "truth.nii.gz"], "unknown image format",
             setup=ct_inputs),
        Case("simulate_truth_into_missing_folder", ["ct", "simulate", "--geometry", "g.json", "sino2.npy",
                                                    "--truth", missing + "truth.npy"], "missing", setup=ct_inputs),
        Case("simulate_truth_volume_as_png", ["ct", "simulate", "--geometry", "g.json", "sino2.npy", "--truth",
                                              "truth.png"], "PNG holds 2D images only|16x16",
             setup=lambda f: json_file(f, "g.json", {"volume": {"shape": [4, 16, 16]}, "projection": {
                 "type": "parallel3d", "detector_shape": [4, 24],
                 "angles": {"start": 0, "stop": 3.141592653589793, "count": 8}}})),
        Case("simulate_log_size_limit", ["ct", "simulate", "--geometry", "g.json", "sino2.npy", "--truth",
                                         "truth.npy"], "cannot write '(sino2|truth)\\.npy'", setup=ct_inputs,
             limits=file_size_limit(1200)),
    ]
    # No output replaces an input, its sidecar or its data file.
    clash = "would overwrite '[^']+', an input of this command"
    out += [
        Case("fbp_raw_sidecar_is_the_geometry", ["ct", "fbp", "--geometry", "g.json", "sino.npy", "g.raw"],
             "output 'g.raw' would overwrite 'g.json', an input", setup=ct_inputs),
        Case("project_raw_sidecar_is_the_geometry", ["ct", "backproject", "--geometry", "g.json", "sino.npy",
                                                     "./g.raw"], clash, setup=ct_inputs),
        Case("sirt_log_is_the_geometry", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "out.npy", "--iters",
                                          "2", "--log", "g.json"], clash, setup=ct_inputs),
        Case("clash_refused_before_computing", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "out.npy",
                                                "--iters", "100000000", "--tol", "0", "--log", "g.json"], clash,
             setup=ct_inputs, timeout=15),
        Case("clash_refused_before_computing_raw_sidecar", ["ct", "recon", "--geometry", "g.json", "sino.npy",
                                                            "g.raw", "--iters", "100000000", "--tol", "0"],
             "output 'g.raw' would overwrite 'g.json'", setup=ct_inputs, timeout=15),
        Case("log_is_the_raw_outputs_sidecar", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "out.raw",
                                                "--iters", "2", "--log", "out.json"], "would overwrite each other",
             setup=ct_inputs),
        Case("save_y_is_the_output", ["cs", "x.npy", "out.npy", "--iters", "2", "--save-y", "./out.npy"],
             "would overwrite each other", setup=cs_input),
        Case("truth_is_the_output", ["ct", "simulate", "--geometry", "g.json", "s.npy", "--truth", "s.npy"],
             "would overwrite each other", setup=ct_inputs),
        Case("save_spec_is_the_raw_outputs_sidecar", ["cs", "x.npy", "out.raw", "--iters", "2", "--save-spec",
                                                      "out.json"], "would overwrite each other", setup=cs_input),
        Case("sirt_out_is_the_input", ["ct", "sirt", "--geometry", "g.json", "sino.npy", "sino.npy", "--iters",
                                       "2"], clash, setup=ct_inputs),
        Case("simulate_truth_is_the_geometry_sidecar", ["ct", "simulate", "--geometry", "g.json", "s.npy",
                                                        "--truth", "g.raw"], clash, setup=ct_inputs),
        Case("convert_onto_itself", ["convert", "in.npy", "in.npy"], clash, setup=noisy_image((8, 8))),
        Case("convert_onto_itself_other_spelling", ["convert", "in.npy", "sub/../in.npy"], clash,
             setup=lambda f: (noisy_image((8, 8))(f), os.mkdir(os.path.join(f, "sub")))),
        Case("convert_onto_itself_absolute", ["convert", "in.npy", os.path.join(work, "convert_onto_itself_absolute",
                                                                              "in.npy")], clash,
             setup=noisy_image((8, 8))),
        Case("convert_onto_a_symlink_of_the_input", ["convert", "in.npy", "link.npy"], clash,
             setup=lambda f: (noisy_image((8, 8))(f), os.symlink("in.npy", os.path.join(f, "link.npy")))),
        Case("log_is_the_raw_inputs_sidecar", ["ct", "sirt", "--geometry", "g.json", "sino.raw", "out.npy",
                                               "--iters", "2", "--log", "sino.json"], clash, setup=raw_sinogram),
        Case("convert_mhd_data_file", ["convert", "a.mhd", "a.raw"], "would overwrite 'a.raw'",
             setup=mhd_with_raw_data),
        Case("denoise_log_is_the_reference", ["denoise", "--penalty", "l1", "in.npy", "out.npy", "--iters", "2", "--reference",
                                              "ref.npy", "--log", "ref.npy"], clash,
             setup=lambda f: (noisy_image((16, 16))(f), npy(f, "ref.npy", np.zeros((16, 16), np.float32)))),
        Case("cs_save_y_is_the_input", ["cs", "x.npy", "out.npy", "--iters", "2", "--save-y", "x.npy"], clash,
             setup=cs_input),
        Case("raw_output_sidecar_is_an_input_json", ["ct", "project", "--geometry", "vol.json", "vol.npy",
                                                     "vol.raw"], clash,
             setup=lambda f: (json_file(f, "vol.json", parallel_geometry(16, 20, 24)),
                              npy(f, "vol.npy", np.zeros((16, 16), np.float32)))),
    ]
    return out
