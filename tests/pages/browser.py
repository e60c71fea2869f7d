"""Headless Chromium (Debian's `chromium`) driven over the DevTools protocol, network off.

A page is loaded from disk with the network emulated offline, every outside host made
unresolvable and a dead proxy in front, so a page that needs the network fails here and
shows it: every request that is not file:, data:, blob: or about: is recorded, and so is
every console error, uncaught exception and log error. The client is the `websockets`
package Prefect already installs; nothing else is needed.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-port=0",
    "--window-size=1200,900",
)
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")
CHART_STATE = """
// Each chart container: whether Vega drew an SVG, and how many data marks (bars, lines) in it.
Array.from(document.querySelectorAll("div.chart")).map(function (chart) {
  var svg = chart.querySelector("svg");
  var shapes = ".role-mark > path, .role-mark > line, .role-mark > rect";
  var marks = svg ? svg.querySelectorAll(shapes).length : 0;
  return {id: chart.id, svg: !!svg, marks: marks, text: chart.textContent.slice(0, 200)};
})
"""


class BrowserError(RuntimeError):
    """Chromium did not start or did not answer."""


@dataclass
class PageLoad:
    """What one page did: its charts, and everything that went wrong or went out."""

    charts: list[dict[str, Any]]
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    screenshot: bytes = b""
    probe: Any = None
    """What the caller's own expression gave, evaluated once the page had settled."""


class Chromium:
    """One headless browser with a fresh profile; use as a context manager."""

    def __init__(self, binary: Path = CHROMIUM, timeout: float = 60.0) -> None:
        self.binary = binary
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        self._profile = Path(tempfile.mkdtemp(prefix="sfp-chromium-"))
        self._process = subprocess.Popen(
            [str(self.binary), *FLAGS, f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = self._profile / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while not port_file.exists() or len(port_file.read_text().split()) < 2:
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise BrowserError(f"{self.binary} did not start (exit {self._process.poll()})")
            time.sleep(0.1)
        port, path = port_file.read_text().split()[:2]
        self._socket: ClientConnection = connect(
            f"ws://127.0.0.1:{port}{path}", max_size=None, open_timeout=self.timeout
        )
        return self

    def __exit__(self, *exc: object) -> None:
        socket = getattr(self, "_socket", None)
        if socket is not None:
            socket.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        shutil.rmtree(self._profile, ignore_errors=True)

    def _call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        ident = next(self._ids)
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._socket.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout
        while True:
            reply = json.loads(self._socket.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if reply.get("id") == ident:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._events.append(reply)

    def _wait_for(self, method: str, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not any(event.get("method") == method for event in self._events):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError(f"no {method} within {seconds} s")
            try:
                self._events.append(json.loads(self._socket.recv(timeout=remaining)))
            except TimeoutError:
                continue

    def load(
        self,
        page: Path,
        probe: str = "null",
        settle: float = 20.0,
        full_page: bool = True,
        scale: float = 1.0,
    ) -> PageLoad:
        """Open `page` offline, wait for its charts to draw (or `settle` s), report.

        `probe` is a JavaScript expression evaluated after that, before the screenshot.
        """
        target = self._call("Target.createTarget", url="about:blank")["targetId"]
        session = self._call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self._events.clear()
        for domain in ("Runtime", "Log", "Network", "Page"):
            self._call(f"{domain}.enable", session)
        self._call(
            "Network.emulateNetworkConditions",
            session,
            offline=True,
            latency=0,
            downloadThroughput=-1,
            uploadThroughput=-1,
        )
        self._call("Page.navigate", session, url=page.resolve().as_uri())
        self._wait_for("Page.loadEventFired", settle)
        charts: list[dict[str, Any]] = []
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline:
            charts = self._evaluate(session, CHART_STATE)
            if all(chart["marks"] for chart in charts):
                break
            time.sleep(0.2)
        probed = self._evaluate(session, probe)
        result = PageLoad(charts, self._errors(session), self._requests(session), probe=probed)
        result.screenshot = self._screenshot(session, full_page, scale)
        self._call("Target.closeTarget", targetId=target)
        return result

    def _evaluate(self, session: str, expression: str) -> Any:
        reply = self._call("Runtime.evaluate", session, expression=expression, returnByValue=True)
        if "exceptionDetails" in reply:
            raise BrowserError(f"evaluating the page failed: {reply['exceptionDetails']}")
        return reply["result"]["value"]

    def _mine(self, session: str) -> list[dict[str, Any]]:
        return [event for event in self._events if event.get("sessionId") == session]

    def _errors(self, session: str) -> list[str]:
        errors = []
        for event in self._mine(session):
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                details = params["exceptionDetails"]
                errors.append(
                    f"exception: {details.get('exception', {}).get('description', details)}"
                )
            elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
                texts = [
                    str(arg.get("value", arg.get("description", ""))) for arg in params["args"]
                ]
                errors.append(f"console.{params['type']}: {' '.join(texts)}")
            elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                errors.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
        return errors

    def _requests(self, session: str) -> list[str]:
        return [
            event["params"]["request"]["url"]
            for event in self._mine(session)
            if event.get("method") == "Network.requestWillBeSent"
            and not event["params"]["request"]["url"].startswith(LOCAL_SCHEMES)
        ]

    def _screenshot(self, session: str, full_page: bool, scale: float) -> bytes:
        size = self._call("Page.getLayoutMetrics", session)["cssContentSize"]
        height = min(size["height"], 6000) if full_page else 900
        clip = {"x": 0, "y": 0, "width": min(size["width"], 1200), "height": height, "scale": scale}
        shot = self._call(
            "Page.captureScreenshot",
            session,
            format="png",
            clip=clip,
            captureBeyondViewport=full_page,
        )
        return base64.b64decode(shot["data"])
