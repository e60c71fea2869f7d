"""The outcome plan: every threshold, gate switch and outcome logic, read from one file.

A council's plan names `extends: national` and overrides only what it changes; the merged
plan is checked against the national one so a typo in a criterion code or a threshold of
the wrong type is refused before any rule runs. The criteria themselves (codes, headlines,
wording, models) are facts of the framework, kept in the criterion registry
(indicators/criteria.yaml), not council settings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from indicators.registry import load_registry

PLANS_DIR = Path(__file__).parent / "plans"
NATIONAL_PLAN = PLANS_DIR / "national.yaml"


class PlanError(ValueError):
    """The plan file cannot be used; the message says which key and what was expected."""


@dataclass(frozen=True)
class Plan:
    """A merged, checked plan and the fingerprint that pins it to a claim."""

    source: str
    data: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.data["version"])

    @property
    def criteria(self) -> dict[str, dict[str, str]]:
        """Each criterion's headline, feed (`derived`), wording and source, from the registry."""
        return {
            c.code: {
                "headline": c.headline,
                "derived": c.feed,
                "wording": c.wording,
                "source": c.source,
            }
            for c in load_registry().criteria.values()
        }

    @property
    def headlines(self) -> dict[str, str]:
        return dict(load_registry().headlines)

    @property
    def thresholds(self) -> dict[str, Any]:
        return self.data["thresholds"]

    @property
    def gates(self) -> dict[str, Any]:
        return self.data["gates"]

    @property
    def matching(self) -> dict[str, Any]:
        return self.data["matching"]

    @property
    def council(self) -> tuple[str, str]:
        """The council's name and ONS code; a plan stored before codes holds a name only."""
        council = self.data.get("council", "")
        if isinstance(council, dict):
            return str(council.get("name", "")), str(council.get("code", ""))
        return str(council), ""

    @property
    def rate_per_family(self) -> float | None:
        """Pounds paid per successful family outcome, when the plan sets it."""
        return self.data.get("rate_per_family")

    @property
    def derived_criteria(self) -> list[str]:
        return list(self.data["derived_in_this_release"])

    def outcome_logic(self, code: str) -> dict[str, Any]:
        """How a criterion's outcome is decided: the default merged with its own entry."""
        logic = self.data["outcome_logic"]
        # evidence_match came later: a plan stored before it (an old submission) means "any"
        return {"evidence_match": "any", **logic["default"], **logic.get(code, {})}

    def as_json(self) -> str:
        return json.dumps(self.data, sort_keys=True, separators=(",", ":"))

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.as_json().encode()).hexdigest()[:16]


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError(f"{path}: plan file not found") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise PlanError(f"{path}: not valid YAML{where}") from None
    if not isinstance(loaded, dict):
        raise PlanError(f"{path}: expected a mapping of plan keys at the top level")
    return loaded


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


COMBINE_RULES = ("recorded", "data_else_recorded", "data_or_recorded", "data_and_recorded")
"""How a data test and a recorded outcome combine (indicators/sql/family_need_outcome.sql)."""
DATA_TESTS = load_registry().data_tests
"""Criteria with an outcome data test in indicators/sql/outcome_*.sql (from the registry)."""
EVIDENCE_MATCH = ("any", "all")
"""Whether a recorded outcome of any listed evidence kind counts, or one of each is needed
(Milton Keynes SAF3/SAF4: "Practitioner and self-assessed", 003_91ea525606d8a4aa.txt)."""
EVIDENCE_KINDS = (
    "practitioner_assessed",
    "self_assessed",
    "validated_measure",
    "service_confirmation",
    "other",
)
"""The eh_outcomes evidence codes (SPEC section 1)."""


def _check_criteria(plan: dict[str, Any], source: str) -> None:
    registry = load_registry()
    if "criteria" in plan or "headlines" in plan:
        raise PlanError(
            f"{source}: criteria and headlines are not plan settings (they are the framework's, "
            "in indicators/criteria.yaml); a council changes derived_in_this_release and "
            "outcome_logic"
        )
    derived = plan["derived_in_this_release"]
    if not isinstance(derived, list):
        raise PlanError(f"{source}: derived_in_this_release must be a list of criterion codes")
    for code in derived:
        if code not in registry.criteria:
            raise PlanError(
                f"{source}: derived_in_this_release names unknown criterion {code} "
                "(expected one of the 34 codes, e.g. EDU1, CRI3, FIN1)"
            )
        if not registry.criteria[code].derivable:
            raise PlanError(
                f"{source}: derived_in_this_release names {code}, which no feed can derive"
            )


def _check_outcome_logic(plan: dict[str, Any], source: str) -> None:
    logic = plan.get("outcome_logic")
    if not isinstance(logic, dict) or not isinstance(logic.get("default"), dict):
        raise PlanError(f"{source}: outcome_logic must be a mapping with a 'default' entry")
    for code, entry in logic.items():
        where = f"outcome_logic.{code}"
        if code != "default" and code not in load_registry().criteria:
            raise PlanError(
                f"{source}: {where} names unknown criterion {code} "
                "(expected one of the 34 codes, e.g. EDU1, CRI3, FIN1)"
            )
        if not isinstance(entry, dict):
            raise PlanError(f"{source}: {where} must be a mapping of combine and evidence")
        for key in entry:
            if key not in ("combine", "evidence", "evidence_match"):
                raise PlanError(f"{source}: unknown key '{where}.{key}'")
        match = entry.get("evidence_match")
        if match is not None and match not in EVIDENCE_MATCH:
            raise PlanError(f"{source}: {where}.evidence_match must be any or all, got {match!r}")
        combine = entry.get("combine")
        if combine is not None and combine not in COMBINE_RULES:
            raise PlanError(
                f"{source}: {where}.combine must be one of {', '.join(COMBINE_RULES)}, "
                f"got {combine!r}"
            )
        if combine not in (None, "recorded") and code not in DATA_TESTS:
            raise PlanError(
                f"{source}: {where}.combine is {combine} but {code} has no data test "
                f"(data tests: {', '.join(DATA_TESTS)})"
            )
        evidence = entry.get("evidence")
        if evidence is not None and (
            not isinstance(evidence, list)
            or not evidence
            or any(kind not in EVIDENCE_KINDS for kind in evidence)
        ):
            raise PlanError(
                f"{source}: {where}.evidence must be a non-empty list of "
                f"{', '.join(EVIDENCE_KINDS)}, got {evidence!r}"
            )
    default = logic["default"]
    if any(key not in default for key in ("combine", "evidence", "evidence_match")):
        raise PlanError(
            f"{source}: outcome_logic.default must give combine, evidence and evidence_match"
        )
    if default["combine"] != "recorded":
        raise PlanError(f"{source}: outcome_logic.default.combine must be recorded")


def _check_claim_settings(plan: dict[str, Any], source: str) -> None:
    """The council named on the claim and the payment rate (claims/submission.py).

    `council` is `{name, code}`; a plain name (plans written before codes) is still read.
    """
    council = plan["council"]
    fields = council if isinstance(council, dict) else {"name": council}
    if set(fields) - {"name", "code"}:
        raise PlanError(f"{source}: council must be a mapping of name and code")
    for key, value in fields.items():
        if not isinstance(value, str):
            raise PlanError(f"{source}: council.{key} must be text, got {value!r}")
    rate = plan.get("rate_per_family")
    if rate is not None and (
        not isinstance(rate, int | float) or isinstance(rate, bool) or rate < 0
    ):
        raise PlanError(f"{source}: rate_per_family must be a number of pounds, got {rate!r}")


def _check(plan: dict[str, Any], national: dict[str, Any], source: str) -> None:
    _check_criteria(plan, source)
    unknown_top = sorted(set(plan) - set(national) - {"extends", "allocation"})
    if unknown_top:
        raise PlanError(f"{source}: unknown plan key(s) {', '.join(unknown_top)}")
    _check_claim_settings(plan, source)
    _check_outcome_logic(plan, source)
    for section in ("thresholds", "gates", "matching"):
        for key, value in plan[section].items():
            if key not in national[section]:
                raise PlanError(f"{source}: unknown {section} key '{key}'")
            expected = national[section][key]
            if not _same_kind(value, expected):
                raise PlanError(
                    f"{source}: {section}.{key} must be {_kind_name(expected)}, got {value!r}"
                )


def _same_kind(value: Any, expected: Any) -> bool:
    if isinstance(expected, bool):
        return isinstance(value, bool)
    if isinstance(expected, int | float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(expected, list):
        return (
            isinstance(value, list)
            and len(value) == len(expected)
            and all(_same_kind(v, e) for v, e in zip(value, expected, strict=True))
        )
    return isinstance(value, type(expected))


def _kind_name(expected: Any) -> str:
    if isinstance(expected, bool):
        return "true or false"
    if isinstance(expected, int | float):
        return "a number"
    if isinstance(expected, list):
        return f"a list of {len(expected)} numbers"
    return "text"


def load_plan(path: str | Path | None = None) -> Plan:
    """The national plan, or a council's plan merged over it and checked."""
    national = _read_yaml(NATIONAL_PLAN)
    if path is None or Path(path).resolve() == NATIONAL_PLAN.resolve():
        _check(national, national, NATIONAL_PLAN.name)
        return Plan(str(NATIONAL_PLAN.name), national)
    override = _read_yaml(Path(path))
    base = override.get("extends", "national")
    if base != "national":
        raise PlanError(f"{path}: extends must be 'national', got {base!r}")
    merged = _merge(national, override)
    _check(merged, national, str(path))
    return Plan(str(path), merged)
