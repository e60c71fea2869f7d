"""The assurance pack's pages: one offline HTML page per sampled family, and an index.

What a spot check asks of each family (004, "Validation of claims"): who is in it, each
need and how it was identified, each outcome and the test that met it, the gates, and the
source rows behind all of them (file, line, values as received). The page carries no
script and loads nothing; the source rows are also embedded as JSON
(`<script type="application/json" id="source-rows">`, data the browser never runs) so a
tool can check each against its file. The pages name people: they stay in the pack's
private folder (claims/assurance.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from html import escape

import pandas as pd

from claims.ledger import Submission
from claims.report_page import GATE_LABELS, html_table
from indicators.plan import Plan


@dataclass(frozen=True)
class SampledFamily:
    family_id: str
    case_id: str
    why: str
    """Why the spot check picked it: a re-claim, near a threshold, or at random."""


@dataclass(frozen=True)
class FamilyEvidence:
    """Everything one family's pack shows, read from the restored warehouse copy."""

    sampled: SampledFamily
    case: dict[str, object]
    members: pd.DataFrame
    needs: pd.DataFrame
    gates: pd.DataFrame
    attendance: pd.DataFrame
    rows: list[dict[str, object]]
    reclaim_basis: str = ""
    """Gate 7's basis for a re-claim (claim_decision), empty for a first claim."""


STYLE = """
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 80em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; }
th { background: #eee; }
.note { color: #555; }
code { font-size: 90%; }
@media print { body { margin: 0; } section { break-inside: avoid-page; } }
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""Nothing loads and nothing runs: the page is read, not executed."""


def pack_name(family: SampledFamily) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in family.family_id)
    return f"family-{safe}.html"


def _page(title: str, body: list[str]) -> str:
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                '<html lang="en"><head><meta charset="utf-8">',
                f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
                f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
                f"<h1>{escape(title)}</h1>",
                *body,
                "</body></html>",
            ]
        )
        + "\n"
    )


def _section(name: str, title: str, note: str, content: str) -> str:
    return (
        f'<section id="{name}"><h2>{escape(title)}</h2>'
        + (f'<p class="note">{escape(note)}</p>' if note else "")
        + f"{content}</section>"
    )


def _ids(value: object) -> str:
    return "; ".join(str(v) for v in list(value)) if value is not None else ""  # type: ignore[call-overload]


def _day(value: object) -> object:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def _members(evidence: FamilyEvidence) -> pd.DataFrame:
    members = evidence.members.copy()
    members["dob"] = members["dob"].map(_day)
    return members.rename(
        columns={
            "person_id": "person ID",
            "source_person_id": "case system person ID",
            "dob": "date of birth",
            "source_record_id": "source row",
        }
    )


def _needs(evidence: FamilyEvidence) -> pd.DataFrame:
    names = {
        str(row.person_id): f"{row.forename} {row.surname}"
        for row in evidence.members.itertuples()
        if row.person_id is not None
    }
    needs = evidence.needs.copy()
    needs["person"] = [
        f"{names.get(str(p), '')} ({p})" if isinstance(p, str) and p else "whole family"
        for p in needs["need_person"]
    ]
    for column in ("identified_date", "met_date", "recorded_outcome_date"):
        needs[column] = needs[column].map(_day)
    needs["source rows"] = needs["source_record_ids"].map(_ids)
    return needs[
        [
            "criterion",
            "headline",
            "person",
            "identified_date",
            "basis",
            "identified_by",
            "outcome_met",
            "met_date",
            "outcome_logic",
            "outcome_test",
            "recorded_outcome_date",
            "source rows",
        ]
    ].rename(
        columns={
            "criterion": "need",
            "identified_date": "identified on",
            "identified_by": "how the need was identified",
            "outcome_met": "outcome met",
            "met_date": "met on",
            "outcome_logic": "outcome logic (plan)",
            "outcome_test": "the test that met the outcome",
            "recorded_outcome_date": "recorded outcome dated",
        }
    )


def _gate_evidence(evidence: FamilyEvidence, plan: Plan) -> dict[int, str]:
    """What each gate rests on, from the case record and the tables the gates read."""
    case = evidence.case
    roles = evidence.members["role"].value_counts().sort_index()
    needs = evidence.needs
    met = int((needs["outcome_met"] == "yes").sum())
    headlines = sorted(set(needs["headline"]))
    attendance = "; ".join(
        f"{row.person_id}: {row.attendance_rate:.1%} over {row.terms}"
        + ("" if row.passed else " (not met)")
        for row in evidence.attendance.itertuples()
        if row.attendance_rate == row.attendance_rate
    )

    def day(name: str) -> str:
        value = _day(case.get(name))
        return value.isoformat() if isinstance(value, date) else "none"

    return {
        1: "members by role: " + ", ".join(f"{n} {r}" for r, n in roles.items()),
        2: f"headline outcomes: {', '.join(headlines)} ({len(headlines)}; at least "
        f"{plan.thresholds['min_headlines']} needed)",
        3: f"lead practitioner: {case.get('lead_practitioner') or 'none'}; whole family "
        f"assessment {day('whole_family_assessment_date')}; action plan {day('action_plan_date')}",
        4: f"{met} of {len(needs)} needs with their outcome met (see Needs and outcomes)",
        5: f"opened {day('opened_date')}, closed {day('closed_date')}",
        6: attendance or "no child of compulsory school age judged",
        7: f"re-claim: yes ({evidence.reclaim_basis})"
        if evidence.reclaim_basis
        else "re-claim: no (no earlier claim of the family or its case)",
    }


def _gates(evidence: FamilyEvidence, plan: Plan) -> pd.DataFrame:
    basis = _gate_evidence(evidence, plan)
    rows = [
        {
            "gate": int(row.gate),
            "rule": GATE_LABELS.get(int(row.gate), "").format(**plan.thresholds),
            "passed": bool(row.passed),
            "evidence": basis.get(int(row.gate), ""),
            "reason it failed": row.reason if isinstance(row.reason, str) else "",
        }
        for row in evidence.gates.itertuples()
    ]
    return pd.DataFrame(rows, columns=["gate", "rule", "passed", "evidence", "reason it failed"])


def _source_table(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "source row": row["row"],
                "folder": row.get("folder"),
                "file": row.get("file"),
                "table or sheet": row.get("table"),
                "line": row.get("line"),
                "values": "; ".join(
                    f"{k}={v}"
                    for k, v in dict(row.get("values") or {}).items()  # type: ignore[call-overload]
                    if v != ""
                ),
                "values are": row.get("values_are"),
                "file SHA-256": row.get("file_sha256"),
            }
            for row in rows
        ],
        columns=[
            "source row",
            "folder",
            "file",
            "table or sheet",
            "line",
            "values",
            "values are",
            "file SHA-256",
        ],
    )


def _json_block(rows: list[dict[str, object]]) -> str:
    text = json.dumps(rows, sort_keys=True, ensure_ascii=True).replace("</", "<\\/")
    return f'<script type="application/json" id="source-rows">{text}</script>'


def family_page(evidence: FamilyEvidence, plan: Plan, submission: Submission) -> str:
    family = evidence.sampled
    title = f"Assurance pack: family {family.family_id}, case {family.case_id}"
    case = pd.DataFrame(
        [
            {"item": name.replace("_", " "), "value": _day(value)}
            for name, value in evidence.case.items()
        ]
    )
    body = [
        f"<p>Claimed in {escape(submission.period)} (as of {submission.as_of.isoformat()}, "
        f"submission {submission.submission_id}); sampled: {escape(family.why)}. "
        "Personal data: keep this page in the pack's folder.</p>",
        _section(
            "case", "The case", "As the early help case system recorded it.", html_table(case)
        ),
        _section("members", "Members by role", "", html_table(_members(evidence))),
        _section(
            "needs",
            "Needs and outcomes",
            "Every need identified on the case, how it was identified, and the test that met "
            "its outcome (docs/rules.md quotes each rule).",
            html_table(_needs(evidence)),
        ),
        _section(
            "gates",
            "Claim gates",
            "Every gate of the claim (SPEC section 4, 000 Chapter 5) and what it rests on.",
            html_table(_gates(evidence, plan)),
        ),
        _section(
            "sources",
            "Source rows",
            "Every row cited above: the file in the inbox (folder and name; the table or "
            "sheet for a partner's extract), its line (1 is the header) and its values: as "
            "received, or as the partner's source definition mapped them. The file's "
            "SHA-256 tells whether it is the file that was loaded.",
            html_table(_source_table(evidence.rows)),
        ),
        _json_block(evidence.rows),
    ]
    return _page(title, body)


def index_page(
    submission: Submission, plan: Plan, claimed: int, sampled: list[SampledFamily], seed: int
) -> str:
    council, code = plan.council
    title = f"Assurance packs {submission.period}, {council}" + (f" ({code})" if code else "")
    rows = "".join(
        f'<tr><td><a href="{escape(pack_name(family))}">{escape(family.family_id)}</a></td>'
        f"<td>{escape(family.case_id)}</td><td>{escape(family.why)}</td></tr>"
        for family in sampled
    )
    body = [
        f"<p>Sampled {len(sampled)} of the {claimed} families claimed in "
        f"{escape(submission.period)} (as of {submission.as_of.isoformat()}, submission "
        f"{submission.submission_id}), seed {seed}: every re-claim first, then families near "
        "a threshold, then at random. The same seed gives the same sample.</p>",
        '<table id="sample"><tr><th>family</th><th>case</th><th>why sampled</th></tr>'
        f"{rows}</table>",
    ]
    return _page(title, body)
