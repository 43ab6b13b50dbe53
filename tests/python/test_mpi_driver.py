"""Runs tests/python/mpi/test_mpi.py under ``mpiexec -n 2`` and ``-n 3`` and the example
examples/python/mpi_cgls.py under ``mpiexec -n 2`` (docs/python.md, "MPI"), each with a time
limit (MPICH's MPIEXEC_TIMEOUT and the subprocess's), so that a rank left waiting in a collective
fails the test instead of hanging it. Skipped where mpiexec or mpi4py is missing or the module
was built without MPI. Also, in this process: a communicator of several ranks is refused by a
build without MPI."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

import recon

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LIMIT_S = 420


def _mpi_ready():
    if shutil.which("mpiexec") is None:
        return "mpiexec is not on PATH (scripts/setup-deps installs MPICH)"
    if not recon.dist.mpi_built():
        return "this build of recon has no MPI (RECON_MPI)"
    probe = subprocess.run([sys.executable, "-c", "import mpi4py"], capture_output=True)
    if probe.returncode != 0:
        return "mpi4py is not installed (scripts/setup-deps installs it)"
    return None


needs_mpi = pytest.mark.skipif(_mpi_ready() is not None, reason=str(_mpi_ready()))


def mpiexec(ranks, *args):
    env = dict(os.environ, MPIEXEC_TIMEOUT=str(LIMIT_S), OMP_NUM_THREADS="1")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.path.dirname(os.path.dirname(recon.__file__)),
                                                    env.get("PYTHONPATH")) if p)
    out = subprocess.run(["mpiexec", "-n", str(ranks), sys.executable, *args], capture_output=True, text=True,
                         env=env, cwd=ROOT, timeout=LIMIT_S + 30)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-4000:]
    return out.stdout


@needs_mpi
@pytest.mark.parametrize("ranks", [2, 3])
def test_mpi_suite(ranks):
    text = mpiexec(ranks, "-m", "pytest", "-q", "-p", "no:cacheprovider", os.path.join(HERE, "mpi", "test_mpi.py"))
    counts = [int(n) for n in re.findall(r"(\d+) passed", text)]
    assert len(counts) == ranks and len(set(counts)) == 1 and counts[0] > 0, text  # every rank ran them all
    assert "skipped" not in text and "failed" not in text, text


@needs_mpi
def test_mpi_cgls_example(tmp_path):
    text = mpiexec(2, os.path.join(ROOT, "examples", "python", "mpi_cgls.py"), "--size", "16", "--out",
                   str(tmp_path))
    m = re.search(r"CGLS by slabs on 2 ranks: .* rmse ([0-9.]+), serial ([0-9.]+)", text)
    assert m, text
    assert abs(float(m.group(1)) - float(m.group(2))) <= 1e-4 * float(m.group(2)) + 2e-6, text
    assert np.load(tmp_path / "cgls.npy").shape == (16, 16, 16)


class _TwoRanks:
    """Stands in for an mpi4py communicator of two ranks."""

    def Get_size(self):
        return 2

    def Get_rank(self):
        return 0

    def allgather(self, value):
        return [value, value]


def test_several_ranks_without_mpi_are_refused(monkeypatch):
    monkeypatch.setattr(recon.dist, "mpi_built", lambda: False)
    g = recon.ct.Geometry.cone((4, 8, 8), 5, (8, 10), 60, 30)
    with pytest.raises(recon.InvalidArgument, match="no MPI"):
        recon.ct.Projector(g, device="cpu", comm=_TwoRanks())
    with pytest.raises(recon.InvalidArgument, match="no MPI"):
        recon.denoise_tv(np.zeros((1, 4)), 0.1, comm=_TwoRanks())


def test_comm_must_be_a_communicator():
    g = recon.ct.Geometry.cone((4, 8, 8), 5, (8, 10), 60, 30)
    with pytest.raises(recon.InvalidArgument, match="mpi4py communicator"):
        recon.ct.Projector(g, device="cpu", comm=3)
