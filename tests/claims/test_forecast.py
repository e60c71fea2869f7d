"""The claims forecast on hand-made cases: what only time stands in the way of, per quarter
end, counted per family against the allocation, and shown on the claim report page.

The sample council's past quarters against the claim at their ends are in
tests/sample_data/test_lookahead.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from claims.forecast import build_forecast, forecast_workbook, horizon_models, moving_models
from claims.submission import run_claim
from data_contracts.warehouse import connect
from indicators.plan import Plan, load_plan
from tests.claims.conftest import AS_OF, Case, Person, build_council, plan_with
from tests.data_contracts.xlsx_readback import assert_reads_back_identically

MET = [("REL1", "", "2023-10-20", "2024-11-30"), ("FIN2", "", "2023-10-20", "2024-11-30")]


def family(n: int) -> list[tuple[Person, str]]:
    """A parent and a child of their own, so each case is its own family."""
    return [
        (Person(f"P{n}", "Gemma", f"Walsh{n}", "1988-02-01"), "parent_carer"),
        (Person(f"C{n}", "Ruby", f"Walsh{n}", "2014-05-06", upn=f"A00000000000{n}"), "child"),
    ]


def case(n: int, **changes: object) -> Case:
    # The parent's own MPH2 need: a need naming someone not on the case (P1 on case EH2)
    # counts for nothing (issue 23 item 5).
    changes.setdefault("needs", [("MPH2", f"P{n}", "2023-10-20", "2024-11-30"), *MET])
    return Case(case_id=f"EH{n}", family_ref=f"FAM{n}", members=family(n), **changes)  # type: ignore[arg-type]


def forecast_of(warehouse: Path, as_of: date = AS_OF, plan: Plan | None = None):  # noqa: ANN201
    with connect(warehouse) as con:
        return build_forecast(con, plan or load_plan(), as_of)


def test_each_case_is_expected_in_the_quarter_its_closure_window_ends(tmp_path: Path) -> None:
    warehouse = build_council(
        tmp_path,
        [
            case(1),  # claimable now
            case(2, closed="2025-05-20"),  # window ends 2025-11-20: Q3
            case(3, closed="2025-08-10"),  # window ends 2026-02-10: Q4
            case(4, closed=""),  # open
            case(5, needs=[("MPH2", "P5", "2023-10-20", ""), *MET]),  # no outcome: never
        ],
    )  # fmt: skip
    forecast = forecast_of(warehouse, plan=plan_with(tmp_path, "allocation", **{"2025-26": 8}))
    cases = forecast.cases.set_index("case_id")
    by = {c: (d.date() if pd.notna(d) else None) for c, d in cases["claimable_by"].items()}
    assert by == {
        "EH1": date(2025, 9, 30),
        "EH2": date(2025, 12, 31),
        "EH3": date(2026, 3, 31),
        "EH4": None,
        "EH5": None,
    }
    earliest = pd.to_datetime(cases["earliest_pass_date"]).dt.date
    assert earliest["EH1"] == AS_OF
    assert earliest["EH2"] == date(2025, 11, 20)  # the claim step's own near-miss date
    assert earliest["EH4"] == date(2026, 3, 30)  # if it closed on the as-of date
    assert pd.isna(cases.loc["EH5", "earliest_pass_date"])
    assert cases.loc["EH4", "status"] == "open"
    assert cases.loc["EH5", "outlook"] == "not expected: needs more than time"
    assert "gate 4: an outcome for MPH2" in cases.loc["EH5", "still_needs"]
    quarters = forecast.quarters.set_index("quarter")
    assert quarters["families expected to become claimable"].to_dict() == {
        "2025-26 Q2": 1,
        "2025-26 Q3": 1,
        "2025-26 Q4": 1,
    }
    assert quarters["expected by the quarter end"].tolist() == [1, 2, 3]
    assert quarters["open cases' families that could pass if closed now"].tolist() == [0, 0, 1]
    assert quarters["yearly allocation"].tolist() == [8, 8, 8]
    assert quarters["share of the allocation (%)"].tolist() == [12.5, 25.0, 37.5]


def test_a_crime_outcome_waiting_for_its_six_months_is_expected_when_they_pass(
    tmp_path: Path,
) -> None:
    """Gate 4, not only gates 5 and 7: the claim step's near-miss date knows no outcome test,
    but deciding the claim again at the quarter end finds the incident aged out."""
    offender = case(1)
    parent = offender.members[0][0]
    warehouse = build_council(tmp_path, [offender])
    with connect(warehouse) as con:
        from tests.staging import ROW_DEFAULTS, Stager

        Stager(con, {parent.key: parent.dob}).stage(
            "police",
            [
                {**ROW_DEFAULTS["police"], **parent.row(), "incident_id": f"I{n}",
                 "event_date": day, "event_type": "offence"}
                for n, day in enumerate(["2024-03-01", "2025-06-15"])
            ],
        )  # fmt: skip
    # The incident ages out only when the window is the latest 6 months: from closure (the
    # default since issue 23 item 14) it is after closure and counts however late the claim.
    forecast = forecast_of(
        warehouse, plan=plan_with(tmp_path, "thresholds", sustainment_from="as_of")
    )
    [row] = forecast.cases.to_dict("records")
    assert row["failed_gates"] == "4" and "CRI1" in row["still_needs"]
    assert pd.isna(row["earliest_pass_date"])
    assert row["claimable_by"].date() == date(2025, 12, 31)
    assert row["outlook"] == "expected: only time stands in the way"
    by_default = forecast_of(warehouse).cases.to_dict("records")[0]
    assert pd.isna(by_default["claimable_by"])


def test_a_family_is_counted_once_in_the_first_quarter_it_is_expected(tmp_path: Path) -> None:
    # The family came back to early help after the 6 months EH1's gate 5 reads.
    again = {"opened": "2025-07-01", "assessment": "2025-07-14", "action_plan": "2025-07-21"}
    second = Case(case_id="EH2", family_ref="FAM1", members=family(1), closed="", **again)
    forecast = forecast_of(build_council(tmp_path, [case(1), second]))
    cases = forecast.cases.set_index("case_id")
    assert cases.loc["EH1", "outlook"] == "claimable now"
    assert cases.loc["EH2", "outlook"] == (
        "its family is expected to be claimed by 2025-09-30 through case EH1"
    )
    quarters = forecast.quarters
    assert quarters["families expected to become claimable"].tolist() == [1, 0, 0]
    assert quarters["open cases' families that could pass if closed now"].tolist() == [0, 0, 0]


def test_submitted_claims_count_towards_the_year(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [case(1), case(2, closed="2025-05-20")])
    plan = plan_with(tmp_path, "allocation", **{"2025-26": 4})
    with connect(warehouse) as con:
        run_claim(con, plan, date(2025, 6, 30), tmp_path / "q1.xlsx", submit=True)
        forecast = build_forecast(con, plan, date(2025, 7, 1))
    q2 = forecast.quarters.iloc[0]
    assert q2["claimed in the year before the as-of date"] == 1
    assert q2["families expected to become claimable"] == 0  # EH2 waits until November
    assert forecast.quarters["claimed and expected in the year"].tolist() == [1, 2, 2]
    assert forecast.cases.set_index("case_id").loc["EH1", "outlook"].startswith("claimed before")


def test_the_forecast_leaves_the_claims_tables_as_the_decision_left_them(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [case(1), case(2, closed="2025-05-20")])
    with connect(warehouse) as con:
        from claims.decide import decide_cases

        decide_cases(con, load_plan(), AS_OF)
        tables = ("claim_decision", "claim_gate", "family_need_outcome", "case_current")
        before = {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables}
        build_forecast(con, load_plan(), AS_OF, decided=True)
        after = {t: con.execute(f"select * from {t} order by all").fetchall() for t in tables}
        temps = con.execute(
            "select table_name from information_schema.tables where table_catalog = 'temp'"
        ).fetchall()
    assert after == before
    assert temps == []


def test_the_claim_report_page_and_the_workbook_show_the_quarters(tmp_path: Path) -> None:
    warehouse = build_council(tmp_path, [case(1), case(2, closed="2025-05-20")])
    with connect(warehouse) as con:
        result = run_claim(con, load_plan(), AS_OF, tmp_path / "claim.xlsx")
        forecast = build_forecast(con, load_plan(), AS_OF, decided=True)
    assert result.report_page is not None
    page = result.report_page.read_text(encoding="utf-8")
    section = page[page.index('<section id="forecast">') :]
    for quarter in ("2025-26 Q2", "2025-26 Q3", "2025-26 Q4"):
        assert quarter in section
    assert "EH1" not in page and "EH2" not in page  # counts only
    sheets = assert_reads_back_identically(forecast_workbook(forecast, load_plan()))
    assert list(sheets) == ["About", "Quarters", "Cases"]
    assert [row[0] for row in sheets["Quarters"][1:]] == ["2025-26 Q2", "2025-26 Q3", "2025-26 Q4"]
    assert {row[1] for row in sheets["Cases"][1:]} == {"EH1", "EH2"}


def test_only_the_models_a_quarter_end_changes_run_again_at_it() -> None:
    """Read from the SQL: child attendance is judged on the terms ended by the as-of date at
    every quarter end (`$attendance_terms_by`), so the claim's rows stand; the tests that
    judge by the date, the referrals record (the feed assumed to reach the quarter end) and
    what reads them run again."""
    later = moving_models(load_plan(), AS_OF, date(2025, 12, 31))
    assert "child_attendance_latest" in horizon_models()
    assert "child_attendance_latest" not in later
    assert set(later) == set(horizon_models()) - {"child_attendance_latest"}
    # on the as-of date itself only the referrals record's assumed end differs
    assert moving_models(load_plan(), AS_OF, AS_OF) == (
        "case_referral_record",
        "outcome_police_closure",
        "outcome_data_test",
        "family_need_outcome",
    )
