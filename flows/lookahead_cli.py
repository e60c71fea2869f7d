"""`sfp worklist` and `sfp forecast` on the command line: their arguments, the checks made
before a flow starts, and what they print (counts and paths only, never a name).

Kept apart from flows/cli.py, which only registers and dispatches them; Prefect is
imported when a command runs, after flows/environment.py has set it up.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from pathlib import Path

from claims.forecast import forecast_path
from claims.worklist_workbook import check_worklist_files, worklist_files

COMMANDS = ("worklist", "forecast")


def add_lookahead_commands(
    commands: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    as_of: Callable[[str], date],
) -> None:
    worklist = commands.add_parser(
        "worklist",
        parents=[common],
        help="list families whose data shows needs under several headline outcomes and who"
        " have no early help case",
    )
    worklist.add_argument("--as-of", type=as_of, required=True, dest="as_of")
    worklist.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the practitioners' list, which names people: a folder of its own"
        " (default: worklist-personal/worklist-<as-of>.xlsx)",
    )
    worklist.add_argument(
        "--counts-out",
        type=Path,
        default=None,
        dest="counts_out",
        help="the analysts' count version, no one named (default: the folder above --out)",
    )
    forecast = commands.add_parser(
        "forecast",
        parents=[common],
        help="forecast the families claimable by the end of this quarter and the next two",
    )
    forecast.add_argument("--as-of", type=as_of, required=True, dest="as_of")
    forecast.add_argument(
        "--out", type=Path, default=None, help="the workbook (default: forecast-<as-of>.xlsx)"
    )


def check_lookahead_inputs(args: argparse.Namespace) -> None:
    """Output paths refused before anything runs (one line, exit 2)."""
    if args.command == "worklist":
        check_worklist_files(worklist_files(args.out, args.counts_out, args.as_of), args.warehouse)
    else:
        from data_contracts.warehouse_paths import check_output_file

        check_output_file(forecast_path(args.out, args.as_of), args.warehouse)


def run_lookahead(args: argparse.Namespace) -> list[str]:
    """Run the command's flow (the caller holds the warehouse lock); the lines to print.

    A warehouse never linked into candidate families is refused here, before the flow
    starts, so the mistake is one line rather than a failed flow run.
    """
    from claims.worklist import check_linked
    from data_contracts.warehouse import connect

    if args.command == "worklist":
        with connect(args.warehouse, read_only=True) as con:
            check_linked(con)
    from flows.lookahead import forecast_flow, worklist_flow

    if args.command == "worklist":
        files = worklist_files(args.out, args.counts_out, args.as_of)
        _, listed, eligible = worklist_flow(args.as_of, args.warehouse, files, args.plan)
        return [
            f"worklist as of {args.as_of.isoformat()}: {listed} of {eligible} candidate families"
            " with a dependent child and no early help case listed",
            f"practitioners' list (personal data, keep it in its folder): {files.personal}",
            f"analysts' count version (no one named): {files.counts}",
        ]
    result = forecast_flow(
        args.as_of, args.warehouse, forecast_path(args.out, args.as_of), args.plan
    )
    lines = [quarter_line(row) for row in result.forecast.quarters.to_dict("records")]
    return [*lines, f"workbook: {result.workbook}"]


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


IF_CLOSED = "open cases' families that could pass if closed now"
