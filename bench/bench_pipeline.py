"""Wall time, CPU and peak memory of each nightly stage, an incremental nightly, and a claim.

Usage: .venv/bin/python bench/bench_pipeline.py [--against REF] [--rounds N] [HOUSEHOLDS ...]
(default: 5000 households, one round, this checkout only)

For each size the sample council is written once and its inbox split in two: night one is
every file dated before the police feed's last month, night two is that month's files (one
new month of every feed that sends one). Each measured run is a fresh child process on its
own copy of those nights: night one runs the full nightly (validate, link with training,
derive); night two the incremental nightly the data team runs every night after (only new
batches validated, only new records scored, indicators only for affected cases). Then a
claim as of the sample's date.

`--against REF` also runs the code of a git ref (main's previous release, a commit) on the
SAME inbox, alternating with this checkout round by round, and prints this checkout's
figures over REF's: on a shared machine a same-run ratio is the figure to trust, because
both sides saw the same neighbours. REF's code is exported with `git archive` into a
temporary folder; it must have `indicators.pipeline.run_nightly` (main from 6 Dec 2026 on).

Each night is the nightly's one pipeline function (indicators/pipeline.py), whose stage
timings give a line per stage. "cpu s" is user plus system CPU of the whole child, DuckDB's
threads included (per stage where the code records it, otherwise for the whole night).
"peak MiB" is the child's peak RSS so far (ru_maxrss) when the line's stage, night or claim
ended (a stage's own where the code records it, otherwise its night's), so it shows where
the peak was reached.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import date
from pathlib import Path

from child_runs import run_child  # bench/ is the script's own folder on sys.path

ROOT = Path(__file__).resolve().parents[1]
THIS = "this checkout"


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(folder: Path) -> list[dict[str, object]]:
    """In a child: both nights and a claim on a private copy of `folder`'s nights."""
    from claims.submission import run_claim
    from data_contracts.warehouse import connect
    from indicators.pipeline import NightlyOptions, run_nightly
    from indicators.plan import load_plan

    facts = json.loads((folder / "facts.json").read_text())
    plan = load_plan()
    records: list[dict[str, object]] = []

    def record(stage: str, wall: float, cpu: float | None, peak: float | None = None) -> None:
        cpu_figure = None if cpu is None else round(cpu, 2)
        records.append(
            {
                "stage": stage,
                "wall": round(wall, 2),
                "cpu": cpu_figure,
                "peak_mib": round(peak_mib() if peak is None else peak),
            }
        )

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for night in ("night1", "night2"):
            shutil.copytree(folder / night, work / night)
        warehouse = work / "w.duckdb"

        def night(label: str, inbox: Path, as_of: date) -> None:
            wall, cpu = time.perf_counter(), cpu_seconds()
            result = run_nightly(con, warehouse, inbox, NightlyOptions(plan, as_of))
            wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
            stage_cpu: dict[str, float] = getattr(result, "stage_cpu_seconds", {})
            stage_peak: dict[str, float] = getattr(result, "stage_peak_mib", {})
            for stage, stage_wall in result.stage_seconds.items():
                record(f"{label}: {stage}", stage_wall, stage_cpu.get(stage), stage_peak.get(stage))
            record(f"{label} nightly", wall, cpu)

        with connect(warehouse) as con:
            night("full", work / "night1", date.fromisoformat(facts["first_as_of"]))
            night("incr", work / "night2", date.fromisoformat(facts["as_of"]))
            wall, cpu = time.perf_counter(), cpu_seconds()
            run_claim(con, plan, date.fromisoformat(facts["as_of"]), work / "claim.xlsx")
            record("claim", time.perf_counter() - wall, cpu_seconds() - cpu)
    return records


def write_nights(folder: Path, households: int) -> float:
    """Write the sample once for every run of this size; return the seconds it took."""
    began = time.perf_counter()
    write_nights_from(folder, households, 1)
    return time.perf_counter() - began


def write_nights_from(
    folder: Path, households: int, seed: int, partner: bool = False, hard: bool = False
) -> None:
    """`folder`/night1 and night2 and the dates to run them as of (facts.json). A sample in
    partner shapes has no SPEC feed folders to split by month: night one is all of it and
    night two is empty (an incremental night with nothing new)."""
    from sample_data.generate import write_sample
    from sample_data.nights import split_last_month
    from sample_data.partner_shapes import write_partner_shapes

    summary = write_sample(folder / "sample", households, seed, hard=hard)
    inbox = folder / "sample" / "inbox"
    if partner:
        write_partner_shapes(folder / "sample")
        shutil.copytree(inbox, folder / "night1")
        (folder / "night2").mkdir()
        first_as_of = date.fromisoformat(str(summary["as_of"]))
    else:
        first_as_of = split_last_month(inbox, folder / "night1", folder / "night2")
    facts = {"as_of": str(summary["as_of"]), "first_as_of": first_as_of.isoformat()}
    (folder / "facts.json").write_text(json.dumps(facts))
    shutil.rmtree(folder / "sample")


def export_ref(ref: str, target: Path) -> Path:
    """REF's tracked files, as `git archive` gives them, in `target`."""
    archive = target.with_suffix(".tar")
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", ref], stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    archive.unlink()
    return target


def run_pipeline_child(code: Path, folder: Path) -> list[dict[str, object]]:
    """One measured run of `code`'s pipeline in a fresh process (its own peak memory)."""
    return run_child(__file__, [str(folder)], f"bench run of {code}", code)


def median_by_stage(runs: list[list[dict[str, object]]]) -> list[dict[str, object]]:
    """Each stage's median wall and CPU over rounds, and its highest peak."""
    merged: list[dict[str, object]] = []
    for position, first in enumerate(runs[0]):
        same = [run[position] for run in runs]
        cpus = [float(r["cpu"]) for r in same if r["cpu"] is not None]  # type: ignore[arg-type]
        merged.append(
            {
                "stage": first["stage"],
                "wall": round(statistics.median(float(r["wall"]) for r in same), 2),  # type: ignore[arg-type]
                "cpu": round(statistics.median(cpus), 2) if cpus else None,
                "peak_mib": max(int(r["peak_mib"]) for r in same),  # type: ignore[call-overload]
            }
        )
    return merged


def ratio(mine: object, theirs: object) -> str:
    if mine is None or theirs is None or not float(theirs):  # type: ignore[arg-type]
        return "-"
    return f"{float(mine) / float(theirs):.2f}"  # type: ignore[arg-type]


def print_size(households: int, results: dict[str, list[dict[str, object]]]) -> None:
    cell = lambda value: "-" if value is None else value  # noqa: E731
    for label, records in results.items():
        for r in records:
            print(
                f"{households:>10}  {label:<16} {r['stage']:<16} {r['wall']:>8} "
                f"{cell(r['cpu']):>8} {r['peak_mib']:>8}",
                flush=True,
            )
    if len(results) == 2:
        (ref_label, theirs), (_, mine) = results.items()
        print(f"\n{households:>10}  this checkout / {ref_label}: wall, cpu, peak")
        for a, b in zip(mine, theirs, strict=True):
            print(
                f"{households:>10}  {'ratio':<16} {a['stage']:<16} "
                f"{ratio(a['wall'], b['wall']):>8} {ratio(a['cpu'], b['cpu']):>8} "
                f"{ratio(a['peak_mib'], b['peak_mib']):>8}"
            )


def main(sizes: list[int], against: str | None, rounds: int) -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        codes = {THIS: ROOT}
        if against:
            codes = {against: export_ref(against, Path(tmp) / "ref"), THIS: ROOT}
        print(
            f"{'households':>10}  {'code':<16} {'stage':<16} "
            f"{'wall s':>8} {'cpu s':>8} {'peak MiB':>8}"
        )
        for households in sizes:
            folder = Path(tmp) / f"nights-{households}"
            seconds = write_nights(folder, households)
            print(f"{households:>10}  {'(sample)':<16} {'written':<16} {seconds:>8.2f}", flush=True)
            runs: dict[str, list[list[dict[str, object]]]] = {label: [] for label in codes}
            for _ in range(rounds):
                for label, code in codes.items():
                    runs[label].append(run_pipeline_child(code, folder))
            print_size(households, {label: median_by_stage(r) for label, r in runs.items()})
            shutil.rmtree(folder)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.path.insert(0, os.getcwd())
        print(json.dumps(measure(Path(sys.argv[2]))))
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("households", nargs="*", type=int, default=[5000])
        parser.add_argument("--against", metavar="REF", help="also run this git ref's code")
        parser.add_argument("--rounds", type=int, default=1, help="runs of each code (median)")
        args = parser.parse_args()
        main(args.households, args.against, args.rounds)
