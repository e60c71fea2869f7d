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
from data_contracts.night_totals import file_lines, totals_line
from data_contracts.warehouse import connect
from data_contracts.warehouse_paths import (
    check_demo_folder,
    check_sample_folder,
    lock_path,
    prepare_demo_folder,
    prepare_sample_folder,
)
from flows.arguments import (
    add_noise_options,
    add_shape_option,
    noise_from_args,
    positive_whole_number,
)
from flows.claim_commands import (
    ASSURANCE_HELP,
    assurance_arguments,
    check_assurance,
    check_claim,
    check_historic,
    check_rerun,
    claim_arguments,
    historic_arguments,
    rerun_arguments,
    run_assurance,
    run_claim,
    run_historic,
    run_rerun,
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
from flows.runs import run_flow
from flows.sources_command import run_sources_check, sources_arguments, use_sources
from indicators.pipeline import NightlyResult
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
    plain_without_server: bool = False
    """An analyst's command: with no Prefect server set it runs its flow's body as plain
    functions instead of starting a temporary server (docs/adr/0014)."""


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


def _check_sample(args: argparse.Namespace) -> None:
    check_sample_folder(args.out)


def _run_sample(args: argparse.Namespace, warehouse: Path) -> int:
    from flows.sample import sample_flow

    # Only a new or empty folder, or one an earlier sample made (its own entries replaced).
    prepare_sample_folder(args.out)
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
    from flows.demo_next import next_steps

    result = demo_flow(args.dir, warehouse, args.households, args.seed, args.plan, args.shape)
    print_batches(result.nightly.batches, args.quiet)
    print(f"linked {result.nightly.people} people")
    print(
        f"{result.claim.period}: {result.claim.claimed} of {result.claim.cases} cases claimed"
        f" (the sample's truth expects {result.expected_claims}); "
        f"{result.matching_truth[0]} of {result.matching_truth[1]} cases decided as the truth"
        " expects, every failed gate included"
    )
    print(f"warehouse: {warehouse}")
    for line in next_steps(result, warehouse, result.as_of):
        print(line)
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
    if args.model is not None:
        from matching.pair_scoring import check_saved_model

        check_saved_model(args.model)  # one line for a file of the wrong shape
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
    assert isinstance(result, NightlyResult)
    print_batches(result.batches, args.quiet)
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

    decided = run_flow(review_import_flow, args.file, warehouse)
    print(f"{args.file}: {decided} decisions recorded; the next nightly run honours them")
    return 0


# --- source definitions -------------------------------------------------------------


def _check_sources(args: argparse.Namespace) -> None:
    use_sources(args)
    if not args.file.is_file():
        raise UsageError(f"{args.file}: file not found")


# --- output ---------------------------------------------------------------------------


def print_batches(batches: list[BatchReport], quiet: bool) -> None:
    """The night's totals (data_contracts/night_totals.py), on stdout. Each file's line was
    shown as the file finished; with `--quiet` it was not, so the files that need a look
    (refused, skipped, with quarantined rows) are listed here instead: each file once."""
    if quiet:
        for line in file_lines(batches, brief=True):
            print(line)
    print(totals_line(batches))


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
            check=_check_sample,
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
            plain_without_server=True,
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
            claim_arguments,
            run_claim,
            check=check_claim,
            needs_warehouse=True,
            plain_without_server=True,
        ),
        Command(
            "rerun",
            "re-run a submitted period on the data and settings as they stood",
            rerun_arguments,
            run_rerun,
            check=check_rerun,
            needs_warehouse=True,
            plain_without_server=True,
        ),
        Command(
            "assurance",
            ASSURANCE_HELP,
            assurance_arguments,
            run_assurance,
            check=check_assurance,
            needs_warehouse=True,
            plain_without_server=True,
        ),
        Command(
            "worklist",
            WORKLIST_HELP,
            worklist_arguments,
            run_worklist,
            check=check_worklist,
            needs_warehouse=True,
            plain_without_server=True,
            prepare=refuse_unlinked,
        ),
        Command(
            "forecast",
            FORECAST_HELP,
            forecast_arguments,
            run_forecast,
            check=check_forecast,
            needs_warehouse=True,
            plain_without_server=True,
        ),
        Command(
            "import-claims",
            "record a council's historic claims (CSV, one row per family member)",
            historic_arguments,
            run_historic,
            check=check_historic,
            needs_warehouse=True,
            plain_without_server=True,
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
