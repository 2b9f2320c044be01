"""Dashboard speed in a real browser on the shipped model (20,020 points); README screenshots.

    python benchmarks/ui_speed.py

Runs the browser tests (``tests/dashboard/test_browser.py``) against a copy of the shipped
checkpoint and its cached maps instead of the tiny test checkpoint (``NGAE_UI_SHIPPED=1``).
They print the timings (map visible, click to drawn cell, colour and projection switch,
search, a short fine-tune) and save a screenshot of every page under ``assets/``. Needs Debian
chromium (``make test`` installs it).
"""

from __future__ import annotations

import os
import subprocess
import sys

from ngae.files import PROJECT_CHECKPOINTS, PROJECT_ROOT


def main() -> int:
    if not (PROJECT_CHECKPOINTS / "ngae_default.pt").is_file():
        print("error: checkpoints/ngae_default.pt is missing", file=sys.stderr)
        return 2
    env = {**os.environ, "NGAE_UI_SHIPPED": "1"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "browser"]
    test = "tests/dashboard/test_browser.py"
    return subprocess.call([*cmd, *sys.argv[1:], test], cwd=PROJECT_ROOT, env=env)


if __name__ == "__main__":
    raise SystemExit(main())
