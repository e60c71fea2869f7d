"""A few thousand households, loaded, linked and decided once per session."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from data_contracts.warehouse import connect
from indicators.plan import load_plan
from sample_data.coverage import built_requirements, gates_built
from tests.councils import COUNCIL, council_copy


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
    """The sample at a few thousand households after the nightly's pipeline function, with
    its historic claims imported and every case decided: this worker's copy of the one cached
    build (tests/councils.py)."""
    built = council_copy(COUNCIL, tmp_path_factory.mktemp("council") / "council")
    with connect(built.warehouse, read_only=True) as con:
        requirements = built_requirements(load_plan(), gates_built(con))
    return Council(built.folder, built.warehouse, built.summary, built.decisions(), requirements)
