"""Each size of a bench in a child process of its own, so each peak memory figure is its own.

The child prints its records as one JSON line last; the parent prints them as a table.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable


def run_children(
    script: str, sizes: list[int], header: str, row: Callable[[dict[str, object]], str]
) -> None:
    print(header)
    for households in sizes:
        child = subprocess.run(
            [sys.executable, script, "--child", str(households)],
            capture_output=True,
            text=True,
            check=False,
        )
        if child.returncode:
            print(child.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"bench at {households} households failed")
        for record in json.loads(child.stdout.splitlines()[-1]):
            print(row(record), flush=True)
