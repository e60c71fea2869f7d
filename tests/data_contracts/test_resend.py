"""A corrected file re-sent under the same name supersedes the earlier batch.

Nothing is deleted: the earlier rows stay in `stg_<feed>_all`, `raw_<feed>` and
`load_batch`; `stg_<feed>` (what every model reads) shows only current batches.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect, scalar, staged_as_of_load_sql
from indicators.plan import load_plan
from indicators.runner import derive_indicators
from tests.conftest import LoadedSample, write_csv
from tests.data_contracts.test_ingest import POLICE, police_row


def staged_keys(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [
        k for (k,) in con.execute(f"select source_person_id from {table} order by 1").fetchall()
    ]


def test_resent_file_supersedes_and_keeps_everything(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    may = inbox / "police" / "2024-05.csv"
    write_csv(may, POLICE, [police_row("a"), police_row("b", event_type="burglary")])
    write_csv(inbox / "police" / "2024-06.csv", POLICE, [police_row("c")])
    with connect(tmp_path / "w.duckdb") as con:
        first = ingest_inbox(con, inbox)
        write_csv(may, POLICE, [police_row("a"), police_row("b")])
        second = ingest_inbox(con, inbox)
        third = ingest_inbox(con, inbox)
        current = staged_keys(con, "stg_police")
        as_it_stood = {
            seq: sorted(
                k
                for (k,) in con.execute(
                    f"select source_person_id from ({staged_as_of_load_sql('police')})",
                    {"load_seq": seq},
                ).fetchall()
            )
            for seq in (1, 2, 3)
        }
        everything = staged_keys(con, "stg_police_all")
        superseded = con.execute(
            "select s.batch_id, s.superseded_by, s.superseded_at_seq from load_supersession s"
        ).fetchall()
        batches = scalar(con, "select count(*) from load_batch")
        raw_rows = scalar(con, "select count(*) from raw_police")
        quarantined = scalar(con, "select count(*) from quarantine_row")
    assert [r.status for r in first] == ["loaded", "loaded"]
    assert [r.status for r in second] == ["loaded", "already loaded"]
    assert second[0].supersedes == (first[0].batch_id,)
    assert "(supersedes police-" in second[0].line()
    assert [r.status for r in third] == ["already loaded", "already loaded"]
    assert superseded == [(first[0].batch_id, second[0].batch_id, 3)]
    assert current == ["a", "b", "c"]
    # before the correction the May batch held only "a" (its row "b" was quarantined)
    assert as_it_stood == {1: ["a"], 2: ["a", "c"], 3: ["a", "b", "c"]}
    assert everything == ["a", "a", "b", "c"]
    assert (batches, raw_rows, quarantined) == (3, 5, 1)


def test_a_file_under_a_new_name_adds_rather_than_replaces(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    write_csv(inbox / "police" / "2024-05.csv", POLICE, [police_row("a")])
    with connect(tmp_path / "w.duckdb") as con:
        ingest_inbox(con, inbox)
        write_csv(inbox / "police" / "2024-05-v2.csv", POLICE, [police_row("b")])
        [_, report] = ingest_inbox(con, inbox)
        assert report.supersedes == ()
        assert staged_keys(con, "stg_police") == ["a", "b"]


def test_indicator_sql_sees_only_the_corrected_case_file(
    loaded_sample: LoadedSample, sample_con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    """Unchanged indicator SQL reads the corrected extract through `stg_eh_cases`."""
    source = loaded_sample.folder / "inbox" / "eh_cases"
    # Case rows arrive monthly; correct the earliest month's extract.
    extract = sorted(source.glob("*.csv"))[0]
    inbox = tmp_path / "inbox"
    corrected = inbox / "eh_cases" / extract.name
    corrected.parent.mkdir(parents=True)
    lines = extract.read_bytes().split(b"\n")
    header = lines[0].decode("utf-8-sig").strip().split(",")
    first = lines[1].decode("utf-8-sig").strip().split(",")
    case_id = first[header.index("case_id")]
    first[header.index("lead_practitioner")] = "Corrected Lead"
    lines[1] = ",".join(first).encode() + (b"\r" if lines[1].endswith(b"\r") else b"")
    corrected.write_bytes(b"\n".join(lines))
    cases_before = scalar(sample_con, "select count(*) from stg_eh_cases")
    [report] = ingest_inbox(sample_con, inbox)
    derive_indicators(sample_con, load_plan(), loaded_sample.as_of)
    assert len(report.supersedes) == 1
    assert scalar(sample_con, "select count(*) from stg_eh_cases") == cases_before
    file_rows = sum(1 for line in lines[1:] if line.strip())
    all_rows = scalar(sample_con, "select count(*) from stg_eh_cases_all")
    assert all_rows == cases_before + file_rows
    lead = scalar(
        sample_con, "select lead_practitioner from case_current where case_id = ?", [case_id]
    )
    assert lead == "Corrected Lead"
