"""Run `sfp` as a user would, in this process or (for the few tests that need one) a child.

In-process runs call `flows.cli.main`, the same entry the console script calls, with the
working folder, stdout and stderr of a real run; a flow command among them runs against the
session's Prefect test harness (the `sfp` fixture), so the ~17 s temporary-server start is
paid once per session instead of once per command. A child process is kept for what only a
process shows: a kill mid-run, Ctrl-C, a lock another process holds, the console script.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SFP = [sys.executable, "-m", "flows.cli"]


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_sfp(*args: str, cwd: Path) -> Ran:
    """`sfp ARGS` in this process; the environment is restored afterwards."""
    from flows.cli import main

    out, err = io.StringIO(), io.StringIO()
    before, environment = os.getcwd(), dict(os.environ)
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's --help and usage errors
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.chdir(before)
        os.environ.clear()
        os.environ.update(environment)
    return Ran(code, out.getvalue(), err.getvalue())


def run_sfp_process(
    *args: str, cwd: Path, timeout: float = 600, prefect_api: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`sfp ARGS` in a child Python, as the console script would run it; with `prefect_api`
    (the session harness's URL) its flows run there instead of on a temporary server."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if prefect_api:
        env["PREFECT_API_URL"] = prefect_api
    return subprocess.run(
        [*SFP, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
        check=False,
    )  # fmt: skip
