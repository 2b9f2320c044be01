"""Load held: 10 browser sessions at once for 60 s against one server on 127.0.0.1.

Four sessions click data points, three click empty map positions (decode anywhere), two switch
the projection between PCA and t-SNE, one runs searches. Each waits for the answer to every
action (the decoded cell's title, the map's new title, the search results) before the next.
At the end: no page exception or error message in any session, no traceback in the server's
log, every session's last action answered, and the server's peak resident memory below a
bound. The figures (actions answered, response times, peak RSS) are printed.

Slow by design (about two minutes); the duration is wall time, never a speed assertion.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from ui_fixtures import make_tiny_workspace

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
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian chromium"),
]

SESSIONS = ["click"] * 4 + ["probe"] * 3 + ["project"] * 2 + ["search"]
DURATION_S = 60.0
ANSWER_TIMEOUT_MS = 120_000  # also for clicks: a loaded page can take over 30 s to settle
PEAK_RSS_BOUND_MB = 3_000
PLOT = ".stPlotlyChart .js-plotly-plot"
TITLE = f"() => document.querySelector('{PLOT}')?._fullLayout?.title?.text || ''"


@dataclass
class Session:
    role: str
    answered: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    last_answered: bool = False


async def idle(page) -> None:
    for selector in APP_IDLE:
        await page.wait_for_selector(selector, state="attached", timeout=ANSWER_TIMEOUT_MS)


async def click(page, point) -> None:
    await page.mouse.move(point["x"], point["y"])
    await page.wait_for_timeout(100)
    await page.mouse.down()
    await page.mouse.up()


async def act(page, role: str, k: int, targets: list) -> None:
    """One action of ``role`` and the wait for its answer."""
    from playwright.async_api import expect

    timeout = ANSWER_TIMEOUT_MS
    if role in ("click", "probe"):
        point = targets[k % len(targets)]
        await click(page, point)
        if role == "click":
            text = f"Architecture #{int(point['custom'][0])},"
        else:
            text = f"Decoded at PCA position ({point['custom'][1]:.2f}, {point['custom'][2]:.2f})"
        await expect(page.get_by_text(text, exact=False)).to_be_visible(timeout=timeout)
    elif role == "project":
        kind = "t-SNE" if k % 2 == 0 else "PCA"
        await page.get_by_text(kind, exact=True).click(timeout=timeout)
        await page.wait_for_function(f"() => ({TITLE})().includes('{kind}')", timeout=timeout)
    else:  # search k + 1 of this tab, numbered by the page
        await page.get_by_role("button", name="Run search").click(timeout=timeout)
        heading = page.get_by_role("heading", name=f"Results of search {k + 1}")
        await expect(heading).to_be_visible(timeout=timeout)
    await idle(page)


async def run_session(browser, url: str, session: Session, ready, clock: dict) -> None:
    """Open the page, wait until every session has, then act until the minute is over."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1600})
    page = await context.new_page()
    page.on("pageerror", lambda err: session.errors.append(f"page error: {err}"))
    waited = False
    try:
        await page.goto(url + ("/search" if session.role == "search" else ""))
        if session.role != "search":
            await page.wait_for_function(PLOT_READY, arg=0, timeout=ANSWER_TIMEOUT_MS)
        await idle(page)
        targets = []
        if session.role in ("click", "probe"):
            trace = "architectures" if session.role == "click" else "decode anywhere"
            offset = SESSIONS.index(session.role)
            ranked = await page.evaluate(RANK_ISOLATED, [trace, [], 12])
            targets = ranked[offset:] + ranked[:offset]  # sessions start on different points
        waited = True
        await ready()
        k = 0
        while k == 0 or time.monotonic() < clock["deadline"]:
            session.last_answered = False
            start = time.monotonic()
            await act(page, session.role, k, targets)
            session.answered.append(time.monotonic() - start)
            session.last_answered = True
            k += 1
        exceptions = await page.locator("[data-testid='stException']").count()
        errors = await page.locator("[data-testid='stAlertContentError']").all_inner_texts()
        session.errors += [f"exception elements: {exceptions}"] if exceptions else []
        session.errors += [f"error message: {e}" for e in errors]
    except Exception as err:  # noqa: BLE001 - every failure is reported by the test
        session.errors.append(f"{session.role}: {err.__class__.__name__}: {err}"[:400])
        if not waited:  # the others must not wait for a session that could not open
            await ready()
    finally:
        await context.close()


async def soak(url: str) -> tuple[list[Session], float]:
    """Run every session; the minute starts once all of them have their page open."""
    from playwright.async_api import async_playwright

    sessions = [Session(role) for role in SESSIONS]
    clock: dict[str, float] = {}
    opened = asyncio.Event()
    waiting = [len(sessions)]

    async def ready() -> None:
        waiting[0] -= 1
        if waiting[0] == 0:
            clock["start"] = time.monotonic()
            clock["deadline"] = clock["start"] + DURATION_S
            opened.set()
        await opened.wait()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        await asyncio.gather(*(run_session(browser, url, s, ready, clock) for s in sessions))
        await browser.close()
    return sessions, time.monotonic() - clock.get("start", time.monotonic())


def rss_mb(pid: int, field_name: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def test_ten_sessions_for_a_minute(tmp_path, capsys):
    from ngae.explorer.projections import compute_and_cache
    from ngae.explorer.service import Explorer

    env = server_env(make_tiny_workspace(tmp_path))
    ckpt = Path(env["NGAE_CHECKPOINT_DIR"]) / "ngae_default.pt"
    explorer = Explorer.open(ckpt)  # the t-SNE map the switching sessions use, made beforehand
    compute_and_cache(explorer.cache_dir, "tsne", explorer.latents.mu)
    port, log = free_port(), tmp_path / "soak_server.log"
    proc = start_dashboard(port, env, log)
    samples: list[float] = []
    stop_sampling = threading.Event()

    def sample() -> None:
        while not stop_sampling.wait(0.5):
            try:
                samples.append(rss_mb(proc.pid))
            except OSError:
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    box: dict[str, tuple[list[Session], float]] = {}
    try:  # in its own thread: no event loop of another test may be running there
        worker = threading.Thread(
            target=lambda: box.update(s=asyncio.run(soak(f"http://127.0.0.1:{port}")))
        )
        worker.start()
        worker.join(DURATION_S + 600)
        peak_hwm = rss_mb(proc.pid, "VmHWM")
    finally:
        stop_sampling.set()
        stop(proc)
    sessions, seconds = box["s"]
    server_log = log.read_text(errors="replace")
    times = [t for s in sessions for t in s.answered]
    with capsys.disabled():
        print(f"\nsoak: {len(sessions)} sessions at once for {seconds:.0f} s against one server")
        for role in dict.fromkeys(SESSIONS):
            mine = [t for s in sessions if s.role == role for t in s.answered]
            print(
                f"  {role:<8} {len(mine):4d} actions answered, "
                f"median {statistics.median(mine) if mine else float('nan'):.2f} s, "
                f"max {max(mine, default=float('nan')):.2f} s"
            )
        print(f"  server RSS: peak {peak_hwm:.0f} MB (VmHWM), last {samples[-1]:.0f} MB")
    problems = [e for s in sessions for e in s.errors]
    assert problems == [], problems
    assert all(s.last_answered and s.answered for s in sessions), [
        (s.role, len(s.answered), s.last_answered) for s in sessions
    ]
    assert "Traceback" not in server_log, server_log[-3000:]
    assert peak_hwm < PEAK_RSS_BOUND_MB
    assert len(times) >= len(SESSIONS)
