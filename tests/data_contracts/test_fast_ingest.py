"""The ingest's fast paths give exactly what the careful ones give (issue 26).

A clean CSV is read by pyarrow (`feed_reader.fast_csv_table`), any other by the csv
module with each fault reported by row; Great Expectations decides pass or fail and the
failing rows are located by masks (`validation.unexpected_rows`); a night's batches each
commit but the warehouse is checkpointed once (`warehouse.one_checkpoint`).
"""

from __future__ import annotations

import random
from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_contracts import feed_reader
from data_contracts.expectations import BATCH_COLUMN, suite_checks
from data_contracts.feed_reader import FeedTable, ReadOptions, fast_csv_table, read_table
from data_contracts.feeds import FEEDS
from data_contracts.ingest import ingest_inbox
from data_contracts.text_encoding import NotText, decode_text
from data_contracts.validation import (
    expectation_engine,
    fast_dates,
    unexpected_rows,
    validate_batches,
    validation_frame,
)
from data_contracts.warehouse import connect, one_checkpoint, scalar

CORPUS = Path(__file__).parent / "corpus"


def careful(data: bytes, monkeypatch: pytest.MonkeyPatch) -> FeedTable | str:
    with monkeypatch.context() as patch:
        patch.setattr(feed_reader, "fast_csv_table", lambda *args, **kwargs: None)
        return read_or_error(data)


def read_or_error(data: bytes) -> FeedTable | str:
    try:
        return read_table(data, "csv", "f.csv")
    except feed_reader.FeedFileError as error:
        return str(error)


def assert_same(fast: FeedTable | str, slow: FeedTable | str) -> None:
    if isinstance(fast, str) or isinstance(slow, str):
        assert fast == slow
        return
    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.row_problems == slow.row_problems
    assert fast.read_as == slow.read_as


def takes_fast_path(data: bytes) -> bool:
    try:
        decoded = decode_text(data)
    except NotText:
        return False  # refused before either reader
    return fast_csv_table("f.csv", data, decoded, ReadOptions(), False) is not None


def test_a_clean_file_is_read_fast_and_as_the_careful_reader_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = (
        b"\xef\xbb\xbfName,Town,Note\r\n"
        b'Zo\xc3\xab,"Leeds, West","two\r\nlines"\r\n'
        b",,\r\n"  # a blank record: no row, but it keeps its number
        b'\r\n"A ""quoted"" word",York,\xe2\x80\x8b\r\n'
    )
    assert takes_fast_path(data)
    fast = read_or_error(data)
    assert isinstance(fast, FeedTable)
    assert list(fast.frame.index) == [2, 5]
    assert fast.frame.loc[5, "name"] == 'A "quoted" word'
    assert_same(fast, careful(data, monkeypatch))


@pytest.mark.parametrize(
    "data",
    [
        b"a,b\n1,2,3\n4,5\n",  # a ragged row: quarantined with its row number
        b"a,b\n" + b"1,2\n" * 200 + b"3,\x004\n",  # a NUL in one field
        b"a,b\nZo\xc3\xab,\xff\n",  # a byte that is not UTF-8 in a UTF-8 file
        b"a,b\n1,\x93quoted\x94\n",  # Windows-1252
        b'a,b\n1,"unclosed\n2,3\n',  # a quote left open to the end
        b'a,b\n"ab"cd,1\n',  # text after a closing quote
        b'a,b\n"ab" ,1\n',
        b'a,b\n"",x,\n',
        b"a,b,\n1,2,\n",  # an unnamed trailing column
        b"a;b;c\n1;2;3\n",  # another separator
        b"a,b\n1,2\n \n",  # a record of one blank field
    ],
)
def test_hostile_files_take_the_careful_reader(
    data: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not takes_fast_path(data)
    assert_same(read_or_error(data), careful(data, monkeypatch))


def test_every_corpus_csv_reads_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = sorted(CORPUS.rglob("*.csv"))
    fast = 0
    for path in paths:
        data = path.read_bytes()
        assert_same(read_or_error(data), careful(data, monkeypatch))
        fast += takes_fast_path(data)
    assert 0 < fast < len(paths)


def random_csv(rng: random.Random) -> bytes:
    """A small CSV of awkward fields: quotes, separators and line ends in and out of
    quotes, blanks, invisible characters, rows too short or too long, broken quoting."""
    atoms = ["a", "Zoë", " ", "", "\u200b", "\t", "1", ";", "\u00a0", '"', ",", "\n", "\r\n"]

    def field() -> str:
        value = "".join(rng.choice(atoms) for _ in range(rng.randint(0, 4)))
        kind = rng.random()
        if kind < 0.4:
            return '"' + value.replace('"', '""') + '"'
        if kind < 0.5:
            return rng.choice(['"', ""]) + value  # broken on purpose
        return "".join(c for c in value if c not in '",\r\n')

    width = rng.randint(1, 4)
    lines = [",".join(f"h{n}" for n in range(width))]
    for _ in range(rng.randint(0, 6)):
        count = width if rng.random() < 0.9 else rng.randint(0, width + 2)
        lines.append(",".join(field() for _ in range(count)))
    end = rng.choice(["\n", "\r\n", "\r"])
    text = end.join(lines) + rng.choice(["", end, end + end])
    return (b"\xef\xbb\xbf" if rng.random() < 0.1 else b"") + text.encode()


def test_random_awkward_files_read_the_same_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(26)
    fast = 0
    for _ in range(400):
        data = random_csv(rng)
        assert_same(read_or_error(data), careful(data, monkeypatch))
        fast += takes_fast_path(data)
    assert fast > 50  # the fast path was really compared


def complete_rows(feed_name: str, checked: pd.DataFrame, date_type: str) -> list[list[int]]:
    """Each expectation's failing rows as Great Expectations lists them (COMPLETE)."""
    batch_definition, suite, _ = expectation_engine().for_feed(FEEDS[feed_name], date_type)
    frame = checked.assign(row_key=checked.index.to_numpy())
    outcome = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row_key"]},
        expectation_parameters={"load_date": datetime(2024, 6, 1)},
    )
    by_number = {r.expectation_config.meta["check"]: r for r in outcome.results}
    return [
        sorted(int(i["row_key"]) for i in by_number[n].result.get("unexpected_index_list") or [])
        for n in range(len(by_number))
    ]


@pytest.mark.parametrize("far_future", [False, True])
def test_masks_find_the_rows_great_expectations_lists(far_future: bool) -> None:
    """Every kind of expectation (type, required, codes, range, not after the load date,
    unique key, column pair), on dates that fit nanoseconds and on a year 2999."""
    feed = FEEDS["attendance"]
    rows = {c.name: ["x", "x", "", "x", "x", "x"] for c in feed.all_columns}
    rows.update(
        dob=["2010-01-01", "2030-01-01", "", "2010-01-01", "2999-01-01" if far_future else "", ""],
        sex=["M", "Q", "", "F", "F", "m"],
        upn=["U1", "U1", "", "U2", "U3", "U4"],
        school_urn=["S"] * 6,
        academic_year=["2023/24", "2023/24", "", "2022/23", "2023/24", "2023/24"],
        term=["autumn", "autumn", "", "spring", "winter", "summer"],
        sessions_possible=["10", "10", "", "0", "5", "7"],
        sessions_authorised_absence=["1", "1", "", "-1", "4", "3"],
        sessions_unauthorised_absence=["1", "1", "", "0", "4", "3"],
    )
    frame = pd.DataFrame(rows, index=pd.Index(range(2, 8), dtype="int64"), dtype="str")
    numbers = pd.Series(frame.index, index=frame.index)
    [checked] = validate_batches(feed, [(frame, numbers)], date(2024, 6, 1))
    assert len(checked.problems) > 5  # the rows really fail many checks

    from data_contracts.validation import derived_columns

    typed = checked.typed.drop(columns="term_end").reset_index(drop=True)
    derived = derived_columns(feed, typed)
    wide = validation_frame(feed, typed, numbers.reset_index(drop=True), derived)
    wide[BATCH_COLUMN] = 0
    date_type = fast_dates(wide)
    assert (date_type == "datetime64[s]") == far_future
    listed = complete_rows(feed.name, wide, date_type)
    for number, (class_name, arguments, _) in enumerate(suite_checks(feed, date_type)):
        mask = unexpected_rows(class_name, arguments, wide, datetime(2024, 6, 1))
        assert list(wide.index[mask]) == listed[number], class_name


def wal_bytes(warehouse: Path) -> int:
    wal = Path(f"{warehouse}.wal")
    return wal.stat().st_size if wal.exists() else 0


def test_a_night_commits_each_batch_and_checkpoints_once(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    inbox = CORPUS / "31_several_faults_in_one_row" / "inbox"
    with connect(warehouse) as con:
        con.execute("checkpoint")
        before = scalar(con, "select current_setting('checkpoint_threshold')")
        reports = ingest_inbox(con, inbox)
        assert any(r.status == "loaded" for r in reports)
        assert wal_bytes(warehouse) == 0  # folded into the file at the night's end
        assert scalar(con, "select current_setting('checkpoint_threshold')") == before
        with one_checkpoint(con):
            with one_checkpoint(con):
                con.execute("create table t as select 1 as x")
            assert wal_bytes(warehouse) > 0  # the inner use leaves it to the outer
        assert wal_bytes(warehouse) == 0


def test_a_failing_night_keeps_its_committed_batches(tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    with connect(warehouse) as con:
        with pytest.raises(RuntimeError), one_checkpoint(con):
            con.execute("create table t as select 1 as x")
            raise RuntimeError("the night stops")
        assert scalar(con, "select current_setting('checkpoint_threshold')") == "16.0 MiB"
    with duckdb.connect(str(warehouse)) as con:
        assert scalar(con, "select x from t") == 1
