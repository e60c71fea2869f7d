"""Each pipeline line in the Prefect run's log exactly once, on both paths a night takes: the
command line (`sfp nightly`) and a scheduled run of `sfp serve` on a real server (issue 24
item 1). The log keeps the stage, step and summary lines, one line per feed and each
refusal; each file's line stays on the terminal (issue 26). Counts are exact."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flows.progress import PIPELINE_LOGGERS
from sample_data.generate import write_sample
from tests.cli_runner import ROOT, SFP, Ran

pytestmark = pytest.mark.slow  # Prefect's test server, whole nights, a child `sfp serve`

TIMED = re.compile(r"^\[\s*[0-9.]+s\] (.*)$")
COUNTED = re.compile(r"^derive: \d+ of \d+ models built")


def _inbox(folder: Path) -> tuple[Path, list[str]]:
    """A small council's inbox with one broken workbook (a refusal), and its feeds."""
    write_sample(folder, 15, 4)
    inbox = folder / "inbox"
    (inbox / "eh_cases" / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    feeds = sorted(p.name for p in inbox.iterdir() if p.is_dir() and any(p.iterdir()))
    return inbox, feeds


def _pipeline_logs(client: Any, run_id: Any) -> list[Any]:
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
    from prefect.client.schemas.sorting import LogSort

    logs = client.read_logs(
        log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id])),
        sort=LogSort.TIMESTAMP_ASC,
    )
    return list(logs)


def _ours(logs: list[Any]) -> list[str]:
    return [e.message for e in logs if e.name.split(".")[0] in PIPELINE_LOGGERS]


def _check_the_log(messages: list[str], inbox: Path, feeds: list[str]) -> None:
    """What a night's log holds whichever way it ran, counted exactly."""
    assert len(messages) == len(set(messages)), Counter(messages).most_common(3)
    assert sum(m.startswith("stage ") for m in messages) == 3
    assert [m for m in messages if str(inbox) in m and "REFUSED" in m] == [
        m for m in messages if "broken.xlsx" in m
    ]
    assert sum("broken.xlsx: REFUSED" in m for m in messages) == 1
    per_feed = [m for m in messages if re.match(r"^[a-z_]+: loaded: \d+ of \d+ files", m)]
    assert sorted(m.split(":")[0] for m in per_feed) == feeds
    # No file's own line: only the refusal names a file of the inbox (stage 1 its folder).
    assert sum(f"{inbox}/" in m for m in messages) == 1


def _same_night(message: str, inbox: Path) -> str:
    """A line with what differs between two runs of the same inbox put aside: the inbox's
    folder and the seconds each step took."""
    message = message.replace(str(inbox), "INBOX")
    return re.sub(r"\d+\.\d s\b", "N s", message)


def _serve_one_night(tmp_path: Path, inbox: Path, prefect_server: str) -> list[Any]:
    """`sfp serve` in a child process; one Scheduled run of its deployment, as the
    scheduler makes at the cron's time; that run's log."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterParentFlowRunId
    from prefect.states import Scheduled

    env = {**os.environ, "PYTHONPATH": str(ROOT), "PREFECT_API_URL": prefect_server}
    output = (tmp_path / "serve.out").open("w")  # a file: a full pipe would stop the runner
    served = subprocess.Popen(
        [*SFP, "serve", "--inbox", str(inbox), "--warehouse", "w.duckdb", "--cron", "0 3 1 1 *"],
        cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    said = (tmp_path / "serve.out").read_text
    try:
        with get_client(sync_client=True) as client:
            deployment = None
            deadline = time.monotonic() + 240
            while deployment is None and time.monotonic() < deadline:
                assert served.poll() is None, said()
                try:
                    deployment = client.read_deployment_by_name("scheduled-nightly/nightly")
                except Exception:  # not registered yet
                    time.sleep(1)
            assert deployment is not None, "sfp serve never registered its deployment"
            run = client.create_flow_run_from_deployment(deployment.id, state=Scheduled())
            state = None
            deadline = time.monotonic() + 420
            while time.monotonic() < deadline:
                state = client.read_flow_run(run.id).state
                if state is not None and state.is_final():
                    break
                time.sleep(2)
            assert state is not None and state.is_failed(), (state, said()[-3000:])
            assert "1 files refused" in (state.message or "")
            time.sleep(3)  # the run's process sends its last lines in a batch as it ends
            # The scheduled flow runs the night as a sub-flow: its lines are on that run.
            nights = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[run.id])
                )
            )
            assert [night.name for night in nights] and len(nights) == 1
            # The service's output shows each file once as it finished, plain, as cron mail.
            printed = [m.group(1) for m in map(TIMED.match, said().splitlines()) if m]
            files = [line for line in printed if line.startswith(str(inbox))]
            assert len(files) == len(set(files)) == len(list(inbox.rglob("*.*"))), said()
            return _pipeline_logs(client, run.id) + _pipeline_logs(client, nights[0].id)
    finally:
        served.send_signal(signal.SIGINT)
        try:
            served.wait(timeout=60)
        except subprocess.TimeoutExpired:
            served.kill()
            served.wait()
        output.close()


def test_each_line_once_from_the_command_line_and_a_scheduled_serve_run(
    tmp_path: Path, sfp: Callable[..., Ran], prefect_server: str
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.logging.handlers import APILogHandler

    # The command line: the terminal's lines, then the run's log read back from the API.
    inbox, feeds = _inbox(tmp_path / "one" / "council")
    ran = sfp("nightly", "--inbox", str(inbox), "--warehouse", "w.duckdb", cwd=tmp_path / "one")
    assert ran.returncode == 1, ran.stderr
    shown = [m.group(1) for m in map(TIMED.match, ran.stdout.splitlines()) if m]
    file_lines = [line for line in shown if line.startswith(str(inbox))]
    # The terminal lists each file once, as it finished, and not again at the end.
    assert len(file_lines) == len(set(file_lines)) == len(list(inbox.rglob("*.*")))
    assert not [line for line in ran.stdout.splitlines() if line.startswith(str(inbox))]
    APILogHandler().flush()
    with get_client(sync_client=True) as client:
        [run] = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)
        logs = _pipeline_logs(client, run.id)
    messages = _ours(logs)
    _check_the_log(messages, inbox, feeds)
    # Exactly the terminal's lines, less each file's own (the refusal stays), each once.
    expected = [
        line
        for line in shown
        if not line.startswith(str(inbox)) or "REFUSED" in line
        if not COUNTED.match(line)  # counted work: a bar on a terminal, not in the log
    ]
    assert Counter(messages) == Counter(expected)

    # A scheduled run of `sfp serve` on the same council: the same lines, each once.
    served_inbox, _ = _inbox(tmp_path / "two" / "council")
    served_logs = _serve_one_night(tmp_path / "two", served_inbox, prefect_server)
    served = _ours(served_logs)
    _check_the_log(served, served_inbox, feeds)
    assert Counter(_same_night(m, served_inbox) for m in served) == Counter(
        _same_night(m, inbox) for m in messages
    )
    # Besides them only Prefect's own lines about the run: no library's noise.
    others = [
        (e.name, e.message) for e in served_logs if e.name.split(".")[0] not in PIPELINE_LOGGERS
    ]
    assert {name for name, _ in others} <= {"prefect.flow_runs", "prefect.task_runs"}, others
