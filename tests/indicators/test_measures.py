"""Measures per person and term or month, which any as-of date's tests read."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.indicators.conftest import run_case

CASE = {
    "case": {"opened": date(2024, 1, 10), "closed": date(2024, 12, 16)},
    "members": {"parent": "parent_carer", "teen": "child"},
    "rows": {
        "police": [
            {
                "person": "parent",
                "incident_id": "A1",
                "event_date": "2024-02-01",
                "event_type": "offence",
            },
            {
                "person": "parent",
                "incident_id": "A1",
                "event_date": "2024-02-01",
                "event_type": "arrest",
            },
            {
                "person": "parent",
                "incident_id": "A2",
                "event_date": "2024-02-20",
                "event_type": "offence",
                "severe_offence": "true",
            },
            {
                "person": "teen",
                "incident_id": "D1",
                "event_date": "2024-02-03",
                "event_type": "da_child_present",
            },
            {
                "person": "parent",
                "incident_id": "L1",
                "event_date": "2025-10-01",
                "event_type": "asb",
            },
        ],
        "exclusions": [
            {"person": "teen", "start_date": "2023-12-01", "days_lost": 1.5},
            {"person": "teen", "start_date": "2024-01-15", "days_lost": 2},
            {"person": "teen", "start_date": "2024-03-31", "days_lost": 0.5},
            {"person": "teen", "start_date": "2024-08-20", "days_lost": 1, "category": "permanent"},
        ],
        "dwp": [
            {"person": "parent", "month": "2024-01", "work_status": "out_of_work"},
            {"person": "parent", "month": "02/2024", "work_status": "in_work"},
        ],
        "housing": [
            {
                "person": "parent",
                "event_date": "2024-03-02",
                "event_type": "rent_arrears",
                "amount": 300,
            },
            {
                "person": "parent",
                "event_date": "2024-03-28",
                "event_type": "rent_arrears",
                "amount": 450.5,
            },
        ],
    },
}
QUERIES = {
    "police": "select person_id, month, event_type, incidents, severe_incidents "
    "from measure_police_month order by all",
    "exclusion": "select person_id, term_seq, days_lost, exclusions, permanent_exclusions "
    "from measure_exclusion_term order by all",
    "dwp": "select person_id, month, work_status from measure_dwp_month order by all",
    "housing": "select person_id, month, event_type, events, max_amount "
    "from measure_housing_month order by all",
}


def test_measures_per_person_term_and_month(tmp_path: Path) -> None:
    # as of 2025-09-30: the ASB of 2025-10-01 is not yet known
    extra = run_case(tmp_path, CASE, queries=QUERIES).extra
    assert extra["police"] == [
        ("parent", date(2024, 2, 1), "arrest", 1, 0),
        ("parent", date(2024, 2, 1), "offence", 2, 1),
        ("teen", date(2024, 2, 1), "da_child_present", 1, 0),
    ]
    # autumn 2023/24 = 2023 * 3; spring = + 1 (31 March is still spring); August = summer
    assert extra["exclusion"] == [
        ("teen", 2023 * 3, 1.5, 1, 0),
        ("teen", 2023 * 3 + 1, 2.5, 2, 0),
        ("teen", 2023 * 3 + 2, 1.0, 1, 1),
    ]
    assert extra["dwp"] == [
        ("parent", date(2024, 1, 1), "out_of_work"),
        ("parent", date(2024, 2, 1), "in_work"),
    ]
    assert extra["housing"] == [("parent", date(2024, 3, 1), "rent_arrears", 2, 450.5)]
