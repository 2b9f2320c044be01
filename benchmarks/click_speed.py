"""Click on the latent map -> decoded cell drawn and settled, over many clicks (shipped model).

    python benchmarks/click_speed.py [--clicks 12]

Starts the dashboard on a copy of the shipped checkpoint and its cached maps, opens the map in
Debian chromium, then clicks the most isolated points one after another. Each click is timed
until the first cell on the page shows the clicked point's decoding and has stopped changing
for 0.25 s (a drawing morphed into place changes its edge paths every frame); the time is when
it began to stand still (``browser_harness.wait_cell_drawn``, shared with the browser
tests). Prints every click and the median of all but the first.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from browser_harness import (
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    PLOT_READY,
    RANK_ISOLATED,
    free_port,
    server_env,
    start_dashboard,
    stop,
    wait_cell_drawn,
)

from ngae.files import PROJECT_CHECKPOINTS


def main() -> None:
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser()
    p.add_argument("--clicks", type=int, default=12)
    args = p.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ngae_clicks_"))
    dst = folder / "checkpoints"
    dst.mkdir()
    shutil.copy2(PROJECT_CHECKPOINTS / "ngae_default.pt", dst)
    for cache in (PROJECT_CHECKPOINTS / "cache").glob("ngae_default-*"):
        shutil.copytree(cache, dst / "cache" / cache.name)
    env = server_env({"NGAE_CHECKPOINT_DIR": str(dst), "NGAE_JOBS_DB": str(folder / "j.db")})
    proc = start_dashboard(port := free_port(), env, folder / "streamlit.log")
    times = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(f"http://127.0.0.1:{port}")
            page.wait_for_function(PLOT_READY, arg=0, timeout=60_000)
            previous = None
            points = page.evaluate(RANK_ISOLATED, ["architectures", [], args.clicks])
            for k, point in enumerate(points):
                for selector in APP_IDLE:
                    page.wait_for_selector(selector, state="attached", timeout=60_000)
                page.mouse.move(point["x"], point["y"])
                page.wait_for_timeout(300)
                start = time.perf_counter()
                page.mouse.down()
                page.mouse.up()
                seconds, previous = wait_cell_drawn(page, start, previous, timeout=20.0)
                times.append(seconds)
                print(f"click {k + 1:2d}: {seconds:.3f} s")
            browser.close()
    finally:
        stop(proc)
        shutil.rmtree(folder, ignore_errors=True)
    rest = times[1:]
    print(
        f"first click {times[0]:.2f} s; later clicks median {statistics.median(rest):.3f} s "
        f"(min {min(rest):.3f}, max {max(rest):.3f}, n={len(rest)})"
    )


if __name__ == "__main__":
    main()
