"""Each size of a bench in a child process of its own, so each peak memory figure is its own.

The child prints its records as one JSON line last; the parent prints them as a table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def run_child(script: str, args: list[str], what: str, code: Path | None = None) -> Any:
    """`script --child ARGS` in a fresh process; its last stdout line, read as JSON.

    `code`: run that checkout's packages (a git ref exported by `--against`) instead of
    this one's: it is the child's working folder and its PYTHONPATH."""
    env = {**os.environ, "PYTHONPATH": str(code)} if code else None
    child = subprocess.run(
        [sys.executable, script, "--child", *args],
        capture_output=True, text=True, check=False, cwd=code, env=env,
    )  # fmt: skip
    if child.returncode:
        print(child.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{what} failed")
    return json.loads(child.stdout.splitlines()[-1])


def run_children(
    script: str, sizes: list[int], header: str, row: Callable[[dict[str, object]], str]
) -> None:
    print(header)
    for households in sizes:
        records = run_child(script, [str(households)], f"bench at {households} households")
        for record in records:
            print(row(record), flush=True)
