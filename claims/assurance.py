"""Assurance packs for a spot check of a submitted period (004, "Validation of claims").

The national team samples claimed families and asks the council to show, for each, its
needs and the evidence of every outcome. `assurance_packs` answers that from the
warehouse: on a private copy restored to what the submission saw (claims/rerun.py), it
decides the period again, samples the families claimed in it the way a spot check would
(`sample_families`) and writes one offline HTML page per family (claims/assurance_pack.py)
and an index, into a folder of its own: the packs name people, so the folder is private
(mode 0700, files 0600), the warehouse copy lives and dies inside it, and nothing personal
is logged or printed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from claims.assurance_pack import (
    FamilyEvidence,
    SampledFamily,
    family_page,
    index_page,
    pack_name,
)
from claims.decide import decide_cases
from claims.evidence_sources import file_within_folder, split_source_row
from claims.ledger import LedgerError, Submission, check_rerunnable
from claims.rerun import restore_as_submitted
from data_contracts.feeds import FEEDS
from data_contracts.warehouse import connect
from data_contracts.warehouse_paths import OutputPathError
from indicators.plan import Plan

log = logging.getLogger(__name__)

MARKER = ".sfp-assurance"
"""Written in a folder this command made: the sign that it may write there again."""
DEFAULT_SAMPLE = 10
NEAR_CLOSURE_DAYS = 31
"""A case closed within this many days of the gate 5 line (6 months before the as-of
date) would have failed had it closed a month later: a spot check looks at it first."""


class AssuranceError(OutputPathError):
    """A folder for the packs that is not the command's own: one line, exit 2."""


@dataclass(frozen=True)
class AssuranceResult:
    as_of: date
    period: str
    submission_id: int
    claimed: int
    sampled: list[SampledFamily]
    folder: Path
    index: Path


# --- the pack's folder --------------------------------------------------------------


def check_pack_folder(out: Path) -> None:
    """Refuse a folder this command did not make (unless it already holds packs)."""
    if out.exists() and not out.is_dir():
        raise AssuranceError(f"{out}: not a folder (name a new folder for the packs)")
    if out.is_dir() and not (out / MARKER).is_file():
        raise AssuranceError(
            f"{out}: the folder exists and holds no assurance packs; name a new folder "
            "(the packs hold personal data, so the command makes a private folder itself)"
        )


def make_pack_folder(out: Path) -> None:
    check_pack_folder(out)
    out.mkdir(mode=0o700, parents=True, exist_ok=True)
    out.chmod(0o700)
    write_private(out / MARKER, "assurance packs written by sfp assurance\n")


def write_private(path: Path, text: str) -> Path:
    """Write a file only its owner can read (mode 0600, whatever the umask)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
    return path


# --- the sample ---------------------------------------------------------------------


CLAIMED_SQL = """
select l.family_id, l.case_id, l.reclaim, d.headline_count, c.closed_date
from claim_ledger l
left join claim_decision d using (case_id)
left join case_current c using (case_id)
where l.submission_id = $submission_id
order by l.family_id, l.case_id
"""


def _draw_order(seed: int, family_id: str) -> str:
    """A family's place in the random order: the same for the same seed, on any machine."""
    return hashlib.sha256(f"{seed}:{family_id}".encode()).hexdigest()


def sample_families(
    claimed: pd.DataFrame, plan: Plan, as_of: date, size: int, seed: int
) -> list[SampledFamily]:
    """Every re-claim first, then near-threshold cases, then the rest at random.

    Near a threshold: needs under exactly the minimum number of headline outcomes (one
    fewer fails gate 2), or closed within a month of the gate 5 line. Within each group the
    order is a hash of the seed and the family ID, so a seed gives the same sample again.
    """
    thresholds = plan.thresholds
    months = int(thresholds["months_closed_before_claim"])
    line = (pd.Timestamp(as_of) - pd.DateOffset(months=months)).date()
    ranked = []
    for row in claimed.itertuples(index=False):
        closed = None if pd.isna(row.closed_date) else pd.Timestamp(row.closed_date).date()
        near = []
        if row.headline_count == thresholds["min_headlines"]:
            near.append(f"exactly {thresholds['min_headlines']} headline outcomes")
        if closed is not None and (line - closed).days < NEAR_CLOSURE_DAYS:
            near.append(f"closed {closed.isoformat()}, within a month of the gate 5 line")
        if bool(row.reclaim):
            group, why = 0, "re-claim"
        elif near:
            group, why = 1, "near a threshold: " + "; ".join(near)
        else:
            group, why = 2, "at random"
        ranked.append((group, _draw_order(seed, row.family_id), row.family_id, row.case_id, why))
    return [
        SampledFamily(family_id, case_id, why)
        for _, _, family_id, case_id, why in sorted(ranked)[:size]
    ]


# --- the evidence behind each row ---------------------------------------------------


def source_rows(con: duckdb.DuckDBPyConnection, ids: list[str]) -> list[dict[str, object]]:
    """Each staged row id's file, line and values (raw_<feed>).

    The line is the file's record number as the reader counted it (1 is the header), or,
    for a file read through a source definition's query, the line of the partner's table
    the row came from. A SPEC feed's values are the text as received; a partner's are the
    row as its source definition mapped it (`values_are` says which).
    """
    out: list[dict[str, object]] = []
    for record_id in dict.fromkeys(ids):
        batch_id, row_number = split_source_row(record_id)
        batch = con.execute(
            "select b.feed, b.file_name, coalesce(s.folder, b.feed), b.file_sha256, "
            "coalesce(r.source_table, s.source_table), r.source_line, s.source from load_batch b "
            "left join load_source s using (batch_id) "
            "left join load_source_row r on r.batch_id = b.batch_id and r.row_number = $row "
            "where b.batch_id = $batch",
            {"batch": batch_id, "row": row_number},
        ).fetchone()
        if batch is None or batch[0] not in FEEDS:
            out.append({"row": record_id, "feed": None, "problem": "batch not in the warehouse"})
            continue
        feed, file_name, folder, sha256, table, line, definition = batch
        raw = con.execute(
            f"select * exclude (batch_id, row_number) from raw_{feed} "
            "where batch_id = $batch and row_number = $row",
            {"batch": batch_id, "row": row_number},
        ).df()
        values = {} if raw.empty else raw.iloc[0].to_dict()
        out.append(
            {
                "row": record_id,
                "feed": feed,
                "folder": folder,
                "file": file_within_folder(file_name, folder),
                "file_sha256": sha256,
                "table": table,
                "line": int(line) if line is not None else row_number,
                # A partner's extract is read through its source definition: the values
                # shown are the row as mapped onto the feed's contract, at that line.
                "values_are": "as received"
                if definition is None
                else f"as mapped by source definition {definition}",
                "values": {
                    str(k): ("" if v is None or v != v else str(v))
                    for k, v in values.items()
                    if not (k == "extra_columns" and (v is None or v != v))
                },
            }
        )
    return out


MEMBERS_SQL = """
select m.role, l.person_id, m.source_person_id, m.forename, m.surname, m.dob, m.sex,
       m.source_record_id
from stg_eh_members m
left join person_link l on l.source = 'eh_members' and l.source_record_id = m.source_record_id
where m.case_id = $case_id
order by m.role, m.surname, m.forename, m.source_record_id
"""
NEEDS_SQL = """
select n.criterion, p.headline, n.need_person, n.identified_date, n.basis, n.identified_by,
       case when n.met then 'yes' else 'no' end as outcome_met, n.met_date, n.outcome_logic,
       n.outcome_test, n.recorded_outcome_date, n.source_record_ids
from family_need_outcome n
join plan_criterion p using (criterion)
where n.case_id = $case_id
order by n.criterion, n.need_person
"""
GATES_SQL = """
select gate, passed, reason from claim_gate where case_id = $case_id order by gate
"""
ATTENDANCE_SQL = """
select person_id, terms, attendance_rate, latest_term_rate, passed, source_record_ids
from claim_attendance_latest where case_id = $case_id order by person_id
"""


def family_evidence(con: duckdb.DuckDBPyConnection, sampled: SampledFamily) -> FamilyEvidence:
    where = {"case_id": sampled.case_id}
    case_frame = con.execute("select * from case_current where case_id = $case_id", where).df()
    case = case_frame.iloc[0].to_dict() if len(case_frame) else {"case_id": sampled.case_id}
    members = con.execute(MEMBERS_SQL, where).df()
    needs = con.execute(NEEDS_SQL, where).df()
    gates = con.execute(GATES_SQL, where).df()
    attendance = con.execute(ATTENDANCE_SQL, where).df()
    ids = [str(case.get("source_record_id") or "")]
    ids += list(members["source_record_id"])
    ids += [i for row_ids in needs["source_record_ids"] for i in list(row_ids)]
    ids += [i for row_ids in attendance["source_record_ids"] for i in list(row_ids)]
    rows = source_rows(con, [i for i in ids if i])
    decided = con.execute(
        "select reclaim, reclaim_basis from claim_decision where case_id = $case_id", where
    ).fetchone()
    basis = str(decided[1] or "") if decided and decided[0] == "yes" else ""
    return FamilyEvidence(sampled, case, members, needs, gates, attendance, rows, basis)


# --- the command --------------------------------------------------------------------


def assurance_packs(
    warehouse: Path,
    as_of: date,
    out: Path,
    size: int = DEFAULT_SAMPLE,
    seed: int = 0,
) -> AssuranceResult:
    """Sample the families claimed in the period submitted for `as_of` and write a pack
    for each, and an index, under `out/<as-of>/`."""
    if not warehouse.exists():
        raise LedgerError(f"{warehouse}: warehouse not found")
    with connect(warehouse) as con:
        submission = check_rerunnable(con, as_of, warehouse)
        con.execute("checkpoint")
    make_pack_folder(out)
    folder = out / as_of.isoformat()
    folder.mkdir(mode=0o700, exist_ok=True)
    folder.chmod(0o700)
    for earlier in folder.glob("family-*.html"):
        earlier.unlink()  # an earlier sample's packs: the folder holds this sample only
    # The copy holds personal data: it lives inside the private folder, never in /tmp.
    with tempfile.TemporaryDirectory(dir=out, prefix=".warehouse-") as scratch:
        Path(scratch).chmod(0o700)
        copy = Path(scratch) / "assurance.duckdb"
        shutil.copyfile(warehouse, copy)
        copy.chmod(0o600)
        with connect(copy) as con:
            plan = _restore(con, submission, as_of)
            claimed = con.execute(CLAIMED_SQL, {"submission_id": submission.submission_id}).df()
            sampled = sample_families(claimed, plan, as_of, size, seed)
            for family in sampled:
                evidence = family_evidence(con, family)
                write_private(folder / pack_name(family), family_page(evidence, plan, submission))
    index = write_private(
        folder / "index.html", index_page(submission, plan, len(claimed), sampled, seed)
    )
    log.info(
        "assurance: %d of %d claimed families sampled for %s", len(sampled), len(claimed), as_of
    )
    return AssuranceResult(
        as_of,
        submission.period,
        submission.submission_id,
        len(claimed),
        sampled,
        folder,
        index,
    )


def _restore(con: duckdb.DuckDBPyConnection, submission: Submission, as_of: date) -> Plan:
    """The copy as the submission saw it, decided again: its gates and evidence tables."""
    restore_as_submitted(con, submission)
    plan = Plan(submission.plan_source, json.loads(submission.plan_json))
    decide_cases(con, plan, as_of, before_submission=submission.submission_id)
    return plan
