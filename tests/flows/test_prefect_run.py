"""What an operator sees of a nightly in Prefect: a task per feed, the files' lines in the
run's log, a summary artifact, and a Failed state when a file was refused (as exit 1)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sample_data.generate import write_sample
from tests.cli_runner import Ran


@pytest.mark.slow
def test_a_nightly_shows_per_feed_tasks_logs_artifact_and_fails_on_a_refused_file(
    tmp_path: Path, sfp: Callable[..., Ran]
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        LogFilter,
        LogFilterFlowRunId,
        TaskRunFilter,
    )
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.logging.handlers import APILogHandler

    write_sample(tmp_path / "council", 15, 4)
    inbox = tmp_path / "council" / "inbox"
    feeds = sorted(p.name for p in inbox.iterdir() if p.is_dir() and any(p.iterdir()))
    (inbox / "eh_cases" / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")

    result = sfp("nightly", "--inbox", str(inbox), "--warehouse", "w.duckdb", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "broken.xlsx: REFUSED" in result.stdout

    APILogHandler().flush()  # the run's log lines are sent in batches: send the last now
    with get_client(sync_client=True) as client:
        [run] = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)
        assert run.state is not None and run.state.is_failed()
        assert "1 files refused" in (run.state.message or "")
        tasks = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id])),
            task_run_filter=TaskRunFilter(),
        )
        names = {t.name for t in tasks}
        assert {f"ingest {feed}" for feed in feeds} <= names
        assert {"scan the inbox", "link people", "derive indicators"} <= names
        logs = client.read_logs(log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id])))
        messages = [entry.message for entry in logs]
        assert any("broken.xlsx: REFUSED" in m for m in messages)
        assert any(m.startswith("stage 2/3: link people") for m in messages)
        assert sum(": loaded: " in m for m in messages) >= len(feeds)
        artifacts = client.read_artifacts()
        summary = [a for a in artifacts if a.flow_run_id == run.id and a.key == "nightly-summary"]
        assert summary and "broken.xlsx" in str(summary[0].data)
