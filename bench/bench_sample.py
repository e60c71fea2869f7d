"""Time and memory of `sfp sample` at several sizes (issue 3: 300,000 households in under
10 minutes and 8 GB).

    .venv/bin/python bench/bench_sample.py                 # 5,000, 50,000 and 300,000
    .venv/bin/python bench/bench_sample.py 5000 50000      # chosen sizes

Each size runs in a fresh child process so its peak resident memory (getrusage maxrss)
is its own. Prints one line per size: households, cases, files, rows, bytes, wall seconds,
peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from child_runs import run_children  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = (5_000, 50_000, 300_000)


def one(households: int) -> dict[str, object]:
    """Write one sample in this process and measure it."""
    sys.path.insert(0, str(ROOT))
    from sample_data.generate import write_sample

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        start = time.perf_counter()
        summary = write_sample(out, households, seed=1)
        wall = time.perf_counter() - start
        files = [p for p in (out / "inbox").rglob("*.csv")]
        rows = 0
        for path in files:
            with path.open("rb") as handle:
                rows += sum(1 for _ in handle) - 1
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "households": households,
        "cases": summary["cases"],
        "files": len(files),
        "rows": rows,
        "bytes": size,
        "wall_s": round(wall, 1),
        "peak_rss_mib": round(peak_kib / 1024, 1),
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps([one(int(argv[1]))]))
        return 0
    run_children(
        __file__,
        [int(a) for a in argv] or list(DEFAULT_SIZES),
        "households    cases  files        rows     MB   wall_s  peak_rss_MiB",
        lambda r: (
            f"{r['households']:>10,} {r['cases']:>8,} {r['files']:>6} {r['rows']:>11,} "
            f"{r['bytes'] / 1e6:>6.0f} {r['wall_s']:>8} {r['peak_rss_mib']:>13}"
        ),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
