"""`sfp`: one entry point, each command a Prefect flow underneath (SPEC section 6).

Arguments are checked here, before any flow starts, so a user's mistake is one clear line
on stderr and exit code 2, never a stack trace from inside a flow run.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import asdict, replace
from datetime import date
from importlib.util import find_spec
from pathlib import Path

from claims.historic import HistoricClaimsError
from claims.ledger import LedgerError
from claims.worklist import WorklistError
from data_contracts.ingest import FeedFileError
from data_contracts.warehouse_lock import WarehouseBusy, warehouse_lock
from data_contracts.warehouse_paths import (
    OutputPathError,
    check_demo_folder,
    check_output_file,
    lock_path,
    prepare_demo_folder,
)
from flows.lookahead_cli import COMMANDS as LOOKAHEAD
from flows.lookahead_cli import add_lookahead_commands, check_lookahead_inputs, run_lookahead
from indicators.plan import PlanError, load_plan
from matching.link import ENGINES
from matching.pair_scoring import ModelMismatch
from matching.review import ReviewFileError, read_decisions
from matching.spark_engine import SparkUnavailable
from sample_data.noise import NoiseRates

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


def _number_between(low: float, high: float, expected: str) -> Callable[[str], float]:
    """An argparse type for a number in [low, high]; `expected` words the one-line error."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_rate = _number_between(0, 1, "a number from 0 to 1")
_scale = _number_between(0, math.inf, "a number >= 0")


NOISE_OPTIONS = {
    "typo": "share of rows with a forename typo",
    "nickname": "share of rows with a nickname for the forename (William -> Bill)",
    "dob_swap": "share of rows with day and month of birth swapped",
    "postcode_missing": "share of rows with no postcode",
    "postcode_reformat": "share of rows with a postcode in lower case without its space",
    "identifier_missing": "share of rows with an optional national identifier left blank",
    "duplicate_row": "share of rows sent twice in their batch",
    "surname_change": "share of women who marry during the span (earlier rows: maiden name)",
    "accented_name": "share of people with an accented or apostrophe name (Zoë, O'Connor)",
}


def noise_from_args(args: argparse.Namespace) -> NoiseRates:
    """The noise rates asked for: defaults, overridden one by one, then scaled."""
    chosen = {
        name: getattr(args, f"{name}_rate")
        for name in NOISE_OPTIONS
        if getattr(args, f"{name}_rate") is not None
    }
    return replace(NoiseRates(), **chosen).scaled(args.noise_scale)


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
    common.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another run on the warehouse to finish (default: refuse)",
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
    defaults = NoiseRates()
    for name, what in NOISE_OPTIONS.items():
        sample.add_argument(
            f"--{name.replace('_', '-')}-rate",
            dest=f"{name}_rate",
            type=_rate,
            default=None,
            help=f"{what} (default {getattr(defaults, name)})",
        )
    sample.add_argument(
        "--noise-scale",
        type=_scale,
        default=1.0,
        help="multiply every noise rate (0 writes clean feeds; default 1)",
    )

    nightly = commands.add_parser(
        "nightly", parents=[common], help="ingest, validate, link and derive"
    )
    nightly.add_argument("--inbox", type=Path, required=True)
    nightly.add_argument(
        "--model",
        type=Path,
        default=None,
        help="score with this saved person model (an audit re-run) instead of training",
    )
    nightly.add_argument(
        "--rebuild",
        action="store_true",
        help="retrain the person model and rescore every pair (default: score only new"
        " records with the model in force)",
    )
    nightly.add_argument(
        "--engine",
        choices=ENGINES,
        default="duckdb",
        help="where pairs are scored: duckdb (default) or spark (needs the spark extra)",
    )

    review = commands.add_parser(
        "review-import",
        parents=[common],
        help="read a filled-in review workbook; the next nightly run honours its decisions",
    )
    review.add_argument("file", type=Path)

    serve = commands.add_parser(
        "serve", parents=[common], help="run the nightly flow on a schedule through Prefect"
    )
    serve.add_argument("--inbox", type=Path, required=True)
    serve.add_argument(
        "--cron", default=None, help='cron schedule (default: "30 2 * * *", 02:30 each night)'
    )
    serve.add_argument("--timezone", default=None, help="IANA time zone (default: Europe/London)")

    claim = commands.add_parser(
        "claim", parents=[common], help="decide every case as of a date and write the workbook"
    )
    claim.add_argument("--as-of", type=_as_of, required=True, dest="as_of")
    claim.add_argument("--out", type=Path, default=None)
    claim.add_argument(
        "--submit", action="store_true", help="record the claimed families in the ledger"
    )

    rerun = commands.add_parser(
        "rerun",
        parents=[common],
        help="re-run a submitted period on the data and settings as they stood",
    )
    rerun.add_argument("--as-of", type=_as_of, required=True, dest="as_of")
    rerun.add_argument(
        "--out", type=Path, default=None, help="also write the rebuilt workbook here"
    )

    add_lookahead_commands(commands, common, _as_of)

    historic = commands.add_parser(
        "import-claims",
        parents=[common],
        help="record a council's historic claims (CSV, one row per family member)",
    )
    historic.add_argument("--file", type=Path, required=True)
    return parser


def _check_inputs(args: argparse.Namespace) -> None:
    """Everything a flow would trip over later, checked up front."""
    if args.plan is not None:
        load_plan(args.plan)
    if args.command in ("nightly", "serve") and not args.inbox.is_dir():
        raise UsageError(
            f"{args.inbox}: inbox folder not found (expected INBOX/<feed>/<file>.csv or .xlsx)"
        )
    if args.command == "nightly" and args.model is not None and not args.model.is_file():
        raise UsageError(f"{args.model}: saved person model not found")
    if args.command == "nightly" and args.engine == "spark" and not find_spec("pyspark"):
        raise UsageError(
            "--engine spark needs pyspark: install the extra with "
            "`.venv/bin/pip install -e '.[spark]'` (Java 17 must be on the PATH)"
        )
    if args.command == "serve" and not os.environ.get("PREFECT_API_URL"):
        # Prefect's ephemeral server runs no scheduler, so a schedule would never fire.
        raise UsageError(
            "sfp serve needs a Prefect server for its schedule: run `.venv/bin/prefect server "
            "start --background` and set PREFECT_API_URL=http://127.0.0.1:4200/api "
            "(docs/operations.md)"
        )
    if (
        args.command in ("claim", "rerun", "import-claims", "review-import", *LOOKAHEAD)
        and not args.warehouse.exists()
    ):
        raise UsageError(f"{args.warehouse}: warehouse not found (run `sfp nightly` first)")
    if args.command == "claim":
        check_output_file(claim_workbook_path(args), args.warehouse)
    if args.command == "rerun" and args.out is not None:
        check_output_file(args.out, args.warehouse)
    if args.command in LOOKAHEAD:
        check_lookahead_inputs(args)
    if args.command == "demo":
        check_demo_folder(args.dir, lock_path(demo_warehouse(args)))
    if args.command in ("import-claims", "rerun") or getattr(args, "submit", False):
        # Ledger mistakes are refused here, as one line, before a flow run would log them.
        from claims.historic import check_importable
        from claims.ledger import check_rerunnable, check_submittable
        from data_contracts.warehouse import connect

        with connect(args.warehouse) as con:
            if args.command == "import-claims":
                check_importable(con, args.file)
            elif args.command == "rerun":
                check_rerunnable(con, args.as_of, args.warehouse)
            else:
                check_submittable(con, args.as_of)
    if args.command == "review-import":
        read_decisions(args.file)


def claim_workbook_path(args: argparse.Namespace) -> Path:
    return args.out or Path(f"claim-{args.as_of.isoformat()}.xlsx")


def demo_warehouse(args: argparse.Namespace) -> Path:
    return args.dir / "warehouse.duckdb"


def _run(args: argparse.Namespace) -> int:
    from flows.environment import prepare_prefect

    warehouse = demo_warehouse(args) if args.command == "demo" else args.warehouse
    if args.command == "demo":
        with warehouse_lock(warehouse, args.wait):
            # Only a folder the demo made is emptied, and only while the lock is held.
            prepare_demo_folder(args.dir, lock_path(warehouse))
            prepare_prefect(warehouse)
            return _run_flow(args, warehouse)
    prepare_prefect(warehouse)
    if args.command == "serve":
        from flows.serve import DEFAULT_CRON, DEFAULT_TIMEZONE, nightly_schedule, serve_nightly

        schedule = nightly_schedule(args.cron or DEFAULT_CRON, args.timezone or DEFAULT_TIMEZONE)
        print(f"serving the nightly flow on {schedule.cron!r} ({schedule.timezone}); Ctrl-C stops")
        serve_nightly(args.inbox, warehouse, args.plan, schedule)
        return 0
    if args.command == "sample":
        return _run_flow(args, warehouse)
    with warehouse_lock(warehouse, args.wait):
        return _run_flow(args, warehouse)


def _run_flow(args: argparse.Namespace, warehouse: Path) -> int:
    if args.command == "sample":
        from flows.sample import sample_flow

        summary = sample_flow(args.out, args.households, args.seed, asdict(noise_from_args(args)))
        print(
            f"sample council written to {args.out}/inbox ({summary['households']} households,"
            f" {summary['cases']} early help cases); truth in {args.out}/truth"
        )
        return 0
    if args.command == "nightly":
        from flows.nightly import nightly_flow

        result = nightly_flow(
            args.inbox,
            args.warehouse,
            args.plan,
            model=args.model,
            rebuild=args.rebuild,
            engine=args.engine,
        )
        _print_batches(result.batches)
        print(f"validation report (offline HTML): {result.validation_page}")
        print(
            f"linked {result.people} people ({result.link_mode}); indicators derived"
            f" ({result.derive_mode}); warehouse {args.warehouse}"
        )
        return 1 if any(report.error for report in result.batches) else 0
    if args.command == "review-import":
        from flows.review import review_import_flow

        decided = review_import_flow(args.file, args.warehouse)
        print(f"{args.file}: {decided} decisions recorded; the next nightly run honours them")
        return 0
    if args.command == "claim":
        from flows.claim import claim_flow

        out = claim_workbook_path(args)
        result = claim_flow(args.as_of, args.warehouse, out, args.plan, args.submit)
        print(
            f"{result.period}: {result.claimed} of {result.cases} cases claimed as of "
            f"{args.as_of.isoformat()} ({result.reclaims} re-claims)"
            + (
                f"; recorded in the ledger as submission {result.submission_id}"
                if args.submit
                else ""
            )
        )
        print(f"workbook: {result.workbook}")
        print(f"claim report page (offline HTML): {result.report_page}")
        return 0
    if args.command == "rerun":
        from flows.rerun import rerun_flow

        rerun = rerun_flow(args.as_of, args.warehouse, args.out)
        print(
            f"{rerun.period} (as of {args.as_of.isoformat()}, submission "
            f"{rerun.submission_id}): submitted sha256 {rerun.submitted_sha256}"
        )
        if rerun.identical:
            print(f"re-run sha256 {rerun.rerun_sha256}: identical, no difference")
            return 0
        print(f"re-run sha256 {rerun.rerun_sha256}: DIFFERENT")
        for line in rerun.differences:
            print(f"  {line}")
        return 1
    if args.command in LOOKAHEAD:
        print("\n".join(run_lookahead(args)))
        return 0
    if args.command == "import-claims":
        from flows.claim import import_claims_flow

        imported = import_claims_flow(args.file, args.warehouse, args.plan)
        print(
            f"{imported.file_name}: {imported.claims} historic claims, {imported.members} "
            f"members ({imported.members_linked} linked to people in the warehouse) recorded "
            f"in the ledger"
        )
        return 0
    from flows.demo import demo_flow

    result = demo_flow(args.dir, warehouse, args.households, args.seed, args.plan)
    _print_batches(result.nightly.batches, brief=True)
    print(f"validation report (offline HTML): {result.nightly.validation_page}")
    print(f"linked {result.nightly.people} people")
    print(
        f"{result.claim.period}: {result.claim.claimed} of {result.claim.cases} cases claimed"
        f" (the sample's truth expects {result.expected_claims}); "
        f"{result.matching_truth[0]} of {result.matching_truth[1]} cases decided as the truth"
        " expects, every failed gate included"
    )
    print(f"sample and truth: {result.sample_dir}")
    print(f"warehouse: {warehouse}")
    print(f"workbook: {result.claim.workbook}")
    print(f"claim report page (offline HTML): {result.claim.report_page}")
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
    # Great Expectations imports pyspark when it is installed (the spark extra), and
    # pyspark 4.3 warns that pandas 3 is untested; docs/spark.md says why that is safe.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        _check_inputs(args)
        code = _run(args)
    except (
        UsageError,
        PlanError,
        FeedFileError,
        WarehouseBusy,
        OutputPathError,
        LedgerError,
        HistoricClaimsError,
        ReviewFileError,
        SparkUnavailable,
        ModelMismatch,
        WorklistError,
    ) as error:
        print(f"sfp: error: {error}", file=sys.stderr)
        code = 2
    # Only a completed command is quietened: an unexpected error keeps its traceback.
    _quiet_shutdown()
    return code


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
