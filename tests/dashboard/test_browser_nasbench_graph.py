"""NAS-Bench-Graph in a real browser (Debian chromium + Playwright), on the shipped model.

Open the map, pick a benchmark data set in the sidebar, see the leaderboard on it, and open its
top row on the Architecture page, which shows that architecture on all nine data sets. Hover a
point for its true figures on the picked data set; give a folder of full benchmark files in the
sidebar and see an architecture's training curves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bench_files import write_curves_file
from test_browser import (  # noqa: F401  (fixtures shared with the ENAS flows)
    browser_context_args,
    browser_type_launch_args,
    choose,
    idle,
    no_errors,
)
from ui_fixtures import make_nasbench_graph_workspace

from benchmarks.browser_harness import CHROMIUM, PLOT_READY, RANK_ISOLATED, running_dashboard
from ngae.spaces.nasbench_graph.arch import GnnArch
from ngae.spaces.nasbench_graph.canonical import all_hashes
from ngae.spaces.nasbench_graph.space import NasBenchGraphSpace
from ngae.spaces.nasbench_graph.tables import DATASETS, light_table
from ngae.ui.figures import DATA_TRACE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
]
# The rows of the first grid inside an element: Glide's accessible table (one per data row).
GRID_ROWS = """(el) => Array.from(el.querySelectorAll('table[role=grid] tbody tr'),
  r => Array.from(r.querySelectorAll('td'), c => c.textContent))"""


@pytest.fixture(scope="module")
def nbg_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ui_nbg_browser")
    with running_dashboard(make_nasbench_graph_workspace(folder), folder / "streamlit.log") as url:
        yield url, folder


def select_first_row(page, grid, shows, tries=3):
    """Click the grid's first row-marker cell until ``shows`` appears (a rerun landing as the
    grid is drawn can swallow a click)."""
    for attempt in range(tries):
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
        try:
            shows.wait_for(timeout=15_000)
            return
        except Exception:
            if attempt == tries - 1:
                raise
            idle(page)


def pick_data_set(page, name, tries=3):
    """Pick a data set in the sidebar until the URL names it (a rerun still running from the
    page's first load can swallow the pick; ``idle`` may return before the pick's rerun)."""
    for attempt in range(tries):
        choose(page, "Benchmark data set", name)
        try:
            page.wait_for_function(
                "(n) => location.search.includes('dataset=' + n)", arg=name, timeout=30_000
            )
            idle(page)
            return
        except Exception:
            if attempt == tries - 1:
                raise
            idle(page)


def test_pick_a_data_set_and_open_its_best_on_the_architecture_page(page, nbg_server):
    from playwright.sync_api import expect

    url, folder = nbg_server
    page.goto(url)
    page.wait_for_function(PLOT_READY, arg=0, timeout=120_000, polling=100)  # 26,206 points
    idle(page, timeout=120_000)
    pick_data_set(page, "citeseer")
    board = page.locator("[data-testid='stExpander']").filter(has_text="Leaderboard")
    board.get_by_text("Leaderboard: the data set's best").click()
    expect(board.get_by_text("The 20 best on citeseer by valid accuracy")).to_be_visible(
        timeout=30_000
    )
    idle(page)
    opener = page.get_by_role("button", name=re.compile(r"^Open #\d+ on the Architecture page$"))
    select_first_row(page, board.locator("[data-testid='stDataFrame']"), opener)
    opener.click()
    page.wait_for_url(re.compile(r"/architecture"), timeout=30_000)
    best = NasBenchGraphSpace("citeseer").optimum()[1].to_string()
    expect(page.get_by_label("Architecture string", exact=True)).to_have_value(best, timeout=30_000)
    heading = page.get_by_text("on every data set of the benchmark")
    expect(heading).to_be_visible(timeout=30_000)
    idle(page)
    assert "dataset=citeseer" in page.url  # the pick stays with the session
    table = page.locator("[data-testid='stDataFrame']").filter(has_text="data set").last
    rows = table.evaluate(GRID_ROWS)
    assert [r[0] for r in rows] == list(DATASETS), rows
    citeseer = rows[DATASETS.index("citeseer")]
    assert citeseer[1] == "1 of 26,206", citeseer  # the leaderboard's top by validation
    no_errors(page)
    page.screenshot(path=str(folder / "nasbench_graph_architecture.png"))


def hover_label(page, point):
    """The map's hover label at ``point`` (moved onto from a few pixels away)."""
    page.mouse.move(point["x"] + 25, point["y"] + 25)
    page.wait_for_timeout(150)
    page.mouse.move(point["x"], point["y"])
    label = page.locator(".hoverlayer .hovertext").first
    label.wait_for(timeout=15_000)
    return label.text_content()


def test_hover_follows_the_data_set_and_full_files_draw_curves(page, nbg_server):
    from playwright.sync_api import expect

    url, folder = nbg_server
    missing = light_table("proteins").present[all_hashes()] == 0
    arch = GnnArch.from_hash(int(all_hashes()[missing.nonzero()[0][0]])).to_string()
    files = folder / "full"
    files.mkdir()
    write_curves_file(files / "proteins0.bench", [GnnArch.from_string(arch).bench_hash], 5)
    page.goto(url)
    page.wait_for_function(PLOT_READY, arg=0, timeout=120_000, polling=100)
    idle(page, timeout=120_000)
    point = page.evaluate(RANK_ISOLATED, [DATA_TRACE, [], 1])[0]
    label = hover_label(page, point)
    # Lines of a hover label meet in its text: "...(rank 12 of 26,206)" ends one.
    assert re.search(r"cora: valid accuracy [\d.]+ \(rank [\d,]+ of 26,206\)test acc", label), label
    pick_data_set(page, "proteins")
    page.wait_for_function(PLOT_READY, arg=0, timeout=60_000, polling=100)
    label = hover_label(page, point)  # the same point: its figures on proteins now
    assert "cora:" not in label and ("not evaluated on proteins" in label or
                                     " of 2,021)test accuracy" in label), label  # fmt: skip
    page.screenshot(path=str(folder / "nasbench_graph_hover.png"))
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("link", name="Architecture").click()
    box = page.get_by_label("Architecture string", exact=True)
    box.wait_for(timeout=30_000)
    box.fill(arch)
    box.press("Enter")
    expect(page.get_by_text("on every data set of the benchmark")).to_be_visible(timeout=30_000)
    idle(page)
    table = page.locator("[data-testid='stDataFrame']").filter(has_text="data set").last
    proteins = table.evaluate(GRID_ROWS)[DATASETS.index("proteins")]
    assert proteins[0] == "proteins" and proteins[1:7] == ["-"] * 6, proteins  # no "None"
    given = sidebar.get_by_label("Full benchmark files (optional)", exact=True)
    given.fill(str(files))
    given.press("Enter")
    title = page.locator(".gtitle", has_text="Training curves on proteins (proteins0.bench)")
    expect(title).to_be_visible(timeout=30_000)
    expect(sidebar.get_by_text("1 full file, with training curves on proteins")).to_be_visible()
    no_errors(page)
    page.screenshot(path=str(folder / "nasbench_graph_curves.png"))
    given.fill(str(files / "cora0.bench"))
    given.press("Enter")
    error = sidebar.locator("[data-testid='stAlertContentError']")
    expect(error).to_have_text(f"{files / 'cora0.bench'}: no such file or folder", timeout=30_000)
    expect(title).to_have_count(0, timeout=30_000)  # no curves without a usable file
