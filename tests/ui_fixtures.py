"""A tiny checkpoint and data set for the UI tests (AppTest and the real browser).

``make_tiny_workspace(folder)`` writes the first 300 architectures of the shipped data set to
``folder/tiny.txt``, trains a tiny model (hs=24, nz=6) into
``folder/checkpoints/ngae_default.pt`` (10 epochs at a high learning rate: enough for its
decodings to be valid ENAS cells) and returns the environment variables that point the
app at it (``NGAE_CHECKPOINT_DIR``, ``NGAE_JOBS_DB``). Training takes a few seconds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TINY_LINES = 300
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


def make_tiny_workspace(folder: Path, lines: int = TINY_LINES) -> dict[str, str]:
    """Build the tiny data set and checkpoint under ``folder``; return the env overrides."""
    import torch

    from ngae.config import ModelConfig, TrainConfig
    from ngae.data import DEFAULT_DATA
    from ngae.train import fit, quick_metrics

    folder = Path(folder)
    ckpt_dir = folder / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    tiny = folder / "tiny.txt"
    tiny.write_text("\n".join(DEFAULT_DATA.read_text().splitlines()[:lines]) + "\n")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        fit(
            ModelConfig(hs=24, nz=6),
            TrainConfig(
                data=str(tiny), epochs=10, batch_size=64, lr=5e-3, eval_interval=2, save_interval=0
            ),
            out=ckpt_dir / "ngae_default.pt",
            progress=False,
            evaluate_every=quick_metrics,
        )
    finally:
        torch.set_num_threads(threads)
    return {"NGAE_CHECKPOINT_DIR": str(ckpt_dir), "NGAE_JOBS_DB": str(folder / "jobs.sqlite")}


def empty_workspace(folder: Path) -> dict[str, str]:
    """Environment overrides for an app with no checkpoint at all."""
    ckpt_dir = Path(folder) / "checkpoints"
    ckpt_dir.mkdir(parents=True, exist_ok=True)
    return {"NGAE_CHECKPOINT_DIR": str(ckpt_dir), "NGAE_JOBS_DB": str(Path(folder) / "jobs.sqlite")}


def subprocess_env(overrides: dict[str, str]) -> dict[str, str]:
    """The current environment plus ``overrides`` and a single torch thread."""
    return {**os.environ, **overrides, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}


def start_dashboard(
    port: int, env: dict[str, str] | None, log: Path, timeout: float = 60.0
) -> subprocess.Popen:
    """``serve.py`` as ``make run`` starts it (a warm start) on 127.0.0.1:``port``.

    Returns the process once the server answers its health check; output goes to ``log``.
    Raises ``RuntimeError`` (naming the log) if it exits or is not healthy within ``timeout``.
    """
    cmd = [sys.executable, str(ROOT / "serve.py"), "--server.headless", "true"]
    cmd += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    cmd += ["--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    with Path(log).open("wb") as out:  # the child keeps its own handle
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
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


if __name__ == "__main__":  # build a workspace by hand: python tests/ui_fixtures.py /tmp/ws
    import sys

    print(make_tiny_workspace(Path(sys.argv[1])))
