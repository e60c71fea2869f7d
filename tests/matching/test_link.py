"""Person linkage on hand-made records: who must link and who must stay apart."""

from __future__ import annotations

import pandas as pd

from matching.link import link_persons

BASE = {"forename": "Oliver", "surname": "Hughes", "dob": "2012-03-04", "postcode": "MK9 2AB"}


def _linked(*records: dict[str, object]) -> list[str]:
    rows = [
        {"source": f"s{i % 2}", "source_record_id": str(i), "source_person_id": f"k{i}", **r}
        for i, r in enumerate(records)
    ]
    out = link_persons(pd.DataFrame(rows))
    return list(out.sort_values("source_record_id")["person_id"])


def test_typo_and_swapped_day_month_still_link() -> None:
    ids = _linked(BASE, {**BASE, "forename": "Olvier", "dob": "2012-04-03"})
    assert ids[0] == ids[1]


def test_postcode_written_differently_links() -> None:
    ids = _linked(BASE, {**BASE, "postcode": "mk92ab"})
    assert ids[0] == ids[1]


def test_sibling_at_same_address_stays_apart() -> None:
    ids = _linked(BASE, {**BASE, "forename": "Amelia", "dob": "2014-09-10"})
    assert ids[0] != ids[1]


def test_parent_at_same_address_stays_apart() -> None:
    ids = _linked(BASE, {**BASE, "forename": "Karen", "dob": "1984-01-20"})
    assert ids[0] != ids[1]


def test_shared_pupil_number_links_despite_moved_address_and_name_change() -> None:
    ids = _linked(
        {**BASE, "upn": "A123456789012"},
        {**BASE, "surname": "Hughes-Patel", "postcode": "LU1 1AA", "upn": "A123456789012"},
    )
    assert ids[0] == ids[1]


def test_person_ids_do_not_depend_on_row_order() -> None:
    records = [BASE, {**BASE, "forename": "Olvier"}, {**BASE, "forename": "Amelia"}]
    rows = [
        {"source": "s", "source_record_id": str(i), "source_person_id": f"k{i}", **r}
        for i, r in enumerate(records)
    ]
    forward = link_persons(pd.DataFrame(rows)).set_index("source_record_id")["person_id"]
    backward = link_persons(pd.DataFrame(rows[::-1])).set_index("source_record_id")["person_id"]
    assert forward.sort_index().tolist() == backward.sort_index().tolist()
