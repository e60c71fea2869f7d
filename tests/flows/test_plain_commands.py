"""With no Prefect server set, an analyst's command runs plain: no temporary server, nothing
of Prefect's beside the warehouse, the same answer (docs/adr/0014). The demo, with no server
either, ends by naming what it made, what to try next and where Prefect keeps its runs,
and every path it names exists (issue 24 items 3 and 4)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import openpyxl
import pytest

from tests.cli_runner import ROOT, SFP
from tests.councils import SAMPLE, council_copy

pytestmark = pytest.mark.slow  # child `sfp` processes, a whole demo


def _sfp_without_a_server(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PYTHONPATH"] = str(ROOT)
    env.pop("PREFECT_HOME", None)
    return subprocess.run(
        [*SFP, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
        check=False,
    )  # fmt: skip


def test_analysts_commands_run_plain_without_a_server(tmp_path: Path) -> None:
    council = council_copy(SAMPLE, tmp_path / "council")
    warehouse, as_of = str(council.warehouse), council.as_of.isoformat()
    claim = _sfp_without_a_server(
        "claim", "--as-of", as_of, "--warehouse", warehouse, "--out", "q.xlsx", "--submit",
        cwd=tmp_path,
    )  # fmt: skip
    assert claim.returncode == 0, claim.stderr
    claimed = re.search(r": (\d+) of (\d+) cases claimed", claim.stdout)
    assert claimed and int(claimed.group(1)) > 0, claim.stdout
    assert openpyxl.load_workbook(tmp_path / "q.xlsx")["Families"].max_row > 1
    rerun = _sfp_without_a_server(
        "rerun", "--as-of", as_of, "--warehouse", warehouse, "--out", "again.xlsx", cwd=tmp_path
    )
    assert rerun.returncode == 0, rerun.stderr
    assert ": identical" in rerun.stdout, rerun.stdout
    forecast = _sfp_without_a_server(
        "forecast", "--as-of", as_of, "--warehouse", warehouse, cwd=tmp_path
    )
    assert forecast.returncode == 0, forecast.stderr
    assert (tmp_path / f"forecast-{as_of}.xlsx").is_file()
    # Nothing of Prefect's was started or written: no temporary server's home or database.
    said = claim.stdout + rerun.stdout + forecast.stdout
    assert "starting Prefect's temporary server" not in said
    assert not (council.warehouse.parent / ".prefect").exists()
    assert not list(tmp_path.rglob("prefect.db"))


def test_the_demo_ends_with_what_to_open_try_and_browse(tmp_path: Path) -> None:
    ran = _sfp_without_a_server("demo", "--dir", "d", "--households", "20", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    tail = ran.stdout.split("What the demo made (open these):", 1)[1]
    made = dict(
        re.match(r"^  ([^:]+): (.+)$", line).groups()  # type: ignore[union-attr]
        for line in tail.split("\n\n", 1)[0].strip("\n").splitlines()
    )
    assert set(made) == {
        "claim workbook",
        "claim report page (offline HTML)",
        "validation page (offline HTML)",
        "match-quality page (offline HTML)",
        "clerical review workbook (fill in, then review-import)",
        "sample council and its truth",
    }
    for label, path in made.items():
        assert (tmp_path / path).exists(), (label, path)
    commands = re.findall(r"^  sfp (\w[\w-]*) (.*?)   # ", ran.stdout, re.M)
    assert [name for name, _ in commands] == ["worklist", "forecast", "review-import", "serve"]
    for _, arguments in commands:
        for path in re.findall(r"(d/\S+)", arguments):
            if not path.startswith("d/forecast-"):  # the forecast's workbook is to be written
                assert (tmp_path / path).exists(), path
    # Where Prefect keeps the runs, and how to browse them: that database exists.
    home = re.search(r"PREFECT_HOME=(\S+) \.venv/bin/prefect server start", ran.stdout)
    assert home, ran.stdout
    assert (Path(home.group(1)) / "prefect.db").is_file()
    assert f"the runs are kept in {Path(home.group(1)) / 'prefect.db'}" in ran.stdout
    assert "http://127.0.0.1:4200/runs" in ran.stdout
