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
import sys
import time
from pathlib import Path

from browser_harness import CHROMIUM, CHROMIUM_ARGS, PLOT_READY, start_dashboard, stop

from ngae.files import PROJECT_CHECKPOINTS

APP = "[data-testid='stApp']"
BIG_FRAME = 100_000  # bytes: the figure's data, not the small protocol messages


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
    page.wait_for_function(PLOT_READY, arg=0, timeout=60_000, polling=50)
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
    if not (PROJECT_CHECKPOINTS / "ngae_default.pt").is_file():
        print("error: checkpoints/ngae_default.pt is missing", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} is missing (make test installs it)", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    log = Path("/tmp") / f"ngae-map-render-{args.port}.log"
    try:
        server = start_dashboard(args.port, None, log, timeout=90)
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    try:
        time.sleep(args.settle)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            order = ["dom", "connected", "data received", "map drawn", "run finished"]
            print("seconds from the request: " + " | ".join(order))
            for k in range(args.opens):
                marks = open_once(browser, f"http://127.0.0.1:{args.port}")
                print(f"open {k + 1}: " + " | ".join(f"{marks[m]:5.2f}" for m in order))
            browser.close()
    finally:
        stop(server, 15)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
