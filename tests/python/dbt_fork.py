"""dbt commands for the tests, each in its own process, without paying dbt's import every time.

Importing dbt and its DuckDB adapter takes seconds, as much as a small build: a test process
that runs dbt dozens of times paid it dozens of times. A helper process imports them once and
forks a child per command; the child is a fresh process as far as the command can tell (its own
working directory, environment, stdout and stderr, exit code), exactly like `dbt <args>` run
as a subprocess, and nothing of one command's state reaches the next. The helper itself never
starts a thread or opens a warehouse, so forking it is safe.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# The helper: read one JSON request per line, fork, run dbt's CLI in the child, reply with
# the child's exit code.
HELPER = r"""
import atexit, json, os, sys, traceback
import dbt.cli.main
import dbt.adapters.duckdb  # noqa: F401  (the adapter every test run loads)

def run(request):
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)
    sys.argv = ["dbt", *request["args"]]
    try:
        code = dbt.cli.main.cli()
    except SystemExit as exit_:
        code = exit_.code
    except BaseException:
        traceback.print_exc()
        code = 1
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    return code

reply = sys.stdout
while line := sys.stdin.readline():
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = run(request)
        finally:
            atexit._run_exitfuncs()  # what the interpreter's exit would run: log handlers flushed
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    reply.write(json.dumps(os.waitstatus_to_exitcode(status)) + "\n")
    reply.flush()
"""


class DbtForkServer:
    """One helper per test process, started on first use and stopped at exit."""

    def __init__(self, python: str) -> None:
        self._process = subprocess.Popen(
            [python, "-c", HELPER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._lock = threading.Lock()
        atexit.register(self.close)

    def run(self, args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
        """`dbt <args>` in cwd with exactly env, as subprocess.run(..., capture_output=True,
        text=True) would run it."""
        with tempfile.TemporaryDirectory(prefix="meterline-dbt-") as capture, self._lock:
            out, err = Path(capture) / "stdout", Path(capture) / "stderr"
            request = {"args": args, "cwd": str(cwd), "env": env, "stdout": str(out),
                       "stderr": str(err)}
            assert self._process.stdin is not None and self._process.stdout is not None
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            reply = self._process.stdout.readline()
            if not reply:
                raise RuntimeError("the dbt helper process ended unexpectedly")
            return subprocess.CompletedProcess(
                ["dbt", *args], int(json.loads(reply)),
                out.read_text(errors="replace"), err.read_text(errors="replace"),
            )

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait()


_server: DbtForkServer | None = None


def run_dbt_command(
    executable: Path, args: list[str], cwd: Path, env: dict[str, str]
) -> subprocess.CompletedProcess:
    """`dbt <args>`: through the forking helper where the platform forks, else a subprocess."""
    global _server
    if not hasattr(os, "fork"):
        return subprocess.run([str(executable), *args], cwd=cwd, env=env, capture_output=True,
                              text=True, check=False)
    if _server is None:
        _server = DbtForkServer(sys.executable)
    return _server.run(args, cwd, env)
