"""The dashboard in a real browser (Debian chromium + Playwright).

One Streamlit server for the module (a free port on 127.0.0.1, pointed at a workspace through
``NGAE_CHECKPOINT_DIR``/``NGAE_JOBS_DB``). The flows a person clicks through: open the map, click
a point and see its cell, decode anywhere, interpolate, switch colour and projection, search,
train; three sessions at once; deep links on a fresh server. Each test stands on its own (any
order, any subset). UI timings are measured and printed at the end.

By default the workspace holds a tiny checkpoint made by the test and screenshots go to a
temporary folder. With ``NGAE_UI_SHIPPED=1`` (``benchmarks/ui_speed.py``) it holds a copy of
the shipped model with its cached maps (20,020 points): the timings are the README's and the
screenshots go to ``assets/``.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from ui_fixtures import ROOT, make_tiny_workspace

from benchmarks.browser_harness import (
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

SHIPPED = os.environ.get("NGAE_UI_SHIPPED") == "1"
SCREENS: list[Path] = [ROOT / "assets"]  # replaced by a temporary folder unless SHIPPED
TIMINGS: dict[str, float] = {}
PLOT = ".stPlotlyChart .js-plotly-plot"
NODE = ".ngae-cell svg g.node"  # a vertex of a cell Graphviz drew on the server
CELL = f"{NODE}:has(title:text-is('out'))"  # a drawn cell (its output vertex)
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
]


# ----- fixtures ------------------------------------------------------------------------------
def shipped_workspace(folder: Path) -> dict[str, str]:
    """A copy of the shipped checkpoint and its caches (training jobs write beside it)."""
    src = ROOT / "checkpoints"
    dst = folder / "checkpoints"
    dst.mkdir()
    shutil.copy2(src / "ngae_default.pt", dst)
    for cache in (src / "cache").glob("ngae_default-*"):
        shutil.copytree(cache, dst / "cache" / cache.name)
    return {"NGAE_CHECKPOINT_DIR": str(dst), "NGAE_JOBS_DB": str(folder / "jobs.sqlite")}


def stop_jobs(db: str) -> None:
    """End any training job a failed test left running (jobs outlive the server by design)."""
    import signal

    from ngae.explorer import JobManager

    manager = JobManager(Path(db))
    job = manager.current()
    if job is not None and job.pid:
        manager.cancel(job.id)
        try:
            os.kill(job.pid, signal.SIGTERM)
        except OSError:
            pass


def screenshot(page, name: str) -> None:
    page.screenshot(path=str(SCREENS[0] / f"{name}.png"))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """The environment of a workspace (tiny model, or the shipped one with NGAE_UI_SHIPPED=1)."""
    folder = tmp_path_factory.mktemp("ui_browser")
    if SHIPPED:
        return folder, server_env(shipped_workspace(folder))
    SCREENS[0] = folder / "screens"
    SCREENS[0].mkdir()
    return folder, server_env(make_tiny_workspace(folder))


@pytest.fixture(scope="module")
def server(workspace, request):
    folder, env = workspace
    port = free_port()
    proc = start_dashboard(port, env, folder / "streamlit.log")
    url = f"http://127.0.0.1:{port}"
    yield url
    stop(proc)
    stop_jobs(env["NGAE_JOBS_DB"])
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and TIMINGS:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            what = "shipped checkpoint, 20,020 points" if SHIPPED else "tiny checkpoint"
            reporter.write_line(f"UI timings ({what}, this machine):")
            for name, seconds in TIMINGS.items():
                reporter.write_line(f"  {name:<46} {seconds:6.2f} s")


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1800}}


# ----- helpers --------------------------------------------------------------------------------
def idle(page, timeout=60_000):
    for selector in APP_IDLE:
        page.wait_for_selector(selector, state="attached", timeout=timeout)


def open_map(page, url):
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(PLOT_READY, arg=0, timeout=30_000, polling=50)
    idle(page)
    return time.perf_counter() - start


def click_at(page, point):
    page.mouse.move(point["x"], point["y"])
    page.wait_for_timeout(150)
    start = time.perf_counter()
    page.mouse.down()
    page.mouse.up()
    return start


def click_point(page, trace="architectures", avoid=()):
    """Click the most isolated point of ``trace``; returns (its customdata, click time)."""
    point = page.evaluate(RANK_ISOLATED, [trace, list(avoid), 1])[0]
    return point["custom"], click_at(page, point)


def no_errors(page):
    assert page.locator("[data-testid='stException']").count() == 0
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.all_inner_texts()


def choose(page, label, option):
    """Pick ``option`` in a select box; returns the time of the click on the option."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label)
    box.wait_for()
    return click_option(page, box.get_by_role("combobox"), option)


def box_select(page, start=0.1, size=0.8):
    """Drag a box over the map in selection mode, as a person does: from ``start`` of its
    width and height, ``size`` of them wide and high."""
    page.locator(".stPlotlyChart").first.hover()
    page.locator(".modebar-btn[data-val='select']").first.click()
    area = page.locator(".stPlotlyChart .nsewdrag").first.bounding_box()
    x0, y0 = area["x"] + area["width"] * start, area["y"] + area["height"] * start
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + area["width"] * size, y0 + area["height"] * size, steps=8)
    page.mouse.up()
    idle(page)


def click_option(page, combobox, option):
    """Open ``combobox`` and click ``option``; returns the time of the click on the option.

    A rerun landing as the list opens closes it again: the list is reopened (three tries).
    """
    for attempt in range(3):
        combobox.click()
        item = page.get_by_role("option", name=option, exact=True)
        try:
            item.wait_for(timeout=5_000)
        except Exception:
            if attempt == 2:
                raise
            page.keyboard.press("Escape")
            idle(page)
            continue
        start = time.perf_counter()
        item.click()
        return start
    raise AssertionError("unreachable")


def colour_title(page):
    return page.evaluate(f"""() => {{ const g = document.querySelector('{PLOT}');
      return g?._fullData?.[0]?.marker?.colorbar?.title?.text ?? null; }}""")  # mid-redraw: null


def plot_title(page):
    return page.evaluate(f"""() => {{ const g = document.querySelector('{PLOT}');
      return g && g._fullLayout && g._fullLayout.title.text; }}""")


def shown_count(page):
    """How many architectures the map's title says it shows."""
    return int(re.search(r"([\d,]+) of", plot_title(page)).group(1).replace(",", ""))


def wait_until(fn, timeout=30.0, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fn():
            return True
        time.sleep(step)
    return False


# ----- flows ----------------------------------------------------------------------------------
def test_map_click_decode_anywhere_and_interpolate(page, server):
    from playwright.sync_api import expect

    TIMINGS["map visible after opening (first session)"] = open_map(page, server)
    custom, start = click_point(page)
    TIMINGS["click point -> decoded cell drawn"], first = wait_cell_drawn(page, start)
    expect(page.locator(CELL).first).to_be_visible(timeout=15_000)
    expect(page.get_by_text(f"Architecture #{int(custom[0])}", exact=False)).to_be_visible()
    expect(page.get_by_text("reproduced the original", exact=False)).to_be_visible()
    idle(page)
    second, start = click_point(page, avoid=[custom[0]])
    TIMINGS["second click -> decoded cell drawn"], _ = wait_cell_drawn(page, start, first)
    expect(page.get_by_text(f"Architecture #{int(second[0])}", exact=False)).to_be_visible(
        timeout=15_000
    )
    idle(page)
    # Interpolate between the two clicks (the pickers default to them).
    start = time.perf_counter()
    page.get_by_role("button", name="Interpolate").click()
    expect(page.get_by_text("decodings along the straight line")).to_be_visible(timeout=15_000)
    TIMINGS["interpolate (6 steps) -> strip drawn"] = time.perf_counter() - start
    idle(page)
    page.wait_for_function(PLOT_READY, arg=0)
    names = page.evaluate(f"() => document.querySelector('{PLOT}')._fullData.map(d => d.name)")
    assert "interpolation" in names
    assert page.locator(NODE).count() > 8  # the focus cell and the strip
    screenshot(page, "latent_map")
    # Decode anywhere: click a probe of the PCA grid far from every architecture.
    probe, start = click_point(page, trace="decode anywhere")
    expect(page.get_by_text("Decoded at PCA position", exact=False)).to_be_visible(timeout=15_000)
    TIMINGS["click empty map -> decoded cell drawn"] = time.perf_counter() - start
    no_errors(page)


def test_search_runs_and_shows_results(page, server):
    from playwright.sync_api import expect

    page.goto(f"{server}/search")
    idle(page)
    start = time.perf_counter()
    page.get_by_role("button", name="Run search").click()
    expect(page.get_by_role("heading", name="Results of search 1")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible()
    TIMINGS["10-sample search -> results shown"] = time.perf_counter() - start
    expect(page.get_by_text("distinct valid")).to_be_visible()
    page.wait_for_function(PLOT_READY, arg=1, timeout=30_000)
    no_errors(page)
    idle(page)
    screenshot(page, "search")


def test_capped_search_keeps_its_context(page, server):
    """Issue 16 §1-2: a capped search's results are all within the cap (read from its CSV,
    which carries the settings); a result row is marked in both charts and opens on the
    Architecture page; the results survive a page change and a reload."""
    import csv
    import io

    from playwright.sync_api import expect

    page.goto(f"{server}/search")
    idle(page)
    page.get_by_label("Max params", exact=True).fill("3M")  # the way people write it
    page.get_by_role("button", name="Run search").click()
    heading = page.get_by_role("heading", name=re.compile(r"Results of search \d+"))
    expect(heading).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Every result has at most 3,000,000 exact parameters")).to_be_visible()
    expect(page.get_by_text("Settings: start from predicted", exact=False)).to_be_visible()
    idle(page)
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name="Download CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    assert rows and all(int(r["params"]) <= 3_000_000 for r in rows)
    assert {r["setting: max params"] for r in rows} == {"3,000,000"}
    # Select the first result row (the grid is a canvas: click its row-marker cell).
    grid = page.locator("[data-testid='stDataFrame']").first
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    expect(page.get_by_text("Result 0 (marked in both charts below)")).to_be_visible(timeout=15_000)
    idle(page)
    page.wait_for_function(PLOT_READY, arg=1, timeout=30_000)
    names = page.evaluate(
        "() => Array.from(document.querySelectorAll('.stPlotlyChart .js-plotly-plot'),"
        " g => g._fullData.map(d => d.name))"
    )
    assert len(names) == 2 and all("selected" in chart for chart in names)  # both charts
    # The result's architecture string (the page also shows the search as a CLI command).
    cell = page.locator("[data-testid='stCode'] code").filter(has_text=re.compile(r"^[\d ]+$"))
    expect(cell.first).to_be_visible(timeout=15_000)
    arch = cell.first.inner_text().strip()
    assert len(arch.split()) == 21, arch
    page.get_by_role("button", name="Open on the Architecture page").click()
    page.wait_for_url(re.compile(r"/architecture"), timeout=15_000)
    box = page.get_by_label("Architecture string", exact=True)
    expect(box).to_have_value(arch, timeout=15_000)
    # Back on the Search page, then a reload: the last results are still there.
    for step in ("page change", "reload"):
        if step == "reload":
            page.reload()
        else:
            page.locator("[data-testid='stSidebar']").get_by_role("link", name="Search").click()
        expect(heading).to_be_visible(timeout=30_000)
        expect(page.get_by_text("Every result has at most 3,000,000")).to_be_visible()
    no_errors(page)


def test_map_filters_selection_and_state(page, server):
    """Issue 16 §3: a filter that survives a colour switch, a click right after a box
    selection, map state kept across a page change, the top table decoding a row."""
    from playwright.sync_api import expect

    open_map(page, server)
    page.get_by_text("Filter by accuracy and size").click()
    low = page.get_by_label("predicted accuracy ≥", exact=True)
    values = page.evaluate(
        f"() => Array.from(document.querySelector('{PLOT}')._fullData[0].marker.color)"
    )
    cut = sorted(values)[len(values) // 2]  # keeps about half
    low.fill(f"{cut:.4f}")
    low.press("Enter")
    idle(page)
    page.wait_for_function(PLOT_READY, arg=0)
    # On a busy machine the rerun may start after the page looked idle: wait for the filter.
    wait_until(lambda: shown_count(page) < len(values), 30)
    shown = shown_count(page)
    assert 0 < shown < len(values), plot_title(page)
    choose(page, "Colour by", "exact params")
    assert wait_until(lambda: colour_title(page) == "exact params", 15)
    assert shown_count(page) == shown  # the filter does not follow the colour
    expect(low).to_have_value(f"{cut:.4f}")
    # Box selection by mouse drag, then a click on a point decodes it at once.
    box_select(page, start=0.25, size=0.4)
    page.wait_for_function(
        f"() => document.querySelector('{PLOT}')._fullLayout.dragmode === 'pan'", timeout=15_000
    )
    custom, _ = click_point(page)
    heading = page.get_by_text(f"Architecture #{int(custom[0])}", exact=False)
    expect(heading).to_be_visible(timeout=15_000)
    idle(page)
    # Another page and back: colour, filter and the decoded architecture are still there.
    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.get_by_role("link", name="Model").click()
    page.wait_for_url(re.compile(r"/model"), timeout=15_000)
    idle(page)
    sidebar.get_by_role("link", name="Latent map").click()
    page.wait_for_function(PLOT_READY, arg=0, timeout=30_000)
    idle(page)
    assert wait_until(lambda: colour_title(page) == "exact params", 15), (
        colour_title(page),
        page.locator("[data-testid='stSelectbox']").first.inner_text(),
        page.url,
    )
    assert shown_count(page) == shown
    expect(heading).to_be_visible(timeout=15_000)
    # A row of the top table decodes that architecture.
    grid = page.locator("[data-testid='stDataFrame']").last
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    expect(page.get_by_text("Architecture #", exact=False).first).to_be_visible()
    idle(page)
    no_errors(page)


def test_marks_are_drawn_above_the_cloud(page, server):
    """Issue 16 §3: the Architecture page's star is a WebGL trace after the cloud."""
    from playwright.sync_api import expect

    page.goto(f"{server}/architecture")
    expect(page.locator(NODE).first).to_be_visible(timeout=30_000)
    page.wait_for_function(PLOT_READY, arg=0, timeout=30_000)
    traces = page.evaluate(
        f"() => document.querySelector('{PLOT}')._fullData.map(d => [d.name, d.type])"
    )
    names = [name for name, _ in traces]
    star = names.index("this architecture")
    assert star > names.index("architectures")
    assert traces[star][1] == traces[names.index("architectures")][1] == "scattergl"
    no_errors(page)


def test_model_and_architecture_pages(page, server):
    from playwright.sync_api import expect

    page.goto(f"{server}/model")
    page.wait_for_function(PLOT_READY, arg=2, timeout=30_000)
    idle(page)
    no_errors(page)
    screenshot(page, "model")
    page.goto(f"{server}/architecture")
    expect(page.locator(NODE).first).to_be_visible(timeout=30_000)
    box = page.get_by_label("Architecture string", exact=True)
    box.fill("1 2 3")
    box.press("Enter")
    expect(
        page.get_by_text("Not a valid architecture: need 21 integers", exact=False)
    ).to_be_visible()
    box.fill("0 1 0 2 1 1 3 0 0 1 4 1 0 0 1 5 0 0 1 0 1")
    box.press("Enter")
    expect(page.locator(NODE)).to_have_count(8, timeout=15_000)
    # Drawn by Graphviz on the server: one node per vertex, one edge per DAG edge (7 + 7 skips).
    assert page.locator(".ngae-cell svg g.edge").count() == 14
    page.wait_for_function(PLOT_READY, arg=0, timeout=30_000)
    idle(page)
    no_errors(page)
    screenshot(page, "architecture")
    magic = {"SVG": b"<?xml", "PNG": b"\x89PNG\r\n\x1a\n", "PDF": b"%PDF-"}
    for label, head in magic.items():
        page.get_by_role("button", name="Download").first.click()
        with page.expect_download(timeout=30_000) as info:
            page.get_by_role("button", name=label, exact=True).click()
        download = info.value
        assert (
            download.suggested_filename
            == f"cell-0-1-0-2-1-1-3-0-0-1-4-1-0-0-1-5-0-0-1-0-1.{label.lower()}"
        )
        assert Path(download.path()).read_bytes().startswith(head)
        page.keyboard.press("Escape")
    no_errors(page)


def test_colour_and_projection_switch(page, server):
    TIMINGS["map visible after opening (warm server)"] = open_map(page, server)
    start = choose(page, "Colour by", "exact params")  # timed from the click on the option
    assert wait_until(lambda: colour_title(page) == "exact params", 15)
    TIMINGS["switch colour -> map redrawn"] = time.perf_counter() - start
    idle(page)
    # The t-SNE map: shipped with the shipped model; for the tiny one this test starts it (or
    # finds it started) and the page polls it until it is ready.
    page.get_by_text("t-SNE", exact=True).click()
    start_button = page.get_by_role("button", name="Compute the t-SNE map")
    computing = page.get_by_text("Computing the t-SNE map", exact=False)
    # Wait for the rerun's answer (idle alone can pass before the rerun has started).
    assert wait_until(
        lambda: start_button.count() or computing.count() or "t-SNE" in (plot_title(page) or ""),
        60,
    ), "the t-SNE choice was not answered"
    if start_button.count():
        start_button.click()
    assert wait_until(lambda: "t-SNE" in (plot_title(page) or ""), 120, 0.5), "t-SNE never came"
    idle(page)
    start = time.perf_counter()
    page.get_by_text("PCA", exact=True).click()
    assert wait_until(lambda: "PCA" in (plot_title(page) or ""), 15)
    TIMINGS["switch projection t-SNE -> PCA"] = time.perf_counter() - start
    idle(page)
    start = time.perf_counter()
    page.get_by_text("t-SNE", exact=True).click()
    assert wait_until(lambda: "t-SNE" in (plot_title(page) or ""), 15)
    TIMINGS["switch projection PCA -> t-SNE"] = time.perf_counter() - start
    no_errors(page)


def start_job(page, name, epochs, batch=32, max_train=0):
    page.get_by_text("fine-tune the selected checkpoint").click()
    page.get_by_label("Output name", exact=True).fill(name)
    page.get_by_label("Max training graphs (0 = all)", exact=True).fill(str(max_train))
    page.get_by_label("Epochs", exact=True).fill(str(epochs))
    page.get_by_label("Batch size", exact=True).fill(str(batch))
    page.get_by_label("Learning rate", exact=True).fill("5e-3")
    page.get_by_role("button", name="Start training").click()
    idle(page)
    confirm = page.get_by_role("button", name="Start anyway")  # a long job shows its estimate
    if confirm.count():
        assert page.get_by_text("This job will take about", exact=False).count() == 1
        confirm.click()


def test_training_job_finishes_and_joins_the_picker(page, server):
    from playwright.sync_api import expect

    page.goto(f"{server}/train")
    idle(page)
    start = time.perf_counter()
    # The shipped model is big: fine-tune it on 64 graphs only.
    epochs = 4 if SHIPPED else 3
    start_job(page, "browser_job", epochs, batch=16, max_train=64 if SHIPPED else 0)
    expect(page.get_by_text("is now in the checkpoint picker")).to_be_visible(timeout=300_000)
    what = "64 graphs of the shipped model" if SHIPPED else "tiny model"
    TIMINGS[f"fine-tune {epochs} epochs ({what}): start -> done"] = time.perf_counter() - start
    idle(page)
    expect(page.get_by_text("Quick evaluation", exact=False)).to_be_visible()
    jobs = page.locator("[data-testid='stDataFrame']").last
    expect(jobs).to_be_visible()
    no_errors(page)
    screenshot(page, "train")
    page.locator("[data-testid='stSidebar']").get_by_role("combobox").click()
    expect(page.get_by_role("option", name="browser_job.pt")).to_be_visible()
    page.keyboard.press("Escape")
    # Its card names its parent, the graphs it trained on and the quick protocol.
    page.get_by_role("button", name="Explore browser_job.pt").click()
    page.wait_for_url(re.compile(r"/model"), timeout=30_000)
    card = page.get_by_text("Fine-tuned from", exact=False)
    expect(card).to_be_visible(timeout=60_000)
    text = card.inner_text()
    assert "ngae_default.pt" in text and f"for {epochs} epochs (as planned) on" in text, text
    expect(
        page.get_by_text("quick evaluation a training job ends with", exact=False)
    ).to_be_visible()
    expect(page.get_by_role("button", name="Run the full evaluation")).to_be_visible()
    no_errors(page)


def test_training_progress_advances_then_cancel(page, server):
    """A job long by construction (1,000 epochs): on any machine it is still running when its
    progress has moved past two epochs, which the live panel shows; then it is cancelled."""
    from playwright.sync_api import expect

    page.goto(f"{server}/train")
    idle(page)
    start_job(page, "browser_long", 1000, batch=16, max_train=64 if SHIPPED else 0)
    bar = page.locator("[data-testid='stProgress']")
    later = re.compile(r"^epoch ([3-9]|[1-9]\d+) of 1000: [\d,]+ of [\d,]+ graphs · ")
    expect(bar.filter(has_text=later)).to_be_visible(timeout=240_000)
    shown, value = bar.first.evaluate(
        "b => [b.innerText, b.querySelector('[role=progressbar]').getAttribute('aria-valuenow')]"
    )
    parsed = re.match(r"epoch (\d+) of 1000: ([\d,]+) of ([\d,]+) graphs", shown)
    k, graphs, total = (int(v.replace(",", "")) for v in parsed.groups())
    done = k - 1
    assert 2 <= done < 1000, shown
    # one consistent progress: the bar (whole percent) shows what the line says
    assert float(value) == pytest.approx(100 * (done + graphs / total) / 1000, abs=1.0), shown
    assert "so far, about" in shown and "left" in shown
    page.get_by_role("button", name="Cancel training").click(timeout=30_000)
    expect(page.get_by_text("was cancelled", exact=False)).to_be_visible(timeout=60_000)
    message = page.get_by_text("was cancelled", exact=False).first.inner_text()
    kept = int(re.search(r"cancelled after (\d+) epochs? of 1000", message).group(1))
    assert kept >= done, message  # the epochs seen done are saved
    no_errors(page)


def test_three_sessions_at_once(browser, server):
    from playwright.sync_api import expect

    contexts = [browser.new_context(viewport={"width": 1400, "height": 1800}) for _ in range(3)]
    explore, decode, search = (c.new_page() for c in contexts)
    for p, path in ((explore, ""), (decode, ""), (search, "/search")):
        p.goto(server + path)
    for p in (explore, decode):
        p.wait_for_function(PLOT_READY, arg=0, timeout=60_000)
        idle(p)
    idle(search)
    search.get_by_role("button", name="Run search").click()
    first, _ = click_point(explore)
    click_point(decode, trace="decode anywhere")
    expect(explore.get_by_text(f"Architecture #{int(first[0])}", exact=False)).to_be_visible(
        timeout=30_000
    )
    expect(decode.get_by_text("Decoded at PCA position", exact=False)).to_be_visible(timeout=30_000)
    expect(search.locator("[data-testid='stDataFrame']").first).to_be_visible(timeout=60_000)
    for p in (explore, decode, search):
        idle(p)
        no_errors(p)
    for c in contexts:
        c.close()


def test_deep_links_on_a_fresh_server(browser, workspace):
    """A fresh server whose first request is a deep link opens that page, with the sidebar's
    page links and checkpoint picker; the links then work (Streamlit runs a pages/ file on its
    own until st.navigation has run once in the process)."""
    from playwright.sync_api import expect

    folder, env = workspace
    port = free_port()
    proc = start_dashboard(port, env, folder / "deep_link.log")
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1800})
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/model")
        expect(page.get_by_role("heading", name="Model: ngae_default.pt")).to_be_visible(
            timeout=60_000
        )
        # The page links are drawn once the page's run has ended (they wait for the page list).
        idle(page)
        sidebar = page.locator("[data-testid='stSidebar']")
        expect(sidebar.locator("[data-testid='stSelectbox']")).to_have_count(1, timeout=30_000)
        links = sidebar.locator("[data-testid='stPageLink']")
        expect(links).to_have_count(5, timeout=30_000)
        labels = [text.splitlines()[-1] for text in links.all_inner_texts()]  # after the icon
        assert labels == ["Latent map", "Model", "Search", "Architecture", "Train"]
        no_errors(page)
        links.filter(has_text="Search").click()
        expect(page.get_by_role("heading", name="Latent search")).to_be_visible(timeout=30_000)
        idle(page)
        no_errors(page)
        for path, heading in (("architecture", "Architecture"), ("", "Latent map")):
            fresh = context.new_page()
            fresh.goto(f"http://127.0.0.1:{port}/{path}")
            expect(fresh.get_by_role("heading", name=heading, exact=True)).to_be_visible(
                timeout=60_000
            )
            idle(fresh)
            expect(
                fresh.locator("[data-testid='stSidebar'] [data-testid='stPageLink']")
            ).to_have_count(5, timeout=30_000)
            no_errors(fresh)
        context.close()
    finally:
        stop(proc)
