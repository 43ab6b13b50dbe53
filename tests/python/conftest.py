"""pytest set-up for the Python package's tests (run by scripts/test's cpu configuration:
PYTHONPATH=<build>/python pytest tests/python). The CLI comparisons run the `recon` binary of the
same build (<build>/bin/recon next to <build>/python/recon, or RECON_CLI); without it they skip."""
import json
import os
import subprocess

import numpy as np
import pytest

import recon


def _find_cli():
    exe = os.environ.get("RECON_CLI")
    if exe:
        return exe
    build = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(recon.__file__))))
    exe = os.path.join(build, "bin", "recon")
    return exe if os.path.exists(exe) else None


class Cli:
    def __init__(self, exe, work):
        self.exe, self.work = exe, work

    def path(self, name):
        return os.path.join(str(self.work), name)

    def save(self, name, a):
        p = self.path(name)
        np.save(p, a)
        return p

    def geometry(self, g, name="g.json"):
        p = self.path(name)
        with open(p, "w") as f:
            f.write(g.to_json())
        return p

    def run(self, *args):
        r = subprocess.run([self.exe, "--device", "cpu", *args], capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            raise AssertionError("recon %s failed (%d): %s" % (" ".join(args), r.returncode, r.stderr.strip()))
        return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.fixture
def cli(tmp_path):
    exe = _find_cli()
    if not exe:
        pytest.skip("the recon CLI binary was not found (set RECON_CLI)")
    return Cli(exe, tmp_path)


def rel(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))
