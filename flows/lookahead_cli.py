"""`sfp worklist` and `sfp forecast` on the command line: their arguments, the checks made
before a flow starts, and what they print (counts and paths only, never a name).

flows/commands.py makes each one an entry of its table from these functions; Prefect is
imported when a command runs, after flows/environment.py has set it up.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from claims.forecast import forecast_path
from claims.worklist_workbook import check_worklist_files, worklist_files
from data_contracts.warehouse_paths import check_output_file
from flows.arguments import as_of_date
from flows.runs import run_flow

WORKLIST_HELP = (
    "list families whose data shows needs under several headline outcomes and who have no"
    " early help case"
)
FORECAST_HELP = "forecast the families claimable by the end of this quarter and the next two"


def worklist_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=as_of_date, required=True, dest="as_of")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the practitioners' list, which names people: a folder of its own"
        " (default: worklist-personal/worklist-<as-of>.xlsx)",
    )
    parser.add_argument(
        "--counts-out",
        type=Path,
        default=None,
        dest="counts_out",
        help="the analysts' count version, no one named (default: the folder above --out)",
    )


def check_worklist(args: argparse.Namespace) -> None:
    """Output paths refused before anything runs (one line, exit 2)."""
    check_worklist_files(worklist_files(args.out, args.counts_out, args.as_of), args.warehouse)


def refuse_unlinked(args: argparse.Namespace, warehouse: Path) -> None:
    """With the lock held, before Prefect starts: a warehouse never linked into candidate
    families is one line (WorklistError), not a failed flow run, and is left untouched."""
    from claims.worklist import check_linked
    from data_contracts.warehouse import connect

    with connect(warehouse, read_only=True) as con:
        check_linked(con)


def run_worklist(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.lookahead import worklist_flow

    files = worklist_files(args.out, args.counts_out, args.as_of)
    _, listed, eligible = run_flow(worklist_flow, args.as_of, warehouse, files, args.plan)
    print(
        f"worklist as of {args.as_of.isoformat()}: {listed} of {eligible} candidate families"
        " with a dependent child and no early help case listed"
    )
    print(f"practitioners' list (personal data, keep it in its folder): {files.personal}")
    print(f"analysts' count version (no one named): {files.counts}")
    return 0


def forecast_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=as_of_date, required=True, dest="as_of")
    parser.add_argument(
        "--out", type=Path, default=None, help="the workbook (default: forecast-<as-of>.xlsx)"
    )


def check_forecast(args: argparse.Namespace) -> None:
    check_output_file(forecast_path(args.out, args.as_of), args.warehouse)


def run_forecast(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.lookahead import forecast_flow

    result = run_flow(
        forecast_flow, args.as_of, warehouse, forecast_path(args.out, args.as_of), args.plan
    )
    for row in result.forecast.quarters.to_dict("records"):
        print(quarter_line(row))
    print(f"workbook: {result.workbook}")
    return 0


IF_CLOSED = "open cases' families that could pass if closed now"


def quarter_line(row: dict[str, object]) -> str:
    allocation = row["yearly allocation"]
    end = row["quarter end"]
    assert isinstance(end, date)
    return (
        f"{row['quarter']} (to {end.isoformat()}): "
        f"{row['families expected to become claimable']} families expected to become "
        f"claimable, {row['expected by the quarter end']} by its end; "
        f"{row['financial year']}: {row['claimed and expected in the year']} claimed and expected"
        + (f" of {allocation} allocated" if allocation is not None else "")
        + f"; {row[IF_CLOSED]} more families could pass if their open cases closed now"
    )
