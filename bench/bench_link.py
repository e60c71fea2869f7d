"""CPU and wall of the nightly's link stage alone, full night then incremental night.

Usage:
  .venv/bin/python bench/bench_link.py prepare HOUSEHOLDS FOLDER
  .venv/bin/python bench/bench_link.py run FOLDER OUT [--profile]

`prepare` writes a sample council once, splits its inbox into two nights as
bench/bench_pipeline.py does, and ingests night one into FOLDER/night1.duckdb (ingest is
the slow part of a council and is not linkage's: done once, reused by every run). `run`
copies that warehouse into OUT, links it (the full night: training, every pair), ingests
night two (not timed) and links again (the incremental night), each as the nightly's link
stage does (models, review workbook and quality page beside the warehouse). It prints
one JSON line per night: wall and CPU seconds (user + system of this process, every
DuckDB thread included: the machine may be shared, CPU is the steadier figure), and
writes what linkage decided (person and family IDs, registries, pairs, the saved model)
to OUT as Parquet and JSON, so two versions of the code can be compared row for row.
`--profile` writes each night's cProfile statistics to OUT too (full.prof, incr.prof).
"""

from __future__ import annotations

import cProfile
import json
import resource
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from data_contracts.ingest import ingest_inbox  # noqa: E402
from data_contracts.warehouse import connect  # noqa: E402
from data_contracts.warehouse_paths import linkage_folder, models_folder  # noqa: E402
from indicators.plan import load_plan  # noqa: E402
from matching.link import LinkOptions, link_warehouse_run  # noqa: E402
from sample_data.generate import write_sample  # noqa: E402
from sample_data.nights import split_last_month  # noqa: E402

DUMPED = {
    "person_link": "select * from person_link order by all",
    "person_registry": "select * from person_registry order by all",
    "candidate_family": "select * from candidate_family order by all",
    "candidate_family_registry": "select * from candidate_family_registry order by all",
    "link_pair": "select * from link_pair order by all",
    "link_identity": "select * from link_identity order by record_id",
    "stable_id_change": "select * from stable_id_change order by all",
    "person_review_pair": "select * from person_review_pair order by all",
}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def prepare(households: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_sample(folder, households, 1)
    split_last_month(folder / "inbox", folder / "night1", folder / "night2")
    with connect(folder / "night1.duckdb") as con:
        ingest_inbox(con, folder / "night1")


def run(folder: Path, out: Path, profile: bool = False) -> None:
    out.mkdir(parents=True, exist_ok=True)
    warehouse = out / "w.duckdb"
    shutil.copyfile(folder / "night1.duckdb", warehouse)
    options = LinkOptions.from_plan(load_plan().matching)
    with connect(warehouse) as con:
        for night in ("full", "incr"):
            if night == "incr":
                ingest_inbox(con, folder / "night2")
            profiler = cProfile.Profile() if profile else None
            wall, cpu = time.perf_counter(), cpu_seconds()
            if profiler:
                profiler.enable()
            result = link_warehouse_run(
                con,
                options.threshold,
                models_folder(warehouse),
                options,
                None,
                linkage_folder(warehouse),
            )
            if profiler:
                profiler.disable()
                profiler.dump_stats(str(out / f"{night}.prof"))
            wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            line: dict[str, object] = {"night": night, "mode": result.mode}
            line["people"] = result.people
            line |= {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "peak_mib": round(peak)}
            print(json.dumps(line), flush=True)
            for name, sql in DUMPED.items():
                con.sql(sql).write_parquet(str(out / f"{night}-{name}.parquet"))
    for model in models_folder(warehouse).glob("*.json"):
        shutil.copyfile(model, out / model.name)


if __name__ == "__main__":
    if sys.argv[1:2] == ["prepare"]:
        prepare(int(sys.argv[2]), Path(sys.argv[3]))
    elif sys.argv[1:2] == ["run"]:
        run(Path(sys.argv[2]), Path(sys.argv[3]), "--profile" in sys.argv)
    else:
        raise SystemExit(__doc__)
