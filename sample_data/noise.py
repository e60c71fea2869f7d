"""The errors partner systems make in person columns, each at a rate the user can set.

Noise changes how a row shows a person, never who the row is about: the truth keeps the
true person id of every row, so linkage can be scored however noisy the feeds are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields, replace
from datetime import date

from sample_data import names


@dataclass(frozen=True)
class NoiseRates:
    """Share of person rows (or of rows, for duplicates) given each error."""

    typo: float = 0.03
    """Two neighbouring letters of the forename swapped (Oliver -> Oilver)."""
    nickname: float = 0.05
    """The short form of a forename that has one (William -> Bill)."""
    dob_swap: float = 0.01
    """Day and month of the date of birth swapped, where both could be a month."""
    postcode_missing: float = 0.02
    postcode_reformat: float = 0.10
    """Postcode in lower case without its space (MK9 3XS -> mk93xs)."""
    identifier_missing: float = 0.03
    """The source's national identifier (UPN, NINO, NHS number) left blank."""
    duplicate_row: float = 0.01
    """A row sent twice in the same batch (only where a repeat cannot change a decision)."""
    surname_change: float = 0.03
    """Share of women who marry during the three years: rows before carry the maiden name."""
    accented_name: float = 0.03
    """Share of people (and of households' surnames) with an accent or apostrophe: Zoë,
    Siân, O'Connor, Müller; the Windows-1252 police feed writes them as single bytes."""

    def scaled(self, factor: float) -> NoiseRates:
        """Every rate times `factor`, capped at 1 (`--noise-scale 0` gives clean feeds)."""
        return replace(
            self, **{f.name: min(1.0, getattr(self, f.name) * factor) for f in fields(self)}
        )

    def check(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if not 0 <= value <= 1:
                raise ValueError(f"{item.name} rate must be between 0 and 1, got {value}")


def typo(rng: random.Random, text: str) -> str:
    if len(text) <= 3:
        return text
    at = rng.randrange(1, len(text) - 2)
    return text[:at] + text[at + 1] + text[at] + text[at + 2 :]


def forename_as_recorded(rng: random.Random, forename: str, rates: NoiseRates) -> str:
    if forename in names.NICKNAMES and rng.random() < rates.nickname:
        return names.NICKNAMES[forename]
    if rng.random() < rates.typo:
        return typo(rng, forename)
    return forename


def dob_as_recorded(rng: random.Random, dob: date, rates: NoiseRates) -> date:
    if dob.day <= 12 and dob.day != dob.month and rng.random() < rates.dob_swap:
        return date(dob.year, dob.day, dob.month)
    return dob


def postcode_as_recorded(rng: random.Random, postcode: str, rates: NoiseRates) -> str | None:
    draw = rng.random()
    if draw < rates.postcode_missing:
        return None
    if draw < rates.postcode_missing + rates.postcode_reformat:
        return postcode.replace(" ", "").lower()
    return postcode
