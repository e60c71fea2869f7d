"""`sfp sources check` and the council's source definitions on the command line.

Kept apart from the table of commands (flows/commands.py), which holds its entry, so the
source layer's command line reads in one place. `sources check` is not a Prefect flow: it
loads nothing and runs nothing on a schedule, so it skips Prefect's start (about 17 s) and
answers at once.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from data_contracts.source_catalogue import SOURCES_ENV, load_catalogue
from flows.arguments import positive_whole_number


def use_sources(args: argparse.Namespace) -> None:
    """`--sources DIR` in force for the rest of the process, checked now.

    Every later step (and each scheduled run of `sfp serve`, in this process) reads the
    council's definitions from `$SFP_SOURCES`; a wrong definition is one line and exit 2
    here (`SourceDefinitionError`), before any flow starts."""
    if args.sources is not None:
        os.environ[SOURCES_ENV] = str(args.sources)
    load_catalogue()


def sources_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action",
        choices=("check",),
        help="check: show how a file would map (columns, codes, first rows' results);"
        " loads nothing",
    )
    parser.add_argument("file", type=Path)
    parser.add_argument(
        "--source", default=None, help="the definition to use (default: by folder, else match)"
    )
    parser.add_argument(
        "--rows", type=positive_whole_number, default=10, help="rows to check (default 10)"
    )


def run_sources_check(args: argparse.Namespace, warehouse: Path) -> int:
    """Print how the file maps; exit 0 if it would load, 1 if it would be refused. The
    warehouse is not opened."""
    from data_contracts.source_check import check_file

    check = check_file(args.file, load_catalogue(), args.source, args.rows)
    for line in check.lines():
        print(line)  # noqa: T201 - the command's output
    return 0 if check.loads else 1
