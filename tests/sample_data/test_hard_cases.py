"""`sfp sample --hard`: linkage's hard cases planted, named in the truth, decisions kept."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from sample_data.generate import write_sample
from sample_data.hard_cases import KINDS, TOWNS, hard_cases_per_kind, read_hard_pairs


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_kind_is_planted_and_named_and_the_decisions_do_not_change(tmp_path: Path) -> None:
    plain, hard = tmp_path / "plain", tmp_path / "hard"
    write_sample(plain, 300, 3)
    summary = write_sample(hard, 300, 3, hard=True)
    assert summary["hard_cases"] == {kind: hard_cases_per_kind(300) for kind in KINDS}
    pairs = read_hard_pairs(hard)
    assert Counter(p["kind"] for p in pairs) == {kind: 5 for kind in KINDS}
    for pair in pairs:
        apart = pair["true_person_id_l"] != pair["true_person_id_r"]
        assert apart == (pair["same_person"] == "False"), pair
    # Planted people have rows in the feeds, under their own true ids.
    planted = {p["true_person_id_l"] for p in pairs} | {p["true_person_id_r"] for p in pairs}
    seen = Counter(r["true_person_id"] for r in _rows(hard / "truth" / "source_rows.csv"))
    assert all(seen[person] >= 1 for person in planted)
    one_person = {p["true_person_id_l"] for p in pairs if p["same_person"] == "True"}
    assert all(seen[person] >= 2 for person in one_person)  # a row in each of two feeds
    # Names in other scripts reach the inbox as written.
    referrals = "".join(
        path.read_text("utf-8") for path in (hard / "inbox" / "referrals").glob("*")
    )
    assert any(ord(ch) > 0x370 for ch in referrals)
    # Each way of writing an address is planted (issue 27).
    addresses = [
        row["address"]
        for feed in ("referrals", "dwp")
        for path in sorted((hard / "inbox" / feed).glob("*.csv"))
        for row in _rows(path)
        if row.get("address")
    ]
    town = "(?:" + "|".join(TOWNS) + ")"
    patterns = {
        "commas": rf"\d+ [A-Za-z ]+, {town}",
        "no commas": rf"\d+ [A-Za-z ]+ {town}",
        "lines joined": r"\d+, [A-Za-z ]+, [A-Za-z ]+$",
        "postcode inside": r".*, Milton Keynes MK\d+ \d[A-Z]{2}$",
        "capitals": r"[0-9A-Z ]+$",
        "flat": r"Flat \d, .*|\d/\d+ .*",
    }
    for form, pattern in patterns.items():
        assert any(re.fullmatch(pattern, address) for address in addresses), form
    # Nothing planted makes a need or changes a case: the decision and worklist truth hold.
    for truth in ("expected_decisions.csv", "worklist.csv"):
        assert _rows(hard / "truth" / truth) == _rows(plain / "truth" / truth)
    assert read_hard_pairs(plain) == []
