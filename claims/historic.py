"""Import a council's historic claims, so gate 7 knows families claimed before this system.

A council that moves here mid-programme brings its past claims as one CSV, one row per
family member of a past claim (format in docs/claims.md). Members are linked to the people
of the warehouse with the nightly run's own model, the one in force in the warehouse
(`link_persons` over the historic rows and every staged person row together, scoring with
that saved model: no model is trained on the import); each member is stored with the
identity record it joined, so gate 7 follows that person even after a later re-link
changes person IDs. A member who joins nobody is kept, unlinked (docs/adr/0006).
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from claims.ledger import ensure_ledger, insert_ledger_members, insert_rows, next_submission_id
from claims.periods import financial_quarter
from data_contracts.ingest import decode_csv
from data_contracts.warehouse import all_or_nothing, scalar
from matching.normalise import PERSON_COLUMNS

HISTORIC_COLUMNS = ("claim_ref", "claim_date", "role", *PERSON_COLUMNS)
"""One row per member of a past claim: the claim, the role, and the person as linkage reads it."""
ROLES = ("parent_carer", "child", "expectant_parent", "other_adult")
HISTORIC_SOURCE = "historic_claims"
log = logging.getLogger(__name__)


class HistoricClaimsError(ValueError):
    """The file cannot be imported; one line naming the file, row, column and what's wanted."""


@dataclass(frozen=True)
class ImportResult:
    file_name: str
    claims: int
    members: int
    members_linked: int
    submission_id: int


def _parse_date(text: str) -> date | None:
    text = text.strip()
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text[:10] if "-" in text else text)
        except ValueError:
            continue
    return None


def read_historic_claims(path: Path) -> pd.DataFrame:
    """The file's rows, checked; the first mistake is raised as one line."""
    name = str(path)
    try:
        text = decode_csv(path.read_bytes(), name)
    except FileNotFoundError:
        raise HistoricClaimsError(f"{name}: file not found") from None
    except ValueError as error:
        raise HistoricClaimsError(str(error)) from None
    reader = csv.reader(io.StringIO(text))
    header = [column.strip().lower() for column in next(reader, [])]
    missing = [c for c in HISTORIC_COLUMNS if c not in header]
    if missing:
        raise HistoricClaimsError(
            f"{name}: row 1: missing column(s) {', '.join(missing)} "
            f"(expected {', '.join(HISTORIC_COLUMNS)})"
        )
    rows: list[dict[str, object]] = []
    claim_dates: dict[str, date] = {}
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {c: (values[i].strip() if i < len(values) else "") for i, c in enumerate(header)}
        where = f"{name}: row {number}"
        if not row["claim_ref"]:
            raise HistoricClaimsError(f"{where}, column claim_ref: expected a claim reference")
        claim_date = _parse_date(str(row["claim_date"]))
        if claim_date is None:
            raise HistoricClaimsError(
                f"{where}, column claim_date: expected a date as YYYY-MM-DD or DD/MM/YYYY, "
                f"got {row['claim_date']!r}"
            )
        if claim_dates.setdefault(str(row["claim_ref"]), claim_date) != claim_date:
            raise HistoricClaimsError(
                f"{where}, column claim_date: claim {row['claim_ref']} has another date on an "
                "earlier row (expected one claim date per claim_ref)"
            )
        if row["role"] not in ROLES:
            raise HistoricClaimsError(
                f"{where}, column role: expected one of {', '.join(ROLES)}, got {row['role']!r}"
            )
        dob = _parse_date(str(row["dob"])) if row["dob"] else None
        if row["dob"] and dob is None:
            # The value itself is personal data: never echoed.
            raise HistoricClaimsError(
                f"{where}, column dob: expected a date as YYYY-MM-DD or DD/MM/YYYY"
            )
        rows.append(
            {
                **{c: (row[c] or None) for c in HISTORIC_COLUMNS},
                "claim_date": claim_date,
                "dob": dob.isoformat() if dob else None,
                "row_number": number,
            }
        )
    if not rows:
        raise HistoricClaimsError(f"{name}: no claim rows (expected one row per family member)")
    return pd.DataFrame(rows)


LINKED_SQL = """
with warehouse_row as (
    select h.source_record_id as historic_id, l.record_id, l.person_id
    from linked h
    join linked w on w.person_id = h.person_id and w.source <> $historic
    join person_link l on l.source = w.source and l.source_record_id = w.source_record_id
    where h.source = $historic
)
select historic_id, min(record_id) as record_id, arg_min(person_id, record_id) as person_id
from warehouse_row
group by historic_id
"""


def nightly_model(con: duckdb.DuckDBPyConnection, folder: Path) -> Path | None:
    """The model in force (built by the last full linkage run), saved in `folder` as the
    nightly saves it, so `link_persons` scores with it exactly; None before any run."""
    from matching.scoring_state import load_state, save_model_files

    state = load_state(con)
    if state is None:
        return None
    run_id, _, frozen = state
    path = folder / f"person-model-run-{run_id}.json"
    save_model_files(frozen, path)
    return path


def link_members(
    con: duckdb.DuckDBPyConnection, members: pd.DataFrame, tag: str, threshold: float
) -> pd.DataFrame:
    """Each member's warehouse identity record and person, where one matches."""
    # Imported here: Splink takes seconds to import and the CLI imports this module.
    from matching.link import PERSON_COLUMNS, link_persons, person_rows_sql
    from matching.scoring import LinkOptions
    from matching.training import TrainingOptions

    historic = members[list(PERSON_COLUMNS)].copy()
    historic["source"] = HISTORIC_SOURCE
    historic["source_record_id"] = [f"{tag}:{n}" for n in members["row_number"]]
    warehouse = con.execute(person_rows_sql()).df()
    warehouse = warehouse[["source", "source_record_id", *PERSON_COLUMNS]]
    for column in PERSON_COLUMNS:
        historic[column] = historic[column].astype(object)
        warehouse[column] = warehouse[column].astype(object)
    warehouse["dob"] = warehouse["dob"].map(lambda d: None if pd.isna(d) else str(d)[:10])
    records = pd.concat([historic, warehouse], ignore_index=True)
    with tempfile.TemporaryDirectory(prefix="sfp-historic-") as folder:
        model = nightly_model(con, Path(folder))
        if model is None:
            # No linkage run yet (a warehouse staged by hand): the shipped model, never
            # one trained on the import.
            log.info("historic claims: no linkage run in this warehouse; the shipped model")
        never_train = TrainingOptions(min_training_records=sys.maxsize)
        options = LinkOptions(threshold=threshold, training=never_train)
        linked = link_persons(records, threshold, options, model_in=model)
    linked = linked[["source", "source_record_id", "person_id"]]
    con.register("linked", linked)
    try:
        matched = con.execute(LINKED_SQL, {"historic": HISTORIC_SOURCE}).df()
    finally:
        con.unregister("linked")
    out = members.copy()
    out["historic_id"] = historic["source_record_id"].to_numpy()
    return out.merge(matched, on="historic_id", how="left")


def check_importable(con: duckdb.DuckDBPyConnection, path: Path) -> pd.DataFrame:
    """The file's checked rows, unless it or one of its claims is already in the ledger."""
    ensure_ledger(con)
    members = read_historic_claims(path)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    if scalar(con, "select count(*) from claim_submission where file_sha256 = ?", [sha256]):
        raise HistoricClaimsError(f"{path}: this file was already imported")
    refs = sorted(set(members["claim_ref"]))
    known = con.execute(
        "select claim_ref from claim_ledger where claim_ref in (select unnest(?)) "
        "order by claim_ref limit 1",
        [refs],
    ).fetchall()
    if known:
        raise HistoricClaimsError(
            f"{path}: claim_ref {known[0][0]} is already in the ledger (from an earlier import)"
        )
    return members


def import_historic_claims(
    con: duckdb.DuckDBPyConnection, path: Path, threshold: float
) -> ImportResult:
    """Record a file of past claims in the ledger; the same file twice is refused."""
    members = check_importable(con, path)
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    refs = sorted(set(members["claim_ref"]))
    linked = link_members(con, members, f"historic:{sha256[:16]}", threshold)
    # One transaction: a failure or a kill part-way records none of the file's claims, and
    # the same file can be imported again (docs/contracts.md, "a historic import").
    with all_or_nothing(con):
        submission_id = next_submission_id(con)
        con.execute(
            "insert into claim_submission (submission_id, kind, submitted_at, file_name, "
            "file_sha256, families) values (?, 'historic_import', ?, ?, ?, ?)",
            [submission_id, datetime.now(UTC).replace(tzinfo=None), path.name, sha256, len(refs)],
        )
        claims = members.groupby("claim_ref", sort=True)["claim_date"].first()
        insert_rows(
            con,
            "insert into claim_ledger values (?, ?, null, null, ?, ?, ?, false)",
            [
                (submission_id, f"H:{ref}", ref, day, financial_quarter(day))
                for ref, day in claims.items()
            ],
        )
        keys = [f"H:{ref}" for ref in linked["claim_ref"]]
        insert_ledger_members(con, submission_id, keys, linked)
    return ImportResult(
        path.name,
        len(refs),
        len(linked),
        int(linked["record_id"].notna().sum()),
        submission_id,
    )
