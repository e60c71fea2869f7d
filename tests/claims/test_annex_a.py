"""Annex A of 004 shipped as data: the CSV agrees with the seed, and a council's share of
its year's maximum is placed among the 2022-23 councils at the same point of the year."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from claims.annex_a import (
    ANNEX_A,
    ANNEX_DAYS,
    SEED,
    council_standing,
    load_annex_a,
    parse_annex_a,
    year_pace,
)

SEED_FILE = Path(__file__).resolve().parents[3] / "shared" / "framework" / SEED


@pytest.mark.skipif(not SEED_FILE.exists(), reason=f"the seed {SEED} is not beside the repo")
def test_the_shipped_table_is_annex_a_of_the_seed_with_its_totals() -> None:
    text = SEED_FILE.read_text(encoding="utf-8")
    shipped = pd.read_csv(ANNEX_A, comment="#", dtype={"earned_autonomy": str})
    pd.testing.assert_frame_equal(shipped, parse_annex_a(text))
    # The table's own Total row, read here apart from the parser.
    total = re.search(r"<b>Total</b>\t(.*)", text)
    assert total is not None
    figures = [int(v.replace(",", "")) for v in re.findall(r"<b>([\d,]+)</b>", total.group(1))]
    assert figures == [64990, 48931, 1929, 50860]
    sums = shipped[
        [
            "maximum_funded_outcomes",
            "significant_and_sustained",
            "continuous_employment",
            "total_achieved",
        ]
    ].sum()
    assert sums.tolist() == figures
    assert len(shipped) == 140 and shipped["local_authority"].is_unique
    assert (
        shipped.loc[shipped["local_authority"] == "Birmingham", "maximum_funded_outcomes"].item()
        == 2435
    )
    marked = set(shipped.loc[shipped["earned_autonomy"] == "yes", "local_authority"])
    assert {"Greater Manchester", "Bristol", "Durham"} <= marked and "Barnet" not in marked
    assert ANNEX_A.read_text(encoding="utf-8").startswith("# source: ")
    assert SEED in ANNEX_A.read_text(encoding="utf-8").splitlines()[0]


def test_the_point_in_the_year_is_measured_against_annex_as_280_days() -> None:
    assert ANNEX_DAYS == 280
    assert year_pace(date(2022, 4, 1), date(2023, 1, 5)) == 1.0
    assert year_pace(date(2025, 4, 1), date(2025, 4, 1)) == 1 / 280


def test_a_councils_standing_at_the_edges() -> None:
    annex = pd.DataFrame(
        {
            "local_authority": [f"LA{n}" for n in range(10)],
            "maximum_funded_outcomes": [100] * 10,
            "total_achieved": [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
        }
    )
    annex["share"] = annex["total_achieved"] / annex["maximum_funded_outcomes"]
    start, end = date(2022, 4, 1), date(2023, 1, 5)  # pace 1: the shares as they are
    middle = council_standing("2022-23", start, end, 55, 100, annex)
    assert (middle.share, middle.rank_below, middle.stands_out) == (0.55, 5, False)
    assert middle.median == pytest.approx(0.55)
    low = council_standing("2022-23", start, end, 5, 100, annex)
    assert low.stands_out and "below 10%" in low.verdict and low.rank_below == 0
    over = council_standing("2022-23", start, end, 101, 100, annex)
    assert over.stands_out and "more than the year's maximum" in over.verdict
    # Half of Annex A's days: every share halves, so 30% is now in the middle, not low.
    half = council_standing("2022-23", start, date(2022, 8, 18), 30, 100, annex)
    assert half.pace == pytest.approx(0.5) and not half.stands_out
    none = council_standing("2022-23", start, end, 30, None, annex)
    assert none.share is None and "set `allocation`" in none.verdict and not none.stands_out
    assert len(load_annex_a()) == 140
