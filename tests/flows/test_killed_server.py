"""A killed `sfp` leaves no temporary Prefect server behind (issue 22: about 200 MB each)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow  # a child `sfp` and its temporary server (about 20 s)


def children(pid: int) -> dict[int, str]:
    """Processes whose parent is `pid`, with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found[int(entry.name)] = cmdline
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_killed_sfp_takes_its_temporary_server_with_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PYTHONPATH"] = str(ROOT)
    sfp = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "sample", "--out", "s", "--households", "50000"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        server = watchdog = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not (server and watchdog):
            for pid, command in children(sfp.pid).items():
                if "uvicorn" in command and "prefect.server.api.server" in command:
                    server = pid
                elif " -c " in command and "os.getppid()" in command:
                    watchdog = pid
            assert sfp.poll() is None, "sfp ended before its server was seen"
            time.sleep(0.5)
        assert server and watchdog, children(sfp.pid)
        sfp.send_signal(signal.SIGKILL)
        sfp.wait()
        gone = time.monotonic() + 20
        while (alive(server) or alive(watchdog)) and time.monotonic() < gone:
            time.sleep(0.2)
        assert not alive(server), "the temporary server outlived the killed sfp"
        assert not alive(watchdog), "the watchdog stays only as long as the server"
    finally:
        if sfp.poll() is None:
            sfp.kill()
            sfp.wait()
