"""Where the council stands: its share of the year's maximum claimed, beside the councils
of England in 2022-23 (004, Annex A).

The national team picks councils for an assurance visit partly by "an unexpected number
of family outcomes" (004, "Validation of claims"). Annex A of the 2022-23 annual report
gives, per local authority, the maximum funded successful family outcomes for the year
and the outcomes achieved up to 05 January 2023; its share achieved is the yardstick
here. The table ships as `claims/national/annex_a_2022-23.csv`, extracted from the seed by
`python -m claims.annex_a` (tests/claims/test_annex_a.py checks the two agree).

A council's share is the families claimed in the financial year (the ledger's submitted
periods and this claim, as the Summary counts them) over the plan's yearly allocation.
Annex A counts outcomes up to 05 January 2023, 280 days into that year; a claim early in
its year has had less time. So each 2022-23 share is scaled to the claim's point in its
year (days since 1 April over 280, outcomes taken to accrue evenly; capped at 100%), and
the council "stands out" below the 10th or above the 90th percentile of the scaled shares,
or above 100% (more than the year's maximum is never paid). docs/interpretations.md.
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

SEED = "004_78e87d14289f5601.txt"
SOURCE = (
    "Supporting Families annual report 2022-23 (Department for Levelling Up, Housing and "
    f"Communities, 2023), Annex A: Table of successful family outcomes by local authority ({SEED})"
)
ANNEX_A = Path(__file__).parent / "national" / "annex_a_2022-23.csv"
COLUMNS = (
    "local_authority",
    "earned_autonomy",
    "maximum_funded_outcomes",
    "significant_and_sustained",
    "continuous_employment",
    "total_achieved",
    "share_achieved_percent",
)
"""One row per local authority, as Annex A lists them. `earned_autonomy` marks the
asterisked councils (Earned Autonomy and Greater Manchester report outcomes quarterly
instead of claiming them); `share_achieved_percent` is the table's own rounded share."""
LOW_PERCENTILE, HIGH_PERCENTILE = 0.10, 0.90
ANNEX_DAYS = (date(2023, 1, 5) - date(2022, 4, 1)).days + 1
"""Days of 2022-23 that Annex A's outcomes had (1 April 2022 to 05 January 2023): 280."""


def parse_annex_a(text: str) -> pd.DataFrame:
    """The Annex A rows of the seed's text (tab-separated, after the Annex A heading)."""
    start = text.index("## Annex A")
    rows = []
    for line in text[start:].splitlines():
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in line.split("\t")]
        if len(cells) != len(COLUMNS) - 1 or not cells[1].replace(",", "").isdigit():
            continue
        if cells[0] == "Total":
            continue
        name = cells[0].rstrip("*")
        numbers = [int(cell.replace(",", "")) for cell in cells[1:5]]
        share = int(cells[5].rstrip("%"))
        rows.append((name, "yes" if cells[0].endswith("*") else "no", *numbers, share))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def load_annex_a(path: Path = ANNEX_A) -> pd.DataFrame:
    frame = pd.read_csv(path, comment="#", dtype={"local_authority": str, "earned_autonomy": str})
    frame["share"] = frame["total_achieved"] / frame["maximum_funded_outcomes"]
    return frame


def write_annex_a(seed: Path, path: Path = ANNEX_A) -> Path:
    frame = parse_annex_a(seed.read_text(encoding="utf-8"))
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(f"# source: {SOURCE}\n")
        handle.write("# figures up to 05 January 2023; * (earned_autonomy = yes) as footnoted\n")
        frame.to_csv(handle, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    return path


@dataclass(frozen=True)
class Standing:
    """The council's share of its yearly maximum and where it falls among 2022-23's."""

    year: str
    claimed: int
    allocation: int | None
    share: float | None
    pace: float
    """The part of Annex A's 280 days the claim's year has had by its as-of date."""
    rank_below: int | None
    """Councils of 2022-23 whose share, scaled to the same point in the year, was lower."""
    councils: int
    low: float
    median: float
    high: float
    verdict: str

    @property
    def stands_out(self) -> bool:
        return self.verdict.startswith("stands out")


def year_pace(year_start: date, as_of: date) -> float:
    return ((as_of - year_start).days + 1) / ANNEX_DAYS


def scaled_shares(annex: pd.DataFrame, pace: float) -> pd.Series:
    """Each 2022-23 share as it would stand `pace` of the way through Annex A's days."""
    return (annex["share"] * pace).clip(upper=1.0)


def council_standing(
    year: str,
    year_start: date,
    as_of: date,
    claimed: int,
    allocation: int | None,
    annex: pd.DataFrame | None = None,
) -> Standing:
    annex = load_annex_a() if annex is None else annex
    pace = year_pace(year_start, as_of)
    shares = scaled_shares(annex, pace)
    low, median, high = (float(shares.quantile(q)) for q in (LOW_PERCENTILE, 0.5, HIGH_PERCENTILE))
    if not allocation:
        return Standing(
            year, claimed, allocation, None, pace, None, len(annex), low, median, high,
            f"no yearly allocation for {year} in the plan: set `allocation` to compare",
        )  # fmt: skip
    share = claimed / allocation
    below = int((shares < share).sum())
    if share > 1:
        verdict = "stands out: more than the year's maximum (never paid)"
    elif share < low:
        verdict = f"stands out: below {LOW_PERCENTILE:.0%} of councils at this point of 2022-23"
    elif share > high:
        verdict = f"stands out: above {HIGH_PERCENTILE:.0%} of councils at this point of 2022-23"
    else:
        verdict = "within the middle 80% of councils at this point of 2022-23"
    return Standing(
        year, claimed, allocation, share, pace, below, len(annex), low, median, high, verdict
    )


def main(argv: list[str]) -> int:
    """`python -m claims.annex_a SEED`: rewrite the shipped table from the seed file."""
    if len(argv) != 1:
        sys.stderr.write(f"usage: python -m claims.annex_a path/to/{SEED}\n")
        return 2
    write_annex_a(Path(argv[0]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
