"""`sfp`: one entry point, each command a Prefect flow underneath (SPEC section 6).

Arguments are checked here, before any flow starts, so a user's mistake is one clear line
on stderr and exit code 2, never a stack trace from inside a flow run.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
from datetime import date
from pathlib import Path

from data_contracts.ingest import FeedFileError
from indicators.plan import PlanError, load_plan

DEFAULT_WAREHOUSE = "warehouse.duckdb"


class UsageError(ValueError):
    """A mistake in what the user asked for; shown as one line."""


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sfp", description="Supporting Families pipeline: link, derive, claim."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("SFP_WAREHOUSE", DEFAULT_WAREHOUSE)),
        help="DuckDB warehouse file (default: $SFP_WAREHOUSE or %(default)s)",
    )
    common.add_argument(
        "--plan",
        type=Path,
        default=None,
        help="the council's outcome plan (default: the national framework)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser(
        "demo", parents=[common], help="make a sample council, run nightly and claim on it"
    )
    demo.add_argument(
        "--dir",
        type=Path,
        default=Path("demo"),
        help="folder for the sample, warehouse and workbook (default: demo)",
    )
    demo.add_argument("--households", type=_positive, default=300)
    demo.add_argument("--seed", type=int, default=1)

    sample = commands.add_parser(
        "sample", parents=[common], help="write a synthetic council's inbox and truth"
    )
    sample.add_argument("--out", type=Path, required=True)
    sample.add_argument("--households", type=_positive, default=300)
    sample.add_argument("--seed", type=int, default=1)

    nightly = commands.add_parser(
        "nightly", parents=[common], help="ingest, validate, link and derive"
    )
    nightly.add_argument("--inbox", type=Path, required=True)

    claim = commands.add_parser(
        "claim", parents=[common], help="decide every case as of a date and write the workbook"
    )
    claim.add_argument("--as-of", type=_as_of, required=True, dest="as_of")
    claim.add_argument("--out", type=Path, default=None)
    claim.add_argument(
        "--submit", action="store_true", help="record the claimed families in the ledger"
    )
    return parser


def _check_inputs(args: argparse.Namespace) -> None:
    """Everything a flow would trip over later, checked up front."""
    if args.plan is not None:
        load_plan(args.plan)
    if args.command == "nightly" and not args.inbox.is_dir():
        raise UsageError(
            f"{args.inbox}: inbox folder not found (expected INBOX/<feed>/<file>.csv or .xlsx)"
        )
    if args.command == "claim" and not args.warehouse.exists():
        raise UsageError(f"{args.warehouse}: warehouse not found (run `sfp nightly` first)")


def _run(args: argparse.Namespace) -> int:
    from flows.environment import prepare_prefect

    warehouse = args.dir / "warehouse.duckdb" if args.command == "demo" else args.warehouse
    if args.command == "demo" and args.dir.exists():
        # The demo folder is the demo's own: start it afresh so the run shows every stage.
        shutil.rmtree(args.dir)
    prepare_prefect(warehouse)
    if args.command == "sample":
        from flows.sample import sample_flow

        summary = sample_flow(args.out, args.households, args.seed)
        print(
            f"sample council written to {args.out}/inbox ({summary['households']} households,"
            f" {summary['cases']} early help cases); truth in {args.out}/truth"
        )
        return 0
    if args.command == "nightly":
        from flows.nightly import nightly_flow

        result = nightly_flow(args.inbox, args.warehouse, args.plan)
        _print_batches(result.batches)
        print(f"validation report (offline HTML): {result.validation_page}")
        print(f"linked {result.people} people; warehouse {args.warehouse}")
        return 1 if any(report.error for report in result.batches) else 0
    if args.command == "claim":
        from flows.claim import claim_flow

        out = args.out or Path(f"claim-{args.as_of.isoformat()}.xlsx")
        result = claim_flow(args.as_of, args.warehouse, out, args.plan, args.submit)
        print(
            f"{result.period}: {result.claimed} of {result.cases} cases claimed as of "
            f"{args.as_of.isoformat()}" + (" and recorded in the ledger" if args.submit else "")
        )
        print(f"workbook: {result.workbook}")
        return 0
    from flows.demo import demo_flow

    result = demo_flow(args.dir, warehouse, args.households, args.seed, args.plan)
    _print_batches(result.nightly.batches, brief=True)
    print(f"validation report (offline HTML): {result.nightly.validation_page}")
    print(f"linked {result.nightly.people} people")
    print(
        f"{result.claim.period}: {result.claim.claimed} of {result.claim.cases} cases claimed"
        f" (the sample's truth expects {result.expected_claims_gates_1_5} to pass gates 1-5)"
    )
    print(f"sample and truth: {result.sample_dir}")
    print(f"warehouse: {warehouse}")
    print(f"workbook: {result.claim.workbook}")
    return 0


def _print_batches(batches: list, brief: bool = False) -> None:
    """One reconciliation line per file, then the night's totals."""
    loaded = [b for b in batches if b.status == "loaded"]
    already = sum(b.status == "already loaded" for b in batches)
    for report in batches:
        if not brief or report.error or report.rows_quarantined:
            print(report.line())
    superseded = sum(len(b.supersedes) for b in loaded)
    print(
        f"{len(loaded)} files loaded: {sum(b.rows_in for b in loaded)} rows in = "
        f"{sum(b.rows_staged for b in loaded)} staged + "
        f"{sum(b.rows_quarantined for b in loaded)} quarantined; "
        f"{sum(bool(b.error) for b in batches)} refused"
        + (f"; {already} already loaded" if already else "")
        + (f"; {superseded} earlier batches superseded" if superseded else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_inputs(args)
        return _run(args)
    except (UsageError, PlanError, FeedFileError) as error:
        print(f"sfp: error: {error}", file=sys.stderr)
        return 2
    finally:
        _quiet_shutdown()


def _quiet_shutdown() -> None:
    """Silence DuckDB's interpreter-shutdown leak report once our output is complete.

    After a Prefect flow run, DuckDB 2's nanobind bindings print a page of "leaked
    instance" lines as the interpreter exits; they are benign (nanobind's refleaks docs)
    but bury the command's real output, so stderr is closed after a final flush.
    """
    gc.collect()
    sys.stdout.flush()
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


if __name__ == "__main__":
    sys.exit(main())
