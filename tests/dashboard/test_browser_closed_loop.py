"""The closed loop on true figures in a real browser (Debian chromium + Playwright), on the
shipped NAS-Bench-Graph model.

Open the Search page's second tab, run a closed loop of 20 queries on Cora, and see its curve
beside the benchmark's methods and ceilings and its results table; open the best row on the
Architecture page.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401  (fixtures shared with the ENAS flows)
    browser_context_args,
    browser_type_launch_args,
    idle,
    no_errors,
)
from ui_fixtures import make_nasbench_graph_workspace

from benchmarks.browser_harness import CHROMIUM, PLOT_READY, running_dashboard

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
]
# The rows of the first grid inside an element: Glide's accessible table (one per row drawn).
GRID_ROWS = """(el) => Array.from(el.querySelectorAll('table[role=grid] tbody tr'),
  r => Array.from(r.querySelectorAll('td'), c => c.textContent))"""
HEADERS = "(el) => Array.from(el.querySelectorAll('table[role=grid] th'), t => t.textContent)"
TRACES = """() => { const g = document.querySelector('.stPlotlyChart .js-plotly-plot');
  return {names: g._fullData.map(d => d.name), lines: g._fullLayout.shapes.length,
          run: Array.from(g._fullData.find(d => d.name.startsWith('this search')).y)}; }"""


@pytest.fixture(scope="module")
def nbg_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui_loop_browser")
    with running_dashboard(make_nasbench_graph_workspace(folder), folder / "streamlit.log") as url:
        yield url, folder


def test_a_closed_loop_of_20_queries_beside_the_benchmark(page, nbg_server):
    from playwright.sync_api import expect

    url, folder = nbg_server
    page.goto(f"{url}/search?dataset=cora")
    idle(page, timeout=120_000)
    page.get_by_role("tab", name="Closed loop on true figures").click()
    expect(page.get_by_text("Data set: cora")).to_be_visible(timeout=30_000)
    budget = page.get_by_label("Budget (queries)", exact=True)
    budget.fill("20")
    budget.press("Tab")
    start = time.perf_counter()
    page.get_by_role("button", name="Run the closed loop").click()
    heading = page.get_by_role("heading", name="Closed loop 1 on cora")
    expect(heading).to_be_visible(timeout=180_000)
    print(f"closed loop of 20 -> results: {time.perf_counter() - start:.1f} s")
    page.wait_for_function(PLOT_READY, arg=0, timeout=60_000)
    idle(page)
    traces = page.evaluate(TRACES)
    assert "this search (seed 0)" in traces["names"]
    for method in ("random search", "regularized evolution", "NGAE closed loop"):
        assert f"{method} (benchmark)" in traces["names"]
    assert traces["lines"] == 2  # the two ceilings
    assert len(traces["run"]) == 20  # its best-validation test accuracy after each query
    grid = page.locator("[data-testid='stDataFrame']").last
    grid.scroll_into_view_if_needed()
    table = grid.locator("table[role=grid]")
    expect(table).to_have_attribute("aria-rowcount", "21", timeout=30_000)  # header + 20 rows
    rows = grid.evaluate(GRID_ROWS)  # the rows drawn (Glide draws those in view)
    headers = grid.evaluate(HEADERS)
    assert headers[:3] == ["architecture", "valid accuracy", "test accuracy"], headers
    assert "rank of 26,206" in headers
    arch = rows[0][0]
    assert re.fullmatch(r"(\d ){4}(\w+ ){3}\w+", arch), rows[0]
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # the first row's marker cell
    expect(page.get_by_text(f"Selected: {arch}")).to_be_visible(timeout=30_000)
    opener = page.get_by_role(
        "button", name="Open the selected architecture on the Architecture page"
    )
    expect(opener).to_be_visible(timeout=30_000)
    no_errors(page)
    page.screenshot(path=str(folder / "closed_loop.png"), full_page=True)
    opener.click()
    page.wait_for_url(re.compile(r"/architecture"), timeout=30_000)
    expect(page.get_by_label("Architecture string", exact=True)).to_have_value(arch, timeout=30_000)
    idle(page)
    no_errors(page)
