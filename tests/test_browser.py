"""The dashboard in a real browser (Debian chromium + Playwright).

One Streamlit server for the module (a free port on 127.0.0.1, pointed at a workspace through
``NGAE_CHECKPOINT_DIR``/``NGAE_JOBS_DB``). The flows a person clicks through: open the map, click
a point and see its cell, decode anywhere, interpolate, switch colour and projection, search,
train; three sessions at once. UI timings are measured and printed at the end.

By default the workspace holds a tiny checkpoint made by the test and screenshots go to a
temporary folder. With ``NGAE_UI_SHIPPED=1`` (``benchmarks/ui_speed.py``) it holds a copy of
the shipped model with its cached maps (20,020 points): the timings are the README's and the
screenshots go to ``assets/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from ui_fixtures import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PLOT_READY,
    ROOT,
    make_tiny_workspace,
    start_dashboard,
    subprocess_env,
)

SHIPPED = os.environ.get("NGAE_UI_SHIPPED") == "1"
SCREENS: list[Path] = [ROOT / "assets"]  # replaced by a temporary folder unless SHIPPED
TIMINGS: dict[str, float] = {}
PLOT = ".stPlotlyChart .js-plotly-plot"
NODE = "[data-testid='stGraphVizChart'] svg g.node"
CELL = f"{NODE}:has(title:text-is('out'))"  # a drawn cell (its output vertex)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
]

# Page coordinates of every point of every trace of the map, and the best point to click: the
# data point (or probe) farthest from any other point, so that the click cannot hit a neighbour.
PICK = """([name, avoid]) => {
  const gd = document.querySelector('.stPlotlyChart .js-plotly-plot');
  const fl = gd._fullLayout, r = gd.getBoundingClientRect();
  const x0 = r.left + fl.xaxis._offset, y0 = r.top + fl.yaxis._offset;
  const pos = (d) => Array.from(d.x).map((x, i) =>
    [x0 + fl.xaxis.l2p(x), y0 + fl.yaxis.l2p(d.y[i])]);
  const all = gd._fullData.filter(d => d.x).flatMap(pos);
  const t = gd._fullData.find(d => d.name === name);
  let best = -1, far = -1;
  pos(t).forEach((p, i) => {
    if (avoid.includes(t.customdata[i][0])) return;
    if (p[0] < x0 + 8 || p[0] > x0 + fl.xaxis._length - 8) return;
    if (p[1] < y0 + 8 || p[1] > y0 + fl.yaxis._length - 8) return;
    let near = 1e12;
    for (const o of all) {
      const d = (o[0] - p[0]) ** 2 + (o[1] - p[1]) ** 2;
      if (d > 0 && d < near) near = d;
    }
    if (near > far) { far = near; best = i; }
  });
  const p = pos(t)[best];
  return {x: p[0], y: p[1], custom: t.customdata[best]};
}"""


# ----- fixtures ------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shipped_workspace(folder: Path) -> dict[str, str]:
    """A copy of the shipped checkpoint and its caches (training jobs write beside it)."""
    src = ROOT / "checkpoints"
    dst = folder / "checkpoints"
    dst.mkdir()
    shutil.copy2(src / "ngae_default.pt", dst)
    for cache in (src / "cache").glob("ngae_default-*"):
        shutil.copytree(cache, dst / "cache" / cache.name)
    return {"NGAE_CHECKPOINT_DIR": str(dst), "NGAE_JOBS_DB": str(folder / "jobs.sqlite")}


def screenshot(page, name: str) -> None:
    page.screenshot(path=str(SCREENS[0] / f"{name}.png"))


@pytest.fixture(scope="module")
def server(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("ui_browser")
    if SHIPPED:
        env = subprocess_env(shipped_workspace(folder))
    else:
        env = subprocess_env(make_tiny_workspace(folder))
        SCREENS[0] = folder / "screens"
        SCREENS[0].mkdir()
    port = _free_port()
    proc = start_dashboard(port, env, folder / "streamlit.log")
    url = f"http://127.0.0.1:{port}"
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
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
    app = "[data-testid='stApp']"
    page.wait_for_selector(
        f"{app}[data-test-connection-state='CONNECTED']", state="attached", timeout=timeout
    )
    page.wait_for_selector(
        f"{app}[data-test-script-state='notRunning']", state="attached", timeout=timeout
    )


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
    point = page.evaluate(PICK, [trace, list(avoid)])
    return point["custom"], click_at(page, point)


def no_errors(page):
    assert page.locator("[data-testid='stException']").count() == 0
    errors = page.locator("[data-testid='stAlertContentError']")
    assert errors.count() == 0, errors.all_inner_texts()


def choose(page, label, option):
    """Pick ``option`` in a select box; returns the time of the click on the option."""
    box = page.locator("[data-testid='stSelectbox']").filter(has_text=label)
    box.locator("div[data-baseweb='select']").click()
    item = page.get_by_role("option", name=option, exact=True)
    item.wait_for()
    start = time.perf_counter()
    item.click()
    return start


def colour_title(page):
    return page.evaluate(f"""() => {{ const g = document.querySelector('{PLOT}');
      return g && g._fullData && g._fullData[0].marker.colorbar.title.text; }}""")


def plot_title(page):
    return page.evaluate(f"""() => {{ const g = document.querySelector('{PLOT}');
      return g && g._fullLayout && g._fullLayout.title.text; }}""")


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
    if not SHIPPED:  # the shipped model ships its maps
        # Start the t-SNE map now (a background job on the server); a later test uses it.
        page.get_by_text("t-SNE", exact=True).click()
        page.get_by_role("button", name="Compute the t-SNE map").click()
        expect(page.get_by_text("Computing the t-SNE map", exact=False)).to_be_visible(
            timeout=15_000
        )
        page.get_by_text("PCA", exact=True).click()
        page.wait_for_function(PLOT_READY, arg=0, timeout=15_000)
        idle(page)
    custom, start = click_point(page)
    expect(page.locator(CELL).first).to_be_visible(timeout=15_000)
    expect(page.get_by_text(f"Architecture #{int(custom[0])}", exact=False)).to_be_visible()
    TIMINGS["click point -> decoded cell drawn"] = time.perf_counter() - start
    expect(page.get_by_text("reproduced the original", exact=False)).to_be_visible()
    idle(page)
    second, start = click_point(page, avoid=[custom[0]])
    expect(page.get_by_text(f"Architecture #{int(second[0])}", exact=False)).to_be_visible(
        timeout=15_000
    )
    TIMINGS["second click -> decoded cell drawn"] = time.perf_counter() - start
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
    expect(page.locator("[data-testid='stDataFrame']").first).to_be_visible(timeout=60_000)
    TIMINGS["10-sample search -> results shown"] = time.perf_counter() - start
    expect(page.get_by_text("distinct valid")).to_be_visible()
    page.wait_for_function(PLOT_READY, arg=1, timeout=30_000)
    no_errors(page)
    idle(page)
    screenshot(page, "search")


def test_model_and_architecture_pages(page, server):
    from playwright.sync_api import expect

    page.goto(f"{server}/model")
    page.wait_for_function(PLOT_READY, arg=2, timeout=30_000)
    idle(page)
    no_errors(page)
    screenshot(page, "model")
    page.goto(f"{server}/architecture")
    expect(page.locator(NODE).first).to_be_visible(timeout=30_000)
    box = page.get_by_label("Architecture string")
    box.fill("1 2 3")
    box.press("Enter")
    expect(page.get_by_text("Not a valid architecture", exact=False)).to_be_visible()
    box.fill("0 1 0 2 1 1 3 0 0 1 4 1 0 0 1 5 0 0 1 0 1")
    box.press("Enter")
    expect(page.locator(NODE)).to_have_count(8, timeout=15_000)
    page.wait_for_function(PLOT_READY, arg=0, timeout=30_000)
    idle(page)
    no_errors(page)
    screenshot(page, "architecture")


def test_colour_and_projection_switch(page, server):
    TIMINGS["map visible after opening (warm server)"] = open_map(page, server)
    start = choose(page, "Colour by", "exact params")  # timed from the click on the option
    assert wait_until(lambda: colour_title(page) == "exact params", 15)
    TIMINGS["switch colour -> map redrawn"] = time.perf_counter() - start
    idle(page)
    # The t-SNE map started by the first test: the page polls it until it is ready.
    page.get_by_text("t-SNE", exact=True).click()
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
    page.get_by_label("Output name").fill(name)
    page.get_by_label("Max training graphs (0 = all)").fill(str(max_train))
    page.get_by_label("Epochs").fill(str(epochs))
    page.get_by_label("Batch size").fill(str(batch))
    page.get_by_label("Learning rate").fill("5e-3")
    page.get_by_role("button", name="Start training").click()


def progress_values(page, seen):
    """Record the progress bar's value (it is redrawn with every poll)."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        bar = page.locator("[data-testid='stProgress'] [role='progressbar']").first
        seen.add(float(bar.get_attribute("aria-valuenow", timeout=300) or 0))
    except PlaywrightError:
        pass


def test_training_job_progress_finish_and_cancel(page, server):
    from playwright.sync_api import expect

    page.goto(f"{server}/train")
    idle(page)
    start = time.perf_counter()
    # The shipped model is big: fine-tune it on 64 graphs only.
    epochs = 4 if SHIPPED else 12
    start_job(page, "browser_job", epochs, batch=16, max_train=64 if SHIPPED else 0)
    seen: set[float] = set()

    def finished():
        progress_values(page, seen)
        return page.get_by_text("is now in the checkpoint picker").count() > 0

    assert wait_until(finished, 300, 0.2), "the job did not finish"
    what = "64 graphs of the shipped model" if SHIPPED else "tiny model"
    TIMINGS[f"fine-tune {epochs} epochs ({what}): start -> done"] = time.perf_counter() - start
    assert len([v for v in seen if 0 < v < 100]) >= 2, f"progress did not advance: {seen}"
    idle(page)
    no_errors(page)
    screenshot(page, "train")
    page.locator("[data-testid='stSidebar'] div[data-baseweb='select']").click()
    expect(page.get_by_role("option", name="browser_job.pt")).to_be_visible()
    page.keyboard.press("Escape")
    # A long job, cancelled as soon as it runs.
    start_job(page, "browser_cancel", 1000)
    page.get_by_role("button", name="Cancel training").click(timeout=30_000)
    expect(page.get_by_text("was cancelled", exact=False)).to_be_visible(timeout=30_000)
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
