"""The `sfp` commands as a table: each one's arguments, its up-front checks, and its run.

A command's checks run before any flow starts, so a user's mistake is one clear line; its
run calls the command's Prefect flow and prints what a user needs to see at the end.
Adding a command is one entry in `COMMANDS` (README lists them; a test checks it does).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from importlib.util import find_spec
from pathlib import Path

from data_contracts.batch_load import BatchReport
from data_contracts.source_ingest import StaleBatchReport
from data_contracts.warehouse import connect
from data_contracts.warehouse_paths import (
    check_demo_folder,
    check_output_file,
    lock_path,
    prepare_demo_folder,
)
from flows.arguments import (
    add_noise_options,
    add_shape_option,
    as_of_date,
    noise_from_args,
    positive_whole_number,
)
from flows.lookahead_cli import (
    FORECAST_HELP,
    WORKLIST_HELP,
    check_forecast,
    check_worklist,
    forecast_arguments,
    refuse_unlinked,
    run_forecast,
    run_worklist,
    worklist_arguments,
)
from flows.sources_command import run_sources_check, sources_arguments, use_sources
from matching.link import ENGINES
from matching.review import read_decisions


class UsageError(ValueError):
    """A mistake in what the user asked for; shown as one line."""


def _nothing(args: argparse.Namespace) -> None:
    """No check beyond the common ones."""


def _given_warehouse(args: argparse.Namespace) -> Path:
    return args.warehouse


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Path], int]
    """Runs the flow (with the lock held when `locks`) and prints the outcome; exit code."""
    check: Callable[[argparse.Namespace], None] = _nothing
    needs_warehouse: bool = False
    """Refuse at once when the warehouse does not exist yet (only a nightly makes one)."""
    locks: bool = True
    """One writer at a time: take the warehouse lock (or wait with --wait)."""
    warehouse: Callable[[argparse.Namespace], Path] = _given_warehouse
    prepare: Callable[[argparse.Namespace, Path], None] | None = None
    """Run with the lock held, before Prefect starts (the demo empties its folder here)."""
    flow: bool = True
    """Runs a Prefect flow, so Prefect is prepared first (`sources check` runs none)."""


# --- sample and demo ----------------------------------------------------------------


def _sample_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--households", type=positive_whole_number, default=300)
    parser.add_argument("--seed", type=int, default=1)
    add_shape_option(parser)
    add_noise_options(parser)
    parser.add_argument(
        "--hard",
        action="store_true",
        help="also plant linkage's hard cases: twins, siblings, other scripts, swapped names,"
        " placeholder dates of birth, moves, common names (docs/matching.md)",
    )


def _run_sample(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.sample import sample_flow

    noise = asdict(noise_from_args(args))
    summary = sample_flow(args.out, args.households, args.seed, noise, args.hard, args.shape)
    print(
        f"sample council written to {args.out}/inbox ({summary['households']} households,"
        f" {summary['cases']} early help cases, {args.shape} shape); truth in"
        f" {args.out}/truth"
    )
    return 0


def _demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dir",
        type=Path,
        default=Path("demo"),
        help="folder for the sample, warehouse and workbook (default: demo)",
    )
    parser.add_argument("--households", type=positive_whole_number, default=300)
    parser.add_argument("--seed", type=int, default=1)
    add_shape_option(parser)


def demo_warehouse(args: argparse.Namespace) -> Path:
    return args.dir / "warehouse.duckdb"


def _check_demo(args: argparse.Namespace) -> None:
    use_sources(args)
    check_demo_folder(args.dir, lock_path(demo_warehouse(args)))


def _prepare_demo(args: argparse.Namespace, warehouse: Path) -> None:
    # Only a folder the demo made is emptied, and only while the lock is held.
    prepare_demo_folder(args.dir, lock_path(warehouse))


def _run_demo(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.demo import demo_flow

    result = demo_flow(args.dir, warehouse, args.households, args.seed, args.plan, args.shape)
    print_batches(result.nightly.batches, brief=True)
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


# --- nightly, serve and review ------------------------------------------------------


def _nightly_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        help="score with this saved person model (an audit re-run) instead of training",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="retrain the person model and rescore every pair (default: score only new"
        " records with the model in force), and reload files loaded under an earlier"
        " version of their source definition (docs/sources.md)",
    )
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="duckdb",
        help="where pairs are scored: duckdb (default) or spark (needs the spark extra)",
    )


def _check_inbox(args: argparse.Namespace) -> None:
    if not args.inbox.is_dir():
        raise UsageError(
            f"{args.inbox}: inbox folder not found (expected INBOX/<feed>/<file>.csv or .xlsx)"
        )
    try:
        next(args.inbox.iterdir(), None)
    except OSError as error:
        why = (error.strerror or type(error).__name__).lower()
        raise UsageError(f"{args.inbox}: inbox folder cannot be listed ({why})") from None


def _check_nightly(args: argparse.Namespace) -> None:
    _check_inbox(args)
    use_sources(args)
    if args.model is not None and not args.model.is_file():
        raise UsageError(f"{args.model}: saved person model not found")
    if args.engine == "spark" and not find_spec("pyspark"):
        raise UsageError(
            "--engine spark needs pyspark: install the extra with "
            "`.venv/bin/pip install -e '.[spark]'` (Java 17 must be on the PATH)"
        )


def _run_nightly(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.nightly import nightly_flow

    state = nightly_flow(
        args.inbox,
        warehouse,
        args.plan,
        model=args.model,
        rebuild=args.rebuild,
        engine=args.engine,
        return_state=True,
    )
    result = state.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        raise result
    print_batches(result.batches, brief=args.quiet)
    print(f"validation report (offline HTML): {result.validation_page}")
    print(
        f"linked {result.people} people ({result.link_mode}); indicators derived"
        f" ({result.derive_mode}); warehouse {warehouse}"
    )
    return 1 if result.refused else 0


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--inbox", type=Path, required=True)
    parser.add_argument(
        "--cron", default=None, help='cron schedule (default: "30 2 * * *", 02:30 each night)'
    )
    parser.add_argument("--timezone", default=None, help="IANA time zone (default: Europe/London)")


def _check_serve(args: argparse.Namespace) -> None:
    _check_inbox(args)
    use_sources(args)
    if not os.environ.get("PREFECT_API_URL"):
        # Prefect's ephemeral server runs no scheduler, so a schedule would never fire.
        raise UsageError(
            "sfp serve needs a Prefect server for its schedule: run `.venv/bin/prefect server "
            "start --background` and set PREFECT_API_URL=http://127.0.0.1:4200/api "
            "(docs/operations.md)"
        )


def _run_serve(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.serve import DEFAULT_CRON, DEFAULT_TIMEZONE, nightly_schedule, serve_nightly

    schedule = nightly_schedule(args.cron or DEFAULT_CRON, args.timezone or DEFAULT_TIMEZONE)
    connect(warehouse).close()  # a warehouse that cannot be opened is one line now
    print(f"serving the nightly flow on {schedule.cron!r} ({schedule.timezone}); Ctrl-C stops")
    serve_nightly(args.inbox, warehouse, args.plan, schedule)
    return 0


def _review_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path)


def _check_review(args: argparse.Namespace) -> None:
    with connect(args.warehouse, read_only=True) as con:
        read_decisions(args.file, con)


def _run_review(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.review import review_import_flow

    decided = review_import_flow(args.file, warehouse)
    print(f"{args.file}: {decided} decisions recorded; the next nightly run honours them")
    return 0


# --- claims ---------------------------------------------------------------------------


def _claim_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=as_of_date, required=True, dest="as_of")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--submit", action="store_true", help="record the claimed families in the ledger"
    )


def claim_workbook_path(args: argparse.Namespace) -> Path:
    return args.out or Path(f"claim-{args.as_of.isoformat()}.xlsx")


def _check_claim(args: argparse.Namespace) -> None:
    check_output_file(claim_workbook_path(args), args.warehouse)
    if args.submit:
        from claims.ledger import check_submittable

        with connect(args.warehouse) as con:
            check_submittable(con, args.as_of)


def _run_claim(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.claim import claim_flow

    result = claim_flow(args.as_of, warehouse, claim_workbook_path(args), args.plan, args.submit)
    print(
        f"{result.period}: {result.claimed} of {result.cases} cases claimed as of "
        f"{args.as_of.isoformat()} ({result.reclaims} re-claims)"
        + (f"; recorded in the ledger as submission {result.submission_id}" if args.submit else "")
    )
    print(f"workbook: {result.workbook}")
    print(f"claim report page (offline HTML): {result.report_page}")
    return 0


def _rerun_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", type=as_of_date, required=True, dest="as_of")
    parser.add_argument(
        "--out", type=Path, default=None, help="also write the rebuilt workbook here"
    )


def _check_rerun(args: argparse.Namespace) -> None:
    if args.out is not None:
        check_output_file(args.out, args.warehouse)
    from claims.ledger import check_rerunnable

    with connect(args.warehouse) as con:
        check_rerunnable(con, args.as_of, args.warehouse)


def _run_rerun(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.rerun import rerun_flow

    rerun = rerun_flow(args.as_of, warehouse, args.out)
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


def _historic_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", type=Path, required=True)


def _check_historic(args: argparse.Namespace) -> None:
    from claims.historic import check_importable

    with connect(args.warehouse) as con:
        check_importable(con, args.file)


def _run_historic(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.claim import import_claims_flow

    imported = import_claims_flow(args.file, warehouse, args.plan)
    print(
        f"{imported.file_name}: {imported.claims} historic claims, {imported.members} "
        f"members ({imported.members_linked} linked to people in the warehouse) recorded "
        f"in the ledger"
    )
    return 0


# --- source definitions -------------------------------------------------------------


def _check_sources(args: argparse.Namespace) -> None:
    use_sources(args)
    if not args.file.is_file():
        raise UsageError(f"{args.file}: file not found")


# --- output ---------------------------------------------------------------------------


def print_batches(batches: list[BatchReport], brief: bool = False) -> None:
    """One reconciliation line per file, then the night's totals; every entry that was
    skipped or is still refused, and every file loaded under an earlier source definition,
    is listed too, never dropped silently. `brief` lists only files that need a look
    (refused, skipped, with quarantined rows, loaded under an earlier definition)."""
    loaded = [b for b in batches if b.status == "loaded"]
    already = sum(b.status == "already loaded" for b in batches)
    skipped = sum(b.status == "skipped" for b in batches)
    still = sum(b.status == "still refused" for b in batches)
    stale = sum(isinstance(b, StaleBatchReport) for b in batches)
    for report in batches:
        quiet = report.status in ("loaded", "already loaded") and not report.rows_quarantined
        if not brief or not quiet or isinstance(report, StaleBatchReport):
            print(report.line())
    superseded = sum(len(b.supersedes) for b in loaded)
    print(
        f"{len(loaded)} files loaded: {sum(b.rows_in for b in loaded)} rows in = "
        f"{sum(b.rows_staged for b in loaded)} staged + "
        f"{sum(b.rows_quarantined for b in loaded)} quarantined; "
        f"{sum(bool(b.error) for b in batches)} refused"
        + (f"; {still} still refused (unchanged)" if still else "")
        + (f"; {skipped} skipped" if skipped else "")
        + (f"; {already} already loaded" if already else "")
        + (f"; {superseded} earlier batches superseded" if superseded else "")
        + (
            f"; {stale} loaded under an earlier source definition (`sfp nightly --rebuild`"
            " reloads them)"
            if stale
            else ""
        )
    )


COMMANDS: dict[str, Command] = {
    command.name: command
    for command in (
        Command(
            "demo",
            "make a sample council, run nightly and claim on it",
            _demo_arguments,
            _run_demo,
            check=_check_demo,
            warehouse=demo_warehouse,
            prepare=_prepare_demo,
        ),
        Command(
            "sample",
            "write a synthetic council's inbox and truth",
            _sample_arguments,
            _run_sample,
            locks=False,
        ),
        Command(
            "nightly",
            "ingest, validate, link and derive",
            _nightly_arguments,
            _run_nightly,
            check=_check_nightly,
        ),
        Command(
            "review-import",
            "read a filled-in review workbook; the next nightly run honours its decisions",
            _review_arguments,
            _run_review,
            check=_check_review,
            needs_warehouse=True,
        ),
        Command(
            "serve",
            "run the nightly flow on a schedule through Prefect",
            _serve_arguments,
            _run_serve,
            check=_check_serve,
            locks=False,  # each scheduled run takes the lock itself (flows/serve.py)
        ),
        Command(
            "claim",
            "decide every case as of a date and write the workbook",
            _claim_arguments,
            _run_claim,
            check=_check_claim,
            needs_warehouse=True,
        ),
        Command(
            "rerun",
            "re-run a submitted period on the data and settings as they stood",
            _rerun_arguments,
            _run_rerun,
            check=_check_rerun,
            needs_warehouse=True,
        ),
        Command(
            "worklist",
            WORKLIST_HELP,
            worklist_arguments,
            run_worklist,
            check=check_worklist,
            needs_warehouse=True,
            prepare=refuse_unlinked,
        ),
        Command(
            "forecast",
            FORECAST_HELP,
            forecast_arguments,
            run_forecast,
            check=check_forecast,
            needs_warehouse=True,
        ),
        Command(
            "import-claims",
            "record a council's historic claims (CSV, one row per family member)",
            _historic_arguments,
            _run_historic,
            check=_check_historic,
            needs_warehouse=True,
        ),
        Command(
            "sources",
            "source definitions for partner extracts: `sources check FILE` shows how a file"
            " would map; loads nothing",
            sources_arguments,
            run_sources_check,
            check=_check_sources,
            locks=False,
            flow=False,
        ),
    )
}
