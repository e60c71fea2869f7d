"""Sample councils for the tests: each built once through the nightly's pipeline function.

Why: a council (the sample written, then ingested, linked and derived) costs seconds to
minutes, most of it ingest's fixed cost per feed, and about 40 of them per run took the suite
to 20 minutes. Here a council is named by what makes it (`CouncilSpec`) and kept on disk
under a key made of the generator version, the source of every package that builds it and
the installed library versions: change any of them and it is built again. A file lock lets
two pytest-xdist workers (or two runs) build it once; the build goes to a temporary folder
renamed into place, so a killed build leaves nothing half-made. Tests get a private copy
(`council_copy`), never the cache itself.

The cache lives in `.test-councils/` at the checkout's top (git ignores it), or in
`$SFP_TEST_COUNCILS`.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from importlib.metadata import version
from pathlib import Path

import pandas as pd
from filelock import FileLock

from claims.decide import decide_cases
from claims.historic import import_historic_claims
from data_contracts.ingest import BatchReport
from data_contracts.warehouse import connect
from indicators.pipeline import NightlyOptions, run_nightly
from indicators.plan import load_plan
from sample_data.generate import GENERATOR_VERSION, write_sample
from sample_data.partner_shapes import write_partner_shapes

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("SFP_TEST_COUNCILS", ROOT / ".test-councils"))
BUILT_AT = datetime(2026, 1, 5, 2, 30)
"""Every cached council's nightly runs at this time, so its batches read the same each build:
after every date a sample writes (it plants an outcome after its as-of date)."""
PACKAGES = ("data_contracts", "matching", "indicators", "claims", "sample_data")
"""The code a council is built with (flows only wraps it)."""
LIBRARIES = ("duckdb", "splink", "great-expectations", "pandas", "numpy", "pyarrow", "openpyxl")
SOURCE_SUFFIXES = {".py", ".sql", ".yaml", ".json", ".csv", ".txt"}


@dataclass(frozen=True)
class CouncilSpec:
    """What makes a council: the sample's size and seed, its shape, and what runs after it."""

    households: int
    seed: int
    shape: str = "spec"  # "partner": the feeds written as partners send them
    hard: bool = False  # linkage's hard cases planted (sample_data/hard_cases.py)
    historic: bool = False  # the sample's historic claims imported after the nightly
    decide: bool = False  # every case decided at the sample's as-of date (decisions.pkl)

    @property
    def name(self) -> str:
        extras = [self.shape] + [k for k in ("hard", "historic", "decide") if getattr(self, k)]
        return f"{self.households}h-seed{self.seed}-{'-'.join(extras)}"


@dataclass(frozen=True)
class Council:
    """A built council: the sample's folder with `inbox/`, `truth/` and the warehouse."""

    folder: Path
    spec: CouncilSpec

    @property
    def inbox(self) -> Path:
        return self.folder / "inbox"

    @property
    def warehouse(self) -> Path:
        return self.folder / "warehouse.duckdb"

    @property
    def summary(self) -> dict[str, object]:
        return json.loads((self.folder / "truth" / "scenario.json").read_text(encoding="utf-8"))

    @property
    def as_of(self) -> date:
        return date.fromisoformat(str(self.summary["as_of"]))

    def batch_reports(self) -> list[BatchReport]:
        """The reports of the council's nightly, file by file, as it made them."""
        with (self.folder / "batch_reports.pkl").open("rb") as handle:
            return pickle.load(handle)

    def decisions(self) -> pd.DataFrame:
        """The decisions made when the council was built (a `decide` council only)."""
        return pd.read_pickle(self.folder / "decisions.pkl")


def _code_key(spec: CouncilSpec) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(asdict(spec), sort_keys=True).encode())
    digest.update(GENERATOR_VERSION.encode())
    digest.update(Path(__file__).read_bytes())
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix in SOURCE_SUFFIXES and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(ROOT)).encode())
                digest.update(path.read_bytes())
    for library in LIBRARIES:
        digest.update(f"{library}=={version(library)}".encode())
    return digest.hexdigest()[:16]


def _build(spec: CouncilSpec, folder: Path) -> None:
    """The sample written, then the nightly's one pipeline function, options from the plan."""
    summary = write_sample(folder, spec.households, spec.seed, hard=spec.hard)
    if spec.shape == "partner":
        write_partner_shapes(folder)
    as_of = date.fromisoformat(str(summary["as_of"]))
    plan = load_plan()
    warehouse = folder / "warehouse.duckdb"
    with connect(warehouse) as con:
        night = run_nightly(con, warehouse, folder / "inbox", NightlyOptions(plan, as_of), BUILT_AT)
        with (folder / "batch_reports.pkl").open("wb") as handle:
            pickle.dump(night.batches, handle)
        if spec.historic:
            # Past claims, as a council joining mid-programme loads them.
            import_historic_claims(
                con, folder / "historic_claims.csv", plan.matching["link_threshold"]
            )
        if spec.decide:
            decide_cases(con, plan, as_of).to_pickle(folder / "decisions.pkl")


def built_council(spec: CouncilSpec) -> Council:
    """The cached council for `spec`, built first if this code has not built it yet."""
    CACHE.mkdir(parents=True, exist_ok=True)
    folder = CACHE / f"{spec.name}-{_code_key(spec)}"
    with FileLock(str(folder) + ".lock"):
        if not folder.exists():
            for stale in CACHE.iterdir():
                # Earlier builds of this council under other code (not its lock: held now).
                if stale.is_dir() and re.fullmatch(
                    rf"{re.escape(spec.name)}-[0-9a-f]{{16}}", stale.name
                ):
                    shutil.rmtree(stale, ignore_errors=True)
            building = folder.with_name(folder.name + ".building")
            shutil.rmtree(building, ignore_errors=True)
            _build(spec, building)
            building.rename(folder)
    return Council(folder, spec)


def council_copy(spec: CouncilSpec, target: Path) -> Council:
    """A private copy of the council in `target` (made here), free to change."""
    cached = built_council(spec)
    shutil.copytree(cached.folder, target)
    return Council(target, spec)


SAMPLE = CouncilSpec(80, 5)
"""The small council most tests read (the session's `loaded_sample`)."""
SPEC_SHAPE = CouncilSpec(150, 5, historic=True, decide=True)
"""Every scenario planted, with the sample's planted repeats, past claims imported, decided:
one side of the partner-shapes comparison, and the inbox the bad-rows nightly adds to."""
PARTNER_SHAPE = replace(SPEC_SHAPE, shape="partner")
"""The same council written as its partners send their extracts."""
MIDSIZE = CouncilSpec(300, 4)
"""Every scenario planted once and the worklist families (look-ahead, Spark's pairs)."""
COUNCIL = CouncilSpec(2000, 11, historic=True, decide=True)
"""Every scenario and worklist family many times over, past claims imported, every case
decided: the council the sample's truth is checked on (tests/sample_data)."""
