"""progress=True on the solvers (python/recon/_progress.py): the progress line on stderr with an
estimate of the time left, composed with a user callback, and results unchanged by it."""
import io

import numpy as np
import pytest

import recon
from recon._progress import Progress


def _ct():
    g = recon.ct.Geometry.parallel2d((16, 16), 10, 24)
    x = np.zeros((16, 16))
    x[4:12, 5:10] = 1
    return g, recon.ct.Projector(g, device="cpu")(x)


def test_denoise_tv_progress_on_stderr_and_the_same_result(capsys):
    u = np.random.default_rng(0).random((24, 24))
    plain = recon.denoise_tv(u, 0.1, iters=60, tol=0, device="cpu")
    assert capsys.readouterr().err == ""
    shown = recon.denoise_tv(u, 0.1, iters=60, tol=0, progress=True, device="cpu")
    np.testing.assert_array_equal(shown, plain)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0].startswith("denoise_tv: 10/60 [###") and "left" in lines[0], err
    assert lines[-1].startswith("denoise_tv: 60/60 [####################] 100%") and lines[-1].endswith("(done)")


@pytest.mark.parametrize("solver", ["sirt", "cgls", "reconstruct"])
def test_ct_solvers_progress_and_the_same_result(capsys, solver):
    g, y = _ct()
    f = getattr(recon.ct, solver)
    plain = f(y, g, iters=8, device="cpu")
    shown = f(y, g, iters=8, progress=True, device="cpu")
    np.testing.assert_array_equal(shown, plain)
    err = capsys.readouterr().err
    assert err.startswith("%s: 1/8 [" % solver) and "left" in err.splitlines()[0], err
    assert "8/8" in err.splitlines()[-1]


def test_progress_composes_with_a_callback_that_stops(capsys):
    g, y = _ct()
    seen = []

    def stop_at_3(info):
        seen.append(info["iteration"])
        return info["iteration"] < 3

    x, report = recon.ct.sirt(y, g, iters=50, tol=0, callback=stop_at_3, progress=True, return_report=True,
                              device="cpu")
    assert seen == [1, 2, 3] and report["iterations"] == 3
    np.testing.assert_array_equal(x, recon.ct.sirt(y, g, iters=3, tol=0, device="cpu"))
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("sirt: 3/50") and last.endswith("(stopped early)")


def test_progress_when_the_callback_raises(capsys):
    g, y = _ct()

    def boom(info):
        raise KeyError("from the callback")

    with pytest.raises(KeyError, match="from the callback"):
        recon.ct.cgls(y, g, iters=10, callback=boom, progress=True, device="cpu")
    assert capsys.readouterr().err.splitlines()[-1].endswith("(stopped by an error)")


def test_progress_to_a_stream(capsys):
    buf = io.StringIO()
    g, y = _ct()
    recon.ct.cgls(y, g, iters=4, progress=buf, device="cpu")
    assert capsys.readouterr().err == ""
    assert buf.getvalue().startswith("cgls: 1/4") and "(done)" in buf.getvalue()
    with pytest.raises(recon.InvalidArgument, match="progress"):
        recon.ct.cgls(y, g, iters=4, progress="yes", device="cpu")


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_estimate_and_terminal_rewrites():
    out = _Tty()
    p = Progress("solve", 100, out)
    assert p({"iteration": 25, "elapsed_s": 1.0}) is None
    p({"iteration": 26, "elapsed_s": 1.04})  # within 0.1 s of the last write: not written
    p.close()
    text = out.getvalue()
    assert text.startswith("\rsolve: 25/100 [#####               ]  25%  1.00 s, ~3.00 s left")
    assert "26/100" in text and text.count("\r") == 2 and text.endswith("(stopped early)\x1b[K\n")
    answers = []
    q = Progress("x", 10, io.StringIO(), callback=lambda info: answers.append(info) or False)
    assert q({"iteration": 1, "elapsed_s": 200.0}) is False and len(answers) == 1
    assert "~30m00s left" in q.stream.getvalue()
