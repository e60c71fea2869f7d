"""A few thousand households, loaded, linked and decided once per session."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from claims.decide import decide_cases
from claims.historic import import_historic_claims
from data_contracts.ingest import ingest_inbox
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from matching.link import link_warehouse
from sample_data.coverage import built_requirements, gates_built
from sample_data.generate import write_sample

COUNCIL_HOUSEHOLDS = 2000
COUNCIL_SEED = 11


@dataclass(frozen=True)
class Council:
    folder: Path
    warehouse: Path
    summary: dict[str, object]
    decisions: pd.DataFrame
    built: frozenset[str]

    def truth(self, name: str) -> list[dict[str, str]]:
        with (self.folder / "truth" / name).open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def council(tmp_path_factory: pytest.TempPathFactory) -> Council:
    """The sample at a few thousand households after the pipeline's plain functions."""
    folder = tmp_path_factory.mktemp("council")
    summary = write_sample(folder, COUNCIL_HOUSEHOLDS, COUNCIL_SEED)
    warehouse = folder / "warehouse.duckdb"
    plan = load_plan()
    with connect(warehouse) as con:
        ingest_inbox(con, folder / "inbox")
        link_warehouse(con, plan.matching["link_threshold"])
        # Past claims of the re-claim scenarios, as a council joining mid-programme loads them.
        import_historic_claims(con, folder / "historic_claims.csv", plan.matching["link_threshold"])
        decisions = decide_cases(con, plan, date.fromisoformat(str(summary["as_of"])))
        built = built_requirements(plan, gates_built(con))
    return Council(folder, warehouse, summary, decisions, built)
