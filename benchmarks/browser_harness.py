"""Start the dashboard as ``make run`` does and drive it in Debian's Chromium.

Not part of the product package. Shared by the browser tests and the soak test
(``from benchmarks.browser_harness import ...``) and the benchmarks run as
``python benchmarks/<script>.py`` (``from browser_harness import ...``), so all of them start
and watch the app one way. Nothing here imports Streamlit or Playwright: the server runs in a
child process and the JavaScript checks are strings for ``page.wait_for_function``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ngae.files import PROJECT_ROOT
from ngae.spaces.asia.network import VARIABLES, looks_like_adjacency
from ngae.spaces.enas.arch import OP_NAMES, Arch

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# True once the n-th Plotly chart of the page is drawn (its axes have a size).
PLOT_READY = """(n) => { const g = document.querySelectorAll('.stPlotlyChart .js-plotly-plot')[n];
  return !!(g && g._fullLayout && g._fullLayout.xaxis && g._fullLayout.xaxis._length > 0); }"""
# The ``count`` points of trace ``name`` farthest from every other point of the map, most
# isolated first (page coordinates and customdata; customdata ids in ``avoid`` skipped): a
# click on one of them cannot hit a neighbour.
RANK_ISOLATED = """([name, avoid, count]) => {
  const gd = document.querySelector('.stPlotlyChart .js-plotly-plot');
  const fl = gd._fullLayout, r = gd.getBoundingClientRect();
  const x0 = r.left + fl.xaxis._offset, y0 = r.top + fl.yaxis._offset;
  const pos = (d) => Array.from(d.x).map((x, i) =>
    [x0 + fl.xaxis.l2p(x), y0 + fl.yaxis.l2p(d.y[i])]);
  const all = gd._fullData.filter(d => d.x).flatMap(pos);
  const t = gd._fullData.find(d => d.name === name);
  const scored = [];
  pos(t).forEach((p, i) => {
    if (avoid.includes(t.customdata[i][0])) return;
    if (p[0] < x0 + 8 || p[0] > x0 + fl.xaxis._length - 8) return;
    if (p[1] < y0 + 8 || p[1] > y0 + fl.yaxis._length - 8) return;
    let near = 1e12;
    for (const o of all) {
      const d = (o[0] - p[0]) ** 2 + (o[1] - p[1]) ** 2;
      if (d > 0 && d < near) near = d;
    }
    scored.push({x: p[0], y: p[1], custom: Array.from(t.customdata[i]), near: near});
  });
  return scored.sort((a, b) => b.near - a.near).slice(0, count);
}"""
# The first drawn cell's vertex labels and edge paths, and the first architecture string shown
# (a code box outside the map's share-link box).
FIRST_CELL = """() => {
  const svg = document.querySelector('.ngae-cell svg');
  const code = Array.from(document.querySelectorAll('[data-testid="stCode"] code'))
    .find(c => !c.closest('.st-key-share_link'));
  return {labels: svg ? Array.from(svg.querySelectorAll('g.node text'), t => t.textContent) : [],
          paths: svg ? Array.from(svg.querySelectorAll('g.edge path'), p => p.getAttribute('d'))
            .join('|') : '',
          arch: code ? code.textContent.trim() : null};
}"""
APP_IDLE = (
    "[data-testid='stApp'][data-test-connection-state='CONNECTED']",
    "[data-testid='stApp'][data-test-script-state='notRunning']",
)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(overrides: dict[str, str]) -> dict[str, str]:
    """The current environment plus ``overrides`` and a single torch thread."""
    return {**os.environ, **overrides, "OMP_NUM_THREADS": "1"}


def start_dashboard(
    port: int, env: dict[str, str] | None, log: Path, timeout: float = 60.0
) -> subprocess.Popen:
    """``serve.py`` as ``make run`` starts it (a warm start) on 127.0.0.1:``port``.

    Returns the process once the server answers its health check; output goes to ``log``.
    Raises ``RuntimeError`` (naming the log) if it exits or is not healthy within ``timeout``.
    """
    cmd = [sys.executable, str(PROJECT_ROOT / "serve.py"), "--server.headless", "true"]
    cmd += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    cmd += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with Path(log).open("wb") as out:  # the child keeps its own handle
        proc = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read() == b"ok":
                    return proc
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            raise RuntimeError(f"the dashboard did not start (see {log})")
        time.sleep(0.3)


def stop(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Terminate a server process, killing it if it does not exit within ``grace`` seconds."""
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def running_dashboard(overrides: dict[str, str], log: Path) -> Iterator[str]:
    """A dashboard on a free port for the block, with ``overrides`` on the environment (see
    :func:`server_env`); its URL. Output goes to ``log``; the server is stopped at the end."""
    port = free_port()
    proc = start_dashboard(port, server_env(overrides), log)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def cell_labels(arch: str) -> list[str]:
    """The vertex labels of a drawn cell, sorted: input, ``k: op`` for layers 1..L, output.

    An Asia network (64 digits) is drawn with one node per variable, labelled by its letter.
    """
    if looks_like_adjacency(arch):
        return sorted(VARIABLES)
    ops = Arch.from_string(arch).ops
    return sorted(["input", "output", *(f"{k + 1}: {OP_NAMES[op]}" for k, op in enumerate(ops))])


def wait_cell_drawn(
    page: Any, start: float, before: str | None = None, timeout: float = 15.0, settle: float = 0.25
) -> tuple[float, str]:
    """Seconds from ``start`` until the page's first cell is drawn and still: (seconds, arch).

    Drawn: with the architecture the page names beside it (not ``before``). Still: its labels
    and edge paths then stay as they are for ``settle`` seconds (a drawing being morphed into
    place changes its paths every frame); the time is when that began. ``page`` is a
    Playwright page.
    """
    deadline, since, state, seen = time.time() + timeout, None, None, None
    while time.time() < deadline:
        now, seen = time.perf_counter(), page.evaluate(FIRST_CELL)
        arch = seen["arch"]
        drawn = arch and arch != before and sorted(seen["labels"]) == cell_labels(arch)
        current = (arch, seen["paths"]) if drawn else None
        if current != state:
            since, state = now, current
        elif state is not None and now - since >= settle:
            return since - start, arch
        page.wait_for_timeout(20)
    raise AssertionError(f"no settled cell after {timeout} s: {seen}")
