"""Argument types and the options every command shares.

A mistake in what the user typed is one line on stderr and exit code 2 (README): the
types here word each expectation, and `OneLineParser` prints no usage block above it.
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import NoReturn

from data_contracts.source_catalogue import SOURCES_ENV
from sample_data.noise import NoiseRates
from sample_data.partner_shapes import SHAPES

DEFAULT_WAREHOUSE = "warehouse.duckdb"
EARLIEST_AS_OF = date(2000, 1, 1)
LATEST_AS_OF = date(2099, 12, 31)
"""An as-of date outside these is a typo (`0001-01-01`, `9999-12-31`): the programme and
its financial-year labels (`2025-26 Q2`) live well inside them."""


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake is one line on stderr (README): no usage block above it."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def as_of_date(text: str) -> date:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None
    if not EARLIEST_AS_OF <= value <= LATEST_AS_OF:
        raise argparse.ArgumentTypeError(
            f"expected a date from {EARLIEST_AS_OF} to {LATEST_AS_OF}, got {text!r}"
        )
    return value


def positive_whole_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def number_between(low: float, high: float, expected: str) -> Callable[[str], float]:
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


def add_noise_options(parser: argparse.ArgumentParser) -> None:
    rate = number_between(0, 1, "a number from 0 to 1")
    defaults = NoiseRates()
    for name, what in NOISE_OPTIONS.items():
        parser.add_argument(
            f"--{name.replace('_', '-')}-rate",
            dest=f"{name}_rate",
            type=rate,
            default=None,
            help=f"{what} (default {getattr(defaults, name)})",
        )
    parser.add_argument(
        "--noise-scale",
        type=number_between(0, math.inf, "a number >= 0"),
        default=1.0,
        help="multiply every noise rate (0 writes clean feeds; default 1)",
    )


def noise_from_args(args: argparse.Namespace) -> NoiseRates:
    """The noise rates asked for: defaults, overridden one by one, then scaled."""
    chosen = {
        name: getattr(args, f"{name}_rate")
        for name in NOISE_OPTIONS
        if getattr(args, f"{name}_rate") is not None
    }
    return replace(NoiseRates(), **chosen).scaled(args.noise_scale)


def add_shape_option(parser: argparse.ArgumentParser) -> None:
    """`--shape` of `sample` and `demo`: SPEC folders, or partners' own extracts."""
    parser.add_argument(
        "--shape",
        choices=SHAPES,
        default="spec",
        help="spec: every feed in its SPEC folder (default); partner: feeds as partners send"
        " them, read through the shipped source definitions (docs/sources.md)",
    )


def common_options() -> OneLineParser:
    """`--warehouse`, `--plan`, `--sources`, `--wait` and `--quiet`, taken by every command."""
    common = OneLineParser(add_help=False)
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
        "--sources",
        type=Path,
        default=None,
        metavar="DIR",
        help="the council's own source definitions, beside the shipped ones (default:"
        f" ${SOURCES_ENV}; docs/sources.md)",
    )
    common.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long for another run on the warehouse to finish (default: refuse)",
    )
    common.add_argument(
        "--quiet",
        action="store_true",
        help="print only warnings, errors and the final summary (for cron)",
    )
    return common
