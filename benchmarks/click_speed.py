"""Click on the latent map -> decoded cell drawn and settled, over many clicks (shipped model).

    python benchmarks/click_speed.py [--clicks 12]

Starts the dashboard on a copy of the shipped checkpoint and its cached maps, opens the map in
Debian chromium, then clicks the most isolated points one after another. Each click is timed
until the first cell on the page shows the clicked point's decoding and has stopped changing
for 0.25 s (a drawing morphed into place changes its edge paths every frame); the time is when
it began to stand still. Prints every click and the median of all but the first.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from ngae.browser_harness import (
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    PLOT_READY,
    free_port,
    server_env,
    start_dashboard,
    stop,
)
from ngae.files import PROJECT_CHECKPOINTS

OPS = ("conv3x3", "sep-conv3x3", "conv5x5", "sep-conv5x5", "avg-pool3x3", "max-pool3x3")
# The first drawn cell (server SVG or a graphviz chart) and the first architecture string.
FIRST_CELL = """() => {
  const svg = document.querySelector('.ngae-cell svg, [data-testid="stGraphVizChart"] svg');
  const code = document.querySelector('[data-testid="stCode"] code');
  return {labels: svg ? Array.from(svg.querySelectorAll('g.node text'), t => t.textContent) : [],
          paths: svg ? Array.from(svg.querySelectorAll('g.edge path'), p => p.getAttribute('d'))
            .join('|') : '',
          arch: code ? code.textContent.trim() : null};
}"""
# Page positions of the data trace's points, most isolated first.
ISOLATED = """(count) => {
  const gd = document.querySelector('.stPlotlyChart .js-plotly-plot');
  const fl = gd._fullLayout, r = gd.getBoundingClientRect();
  const x0 = r.left + fl.xaxis._offset, y0 = r.top + fl.yaxis._offset;
  const t = gd._fullData.find(d => d.name === 'architectures');
  const pts = Array.from(t.x, (x, i) => [x0 + fl.xaxis.l2p(x), y0 + fl.yaxis.l2p(t.y[i])]);
  const inside = (p) => p[0] > x0 + 8 && p[0] < x0 + fl.xaxis._length - 8 &&
    p[1] > y0 + 8 && p[1] < y0 + fl.yaxis._length - 8;
  const all = gd._fullData.filter(d => d.x).flatMap(d =>
    Array.from(d.x, (x, i) => [x0 + fl.xaxis.l2p(x), y0 + fl.yaxis.l2p(d.y[i])]));
  const scored = [];
  pts.forEach((p, i) => { if (!inside(p)) return; let near = 1e12;
    for (const o of all) { const d = (o[0] - p[0]) ** 2 + (o[1] - p[1]) ** 2;
      if (d > 0 && d < near) near = d; }
    scored.push({x: p[0], y: p[1], near: near}); });
  return scored.sort((a, b) => b.near - a.near).slice(0, count);
}"""


def labels(arch: str) -> list[str]:
    values = [int(v) for v in arch.split()]
    ops, pos = [], 0
    while pos < len(values):
        ops.append(values[pos])
        pos += len(ops)
    return sorted(["input", "output", *(f"{k + 1}: {OPS[op]}" for k, op in enumerate(ops))])


def settled_cell(page, start: float, before: str | None, settle: float = 0.25) -> tuple:
    deadline, since, state = time.time() + 20, None, None
    while time.time() < deadline:
        now, seen = time.perf_counter(), page.evaluate(FIRST_CELL)
        arch = seen["arch"]
        drawn = arch and arch != before and sorted(seen["labels"]) == labels(arch)
        current = (arch, seen["paths"]) if drawn else None
        if current != state:
            since, state = now, current
        elif state is not None and now - since >= settle:
            return since - start, arch
        page.wait_for_timeout(20)
    raise RuntimeError("no settled cell after 20 s")


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
            for k, point in enumerate(page.evaluate(ISOLATED, args.clicks)):
                for selector in APP_IDLE:
                    page.wait_for_selector(selector, state="attached", timeout=60_000)
                page.mouse.move(point["x"], point["y"])
                page.wait_for_timeout(300)
                start = time.perf_counter()
                page.mouse.down()
                page.mouse.up()
                seconds, previous = settled_cell(page, start, previous)
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
