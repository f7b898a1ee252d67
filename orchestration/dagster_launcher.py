"""`make dagster`: run `dagster dev` (UI and daemon) in its own process group, print the URL once
the UI answers, and stop the whole group on Ctrl-C or SIGTERM.

`dagster dev` started in the background ignores SIGINT and SIGTERM; its webserver, daemon and
code servers are its children. The launcher starts it as the leader of its own process group
and, on a signal, sends SIGTERM to that group, then SIGKILL to whatever is left after a grace
period.

The schedule and the sensor start stopped unless METERLINE_AUTOMATION=on (settings.py), so
starting the UI never starts a run by itself. Instance state (runs, schedule switches) lives in
.dagster_home/ (DAGSTER_HOME), seeded with orchestration/dagster.yaml (one run at a time).

    python -m orchestration.dagster_launcher [--host 127.0.0.1] [--port 3000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from orchestration.settings import REPO_ROOT, automation_enabled

GRACE_SECONDS = 10.0


@dataclass(frozen=True)
class LaunchSettings:
    host: str
    port: int
    dagster_home: Path
    automation: bool
    env: Mapping[str, str]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def command(self) -> list[str]:
        dagster = Path(sys.executable).parent / "dagster"
        return [
            str(dagster) if dagster.exists() else "dagster",
            "dev", "-m", "orchestration.definitions", "-h", self.host, "-p", str(self.port),
        ]


def launch_settings(
    environ: Mapping[str, str], host: str = "127.0.0.1", port: int | None = None
) -> LaunchSettings:
    """What `dagster dev` is started with: the environment it gets and where it answers."""
    home = Path(environ.get("DAGSTER_HOME") or REPO_ROOT / ".dagster_home")
    port = port if port is not None else int(environ.get("DAGSTER_PORT") or 3000)
    env = {
        **environ,
        "DAGSTER_HOME": str(home.resolve()),
        # the project's virtualenv first: dagster and dbt are found beside this Python
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), environ.get("PATH", "")]),
        # stated explicitly, so what the UI shows is what was asked for
        "METERLINE_AUTOMATION": "on" if automation_enabled(environ) else "off",
    }
    return LaunchSettings(host, port, home, automation_enabled(environ), env)


def prepare_home(home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    instance = home / "dagster.yaml"
    if not instance.exists():
        shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml", instance)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/server_info", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def stop_group(process: subprocess.Popen[bytes], grace: float = GRACE_SECONDS) -> int:
    """SIGTERM to the process group, SIGKILL to what is left after `grace` seconds."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        return process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return process.wait()


def run(settings: LaunchSettings, ready_timeout: float = 300.0) -> int:
    prepare_home(settings.dagster_home)
    process = subprocess.Popen(
        settings.command(), cwd=REPO_ROOT, env=dict(settings.env), start_new_session=True
    )
    stopping: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        started, announced = time.monotonic(), False
        while process.poll() is None and not stopping:
            if not announced and answers(settings.url):
                automation = (
                    "schedule and sensor running (METERLINE_AUTOMATION=on)"
                    if settings.automation
                    else "schedule and sensor stopped: no run starts by itself "
                    "(METERLINE_AUTOMATION=on to start them, or switch them on in the UI)"
                )
                print(f"Dagster UI ready: {settings.url}\n  {automation}\n  Ctrl-C stops it.",
                      flush=True)
                announced = True
            elif not announced and time.monotonic() - started > ready_timeout:
                print(f"Dagster did not answer on {settings.url} within {ready_timeout:.0f} s",
                      file=sys.stderr, flush=True)
                stop_group(process)
                return 1
            time.sleep(0.5)
        if process.poll() is not None:
            return process.returncode
        print("stopping Dagster ...", file=sys.stderr, flush=True)
        stop_group(process)
        return 130 if stopping[0] == signal.SIGINT else 143
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if process.poll() is None:
            stop_group(process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="default: DAGSTER_PORT or 3000")
    parser.add_argument("--ready-timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    settings = launch_settings(os.environ, args.host, args.port)
    return run(settings, args.ready_timeout)


if __name__ == "__main__":
    sys.exit(main())
