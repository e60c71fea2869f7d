"""The synthetic council: deterministic, within contract, noisy as asked, and its truth
consistent with the rows it wrote."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from data_contracts.warehouse import connect, scalar
from sample_data import names
from sample_data.generate import (
    FEED_COLUMNS,
    HISTORIC_CLAIM_HEADER,
    SECOND_CASE,
    SOURCE_PREFIX,
    plan_counts,
    write_sample,
)
from sample_data.noise import NoiseRates
from sample_data.scenarios import SCENARIOS, WORKLIST_CASE_SCENARIOS, WORKLIST_SCENARIOS
from tests.sample_data.conftest import Council

PERSON_FEEDS = [f for f in FEED_COLUMNS if f in SOURCE_PREFIX]
ONLY_NICKNAMES = set(names.NICKNAMES.values()) - set(names.MALE_FORENAMES + names.FEMALE_FORENAMES)
"""Short forms that are never given names in the lists (Bill, not Theo)."""


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    write_sample(tmp_path / "a", 150, 9)
    write_sample(tmp_path / "b", 150, 9)
    write_sample(tmp_path / "c", 150, 10)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_every_scenario_is_planted(council: Council) -> None:
    counts = council.summary["scenarios"]
    assert isinstance(counts, dict)
    every = {s.name for s in SCENARIOS} | {s.name for s in WORKLIST_SCENARIOS}
    assert set(counts) == every
    # A few thousand households plant every case several times over, round-robin.
    cases, _ = plan_counts(int(council.summary["households"]))
    assert min(counts[s.name] for s in SCENARIOS) == cases // len(SCENARIOS) >= 4
    rows = council.truth("expected_decisions.csv")
    planted = Counter(r["scenario"] for r in rows if not r["scenario"].endswith(SECOND_CASE))
    decided = (*SCENARIOS, *WORKLIST_CASE_SCENARIOS)
    assert {name: planted[name] for name in planted} == {s.name: counts[s.name] for s in decided}
    # A scenario with a second case of the family plants it beside each first case.
    seconds = Counter(r["scenario"] for r in rows if r["scenario"].endswith(SECOND_CASE))
    assert seconds == Counter(
        {f"{s.name}{SECOND_CASE}": counts[s.name] for s in SCENARIOS if s.second_fails}
    )


def test_every_criterion_is_planted_met_and_not_met(council: Council) -> None:
    plan_codes = {
        "EDU1", "EDU2", "EDU3", "EDU4", "EYD1", "EYD2", "EYD3", "MPH1", "MPH2", "MPH3",
        "SUB1", "SUB2", "REL1", "REL2", "REL3", "REL4", "SAF1", "SAF2", "SAF3", "SAF4",
        "SAF5", "SAF6", "CRI1", "CRI2", "CRI3", "DA1", "DA2", "DA3", "HOU1", "HOU2",
        "HOU3", "FIN1", "FIN2", "FIN3",
    }  # fmt: skip
    rows = council.truth("expected_decisions.csv")
    for code in plan_codes:
        met = [r for r in rows if r["scenario"] == f"pass_criterion_{code.lower()}"]
        unmet = [r for r in rows if r["scenario"] == f"fail_criterion_{code.lower()}"]
        assert met and all(r["expected_claim"] == "yes" for r in met), code
        assert unmet and all("4" in r["failed_gates"].split(";") for r in unmet), code


def test_each_gate_has_a_case_failing_only_it(council: Council) -> None:
    only = {
        int(r["failed_gates"])
        for r in council.truth("expected_decisions.csv")
        if r["failed_gates"].isdigit()
    }
    assert only == {1, 2, 3, 4, 5, 6, 7}


def test_every_row_honours_the_contract(council: Council) -> None:
    with connect(council.warehouse, read_only=True) as con:
        # The only rows the contracts quarantine are the planted duplicate rows: a repeat of
        # an earlier row of the same batch (data_contracts, uniqueness within a batch).
        reasons = [r for (r,) in con.execute("select reason from quarantine_row").fetchall()]
        assert reasons and all(r.startswith("same ") for r in reasons), set(reasons)
        assert scalar(con, "select count(*) from load_error") == 0
        assert (
            scalar(
                con,
                "select count(*) from load_batch where rows_in <> rows_staged + rows_quarantined",
            )
            == 0
        )
        feeds = {f for (f,) in con.execute("select distinct feed from load_batch").fetchall()}
        batches = dict(
            con.execute("select feed, count(*) from load_batch group by feed").fetchall()
        )
    assert feeds == set(FEED_COLUMNS)
    # Three academic years, termly for attendance and monthly for the rest.
    assert batches["attendance"] == 9
    assert batches["dwp"] >= 36


def test_truth_names_the_person_of_every_staged_row(council: Council) -> None:
    truth: dict[tuple[str, str, int], str] = {
        (r["feed"], r["file_name"], int(r["row_number"])): r["true_person_id"]
        for r in council.truth("source_rows.csv")
    }
    people = {r["true_person_id"] for r in council.truth("people.csv")}
    staged: set[tuple[str, str, int]] = set()
    with connect(council.warehouse, read_only=True) as con:
        for feed in PERSON_FEEDS:
            staged |= {
                (feed, name, number)
                for name, number in con.execute(
                    f"select b.file_name, s.row_number from stg_{feed} s join load_batch b "
                    "using (batch_id)"
                ).fetchall()
            }
        quarantined = {
            (feed, name, number)
            for feed, name, number in con.execute(
                "select distinct q.feed, b.file_name, q.row_number from quarantine_row q "
                "join load_batch b using (batch_id)"
            ).fetchall()
            if feed in PERSON_FEEDS
        }
    historic = {key for key in truth if key[0] == "historic_claims"}
    assert staged | quarantined == set(truth) - historic
    assert not staged & quarantined
    assert set(truth.values()) <= people
    with (council.folder / "historic_claims.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        assert next(reader) == HISTORIC_CLAIM_HEADER
        assert len(list(reader)) == len(historic) > 0


def test_every_case_has_one_expected_decision_and_its_members(council: Council) -> None:
    decisions = council.truth("expected_decisions.csv")
    with connect(council.warehouse, read_only=True) as con:
        cases = {c for (c,) in con.execute("select distinct case_id from stg_eh_cases").fetchall()}
    assert Counter(r["case_id"] for r in decisions) == Counter(cases)
    members = defaultdict(set)
    for row in council.truth("case_members.csv"):
        members[row["case_id"]].add(row["true_person_id"])
    assert set(members) == cases
    for row in decisions:
        assert row["expected_claim"] == ("no" if row["failed_gates"] else "yes")
        assert row["requires"] is not None
        assert row["as_of"] == council.summary["as_of"]


def test_worklist_families_have_no_case(council: Council) -> None:
    worklist = council.truth("worklist.csv")
    on_cases = {r["true_person_id"] for r in council.truth("case_members.csv")}
    # Worklist households planted with a case of their own (open, closed recently, closed
    # long ago) are in expected_decisions.csv and worklist_households.csv, not here.
    assert {r["scenario"] for r in worklist} >= {
        s.name for s in WORKLIST_SCENARIOS if s.case is None
    }
    assert not {r["true_person_id"] for r in worklist} & on_cases
    assert {r["criterion"] for r in worklist} >= {"EDU1", "CRI1", "FIN1", "DA1", "DA3"}


def test_expected_decisions_follow_the_scenarios(council: Council) -> None:
    by_name = {s.name: s for s in (*SCENARIOS, *WORKLIST_CASE_SCENARIOS)}
    for row in council.truth("expected_decisions.csv"):
        name = row["scenario"].removesuffix(SECOND_CASE)
        scenario = by_name[name]
        fails = scenario.second_fails if row["scenario"] != name else scenario.fails
        assert row["expected_claim"] == ("no" if fails else "yes")
        assert row["failed_gates"] == ";".join(str(g) for g in fails)
        assert row["requires"] == ";".join(scenario.requires)


def _staged_people(council: Council) -> dict[str, list[tuple[str, str, str, object]]]:
    """true person id -> (forename, surname, postcode, dob) as each source wrote them."""
    truth = {
        (r["feed"], r["file_name"], int(r["row_number"])): r["true_person_id"]
        for r in council.truth("source_rows.csv")
    }
    seen: dict[str, list[tuple[str, str, str, object]]] = defaultdict(list)
    with connect(council.warehouse, read_only=True) as con:
        for feed in PERSON_FEEDS:
            rows = con.execute(
                f"select b.file_name, s.row_number, s.forename, s.surname, s.postcode, s.dob "
                f"from stg_{feed} s join load_batch b using (batch_id)"
            ).fetchall()
            for name, number, *values in rows:
                seen[truth[(feed, name, number)]].append(tuple(values))  # type: ignore[arg-type]
    return seen


def test_every_kind_of_noise_is_present_at_default_rates(council: Council) -> None:
    seen = _staged_people(council)
    forenames = {v[0] for rows in seen.values() for v in rows}
    assert forenames & ONLY_NICKNAMES, "nicknames"
    assert any(len({v[3] for v in rows}) > 1 for rows in seen.values()), "swapped dob"
    assert any(len({v[1] for v in rows}) > 1 for rows in seen.values()), "surname change"
    postcodes = [v[2] for rows in seen.values() for v in rows]
    assert any(p is None for p in postcodes), "missing postcode"
    assert any(p and " " not in p and p.islower() for p in postcodes), "reformatted postcode"
    assert any(
        not set(v[0] + v[1]).issubset(set(map(chr, range(128)))) for r in seen.values() for v in r
    )
    police = b"".join(p.read_bytes() for p in (council.folder / "inbox" / "police").glob("*.csv"))
    with pytest.raises(UnicodeDecodeError):
        police.decode("utf-8")  # Windows-1252 accents and apostrophes, as sent
    with connect(council.warehouse, read_only=True) as con:
        repeated = scalar(
            con, "select count(*) from quarantine_row where feed = 'dwp' and reason like 'same %'"
        )
    assert repeated > 0, "duplicate rows (quarantined as repeats within their batch)"


def test_noise_scale_zero_writes_clean_feeds(tmp_path: Path) -> None:
    write_sample(tmp_path, 300, 3, NoiseRates().scaled(0))
    for path in (tmp_path / "inbox").rglob("*.csv"):
        encoding = "cp1252" if path.parent.name == "police" else "utf-8"
        with path.open(newline="", encoding=encoding) as handle:
            rows = list(csv.DictReader(handle))
        if "postcode" in (rows[0] if rows else {}):
            assert all(r["postcode"] and " " in r["postcode"] for r in rows), path
            assert all(r["forename"] not in ONLY_NICKNAMES for r in rows), path


def test_a_rate_outside_0_to_1_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="typo rate must be between 0 and 1"):
        write_sample(tmp_path, 60, 1, NoiseRates(typo=1.5))


def test_every_scenario_is_documented() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "sample.md").read_text()
    missing = [s.name for s in (*SCENARIOS, *WORKLIST_SCENARIOS) if f"`{s.name}`" not in text]
    assert not missing, f"docs/sample.md lacks {missing}"
