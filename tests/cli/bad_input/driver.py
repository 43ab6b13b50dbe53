#!/usr/bin/python3
"""Runs one module of the CLI's bad-input suite against the error contract (docs/ERRORS.md).

Usage: driver.py RECON MODULE WORK_DIR [NAME_FILTER]
MODULE is a file beside this one (readers.py, writers.py, ...) defining cases(work) -> [Case].
Each case runs in its own empty folder under WORK_DIR: its setup writes the inputs there, then
the command runs with a time limit. The case passes when the command
  - exits with the expected code (1 for bad input, 2 for bad usage; never by a signal),
  - finishes within its time limit (no hang),
  - prints exactly one line on stderr, starting `recon: error: ` and matching the case's regex,
  - leaves the folder as the setup left it: no output, no temporary, no partial file
    (every file's name, size and modification time are compared).
Prints a line per case and 'N passed, N failed' last; exits 1 when any case failed.
"""
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Callable, List, Optional


@dataclass
class Case:
    name: str  # unique within the module; also the folder's name
    argv: List[str]  # arguments after the binary; relative paths are inside the case's folder
    expect: str  # regex searched in the one stderr line (after the 'recon: error: ' prefix)
    setup: Optional[Callable[[str], None]] = None  # writes the inputs into the folder given
    code: int = 1  # expected exit code
    timeout: float = 60.0
    env: dict = field(default_factory=dict)  # extra environment variables
    limits: Optional[Callable[[], None]] = None  # runs in the child before exec (e.g. RLIMIT_FSIZE)


def snapshot(folder):
    """name -> (size, mtime_ns) of everything below folder, hidden entries included."""
    found = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            st = os.lstat(path)
            found[os.path.relpath(path, folder)] = (st.st_size if not os.path.isdir(path) else 0, st.st_mtime_ns)
    return found


def run_case(recon, case, folder):
    """Returns None when the case holds the contract, else what broke it."""
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    if case.setup:
        case.setup(folder)
    before = snapshot(folder)
    env = dict(os.environ, **case.env)
    try:
        done = subprocess.run([recon, *map(str, case.argv)], cwd=folder, capture_output=True, text=True,
                              timeout=case.timeout, env=env, preexec_fn=case.limits, errors="replace")
    except subprocess.TimeoutExpired:
        return f"no exit within {case.timeout:g} s (hang)"
    err = done.stderr
    if done.returncode < 0:
        return f"killed by {signal.Signals(-done.returncode).name}: {err.strip()[:300]!r}"
    if done.returncode != case.code:
        return f"exit {done.returncode}, expected {case.code}: {err.strip()[:300]!r}"
    lines = err.splitlines()
    if len(lines) != 1:
        return f"{len(lines)} lines on stderr, expected 1: {err[:500]!r}"
    line = lines[0]
    if not line.startswith("recon: error: "):
        return f"stderr does not start with 'recon: error: ': {line[:300]!r}"
    if not re.search(case.expect, line[len("recon: error: "):]):
        return f"stderr {line[:300]!r} does not match {case.expect!r}"
    after = snapshot(folder)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if changed:
        return f"files changed or left behind: {changed[:8]}"
    return None


def main():
    recon, module_file, work = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    pattern = sys.argv[4] if len(sys.argv) > 4 else ""
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    path = module_file if os.path.isabs(module_file) else os.path.join(here, module_file)
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    work = os.path.abspath(work)
    cases = [c for c in module.cases(work) if pattern in c.name]
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        sys.exit("driver: duplicate case names in " + module_file)
    failed = 0
    for case in cases:
        why = run_case(recon, case, os.path.join(work, case.name))
        if why is None:
            print(f"ok    {case.name}")
        else:
            failed += 1
            print(f"FAIL  {case.name}: {why}  [recon {' '.join(map(str, case.argv))}]")
    print(f"{len(cases) - failed} passed, {failed} failed")
    sys.exit(1 if failed or not cases else 0)


if __name__ == "__main__":
    main()
