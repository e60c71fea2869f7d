"""The historic-claims import links members with the nightly's model, the one in force in
the warehouse, and never trains a model of its own (issue 27)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from claims.historic import HISTORIC_COLUMNS, import_historic_claims
from indicators.plan import load_plan
from matching.normalise import person_rows_sql
from tests.conftest import write_csv

THRESHOLD = load_plan().matching["link_threshold"]


def _members(con: duckdb.DuckDBPyConnection, ref: str) -> tuple[list[list[object]], list[str]]:
    """Two people of the sample, as staged, as members of one past claim; their person ids."""
    rows = con.execute(
        f"with staged as ({person_rows_sql()})"
        " select s.forename, s.surname, cast(s.dob as varchar), coalesce(s.postcode, ''),"
        " coalesce(s.upn, ''), coalesce(s.nino, ''), l.person_id"
        " from staged s join person_link l using (source, source_record_id)"
        " qualify row_number() over (partition by l.person_id"
        " order by s.source, s.source_record_id) = 1"
        " order by l.person_id limit 2"
    ).fetchall()
    members = [
        [ref, "2024-06-30", "parent_carer", f"OLD{n}", fore, sur, dob, "", post, upn, nino, ""]
        for n, (fore, sur, dob, post, upn, nino, _) in enumerate(rows)
    ]
    return members, [row[-1] for row in rows]


@pytest.mark.slow
def test_historic_members_are_linked_with_the_model_in_force(
    sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    in_force = sample_con.execute("select model_json from link_model_state").fetchall()[0]
    assert in_force is not None
    # A model in force that links nobody (its prior beyond any evidence): the import
    # follows it, so it cannot be training or shipping a model of its own.
    linking_nobody = json.loads(in_force[0])
    linking_nobody["probability_two_random_records_match"] = 1e-30
    sample_con.execute("update link_model_state set model_json = ?", [json.dumps(linking_nobody)])
    members, _ = _members(sample_con, "OLD-A")
    assert len(members) == 2
    first = write_csv(tmp_path / "a.csv", list(HISTORIC_COLUMNS), members)
    assert import_historic_claims(sample_con, first, THRESHOLD).members_linked == 0
    # The nightly's own model back in force: both members join the people they are.
    sample_con.execute("update link_model_state set model_json = ?", [in_force[0]])
    members, people = _members(sample_con, "OLD-B")
    second = write_csv(tmp_path / "b.csv", list(HISTORIC_COLUMNS), members)
    assert import_historic_claims(sample_con, second, THRESHOLD).members_linked == 2
    linked = sample_con.execute(
        "select person_id from claim_ledger_member where claim_key = 'H:OLD-B' order by person_id"
    ).fetchall()
    assert [row[0] for row in linked] == sorted(people)
