"""Progress of the demo: one line per `recon` run, with the stage, the run's number within the
stage and an estimate of the stage's remaining time (the stage's mean time per run so far).
Each stage states up front how many runs it makes, so the estimate needs no guessing."""
import sys
import time


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    def __init__(self):
        self.start = time.time()
        self.stage, self.total, self.done, self.stage_start = None, 0, 0, 0.0

    def begin(self, stage, runs):
        """Starts a stage that will make `runs` calls of the recon tool."""
        self.stage, self.total, self.done, self.stage_start = stage, runs, 0, time.time()
        print(f"demo: == {stage}: {runs} runs (elapsed {_clock(time.time() - self.start)})", flush=True)

    def run(self, what):
        """Called before each recon run of the current stage."""
        self.done += 1
        spent = time.time() - self.stage_start
        left = ""
        if self.done > 1:
            per_run = spent / (self.done - 1)
            left = f", about {_clock(per_run * max(self.total - self.done + 1, 0))} left in this stage"
        print(f"demo:    [{self.stage} {self.done}/{self.total}] {what} (elapsed {_clock(time.time() - self.start)}"
              f"{left})", file=sys.stdout, flush=True)

    def end(self):
        print(f"demo: done in {_clock(time.time() - self.start)}", flush=True)
