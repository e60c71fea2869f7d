"""What the source layer costs: the same council loaded from SPEC and from partner shapes.

Usage: .venv/bin/python bench/bench_sources.py [HOUSEHOLDS ...]   (default: 5000)

For each size a fresh child process writes a sample council, copies it and rewrites the
copy in partner shapes (`sfp sample --shape partner`), then loads each inbox into its own
fresh warehouse with `ingest_inbox` (read, map, validate, load; no linkage). It also times
the mapping alone (reading every partner file and mapping it onto its feeds, as the nightly
does before validation) and the routing of a SPEC-shaped inbox, which is all the source
layer adds to a council that sends SPEC shapes.

Prints one line per measure: households, what, seconds, rows, and the process's peak RSS.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from child_runs import run_children  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
RUN_AT = datetime(2026, 1, 5, 2, 30)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(households: int) -> list[dict[str, object]]:
    sys.path.insert(0, str(ROOT))
    from data_contracts.ingest import ingest_inbox, plan_inbox
    from data_contracts.source_catalogue import load_catalogue
    from data_contracts.source_ingest import read_and_map
    from data_contracts.warehouse import connect
    from sample_data.generate import write_sample
    from sample_data.partner_shapes import write_partner_shapes

    records: list[dict[str, object]] = []

    def record(what: str, began: float, rows: int = 0) -> None:
        records.append(
            {
                "households": households,
                "what": what,
                "seconds": round(time.perf_counter() - began, 2),
                "rows": rows,
                "peak_mib": round(peak_mib()),
            }
        )

    with tempfile.TemporaryDirectory() as tmp:
        spec, partner = Path(tmp) / "spec", Path(tmp) / "partner"
        began = time.perf_counter()
        write_sample(spec, households, 1)
        record("write sample (SPEC)", began)
        shutil.copytree(spec, partner)
        began = time.perf_counter()
        write_partner_shapes(partner)
        record("rewrite in partner shapes", began)

        catalogue = load_catalogue()
        began = time.perf_counter()
        rows = 0
        for folder in sorted((partner / "inbox").iterdir()):
            for definition in catalogue.in_folder(folder.name):
                for path in sorted(folder.iterdir()):
                    for mapping in definition.feeds:
                        try:
                            table, *_ = read_and_map(path, definition, mapping)
                        except ValueError:
                            continue  # a file of the folder's other definition
                        rows += len(table.frame)
        record("read + map partner files", began, rows)

        for name, folder in (("SPEC", spec), ("partner", partner)):
            with connect(Path(tmp) / f"{name}.duckdb") as con:
                began = time.perf_counter()
                plan_inbox(con, folder / "inbox", catalogue)
                record(f"route {name} inbox", began)
                began = time.perf_counter()
                reports = ingest_inbox(con, folder / "inbox", RUN_AT, sources=catalogue)
                record(f"ingest {name} inbox", began, sum(r.rows_in for r in reports))
    return records


def main(sizes: list[int]) -> None:
    run_children(
        __file__,
        sizes,
        f"{'households':>10}  {'what':<28} {'seconds':>8} {'rows':>9}  {'peak MiB':>8}",
        lambda r: (
            f"{r['households']:>10}  {r['what']:<28} {r['seconds']:>8} {r['rows']:>9}"
            f"  {r['peak_mib']:>8}"
        ),
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(measure(int(sys.argv[2]))))
    else:
        main([int(a) for a in sys.argv[1:]] or [5000])
