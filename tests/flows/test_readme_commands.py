"""The README documents every command the command line has, and no command it lacks."""

from __future__ import annotations

import re
from pathlib import Path

from flows.commands import COMMANDS

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_command_is_in_the_readmes_table_and_every_row_is_a_command() -> None:
    rows = re.findall(r"^\| `sfp ([a-z-]+(?: [a-z-]+)?)", README.read_text(), re.MULTILINE)
    documented = {row.split()[0] for row in rows}
    assert documented == set(COMMANDS)


def test_every_option_of_a_command_is_in_its_readme_row_or_its_docs() -> None:
    """An option a user cannot find is an option nobody uses: each one is named somewhere."""
    from flows.cli import build_parser

    text = README.read_text() + "".join(
        p.read_text() for p in sorted((README.parent / "docs").glob("*.md"))
    )
    subparsers = next(a for a in build_parser()._actions if a.dest == "command")
    missing = [
        f"sfp {name} {option}"
        for name, parser in subparsers.choices.items()
        for action in parser._actions
        for option in action.option_strings
        if option.startswith("--") and option not in ("--help",) and option not in text
    ]
    assert missing == []
