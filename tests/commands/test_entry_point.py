"""The installed ``ngae`` command and ``python -m ngae`` are the same command line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("ngae")
COMMANDS = ("params", "train", "evaluate", "search", "train-scratch", "draw", "convert", "export")


@pytest.mark.skipif(not SCRIPT.is_file(), reason="the project is not installed in this venv")
def test_installed_command_answers_from_any_folder(tmp_path):
    for cmd, prog in (([str(SCRIPT)], "ngae"), ([sys.executable, "-m", "ngae"], "python -m ngae")):
        res = subprocess.run([*cmd, "--help"], cwd=tmp_path, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith(f"usage: {prog} ")
        for command in COMMANDS:
            assert command in res.stdout
    res = subprocess.run(
        [str(SCRIPT), "params", "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0 and res.stdout == "9796512\n"
    bad = subprocess.run([str(SCRIPT), "nonsense"], cwd=tmp_path, capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.startswith("error:")
    assert "(see 'ngae --help')" in bad.stderr
    assert shutil.which("ngae", path=str(SCRIPT.parent)) == str(SCRIPT)
