"""`sfp sources check` and the partner-shape option of `sfp sample` / `sfp demo`.

Kept beside the command line (flows/cli.py) so the source layer's commands read in one
place; `sources check` is not a Prefect flow: it loads nothing and runs nothing on a
schedule, so it skips Prefect's start (about 17 s) and answers at once.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

SHAPE_HELP = (
    "spec: every feed in its SPEC folder (default); partner: feeds as partners send them,"
    " read through the shipped source definitions (docs/sources.md)"
)


def add_sources_command(
    commands: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    positive: Callable[[str], int],
) -> None:
    sources = commands.add_parser("sources", help="source definitions for partner extracts")
    source_commands = sources.add_subparsers(dest="sources_command", required=True)
    check = source_commands.add_parser(
        "check",
        parents=[common],
        help="show how a file would map (columns, codes, first rows' results); loads nothing",
    )
    check.add_argument("file", type=Path)
    check.add_argument(
        "--source", default=None, help="the definition to use (default: by folder, else match)"
    )
    check.add_argument("--rows", type=positive, default=10, help="rows to check (default 10)")


def run_sources_check(args: argparse.Namespace) -> int:
    """Print how the file maps; exit 0 if it would load, 1 if it would be refused."""
    from data_contracts.source_catalogue import load_catalogue
    from data_contracts.source_check import check_file

    check = check_file(args.file, load_catalogue(), args.source, args.rows)
    for line in check.lines():
        print(line)  # noqa: T201 - the command's output
    return 0 if check.loads else 1
