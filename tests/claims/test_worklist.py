"""The identification worklist: the rules that list a family, on hand-made staged rows (the
sample council's planted families and look-alikes: tests/sample_data/test_lookahead.py).

A staged council here is a candidate family (matching's table, written by hand: the
families module proves itself in tests/matching) whose rows go straight into the staged
tables (tests/staging.py). As of 30 September 2025 the window opens on 30 September 2024.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from claims.worklist import NONE_FOUND, NOT_KNOWN, Worklist, build_worklist
from claims.worklist_workbook import (
    WorklistFiles,
    check_worklist_files,
    counts_workbook,
    personal_workbook,
    worklist_files,
)
from data_contracts.warehouse_paths import OutputPathError
from indicators.plan import Plan, load_plan
from tests.claims.conftest import plan_with
from tests.data_contracts.xlsx_readback import assert_reads_back_identically
from tests.staging import PEOPLE, ROW_DEFAULTS, Stager, case_rows, empty_warehouse

AS_OF = date(2025, 9, 30)
OUT_OF_WORK = [{"person": "parent", "nino": "AB123456C", "month": m, "work_status": "out_of_work"}
               for m in ("2025-01", "2025-02", "2025-03")]  # fmt: skip
OFFENCE = {"person": "parent", "incident_id": "I1", "event_date": "2025-02-03",
           "event_type": "offence"}  # fmt: skip


@pytest.fixture()
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    with empty_warehouse() as con:
        yield con


def _council(
    con: duckdb.DuckDBPyConnection,
    rows: Mapping[str, list[dict[str, Any]]],
    family: tuple[str, ...] = ("parent", "child"),
    cases: list[dict[str, Any]] | None = None,
    people: Mapping[str, str] | None = None,
    forenames: Mapping[str, str] | None = None,
) -> None:
    """Stage the rows, any early help cases (all of `family` as members), and one candidate
    family of the people named in `family` (each on the school roll, so in the data)."""
    stager = Stager(con, {**PEOPLE, **(people or {})})
    rows = {**rows, "attendance": [*rows.get("attendance", []), *_on_roll(rows, family)]}
    for feed, feed_rows in rows.items():
        named = [
            {**r, "forename": (forenames or {}).get(r["person"], r["person"])} for r in feed_rows
        ]
        stager.stage(feed, [{**ROW_DEFAULTS.get(feed, {}), **row} for row in named])
    for spec in cases or []:
        stager.stage("eh_cases", case_rows(spec))
        stager.stage(
            "eh_members",
            [
                {"case_id": spec.get("id", "EH1"), "person": key,
                 "role": "child" if key == "child" else "parent_carer"}
                for key in family
            ],
        )  # fmt: skip
    con.execute(
        "create or replace table candidate_family as select 'CF1' as candidate_family_id, "
        "unnest(?::varchar[]) as person_id, 'same_address_same_year' as basis",
        [list(family)],
    )


def _on_roll(rows: Mapping[str, list[dict[str, Any]]], family: tuple[str, ...]) -> list[dict]:
    """A term's good attendance for each member the rows do not name in attendance."""
    named = {r.get("person") for r in rows.get("attendance", [])}
    return [
        {"person": key, "upn": f"U{key}", "academic_year": "2024/25", "term": "spring",
         "sessions_possible": 100, "sessions_unauthorised_absence": 2}
        for key in family
        if key not in named
    ]  # fmt: skip


def _listed(con: duckdb.DuckDBPyConnection, plan: Plan | None = None) -> Worklist:
    return build_worklist(con, plan or load_plan(), AS_OF)


def _needs(worklist: Worklist) -> set[tuple[str, str]]:
    return set(zip(worklist.evidence["criterion"], worklist.evidence["person_id"], strict=True))


@pytest.mark.rule("worklist-identify-from-data")
def test_needs_under_two_headlines_list_the_family_with_their_evidence(
    con: duckdb.DuckDBPyConnection,
) -> None:
    _council(con, {"police": [OFFENCE], "dwp": OUT_OF_WORK})
    worklist = _listed(con)
    [family] = worklist.families.to_dict("records")
    assert (family["candidate_family_id"], family["headline_count"]) == ("CF1", 2)
    assert (family["headlines"], family["needs"]) == ("CRI, FIN", "CRI1, FIN1")
    assert family["latest_evidence"].date() == date(2025, 3, 1)
    assert family["members_by_role"] == "1 adult, 1 child"
    assert (family["CRI"], family["FIN"], family["EDU"]) == ("CRI1", "FIN1", NONE_FOUND)
    assert family["MPH"] == NOT_KNOWN  # only practitioners can record a mental health need
    evidence = worklist.evidence.set_index("criterion")
    assert evidence.loc["CRI1", "feed"] == "police"
    assert evidence.loc["CRI1", "measure"] == "police: 1 crime/ASB incident(s) from 2025-02-03"
    assert evidence.loc["FIN1", "first_evidence"].date() == date(2025, 1, 1)
    assert evidence.loc["FIN1", "measure"] == "dwp: out of work in 3 month(s) from 2025-01"
    members = worklist.members.set_index("person_id")
    assert members.loc["parent", "role"] == "adult" and members.loc["child", "role"] == "child"
    assert str(members.loc["child", "dob"].date()) == PEOPLE["child"]


@pytest.mark.rule("worklist-identify-from-data")
@pytest.mark.parametrize(
    ("offence_day", "listed"),
    [("2024-09-30", True), ("2024-09-29", False)],
)
def test_the_window_opens_twelve_months_before_the_as_of_date(
    con: duckdb.DuckDBPyConnection, offence_day: str, listed: bool
) -> None:
    """The window replaces the look-back before opening: an offence a day before it is old."""
    _council(con, {"police": [{**OFFENCE, "event_date": offence_day}], "dwp": OUT_OF_WORK})
    worklist = _listed(con)
    assert (("CRI1", "parent") in _needs(worklist)) is listed
    assert len(worklist.families) == int(listed)


@pytest.mark.rule("worklist-headlines")
def test_three_needs_under_one_headline_are_not_enough(con: duckdb.DuckDBPyConnection) -> None:
    day = "2025-04-07"
    _council(
        con,
        {
            "police": [
                {"person": "parent", "incident_id": "D1", "event_date": day, "event_type": kind}
                for kind in ("da_victim", "da_perpetrator")
            ]
            + [{"person": "child", "incident_id": "D1", "event_date": day,
                "event_type": "da_child_present"}]
        },
    )  # fmt: skip
    worklist = _listed(con)
    assert worklist.families.empty
    assert worklist.eligible_families == 1


@pytest.mark.rule("worklist-not-known-to-early-help")
@pytest.mark.parametrize(
    ("closed", "listed"),
    [(None, False), ("2024-10-01", False), ("2024-09-30", True), ("2023-06-30", True)],
)
def test_a_family_known_to_early_help_is_left_out(
    con: duckdb.DuckDBPyConnection, closed: str | None, listed: bool
) -> None:
    """Open, or closed in the 12 months before the as-of date: the family is known already."""
    case = {"opened": "2023-01-09", "closed": closed}
    _council(con, {"police": [OFFENCE], "dwp": OUT_OF_WORK}, cases=[case])
    assert len(_listed(con).families) == int(listed)


@pytest.mark.rule("worklist-dependent-child")
@pytest.mark.parametrize(("child_dob", "listed"), [("2007-10-01", True), ("2007-09-30", False)])
def test_a_family_needs_a_dependent_child_on_the_as_of_date(
    con: duckdb.DuckDBPyConnection, child_dob: str, listed: bool
) -> None:
    """17 on the as-of date is a dependent child (000: "all families must also include a
    dependent child"); 18 that day is not."""
    _council(con, {"police": [OFFENCE], "dwp": OUT_OF_WORK}, people={"child": child_dob})
    assert len(_listed(con).families) == int(listed)


def test_settings_and_derivations_come_from_the_plan(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    _council(con, {"police": [OFFENCE]})
    assert _listed(con).families.empty
    one = plan_with(tmp_path, "thresholds", worklist_min_headlines=1)
    assert list(_listed(con, one).families["needs"]) == ["CRI1"]
    # The worklist finds needs through the plan's derivations, as a case does: turn CRI1
    # off and the offence shows nothing.
    off = tmp_path / "off.yaml"
    off.write_text(
        "extends: national\nthresholds: {worklist_min_headlines: 1}\n"
        "derived_in_this_release: [EDU1, EDU2, FIN1]\n"
    )
    assert _listed(con, load_plan(off)).families.empty


def test_needs_older_than_the_window_count_under_a_longer_one(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    old = [{**OFFENCE, "event_date": "2024-05-10"}]
    _council(con, {"police": old, "dwp": [{**r, "month": "2024-0" + r["month"][-1]}
                                          for r in OUT_OF_WORK]})  # fmt: skip
    assert _listed(con).families.empty
    longer = plan_with(tmp_path, "thresholds", worklist_need_months=24)
    assert list(_listed(con, longer).families["needs"]) == ["CRI1, FIN1"]


def test_a_feed_without_rows_is_no_data_and_practitioner_needs_not_known(
    con: duckdb.DuckDBPyConnection,
) -> None:
    _council(con, {"police": [OFFENCE], "dwp": OUT_OF_WORK})
    known = _listed(con).criteria.set_index("criterion")["known"]
    assert known["CRI1"] == "from the police feed"
    assert known["HOU2"] == "no data: the housing feed holds no rows"
    assert known["SUB1"].startswith(NOT_KNOWN)


def test_personal_list_says_so_and_the_count_version_names_no_one(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    formula = '=HYPERLINK("http://x")'
    _council(con, {"police": [OFFENCE], "dwp": OUT_OF_WORK}, forenames={"parent": formula})
    worklist = _listed(con)
    files = worklist_files(tmp_path / "personal" / "worklist.xlsx", None, AS_OF)
    personal = assert_reads_back_identically(personal_workbook(worklist, files.counts))
    assert list(personal) == ["About", "Families", "Members", "Evidence", "Criteria"]
    about = dict(personal["About"][1:])
    assert "holds personal data" in str(about["personal data"])
    assert files.counts.name in str(about["personal data"])
    assert formula in {row[4] for row in personal["Members"][1:]}  # text, not a formula
    counts = assert_reads_back_identically(counts_workbook(worklist))
    cells = {str(v) for grid in counts.values() for row in grid for v in row if v is not None}
    members = worklist.members
    named = set(members["forename"]) | set(members["surname"]) | set(members["person_id"])
    named |= {str(d.date()) for d in members["dob"]} | set(members["postcode"].dropna())
    assert not cells & named
    assert {"CF1", "CRI1, FIN1"} <= cells


def test_the_personal_list_goes_in_a_folder_of_its_own(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    default = worklist_files(None, None, AS_OF)
    assert default.personal == Path("worklist-personal/worklist-2025-09-30.xlsx")
    assert default.counts == Path("worklist-2025-09-30-counts.xlsx")
    check_worklist_files(
        WorklistFiles(tmp_path / "lists" / "w.xlsx", tmp_path / "w-counts.xlsx"), warehouse
    )
    with pytest.raises(OutputPathError, match="a folder of its own, not beside the warehouse"):
        check_worklist_files(worklist_files(tmp_path / "w.xlsx", None, AS_OF), warehouse)
    with pytest.raises(OutputPathError, match="must not go in the folder of the personal list"):
        check_worklist_files(
            WorklistFiles(tmp_path / "p" / "w.xlsx", tmp_path / "p" / "c.xlsx"), warehouse
        )
