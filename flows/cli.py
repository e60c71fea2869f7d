"""`sfp`: one entry point, each command a Prefect flow underneath (SPEC section 6).

The commands are a table (flows/commands.py). Arguments and everything a flow would trip
over are checked here first, so a user's mistake is one clear line on stderr and exit
code 2, never a stack trace from inside a flow run. `main` returns the exit code and can
be called in-process (the tests do); `run` is the installed console script.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import warnings
from pathlib import Path

import duckdb

from claims.historic import HistoricClaimsError
from claims.ledger import LedgerError
from claims.worklist import WorklistError
from data_contracts.feed_reader import FeedFileError
from data_contracts.file_writes import OutputWriteError
from data_contracts.source_definitions import SourceDefinitionError
from data_contracts.warehouse import (
    WarehouseError,
    check_warehouse_file,
    connect,
    disk_full,
    is_disk_full,
    is_interrupt,
)
from data_contracts.warehouse_lock import WarehouseBusy, warehouse_lock
from data_contracts.warehouse_paths import OutputPathError
from flows.arguments import OneLineParser, common_options
from flows.commands import COMMANDS, Command, UsageError
from flows.environment import prefect_server_url
from flows.progress import terminal_progress
from indicators.plan import PlanError, load_plan
from matching.pair_scoring import ModelMismatch
from matching.review import ReviewFileError
from matching.spark_engine import SparkUnavailable

log = logging.getLogger("flows.cli")

USER_MISTAKES = (
    UsageError,
    WarehouseError,
    PlanError,
    SourceDefinitionError,
    FeedFileError,
    WarehouseBusy,
    OutputPathError,
    LedgerError,
    HistoricClaimsError,
    ReviewFileError,
    SparkUnavailable,
    ModelMismatch,
    WorklistError,
    OutputWriteError,
)
"""Errors whose message is a complete one-line answer to the user (exit code 2)."""


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="sfp", description="Supporting Families pipeline: link, derive, claim."
    )
    common = common_options()
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.arguments(commands.add_parser(command.name, parents=[common], help=command.help))
    return parser


def check_inputs(args: argparse.Namespace) -> None:
    """Everything a flow would trip over later, checked up front."""
    command = COMMANDS[args.command]
    if args.plan is not None:
        load_plan(args.plan)
    if command.needs_warehouse and not args.warehouse.exists():
        raise UsageError(f"{args.warehouse}: warehouse not found (run `sfp nightly` first)")
    command.check(args)
    if command.locks or command.needs_warehouse:
        # Before the lock file and Prefect's folder are made beside it.
        check_warehouse_file(command.warehouse(args))


def _prepare_prefect(warehouse: Path) -> None:
    """Prefect keeps its state beside the warehouse: a folder it cannot write is one line."""
    from flows.environment import prepare_prefect, send_pipeline_logs_to_prefect

    try:
        prepare_prefect(warehouse)
    except OSError as error:
        why = (error.strerror or type(error).__name__).lower()
        raise WarehouseError(f"{warehouse}: cannot be written beside ({why})") from None
    send_pipeline_logs_to_prefect()


def _start_temporary_server() -> None:
    """Last, once every check has passed: Prefect's temporary server (the flow would start
    it anyway), watched so that a killed `sfp` does not leave it running."""
    from flows.environment import guard_temporary_server

    if not prefect_server_url():
        log.info("starting Prefect's temporary server (no Prefect server set; about 20 s)")
        guard_temporary_server()


def warn_far_as_of(args: argparse.Namespace, warehouse: Path) -> None:
    """A warning line, before the work starts, for an as-of date years past the data."""
    as_of = getattr(args, "as_of", None)
    if as_of is None or not warehouse.is_file():
        return
    from data_contracts.data_dates import as_of_warning

    try:
        with connect(warehouse, read_only=True) as con:
            warning = as_of_warning(con, as_of)
    except (WarehouseError, duckdb.Error):
        return  # the command itself says what is wrong with the warehouse
    if warning:
        print(f"sfp: warning: {warning}", file=sys.stderr)


def uses_prefect(command: Command) -> bool:
    """Whether the command runs on Prefect: every flow command when a server is set; with
    none, all but the analysts' commands, which run plain (docs/adr/0014)."""
    return command.flow and (not command.plain_without_server or bool(prefect_server_url()))


def execute(command: Command, args: argparse.Namespace) -> int:
    """Take the lock if the command writes, prepare Prefect, run the command's flow."""
    warehouse = command.warehouse(args)
    prefect = uses_prefect(command)
    if not command.locks:
        warn_far_as_of(args, warehouse)
        if prefect:
            _prepare_prefect(warehouse)
            _start_temporary_server()
        return command.run(args, warehouse)
    with warehouse_lock(warehouse, args.wait):
        if command.prepare is not None:
            command.prepare(args, warehouse)
        if prefect:
            _prepare_prefect(warehouse)
        # Opened once before a flow does, with the lock held: a file another program holds
        # open, a read-only, damaged or foreign file is one line here (WarehouseError).
        connect(warehouse).close()
        warn_far_as_of(args, warehouse)
        if prefect:
            _start_temporary_server()
        return command.run(args, warehouse)


def main(argv: list[str] | None = None) -> int:
    # Great Expectations imports pyspark when it is installed (the spark extra), and
    # pyspark 4.3 warns that pandas 3 is untested; docs/spark.md says why that is safe.
    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )
    args = build_parser().parse_args(argv)
    with terminal_progress(quiet=args.quiet):
        try:
            check_inputs(args)
            return execute(COMMANDS[args.command], args)
        except KeyboardInterrupt:
            return _interrupted()
        except USER_MISTAKES as error:
            print(f"sfp: error: {error}", file=sys.stderr)
            return 2
        except Exception as error:
            if is_disk_full(error):
                print(f"sfp: error: {disk_full(f'running {args.command}')}", file=sys.stderr)
                return 2
            if not is_interrupt(error):
                raise  # an unexpected error keeps its traceback
            return _interrupted()


def run() -> None:
    """The console script: the command's exit code, with DuckDB's exit noise silenced."""
    code = main()
    _quiet_shutdown()
    sys.exit(code)


def _interrupted() -> int:
    """Ctrl-C: each batch is written in one transaction, rolled back when interrupted, so
    what was loaded stays and the next run loads the rest; no DuckDB error is shown."""
    print(
        "sfp: interrupted: batches already written are kept, the one being written was"
        " rolled back; run the command again to finish",
        file=sys.stderr,
    )
    return 130


def _quiet_shutdown() -> None:
    """Silence DuckDB's interpreter-shutdown leak report once our output is complete.

    After a Prefect flow run, DuckDB 2's nanobind bindings print a page of "leaked
    instance" lines as the interpreter exits; they are benign (nanobind's refleaks docs)
    but bury the command's real output, so stderr is closed after a final flush. Only a
    completed command gets here: an unexpected error keeps its traceback.
    """
    gc.collect()
    sys.stdout.flush()
    sys.stderr.flush()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)


if __name__ == "__main__":
    run()
