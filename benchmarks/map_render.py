"""Where the latent map's opening time goes, in a real browser (shipped model, warm server).

    python benchmarks/map_render.py [--opens 3] [--settle 25] [--port 8599]

Starts the dashboard (``serve.py``) on the shipped checkpoint, waits ``--settle`` seconds so the
warm start has finished, then opens the map ``--opens`` times, each in a fresh browser context
(nothing cached, like a first visit), and prints for each open the seconds from the request to:
the page's scripts loaded (``dom``), the websocket connected, the last large websocket frame
(the figure's data) received, the map drawn, and the script run finished. The gap between the
data and the drawn map is the browser's own work. Needs Debian chromium (``make test`` installs
it) and the shipped checkpoint.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
APP = "[data-testid='stApp']"
MAP_DRAWN = """() => { const g = document.querySelector('.stPlotlyChart .js-plotly-plot');
  return !!(g && g._fullLayout && g._fullLayout.xaxis && g._fullLayout.xaxis._length > 0); }"""
BIG_FRAME = 100_000  # bytes: the figure's data, not the small protocol messages


def start_server(port: int, log: Path) -> subprocess.Popen:
    """The dashboard as ``make run`` starts it, on 127.0.0.1:``port``."""
    cmd = [sys.executable, "serve.py", "--server.address", "127.0.0.1", "--server.port"]
    cmd += [str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + 90
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise SystemExit(f"error: the dashboard did not start (see {log})")
        time.sleep(0.3)


def open_once(browser, url: str) -> dict[str, float]:
    """Open the map in a fresh context; seconds from the request to each stage."""
    context = browser.new_context(viewport={"width": 1400, "height": 1800})
    page = context.new_page()
    frames: list[tuple[float, int]] = []
    start = time.perf_counter()

    def on_socket(ws) -> None:
        ws.on("framereceived", lambda f: frames.append((time.perf_counter() - start, len(f))))

    page.on("websocket", on_socket)
    marks = {}
    page.goto(url, wait_until="domcontentloaded")
    marks["dom"] = time.perf_counter() - start
    page.wait_for_selector(f"{APP}[data-test-connection-state='CONNECTED']", state="attached")
    marks["connected"] = time.perf_counter() - start
    page.wait_for_function(MAP_DRAWN, timeout=60_000, polling=50)
    marks["map drawn"] = time.perf_counter() - start
    page.wait_for_selector(f"{APP}[data-test-script-state='notRunning']", state="attached")
    marks["run finished"] = time.perf_counter() - start
    big = [t for t, size in frames if size >= BIG_FRAME]
    marks["data received"] = big[-1] if big else float("nan")
    context.close()
    return marks


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--opens", type=int, default=3)
    p.add_argument("--settle", type=float, default=25.0, help="seconds for the warm start")
    p.add_argument("--port", type=int, default=8599)
    args = p.parse_args()
    if not (ROOT / "checkpoints" / "ngae_default.pt").is_file():
        print("error: checkpoints/ngae_default.pt is missing", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} is missing (make test installs it)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    log = Path("/tmp") / f"ngae-map-render-{args.port}.log"
    server = start_server(args.port, log)
    try:
        time.sleep(args.settle)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
            )
            order = ["dom", "connected", "data received", "map drawn", "run finished"]
            print("seconds from the request: " + " | ".join(order))
            for k in range(args.opens):
                marks = open_once(browser, f"http://127.0.0.1:{args.port}")
                print(f"open {k + 1}: " + " | ".join(f"{marks[m]:5.2f}" for m in order))
            browser.close()
    finally:
        server.terminate()
        server.wait(15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
