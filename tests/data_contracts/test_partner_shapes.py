"""The same sample council written in SPEC shape and in partner shapes loads the same.

`sfp sample --shape partner` rewrites every feed that has a shipped source definition in
its partner's shape (school census field names, a police extract, a DWP extract, the
Standard Safeguarding Dataset as a zip of tables, the early help system's workbook). Both
inboxes go through the same plain pipeline (ingest, link, decide). Batch IDs and row
numbers differ between the two (the files differ), so the comparison is by content:

- staged rows: for every feed, the multiset of rows over every contract column (and
  `term_end`) except `source_person_id` is equal; `source_person_id` is equal too where
  the partner sends its own key (police, SSD, early help), and where it has none and the
  definition takes it from UPN or NINO (school census, DWP) the two keys are in one-to-one
  correspondence: rows share a key in one shape exactly when they do in the other;
- person links: the partition of staged rows (by content) into person IDs is equal;
- claim decisions: every case's decision, failed gates and reasons are equal;
- quarantine: the same (feed, column, reason) lines.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from data_contracts.feeds import FEEDS
from data_contracts.warehouse import connect
from sample_data.partner_shapes import PARTNER_FEEDS
from tests.councils import PARTNER_SHAPE, SPEC_SHAPE, CouncilSpec, council_copy

pytestmark = pytest.mark.slow  # a whole pipeline (or Spark) per test: `make test`, not test-fast

PERSON_ID = re.compile(r"\bP[0-9a-f]{12}\b")
ROW_REFERENCE = r"\(row [^)]*\)"
KEY_FROM_IDENTIFIER = ("attendance", "exclusions", "dwp")
"""Feeds whose partner shape has no person key: the definition derives it from UPN/NINO."""


@dataclass(frozen=True)
class Loaded:
    inbox: Path
    warehouse: Path
    decisions: pd.DataFrame


def _load(spec: CouncilSpec, folder: Path) -> Loaded:
    """The council through the nightly's pipeline function, past claims imported, decided."""
    council = council_copy(spec, folder)
    return Loaded(council.inbox, council.warehouse, council.decisions())


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Loaded, Loaded]:
    folder = tmp_path_factory.mktemp("shapes")
    return _load(SPEC_SHAPE, folder / "spec_shape"), _load(PARTNER_SHAPE, folder / "partner")


def test_partner_inbox_holds_no_spec_folder_for_a_partner_feed(
    both: tuple[Loaded, Loaded],
) -> None:
    _, partner = both
    folders = {p.name for p in partner.inbox.iterdir()}
    assert not folders & set(PARTNER_FEEDS)
    assert {"school_census", "police_records", "dwp_universal_credit", "ssd"} <= folders
    assert {"early_help_system"} <= folders
    assert list((partner.inbox / "ssd").glob("*.zip"))
    assert list((partner.inbox / "early_help_system").glob("*.xlsx"))


def _rows(con: duckdb.DuckDBPyConnection, feed: str) -> list[tuple]:
    """Staged rows by content: every contract column but the person key, then the key."""
    columns = [c.name for c in FEEDS[feed].all_columns if c.name != "source_person_id"]
    columns += ["term_end"] if feed == "attendance" else []
    key = (
        "source_person_id"
        if FEEDS[feed].names_people or feed in ("eh_needs", "eh_outcomes")
        else "null"
    )
    return con.execute(f"select {', '.join(columns)}, {key} from stg_{feed}").fetchall()


def _key_pairs(spec: list[tuple], partner: list[tuple]) -> set[tuple[object, object]]:
    """(spec key, partner key) of rows with the same content. Rows equal key and all are
    paired first: rows that differ only in their person (two family members with the same
    need) would otherwise be paired crosswise by chance."""
    same = Counter(spec) & Counter(partner)
    pairs = {(row[-1], row[-1]) for row in same}
    by_content: dict[tuple, list[object]] = defaultdict(list)
    for row in (Counter(partner) - same).elements():
        by_content[row[:-1]].append(row[-1])
    for row in (Counter(spec) - same).elements():
        pairs.add((row[-1], by_content[row[:-1]].pop()))
    return pairs


@pytest.mark.parametrize("feed", list(FEEDS))
def test_staged_rows_are_the_same(both: tuple[Loaded, Loaded], feed: str) -> None:
    spec, partner = both
    with (
        connect(spec.warehouse, read_only=True) as a,
        connect(partner.warehouse, read_only=True) as b,
    ):
        spec_rows, partner_rows = _rows(a, feed), _rows(b, feed)
    assert spec_rows, f"the sample stages no {feed} rows: nothing would be compared"
    assert Counter(r[:-1] for r in spec_rows) == Counter(r[:-1] for r in partner_rows)
    pairs = _key_pairs(spec_rows, partner_rows)
    forward: dict[object, set[object]] = defaultdict(set)
    backward: dict[object, set[object]] = defaultdict(set)
    for x, y in pairs:
        forward[x].add(y)
        backward[y].add(x)
    assert all(len(v) == 1 for v in forward.values())
    assert all(len(v) == 1 for v in backward.values())
    if feed not in KEY_FROM_IDENTIFIER:
        assert all(x == y for x, y in pairs)
    else:
        assert any(x != y for x, y in pairs)  # the key really is derived, not sent


def _people(con: duckdb.DuckDBPyConnection) -> dict[frozenset, str]:
    """Each person's staged rows (by content: feed + every contract column) -> person ID."""
    members: dict[str, Counter] = defaultdict(Counter)
    for feed in FEEDS:
        if not FEEDS[feed].names_people:
            continue
        columns = [c.name for c in FEEDS[feed].all_columns if c.name != "source_person_id"]
        rows = con.execute(
            f"select l.person_id, {', '.join('s.' + c for c in columns)} from stg_{feed} s"
            f" join person_link l on l.source_record_id = s.source_record_id"
        ).fetchall()
        for person, *content in rows:
            members[person][(feed, *content)] += 1
    return {frozenset(c.items()): person for person, c in members.items()}


def test_person_links_are_the_same_partition(both: tuple[Loaded, Loaded]) -> None:
    spec, partner = both
    with (
        connect(spec.warehouse, read_only=True) as a,
        connect(partner.warehouse, read_only=True) as b,
    ):
        spec_people, partner_people = _people(a), _people(b)
        linked = a.execute("select count(*) from person_link").fetchone()[0]
    assert linked > 1000
    assert len(spec_people) < linked  # people of several rows: the partition is not trivial
    assert set(spec_people) == set(partner_people)


def test_claim_decisions_are_the_same(both: tuple[Loaded, Loaded]) -> None:
    """Every column of every case's decision, the reasons' person IDs and the data
    problems' row references aside: a stable ID is made from a person's first record, whose
    key differs where it is derived from a UPN or NINO, so the partner's IDs are renamed
    through the equal partitions first; a row is named by its batch and line, which differ
    with the files (module docstring)."""
    spec, partner = both
    with (
        connect(spec.warehouse, read_only=True) as a,
        connect(partner.warehouse, read_only=True) as b,
    ):
        spec_people, partner_people = _people(a), _people(b)
    renamed = {partner_people[rows]: spec_people[rows] for rows in spec_people}
    assert any(old != new for old, new in renamed.items())
    decisions = partner.decisions.copy()
    for column in decisions.columns:
        if decisions[column].dtype == object or str(decisions[column].dtype) == "str":
            decisions[column] = decisions[column].map(
                lambda text: (
                    PERSON_ID.sub(lambda m: renamed.get(m.group(0), m.group(0)), text)
                    if isinstance(text, str)
                    else text
                )
            )
    expected = spec.decisions.copy()
    for frame in (expected, decisions):
        frame["data_problems"] = frame["data_problems"].str.replace(
            ROW_REFERENCE, "(row -)", regex=True
        )
    assert len(spec.decisions) > 100
    assert spec.decisions["claimed"].any() and not spec.decisions["claimed"].all()
    pd.testing.assert_frame_equal(expected.reset_index(drop=True), decisions.reset_index(drop=True))


def test_quarantine_and_reconciliation_are_the_same(both: tuple[Loaded, Loaded]) -> None:
    spec, partner = both
    query = "select feed, column_name, reason from quarantine_row"
    ledger = "select rows_in, rows_staged, rows_quarantined from load_batch"
    with (
        connect(spec.warehouse, read_only=True) as a,
        connect(partner.warehouse, read_only=True) as b,
    ):
        assert Counter(a.execute(query).fetchall()) == Counter(b.execute(query).fetchall())
        assert not b.execute("select * from load_error").fetchall()
        for rows_in, staged, quarantined in b.execute(ledger).fetchall():
            assert rows_in == staged + quarantined
        sources = dict(
            b.execute("select source, count(*) from load_source group by source").fetchall()
        )
    assert set(sources) == {
        "school_census_attendance",
        "school_census_exclusions",
        "police_records",
        "dwp_universal_credit",
        "ssd_childrens_social_care",
        "early_help_cases",
    }
