"""Do this checkout and a git ref give the same answers on the same inbox? (speed work's check)

Usage: .venv/bin/python bench/same_answers.py --against REF [COUNCIL ...]
COUNCIL is HOUSEHOLDS:SEED[:partner][:hard] (default: 1500:3 600:7:partner 800:9:hard)

A rewrite for speed must change no answer: for each council the sample is written once,
its inbox split into two nights (bench_pipeline.py's split), and each code runs, in a child
process of its own and with the same fixed run time: the full nightly, the incremental
night, a claim as of the sample's date, then a full rebuild and the same claim again. Then
every table both warehouses hold is compared row for row (as an unordered set of rows over
the columns both have), and the claim workbooks and report pages byte for byte. Prints one
line per table that differs and a verdict per council; exit 1 when any answer differs.

Tables whose rows record the run itself (timings, row counts of work done) are reported
but do not fail the comparison: `RUN_RECORDS`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from datetime import date, datetime
from pathlib import Path

from bench_pipeline import export_ref, write_nights_from  # bench/ is on sys.path
from child_runs import run_child

ROOT = Path(__file__).resolve().parents[1]
RUN_AT = datetime(2026, 1, 5, 2, 30)
RUN_RECORDS = {
    "derive_run", "link_run", "link_model_state", "validation_result", "link_quality_chart",
}  # fmt: skip
"""Tables describing how a run went (seconds taken, work counted), not what it decided; and
the match-quality page's chart specs, JSON text whose floats carry EM's last-digit noise
(two runs of the same code differ there: `--against HEAD` shows it)."""
FLOAT_DIGITS = 9
"""Splink's EM differs in the last digits between two runs of the same code (summation
order), so probabilities and weights are compared to nine decimal places."""


def child(folder: Path, out: Path) -> None:
    """Both nights, a claim, a rebuild and a claim again; then each table's rows."""
    import duckdb

    from claims.submission import run_claim
    from data_contracts.warehouse import connect
    from indicators.pipeline import NightlyOptions, run_nightly
    from indicators.plan import load_plan

    facts = json.loads((folder / "facts.json").read_text())
    plan, as_of = load_plan(), date.fromisoformat(facts["as_of"])
    first_as_of = date.fromisoformat(facts["first_as_of"])
    out.mkdir(parents=True)
    work = out / "work"
    for night in ("night1", "night2"):
        shutil.copytree(folder / night, work / night)
    warehouse = work / "w.duckdb"
    with connect(warehouse) as con:
        run_nightly(con, warehouse, work / "night1", NightlyOptions(plan, first_as_of), RUN_AT)
        run_nightly(con, warehouse, work / "night2", NightlyOptions(plan, as_of), RUN_AT)
        run_claim(con, plan, as_of, out / "claim.xlsx")
        rebuild = NightlyOptions(plan, as_of, rebuild=True)
        run_nightly(con, warehouse, work / "night2", rebuild, RUN_AT)
        run_claim(con, plan, as_of, out / "claim-after-rebuild.xlsx")
    con = duckdb.connect(str(warehouse), read_only=True)
    tables = [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_type = 'BASE TABLE'"
        ).fetchall()
    ]
    dump = out / "tables"
    dump.mkdir()
    for table in tables:
        con.execute(f"copy \"{table}\" to '{dump / table}.parquet' (format parquet)")
    con.close()
    shutil.rmtree(work)


def compare(theirs: Path, mine: Path) -> list[str]:
    """Lines naming each difference between two children's outputs (none: the same)."""
    import duckdb

    lines: list[str] = []
    outputs = sorted(p.name for p in theirs.iterdir() if p.is_file())
    for name in outputs:  # the claims' workbooks and report pages
        a, b = (hashlib.sha256((side / name).read_bytes()).hexdigest() for side in (theirs, mine))
        if a != b:
            lines.append(f"DIFFERS  {name}: bytes differ")
    con = duckdb.connect()
    names_a = {p.stem for p in (theirs / "tables").glob("*.parquet")}
    names_b = {p.stem for p in (mine / "tables").glob("*.parquet")}
    for name in sorted(names_a ^ names_b):
        side = "this checkout only" if name in names_b else "the ref only"
        lines.append(f"note     table {name}: in {side}")
    for name in sorted(names_a & names_b):
        a, b = (f"read_parquet('{side / 'tables' / name}.parquet')" for side in (theirs, mine))
        cols_a = [r[:2] for r in con.execute(f"describe select * from {a}").fetchall()]
        cols_b = {r[0] for r in con.execute(f"describe select * from {b}").fetchall()}
        common = ", ".join(
            f'round("{c}", {FLOAT_DIGITS})' if kind in ("DOUBLE", "FLOAT") else f'"{c}"'
            for c, kind in cols_a
            if c in cols_b
        )
        only = (
            con.execute(f"select count(*) from (select {common} from {a} except all "
                        f"select {common} from {b})").fetchone()[0],
            con.execute(f"select count(*) from (select {common} from {b} except all "
                        f"select {common} from {a})").fetchone()[0],
        )  # fmt: skip
        if any(only):
            kind = "note    " if name in RUN_RECORDS else "DIFFERS "
            lines.append(
                f"{kind} table {name}: {only[0]} rows only in the ref, {only[1]} only here"
            )
    return lines


def main(against: str, councils: list[str]) -> int:
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        ref = export_ref(against, Path(tmp) / "ref")
        for council in councils:
            households, seed, *flags = council.split(":")
            folder = Path(tmp) / council.replace(":", "-")
            write_nights_from(
                folder, int(households), int(seed), partner="partner" in flags, hard="hard" in flags
            )
            for code, side in ((ref, "ref"), (ROOT, "mine")):
                run_child(__file__, [str(folder), str(folder / side)], f"the run of {code}", code)
            lines = compare(folder / "ref", folder / "mine")
            for line in lines:
                print(f"{council:<18} {line}")
            differs = any(line.startswith("DIFFERS") for line in lines)
            failed |= differs
            verdict = "DIFFERENT answers" if differs else "same answers, same workbook bytes"
            print(f"{council:<18} {verdict}", flush=True)
    return int(failed)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        sys.path.insert(0, os.getcwd())
        child(Path(sys.argv[2]), Path(sys.argv[3]))
        print("null")  # child_runs reads the last line
    else:
        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument(
            "councils", nargs="*", default=["1500:3", "600:7:partner", "800:9:hard"]
        )
        parser.add_argument("--against", metavar="REF", required=True)
        args = parser.parse_args()
        sys.path.insert(0, str(ROOT))
        raise SystemExit(main(args.against, args.councils))
