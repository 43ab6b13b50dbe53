"""examples/python run (small sizes): the cone-beam script writes its preview and volumes, and
its TV step lowers the CGLS error; the ASTRA port reconstructs the image it projected; the torch
training loop through the projector lowers its loss and beats FBP on its test images."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "python")


def run(script, *args):
    out = subprocess.run([sys.executable, os.path.join(EXAMPLES, script), *args], capture_output=True, text=True,
                         env=dict(os.environ), timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_cone_beam_script(tmp_path):
    text = run("cone_beam.py", "--size", "24", "--device", "cpu", "--out", str(tmp_path))
    errors = dict(re.findall(r"\] (FDK|CGLS \(20 iterations\)|CGLS \+ TV denoising): rmse ([0-9.]+)", text))
    assert len(errors) == 3, text
    assert float(errors["CGLS + TV denoising"]) < float(errors["CGLS (20 iterations)"])
    assert (tmp_path / "slices.png").stat().st_size > 1000
    assert np.load(tmp_path / "fdk.npy").shape == (24, 24, 24)


def test_cone_beam_script_streamed_under_a_memory_limit(tmp_path):
    text = run("cone_beam.py", "--size", "16", "--device", "cpu", "--memory-limit", "64KiB", "--out", str(tmp_path))
    assert "(streamed)" in text


def test_astra_port_script():
    text = run("astra_port.py", "--size", "48")
    m = re.search(r"SIRT relative error ([0-9.]+); FBP relative error ([0-9.]+)", text)
    assert m, text
    assert float(m.group(1)) < 0.2 and float(m.group(2)) < 0.2


def test_torch_training_script():
    pytest.importorskip("torch")
    text = run("torch_training.py", "--size", "24", "--steps", "40", "--train", "16", "--device", "cpu")
    losses = [float(v) for v in re.findall(r"\[train\] step +\d+/40: loss ([0-9.]+)", text)]
    assert len(losses) >= 2 and losses[-1] < losses[0], text
    errors = dict(re.findall(r"\[test\] (FBP|learned unrolled \(3 iterations\)): rmse ([0-9.]+)", text))
    assert len(errors) == 2, text
    assert float(errors["learned unrolled (3 iterations)"]) < float(errors["FBP"])
