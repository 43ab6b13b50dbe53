"""``progress=True`` for the solvers: a progress line on stderr built on the solver callback.

:func:`progress_callback` wraps the caller's callback (or none) in one that also writes
``label: 120/500 [#####...............]  24%  0.50 s, ~1.58 s left`` (the estimate from the engine's
``elapsed_s`` and ``iteration``), and returns the caller's answer, so stopping by returning False
or raising still works. On a terminal the line is rewritten in place (at most every 0.1 s); on
anything else (a log file, a pipe, pytest's capture) whole lines are written, at most one a
second, besides the first and the last. The last line says how the solve ended."""
import contextlib
import sys
import time

_WIDTH = 20


def _seconds(t):
    if t < 10:
        return "%.2f s" % t
    if t < 100:
        return "%.1f s" % t
    return "%dm%02ds" % divmod(int(round(t)), 60)


class Progress:
    """A callback that reports iteration/total to ``stream`` and then calls ``callback``."""

    def __init__(self, label, total, stream, callback=None):
        self.label, self.total, self.stream, self.callback = label, max(int(total), 1), stream, callback
        try:
            self.tty = bool(stream.isatty())
        except (AttributeError, ValueError):
            self.tty = False
        self.interval = 0.1 if self.tty else 1.0
        self.last_write = None
        self.info = None

    def _line(self, info, done=False):
        it, elapsed = int(info["iteration"]), float(info["elapsed_s"])
        frac = min(it / self.total, 1.0)
        bar = "#" * int(round(frac * _WIDTH))
        text = "%s: %d/%d [%-*s] %3d%%  %s" % (self.label, it, self.total, _WIDTH, bar, int(frac * 100),
                                                _seconds(elapsed))
        if not done and 0 < it < self.total:
            text += ", ~%s left" % _seconds(elapsed * (self.total - it) / it)
        return text

    def _write(self, text, end):
        if self.tty:
            self.stream.write("\r" + text + "\x1b[K" + end)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def __call__(self, info):
        self.info = info
        now = time.monotonic()
        if self.last_write is None or now - self.last_write >= self.interval:
            self._write(self._line(info), "")
            self.last_write = now
        if self.callback is not None:
            return self.callback(info)
        return None

    def close(self, failed=False):
        """The final line (the last report, and how it ended)."""
        if self.info is None:
            self._write("%s: %s before the first report" % (self.label, "stopped" if failed else "finished"), "\n")
            return
        it = int(self.info["iteration"])
        how = "stopped by an error" if failed else ("done" if it >= self.total else "stopped early")
        self._write(self._line(self.info, done=True) + " (%s)" % how, "\n")


@contextlib.contextmanager
def progress_callback(progress, label, total, callback):
    """The callback to give the engine: ``callback`` itself when ``progress`` is false, else a
    :class:`Progress` around it writing to stderr (``progress=True``) or to ``progress`` (any
    object with ``write``). The final line is written when the block ends."""
    if not progress:
        yield callback
        return
    stream = sys.stderr if progress is True else progress
    if not hasattr(stream, "write"):
        from ._recon import InvalidArgument
        raise InvalidArgument("progress: expected True/False or a stream with write(), got %r" % (progress,))
    p = Progress(label, total, stream, callback)
    try:
        yield p
    except BaseException:
        p.close(failed=True)
        raise
    p.close()
