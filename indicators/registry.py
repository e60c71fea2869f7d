"""The criterion registry (indicators/criteria.yaml): the one list of criteria and their models.

Every list that names criteria or their models is generated from here or checked against
it by tests/indicators/test_registry.py, so adding a criterion is one entry in the YAML
file, its SQL and its cases (docs/adr/0005). The registry holds facts of the national
framework, not council choices: those stay in the plan file (indicators/plans/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REGISTRY_FILE = Path(__file__).parent / "criteria.yaml"
ABOUT = ("child", "adult", "any")
"""Whose need a criterion is: a whole-family need is tested on the members of that kind."""
RECOMPUTE_WHEN = ("as_of", "latest_term", "none")
PERSON_FEEDS = ("attendance", "exclusions", "police", "housing", "dwp", "neet", "csc", "referrals")
"""The partner feeds of people's rows the indicator models read (SPEC section 1)."""
CRITERION_KEYS = {
    "headline",
    "wording",
    "source",
    "about",
    "feed",
    "need_model",
    "outcome_model",
    "data_test",
    "parameters",
    "cases",
    "notes",
    "rules",
}
RULE_KEYS = {"id", "source", "quote", "models", "parameters", "gate"}
MODEL_NAME = re.compile(r"^(need|outcome)_[a-z0-9_]+$")


class RegistryError(ValueError):
    """The registry file is inconsistent; the message names the entry and the key."""


@dataclass(frozen=True)
class Rule:
    """One source sentence the pipeline applies, and where it is implemented."""

    id: str
    source: str
    quote: str
    models: tuple[str, ...]
    parameters: tuple[str, ...]
    criterion: str = ""
    gate: str = ""


@dataclass(frozen=True)
class Criterion:
    """One of the 34 family needs and how the pipeline finds it and tests its outcome."""

    code: str
    headline: str
    wording: str
    source: str
    about: str
    feed: str
    need_model: str | None
    outcome_model: str | None
    data_test: str | None
    parameters: tuple[str, ...]
    cases: tuple[str, ...]
    notes: tuple[str, ...]
    rules: tuple[Rule, ...]

    @property
    def derivable(self) -> bool:
        return self.need_model is not None

    @property
    def has_data_test(self) -> bool:
        return self.outcome_model is not None


@dataclass(frozen=True)
class OutcomeModel:
    name: str
    feeds: tuple[str, ...]
    recompute_when: str


@dataclass(frozen=True)
class Registry:
    headlines: dict[str, str]
    criteria: dict[str, Criterion]
    outcome_models: dict[str, OutcomeModel]
    general_rules: tuple[Rule, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.criteria)

    @property
    def data_tests(self) -> tuple[str, ...]:
        """Criteria with an outcome data test (plan.DATA_TESTS)."""
        return tuple(c.code for c in self.criteria.values() if c.has_data_test)

    @property
    def need_models(self) -> tuple[str, ...]:
        """The need models in registry order, each once (EDU1/EDU2 share one)."""
        return _unique(c.need_model for c in self.criteria.values())

    @property
    def outcome_model_order(self) -> tuple[str, ...]:
        return _unique(c.outcome_model for c in self.criteria.values())

    @property
    def feeds(self) -> tuple[str, ...]:
        """Every person feed a need or outcome model reads, in PERSON_FEEDS order."""
        used = {c.feed for c in self.criteria.values()}
        for model in self.outcome_models.values():
            used.update(model.feeds)
        return tuple(feed for feed in PERSON_FEEDS if feed in used)

    def models_recomputed_when(self, event: str) -> tuple[str, ...]:
        return tuple(m.name for m in self.outcome_models.values() if m.recompute_when == event)

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule: each criterion's, then the general ones."""
        out: list[Rule] = []
        for criterion in self.criteria.values():
            out.extend(criterion.rules)
        return (*out, *self.general_rules)


def _unique(names: Any) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        if name and name not in out:
            out.append(name)
    return tuple(out)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RegistryError(f"{where} must be a list of names")
    return tuple(value)


def read_rule(entry: Any, where: str, criterion: str = "") -> Rule:
    """One rule entry (also used for the claim gates' rules in claims/rules.yaml)."""
    if not isinstance(entry, dict):
        raise RegistryError(f"{where} must be a mapping of id, source and quote")
    unknown = sorted(set(entry) - RULE_KEYS)
    if unknown:
        raise RegistryError(f"{where}: unknown key {unknown[0]!r}")
    for key in ("id", "source", "quote"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise RegistryError(f"{where}: {key} must be text")
    return Rule(
        id=entry["id"],
        source=entry["source"],
        quote=entry["quote"],
        models=_strings(entry.get("models"), f"{where}.models"),
        parameters=_strings(entry.get("parameters"), f"{where}.parameters"),
        criterion=criterion,
        gate=str(entry.get("gate", "")),
    )


def _criterion(code: str, entry: Any, headlines: dict[str, str], models: set[str]) -> Criterion:
    where = f"{REGISTRY_FILE.name}: criteria.{code}"
    if not isinstance(entry, dict):
        raise RegistryError(f"{where} must be a mapping")
    unknown = sorted(set(entry) - CRITERION_KEYS)
    if unknown:
        raise RegistryError(f"{where}: unknown key {unknown[0]!r}")
    if entry.get("headline") not in headlines:
        raise RegistryError(f"{where}.headline must be one of {', '.join(headlines)}")
    if entry.get("about") not in ABOUT:
        raise RegistryError(f"{where}.about must be one of {', '.join(ABOUT)}")
    feed = entry.get("feed", "none")
    if feed not in (*PERSON_FEEDS, "none"):
        raise RegistryError(f"{where}.feed must be a person feed or none, got {feed!r}")
    need, outcome = entry.get("need_model"), entry.get("outcome_model")
    for key, model in (("need_model", need), ("outcome_model", outcome)):
        if model is not None and not (
            isinstance(model, str) and MODEL_NAME.match(model) and model.startswith(key[:4])
        ):
            raise RegistryError(f"{where}.{key} must name a {key[:-6]}_<name> model")
    if (need is None) != (feed == "none"):
        raise RegistryError(f"{where}: a need_model needs a feed to find the need in, and back")
    if outcome is not None and outcome not in models:
        raise RegistryError(f"{where}.outcome_model {outcome} is not under outcome_models")
    if (outcome is None) != (entry.get("data_test") is None):
        raise RegistryError(f"{where}: an outcome_model and its data_test go together")
    return Criterion(
        code=code,
        headline=entry["headline"],
        wording=str(entry.get("wording", "")),
        source=str(entry.get("source", "")),
        about=entry["about"],
        feed=feed,
        need_model=need,
        outcome_model=outcome,
        data_test=entry.get("data_test"),
        parameters=_strings(entry.get("parameters"), f"{where}.parameters"),
        cases=_strings(entry.get("cases"), f"{where}.cases"),
        notes=_strings(entry.get("notes"), f"{where}.notes"),
        rules=tuple(
            read_rule(rule, f"{where}.rules[{n}]", code)
            for n, rule in enumerate(entry.get("rules") or [])
        ),
    )


def parse_registry(data: Any) -> Registry:
    """The registry from its YAML mapping, checked; the first mistake is one line."""
    if not isinstance(data, dict):
        raise RegistryError(f"{REGISTRY_FILE.name}: expected a mapping at the top level")
    headlines = data.get("headlines")
    if not isinstance(headlines, dict) or not headlines:
        raise RegistryError(f"{REGISTRY_FILE.name}: headlines must map codes to names")
    outcome_models: dict[str, OutcomeModel] = {}
    for name, spec in (data.get("outcome_models") or {}).items():
        where = f"{REGISTRY_FILE.name}: outcome_models.{name}"
        if not isinstance(spec, dict) or spec.get("recompute_when") not in RECOMPUTE_WHEN:
            raise RegistryError(f"{where}.recompute_when must be one of {RECOMPUTE_WHEN}")
        feeds = _strings(spec.get("feeds"), f"{where}.feeds")
        if any(feed not in PERSON_FEEDS for feed in feeds):
            raise RegistryError(f"{where}.feeds must name person feeds")
        outcome_models[name] = OutcomeModel(name, feeds, spec["recompute_when"])
    criteria = {
        code: _criterion(code, entry, headlines, set(outcome_models))
        for code, entry in (data.get("criteria") or {}).items()
    }
    general = tuple(
        read_rule(rule, f"{REGISTRY_FILE.name}: general_rules[{n}]")
        for n, rule in enumerate(data.get("general_rules") or [])
    )
    registry = Registry(dict(headlines), criteria, outcome_models, general)
    ids = [rule.id for rule in registry.rules]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise RegistryError(f"{REGISTRY_FILE.name}: rule id {repeated[0]} is used twice")
    return registry


@cache
def load_registry() -> Registry:
    return parse_registry(yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8")))


def docs_table(registry: Registry | None = None) -> str:
    """The criteria table of docs/indicators.md, as the registry says it."""
    registry = registry or load_registry()
    lines = [
        "| code | headline | need | about | found in data | need SQL | outcome data test "
        "| outcome SQL |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in registry.criteria.values():
        lines.append(
            f"| {c.code} | {c.headline} | {c.wording} | {c.about} | "
            f"{c.feed if c.derivable else 'no (recorded on the case)'} | "
            f"{_sql(c.need_model or 'need_recorded')} | {c.data_test or '-'} | "
            f"{_sql(c.outcome_model) if c.outcome_model else '-'} |"
        )
    return "\n".join(lines) + "\n"


def _sql(model: str) -> str:
    return f"`{model}.sql`"
