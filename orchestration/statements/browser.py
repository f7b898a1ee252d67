"""One headless chromium for many pages: PDFs and screenshots of the statements without a
browser start per page (about 2.5 s each on two cores).

The browser is driven through the DevTools protocol over a pipe (`--remote-debugging-pipe`:
commands on the child's fd 3, replies on its fd 4, each a JSON message ending in a NUL byte), so
nothing is listening on a port and no client library is needed. Debian's `chromium` package is
the browser (`apt-get install chromium`); nothing is downloaded at run time.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Self

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# Flags as orchestration/screenshots.py starts it: as root in a container there is no sandbox.
BROWSER_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--hide-scrollbars",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--remote-debugging-pipe",
)
# The child's end of the two pipes (fixed by the protocol).
_CHILD_READS, _CHILD_WRITES = 3, 4
_PLACE_PIPES = (
    "import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); "
    "os.dup2(r, 3); os.dup2(w, 4); os.close(r); os.close(w); "
    "os.execv(sys.argv[3], sys.argv[3:])"
)


class BrowserError(RuntimeError):
    """The browser could not be started, answered with an error, or did not answer in time."""


def find_browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """`with Browser() as browser: browser.pdf(url)`; one tab, reused for every page."""

    def __init__(self, executable: str | None = None, timeout: float = 60.0) -> None:
        found = executable or find_browser()
        if found is None:
            raise BrowserError(
                "chromium not found: on Debian or Ubuntu `apt-get install chromium`"
            )
        self.executable = found
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        self._session: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    # ------------------------------------------------------------------ process
    def __enter__(self) -> Self:
        self._profile = tempfile.mkdtemp(prefix="meterline-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # The child's ends, moved above 9 so that placing them on 3 and 4 cannot overwrite one
        # with the other; a small trampoline places them and execs the browser (no preexec_fn:
        # Dagster runs steps in threads).
        child_r = fcntl.fcntl(to_child_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_w = fcntl.fcntl(from_child_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_child_r)
        os.close(from_child_w)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", _PLACE_PIPES, str(child_r), str(child_w),
                 self.executable, *BROWSER_FLAGS, f"--user-data-dir={self._profile}",
                 "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                pass_fds=(child_r, child_w), start_new_session=True,
            )
        finally:
            os.close(child_r)
            os.close(child_w)
        try:
            target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self._session = self.call(
                "Target.attachToTarget", {"targetId": target, "flatten": True}
            )["sessionId"]
            self.call("Page.enable")
        except BaseException:
            self.__exit__(None, None, None)  # stop the browser, close the pipes
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self._process is not None and self._process.poll() is None:
                try:
                    self._session = None
                    self.call("Browser.close", timeout=10)
                except (BrowserError, OSError):
                    pass
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    # its own session: the group is the browser and its helper processes
                    os.killpg(self._process.pid, signal.SIGKILL)
                    self._process.wait()
        finally:
            for fd in (self._to_child, self._from_child):
                try:
                    os.close(fd)
                except OSError:
                    pass
            shutil.rmtree(self._profile, ignore_errors=True)

    # ------------------------------------------------------------------ protocol
    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            written = os.write(self._to_child, data)
            data = data[written:]

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("the browser did not answer in time")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise BrowserError("the browser closed its pipe (it stopped)")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(
        self, method: str, params: dict[str, Any] | None = None, timeout: float | None = None
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if self._session is not None:
            message["sessionId"] = self._session
        self._send(message)
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def _wait_event(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            for index, event in enumerate(self._events):
                if event["method"] == method and event.get("sessionId") == self._session:
                    return self._events.pop(index)
            reply = self._receive(deadline)
            if "method" in reply:
                self._events.append(reply)

    # ------------------------------------------------------------------ pages
    def open(self, url: str, width: int = 1100, height: int = 1400) -> None:
        """Load url in the tab (a viewport of width x height CSS pixels) and wait for its load
        event."""
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
        self._events.clear()
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"{url}: {result['errorText']}")
        self._wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable results)."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def pdf(self, url: str) -> bytes:
        """The page printed as PDF (A4 unless its CSS says otherwise, backgrounds on, no
        browser header or footer)."""
        self.open(url)
        result = self.call("Page.printToPDF", {
            "printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False,
        })
        return base64.b64decode(result["data"])

    def screenshot(self, url: str, out: Path, width: int = 1100) -> Path:
        """A PNG of the whole page (not only the viewport) at the given width."""
        self.open(url, width=width)
        height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)")
        self.open(url, width=width, height=int(height))
        result = self.call("Page.captureScreenshot", {"format": "png"})
        out.write_bytes(base64.b64decode(result["data"]))
        return out
