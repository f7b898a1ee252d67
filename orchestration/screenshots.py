"""Screenshots of the Dagster UI for the README, taken in a real headless browser (Debian's
`chromium`) against a Dagster started by the launcher on the demo warehouse.

    make demo && make screenshots      (or: python -m orchestration.screenshots --out docs/img)

Steps: one run of the daily job on the demo warehouse (`dagster job execute`, as_of = the
demo's date, Stripe never called, exports into a temporary directory), so the pages show
materializations, row counts and check results; then the UI through orchestration.dagster_launcher
on a free port; then one PNG per page; then the UI is stopped. The run freezes the demo's final
invoices in the demo warehouse, as the daily run would. The Dagster instance is a temporary
directory: .dagster_home/ is not touched.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from orchestration.settings import AS_OF_TAG, LANDING_DIR_TAG, REPO_ROOT

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
# (file name, page, window width, height)
PAGES = [
    ("dagster-asset-graph.png", "/asset-groups", 1800, 1000),
    ("dagster-marts-group.png", "/locations/orchestration.definitions/asset-groups/marts",
     2400, 1300),
    ("dagster-fct-invoices.png", "/assets/marts/fct_invoices", 1800, 2250),
    ("dagster-fct-invoices-checks.png", "/assets/marts/fct_invoices?view=checks", 1800, 1100),
]


def find_browser() -> str | None:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_daily_job(env: dict[str, str], as_of: str, landing_dir: str, log: Path) -> None:
    tags = json.dumps({AS_OF_TAG: as_of, LANDING_DIR_TAG: landing_dir})
    dagster = Path(sys.executable).parent / "dagster"
    print(f"one run of meterline_daily (as_of {as_of}) so the pages have something to show "
          "(a few minutes) ...", flush=True)
    with log.open("w") as output:
        done = subprocess.run(
            [str(dagster), "job", "execute", "-m", "orchestration.definitions", "-j",
             "meterline_daily", "--tags", tags],
            cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, check=False,
        )
    if done.returncode != 0:
        print("".join(log.read_text().splitlines(keepends=True)[-40:]), file=sys.stderr)
        raise SystemExit(f"the daily run failed (exit {done.returncode})")


def start_ui(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestration.dagster_launcher", "--port", str(port)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.startswith("Dagster UI ready"):
            print(line.strip(), flush=True)
            return process
    raise RuntimeError(f"the launcher stopped before the UI answered (exit {process.wait()})")


def stop_ui(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def dismiss_welcome_dialog(url: str) -> None:
    """The first-visit community dialog would cover every page: mark it seen in the instance."""
    request = urllib.request.Request(
        f"{url}/graphql",
        data=json.dumps({"query": "mutation { setNuxSeen }"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def screenshot(browser: str, url: str, out: Path, width: int, height: int) -> None:
    subprocess.run(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--no-first-run", f"--window-size={width},{height}", "--virtual-time-budget=30000",
         f"--screenshot={out}", url],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180,
    )
    print(f"wrote {out} ({out.stat().st_size:,} bytes) from {url}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="docs/img", help="directory of the PNG files")
    parser.add_argument("--as-of", default="2026-11-25", help="as_of of the run (the demo's)")
    parser.add_argument("--landing-dir", default="data/landing", help="the demo's landing files")
    parser.add_argument("--no-run", action="store_true",
                        help="do not run the daily job first (pages without materializations)")
    args = parser.parse_args(argv)

    browser = find_browser()
    if browser is None:
        print("chromium not found: the screenshots need a real headless browser. On Debian or "
              "Ubuntu: apt-get install chromium", file=sys.stderr)
        return 2
    warehouse = Path(os.environ.get("METERLINE_DUCKDB_PATH") or "warehouse/meterline.duckdb")
    if not (warehouse if warehouse.is_absolute() else REPO_ROOT / warehouse).exists():
        print(f"no warehouse at {warehouse}: run `make demo` first", file=sys.stderr)
        return 2

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="meterline-screenshots-"))
    env = {key: value for key, value in os.environ.items() if key != "STRIPE_API_KEY"}
    env.update({
        "DAGSTER_HOME": str(work / "dagster_home"),
        "METERLINE_EXPORTS_DIR": str(work / "exports"),
        "METERLINE_AUTOMATION": "off",
    })
    (work / "dagster_home").mkdir()
    shutil.copyfile(REPO_ROOT / "orchestration" / "dagster.yaml",
                    work / "dagster_home" / "dagster.yaml")
    ui = None
    try:
        if not args.no_run:
            run_daily_job(env, args.as_of, args.landing_dir, work / "run.log")
        port = free_port()
        ui = start_ui(env, port)
        url = f"http://127.0.0.1:{port}"
        dismiss_welcome_dialog(url)
        for name, page, width, height in PAGES:
            screenshot(browser, url + page, out / name, width, height)
    finally:
        if ui is not None:
            stop_ui(ui)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
