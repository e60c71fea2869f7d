"""`sfp assurance` from the command line: the packs of a submitted period, and one-line
refusals for what a user may get wrong."""

from __future__ import annotations

import shutil
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from claims.submission import run_claim
from data_contracts.warehouse import connect
from indicators.plan import load_plan
from tests.cli_runner import Ran, run_sfp
from tests.conftest import LoadedSample


@pytest.mark.slow
def test_assurance_writes_the_packs_of_a_submitted_period_and_prints_no_one(
    loaded_sample: LoadedSample, tmp_path: Path, sfp: Callable[..., Ran]
) -> None:
    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(loaded_sample.warehouse, warehouse)
    as_of = loaded_sample.as_of.isoformat()
    with connect(warehouse) as con:
        run_claim(con, load_plan(), loaded_sample.as_of, tmp_path / "claim.xlsx", submit=True)
        surnames = {
            s for (s,) in con.execute("select distinct surname from stg_eh_members").fetchall()
        }
    ran = sfp(
        "assurance", "--as-of", as_of, "--sample", "4", "--seed", "9", "--out", "packs",
        "--warehouse", str(warehouse), cwd=tmp_path,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert (
        "4 of " in ran.stdout
        and f"assurance packs (personal data, private folder): packs/{as_of}" in ran.stdout
    )
    folder = tmp_path / "packs" / as_of
    assert len(list(folder.glob("family-*.html"))) == 4 and (folder / "index.html").exists()
    assert stat.S_IMODE((tmp_path / "packs").stat().st_mode) == 0o700
    said = ran.stdout + ran.stderr
    assert not [name for name in surnames if f" {name} " in f" {said} "]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2025-09-30", "--out", "packs"], "no submission for the period ending"),
        (["--as-of", "2025-09-30", "--out", "mine"], "mine: the folder exists and holds no"),
        (["--as-of", "2025-09-30", "--out", "packs", "--sample", "0"], "expected at least 1"),
        (["--as-of", "30/09/2025", "--out", "packs"], "expected a date as YYYY-MM-DD"),
    ],
)  # fmt: skip
def test_assurance_mistakes_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    connect(tmp_path / "w.duckdb").close()
    (tmp_path / "mine").mkdir()
    result = run_sfp("assurance", *args, "--warehouse", "w.duckdb", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "packs").exists()
