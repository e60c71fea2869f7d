"""Reproducible training, or the shipped model when there is too little to train on.

u comes from seeded random sampling (hash-based, repeatable: KNOWN_GROUND), m from EM
sessions on fixed blocking rules; identifiers keep their hand-fixed u and m. The trained
model is saved as JSON with the run; an audit re-run loads that JSON instead of training,
so it scores every pair exactly as the original run did.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from splink import DuckDBAPI, Linker
from splink.internals.exceptions import EMTrainingException
from splink.internals.splink_dataframe import SplinkDataFrame

from matching.model import (
    IDENTIFIERS,
    identifier_training_rules,
    person_settings,
    training_blocking_rules,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainingOptions:
    """From the plan's `matching` section (indicators/plans/national.yaml)."""

    min_training_records: int = 5000
    training_seed: int = 20260401
    u_sample_pairs: float = 1_000_000


@dataclass(frozen=True)
class ScoringModel:
    linker: Linker
    source: str  # "trained", "shipped (too few records: N < M)" or "loaded <file>"

    @property
    def shipped(self) -> bool:
        return self.source.startswith("shipped")


def prior_for(n_records: int) -> float:
    """About three records per person across the sources (docs/matching.md)."""
    return min(0.01, 3.0 / max(n_records, 2))


def build_linker(
    db: DuckDBAPI,
    sdf: SplinkDataFrame,
    n_records: int,
    options: TrainingOptions,
    model_in: Path | None = None,
) -> ScoringModel:
    """A linker ready to predict: loaded from `model_in`, trained, or the shipped model."""
    if model_in is not None:
        # Splink 5 takes a saved model's path in place of settings (KNOWN_GROUND).
        return ScoringModel(Linker(sdf, str(model_in), log_level=None), f"loaded {model_in.name}")
    if n_records < options.min_training_records:
        linker = Linker(sdf, person_settings(prior_for(n_records)), log_level=None)
        reason = f"shipped (too few records to train: {n_records} < {options.min_training_records})"
        log.info("matching model: %s", reason)
        return ScoringModel(linker, reason)
    linker = Linker(sdf, person_settings(prior_for(n_records)), log_level=None)
    with splink_warnings_summarised("matching model training"):
        return _trained(linker, sdf, n_records, options)


def _trained(
    linker: Linker, sdf: SplinkDataFrame, n_records: int, options: TrainingOptions
) -> ScoringModel:
    log.info("matching model: estimating u on up to %d random pairs", options.u_sample_pairs)
    # One chunk: Splink's default (a probe, then ten chunks) may stop early once every
    # level has 100 pairs; on this model it gave the same u to the last digit as one chunk
    # does (the saved models compared at 5,000 and 50,000 households), and one chunk is
    # one query per comparison instead of up to eleven.
    linker.training.estimate_u_using_random_sampling(
        max_pairs=options.u_sample_pairs, seed=options.training_seed, num_chunks=1
    )
    # Pairs that share a national identifier are nearly all one person, so m learned on
    # them is not pulled by households (a parent and child share surname and address, and
    # EM on name or date blocks took them for one person). Only data without identifiers
    # (an outside data set) falls back to sessions on names, dates and postcodes.
    skipped: list[str] = []
    shared = [name for name in IDENTIFIERS if _values_shared(linker, sdf, name)]
    trained = _train_sessions(linker, identifier_training_rules(shared), skipped)
    if not trained:
        _train_sessions(linker, training_blocking_rules(), skipped)
    source = "trained" + (f" (EM found no pairs for: {'; '.join(skipped)})" if skipped else "")
    log.info("matching model: %s on %d records (seed %d)", source, n_records, options.training_seed)
    return ScoringModel(linker, source)


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def splink_warnings_summarised(stage: str) -> Iterator[None]:
    """Splink's warnings during `stage` summarised in one line instead of printed each.

    EM warns once per comparison level a session has no pairs in ("Level ... not observed
    in dataset, unable to train m value": about 190 lines in a demo) and about the u
    sample's size, which the plan sets on purpose. Each warning goes to this module's
    logger at DEBUG (the run's log keeps it where debug is on); one INFO line says how many
    there were and of which kind.
    """
    splink_log = logging.getLogger("splink")
    kept, propagate = _Kept(), splink_log.propagate
    splink_log.addHandler(kept)
    splink_log.propagate = False
    try:
        yield
    finally:
        splink_log.removeHandler(kept)
        splink_log.propagate = propagate
        messages = [" ".join(record.getMessage().split()) for record in kept.records]
        for message in messages:
            log.debug("%s: Splink: %s", stage, message)
        if messages:
            unseen = sum("not observed in dataset" in message for message in messages)
            log.info(
                "%s: %d Splink warnings (%d comparison levels not observed in a training"
                " session keep their earlier m or u; %d other), in the debug log",
                stage,
                len(messages),
                unseen,
                len(messages) - unseen,
            )


def _values_shared(linker: Linker, sdf: SplinkDataFrame, column: str) -> bool:
    """Whether any value of `column` is held by two records (else EM has nothing to learn
    from, and Splink 5 fails on the empty session instead of saying so)."""
    found = linker.misc.query_sql(
        f"select count(*) as n from (select {column} from {sdf.physical_name}"
        f" where {column} is not null group by {column} having count(*) > 1)",
        output_type="pandas",
    )
    return int(found["n"].iloc[0]) > 0


def _train_sessions(linker: Linker, rules: list[Any], skipped: list[str]) -> int:
    """EM on each rule in turn; returns how many found pairs to learn from."""
    trained = 0
    for done, rule in enumerate(rules):
        log.info("matching model: EM session %d of %d", done + 1, len(rules))
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, fix_probability_two_random_records_match=True
            )
            trained += 1
        except EMTrainingException:
            # No pairs under this rule (a data set without postcodes, say): the levels it
            # would have trained keep their shipped m values, and the run says so.
            skipped.append(rule.get_blocking_rule("duckdb").blocking_rule_sql)
    return trained
