"""No command writes into a folder it did not make, or a DuckDB file it did not create
(issue 22): one line, exit code 2, and the folder or file exactly as it was."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

import duckdb
import pytest

from data_contracts.personal_outputs import (
    PERSONAL_MARKER,
    check_personal_folder,
    write_personal,
)
from data_contracts.warehouse import WarehouseError, connect
from data_contracts.warehouse_paths import (
    DEMO_MARKER,
    SAMPLE_MARKER,
    OutputPathError,
    check_sample_folder,
    prepare_demo_folder,
    prepare_sample_folder,
)
from tests.cli_runner import Ran, run_sfp


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its bytes' hash: what 'left as it was' compares."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def one_line(ran: Ran, words: str) -> None:
    assert ran.returncode == 2, ran.stdout + ran.stderr
    assert ran.stderr.count("\n") == 1 and words in ran.stderr, ran.stderr
    assert "Traceback" not in ran.stderr


def a_real_inbox(folder: Path) -> Path:
    """What a council keeps: a partner's file, its historic claims, a note."""
    (folder / "inbox" / "police").mkdir(parents=True)
    (folder / "inbox" / "police" / "2024-05.csv").write_text("person_id,event_date\n")
    (folder / "historic_claims.csv").write_text("claim_ref\nOLD-1\n")
    (folder / "notes.docx").write_text("a council's own file")
    return folder


@pytest.mark.parametrize("content", ["inbox", "hidden file only"])
def test_sample_refuses_a_folder_it_did_not_make(tmp_path: Path, content: str) -> None:
    folder = tmp_path / "council"
    if content == "inbox":
        a_real_inbox(folder)
    else:
        folder.mkdir()
        (folder / ".keep").write_text("")
    before = tree(folder)
    ran = run_sfp("sample", "--out", "council", "--households", "5", cwd=tmp_path)
    one_line(ran, "council: folder exists and was not made by `sfp sample`")
    assert tree(folder) == before
    assert not (folder / SAMPLE_MARKER).exists()


def test_sample_refuses_a_file_as_its_folder(tmp_path: Path) -> None:
    (tmp_path / "council").write_text("not a folder")
    one_line(run_sfp("sample", "--out", "council", cwd=tmp_path), "is a file")
    assert (tmp_path / "council").read_text() == "not a folder"


def test_a_sample_folder_is_replaced_by_the_next_sample_and_nothing_else_goes(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "council"
    prepare_sample_folder(folder)  # new: made and marked
    assert (folder / SAMPLE_MARKER).is_file()
    (folder / "inbox" / "police").mkdir(parents=True)
    (folder / "inbox" / "police" / "old.csv").write_text("an earlier sample's file")
    (folder / "truth").mkdir()
    (folder / "historic_claims.csv").write_text("old")
    (folder / "warehouse.duckdb").write_bytes(b"the user's warehouse beside the sample")
    assert [p.name for p in check_sample_folder(folder)] == [
        "historic_claims.csv",
        "inbox",
        "truth",
    ]
    prepare_sample_folder(folder)
    assert sorted(p.name for p in folder.iterdir()) == [SAMPLE_MARKER, "warehouse.duckdb"]
    empty = tmp_path / "empty"
    empty.mkdir()
    prepare_sample_folder(empty)  # an empty folder is fine
    with pytest.raises(OutputPathError, match="not made by `sfp sample`"):
        check_sample_folder(a_real_inbox(tmp_path / "real"))


def foreign(path: Path) -> Path:
    """A DuckDB file another application made (an analyst's scratch database)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create table orders as select 1 as id, 'x' as item")
        con.execute("create view big_orders as select * from orders where id > 0")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["nightly", "--inbox", "inbox"],
        ["claim", "--as-of", "2025-09-30", "--out", "c.xlsx"],
        ["claim", "--as-of", "2025-09-30", "--out", "c.xlsx", "--submit"],
        ["rerun", "--as-of", "2025-09-30"],
        ["import-claims", "--file", "historic.csv"],
        ["forecast", "--as-of", "2025-09-30", "--out", "f.xlsx"],
    ],
    ids=lambda c: "-".join(c[:1] + [a for a in c if a == "--submit"]),
)
def test_a_duckdb_file_of_another_application_is_refused_and_untouched(
    tmp_path: Path, command: list[str]
) -> None:
    warehouse = foreign(tmp_path / "analysis.duckdb")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "historic.csv").write_text("claim_ref\n")
    before = warehouse.read_bytes()
    ran = run_sfp(*command, "--warehouse", "analysis.duckdb", cwd=tmp_path)
    one_line(ran, "a DuckDB file of another application")
    assert warehouse.read_bytes() == before
    beside = sorted(p.name for p in tmp_path.iterdir())
    assert beside == ["analysis.duckdb", "historic.csv", "inbox"]  # no lock, no Prefect folder


def test_connect_refuses_a_foreign_file_and_keeps_every_warehouse_of_ours(
    tmp_path: Path,
) -> None:
    warehouse = foreign(tmp_path / "other.duckdb")
    before = warehouse.read_bytes()
    for read_only in (False, True):
        with pytest.raises(WarehouseError, match="2 tables or views, no load_batch"):
            connect(warehouse, read_only=read_only)
    assert warehouse.read_bytes() == before
    with duckdb.connect(str(tmp_path / "new.duckdb")):
        pass  # an empty DuckDB file is a new warehouse
    connect(tmp_path / "new.duckdb").close()
    connect(tmp_path / "made.duckdb").close()  # made by us, opened again
    with connect(tmp_path / "made.duckdb", read_only=True) as con:
        assert con.execute("select count(*) from load_batch").fetchall() == [(0,)]
    old = tmp_path / "old.duckdb"  # a warehouse from before the ingestion tables grew
    with duckdb.connect(str(old)) as con:
        con.execute("create table load_batch (batch_id varchar, feed varchar)")
        con.execute("create table claim_ledger (claim_key varchar)")
    connect(old).close()


# --- personal outputs (the worklist names people) --------------------------------------


def inbox_with_feeds(folder: Path) -> Path:
    for feed in ("police", "housing"):
        (folder / feed).mkdir(parents=True)
        (folder / feed / "2024-05.csv").write_text("x\n")
    return folder


@pytest.mark.parametrize(
    "out",
    [
        "INBOX/worklist.xlsx",  # the inbox itself
        "INBOX/police/worklist.xlsx",  # a feed folder
        "INBOX/lists/worklist.xlsx",  # a folder inside the inbox
        "shared/school_census/worklist.xlsx",  # a source definition's folder anywhere
    ],
)
def test_a_personal_file_never_goes_inside_an_inbox(tmp_path: Path, out: str) -> None:
    inbox_with_feeds(tmp_path / "INBOX")
    with pytest.raises(OutputPathError, match="never goes inside a partner inbox"):
        check_personal_folder(tmp_path / out, tmp_path / "elsewhere" / "w.duckdb")


def test_a_personal_file_goes_only_in_a_new_folder_or_one_of_personal_outputs(
    tmp_path: Path,
) -> None:
    warehouse = tmp_path / "data" / "w.duckdb"
    with pytest.raises(OutputPathError, match="not beside the warehouse"):
        check_personal_folder(tmp_path / "data" / "w.xlsx", warehouse)
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "budget.xlsx").write_text("someone else's")
    with pytest.raises(OutputPathError, match="holds other files"):
        check_personal_folder(shared / "worklist-2025-09-30.xlsx", warehouse)
    earlier = tmp_path / "worklist-personal"  # made before folders were marked
    earlier.mkdir()
    (earlier / "worklist-2025-06-30.xlsx").write_bytes(b"an earlier list")
    check_personal_folder(earlier / "worklist-2025-09-30.xlsx", warehouse)
    check_personal_folder(tmp_path / "new" / "worklist.xlsx", warehouse)
    # One `Housing` folder in a user's documents does not make them an inbox.
    (tmp_path / "docs" / "Housing").mkdir(parents=True)
    check_personal_folder(tmp_path / "docs" / "lists" / "worklist.xlsx", warehouse)


def test_a_personal_file_is_owner_only_in_a_marked_folder(tmp_path: Path) -> None:
    path = write_personal(tmp_path / "lists" / "worklist-2025-09-30.xlsx", b"names")
    assert path.read_bytes() == b"names"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert (path.parent / PERSONAL_MARKER).is_file()
    # The marked folder is reused, whatever else a later list leaves there.
    (path.parent / "notes.txt").write_text("the officer's own notes on the list")
    check_personal_folder(path.parent / "worklist-2025-12-31.xlsx", tmp_path / "w.duckdb")
    write_personal(path, b"names again")  # overwritten whole, still owner-only
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == [
        PERSONAL_MARKER,
        "notes.txt",
        "worklist-2025-09-30.xlsx",
    ]


def test_worklist_into_an_inbox_is_one_line_and_writes_nothing(tmp_path: Path) -> None:
    connect(tmp_path / "w.duckdb").close()
    inbox = inbox_with_feeds(tmp_path / "inbox")
    before = tree(inbox)
    ran = run_sfp("worklist", "--as-of", "2025-09-30", "--warehouse", "w.duckdb",
                  "--out", "inbox/police/list.xlsx", cwd=tmp_path)  # fmt: skip
    one_line(ran, "never goes inside a partner inbox")
    assert tree(inbox) == before


@pytest.mark.parametrize("command", ["claim", "forecast", "rerun"])
def test_no_output_goes_inside_an_inbox(tmp_path: Path, command: str) -> None:
    # The nightly would read a workbook there as a partner's file.
    connect(tmp_path / "w.duckdb").close()
    inbox = inbox_with_feeds(tmp_path / "inbox")
    before = tree(inbox)
    ran = run_sfp(command, "--as-of", "2025-09-30", "--warehouse", "w.duckdb",
                  "--out", "inbox/police/out.xlsx", cwd=tmp_path)  # fmt: skip
    one_line(ran, "is inside a partner inbox")
    assert tree(inbox) == before


def test_a_new_demo_folder_holding_only_the_demos_lock_is_the_demos(tmp_path: Path) -> None:
    # The lock is taken (and its file made) before the folder is checked and marked.
    folder = tmp_path / "demo"
    folder.mkdir()
    lock = folder / "warehouse.duckdb.lock"
    lock.write_text("")
    prepare_demo_folder(folder, lock)
    assert sorted(p.name for p in folder.iterdir()) == [DEMO_MARKER, lock.name]
