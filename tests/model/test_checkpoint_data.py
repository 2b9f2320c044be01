"""Which data file a checkpoint trained on: one answer for the CLI, the explorer and jobs.

Training records the data path relative to the project when the file is inside it, else
absolute; it is resolved against the project (never the working directory), then beside the
checkpoint (a checkpoint moved together with its data), preferring a file whose SHA-256 is
the recorded one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from ngae.errors import CheckpointError
from ngae.explorer.service import Explorer
from ngae.files import PROJECT_ROOT, file_sha256, project_relative
from ngae.model.checkpoint import checkpoint_data_path, load_checkpoint, save_checkpoint
from ngae.spaces.enas.data_file import DEFAULT_DATA

EVAL = ["--recon-decodes", "1", "--prior-samples", "4", "--prior-decodes", "1", "--json"]


def cli(args: list[str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ngae", *args], cwd=cwd, capture_output=True, text=True, timeout=240
    )


def test_paths_are_recorded_relative_to_the_project_when_inside_it(tmp_path):
    assert project_relative(DEFAULT_DATA) == "data/final_structures6.txt"
    assert project_relative(tmp_path / "x.txt") == str((tmp_path / "x.txt").resolve())


def test_a_relative_record_resolves_against_the_project_not_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no data/ here
    ckpt = {"train_config": {"data": "data/final_structures6.txt"}}
    assert (
        checkpoint_data_path(ckpt, tmp_path / "x.pt") == PROJECT_ROOT / "data/final_structures6.txt"
    )
    shipped = PROJECT_ROOT / "checkpoints" / "ngae_default.pt"
    assert checkpoint_data_path(load_checkpoint(shipped), shipped) == DEFAULT_DATA


def test_a_checkpoint_moved_with_its_data_still_finds_it(tiny_checkpoint, tmp_path):
    recorded = load_checkpoint(tiny_checkpoint)["train_config"]["data"]
    assert recorded == str((tiny_checkpoint.parent / "tiny.txt").resolve())  # outside: absolute
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.copy2(tiny_checkpoint, moved / "tiny.pt")
    shutil.copy2(tiny_checkpoint.parent / "tiny.txt", moved / "elsewhere.txt")
    ckpt = load_checkpoint(moved / "tiny.pt")
    # The recorded file still exists: it is the one.
    assert checkpoint_data_path(ckpt, moved / "tiny.pt") == tiny_checkpoint.parent / "tiny.txt"
    # Recorded file gone, a copy under the same name beside the checkpoint: that one.
    ckpt = {
        **ckpt,
        "train_config": {**ckpt["train_config"], "data": str(tmp_path / "gone/tiny.txt")},
    }
    shutil.copy2(tiny_checkpoint.parent / "tiny.txt", moved / "tiny.txt")
    assert checkpoint_data_path(ckpt, moved / "tiny.pt") == moved / "tiny.txt"


def test_the_file_with_the_recorded_hash_wins(tiny_checkpoint, tmp_path):
    ckpt = load_checkpoint(tiny_checkpoint)
    here = tmp_path / "tiny.txt"
    shutil.copy2(tiny_checkpoint.parent / "tiny.txt", here)
    changed = tmp_path / "changed" / "tiny.txt"
    changed.parent.mkdir()
    changed.write_text(here.read_text() + here.read_text().splitlines()[0] + "\n")
    ckpt = {**ckpt, "train_config": {**ckpt["train_config"], "data": str(changed)}}
    assert file_sha256(here) == ckpt["data_hash"] != file_sha256(changed)
    assert checkpoint_data_path(ckpt, tmp_path / "tiny.pt") == here


def test_missing_data_names_where_it_looked(tmp_path):
    ckpt = {"train_config": {"data": str(tmp_path / "nowhere" / "d.txt")}}
    with pytest.raises(CheckpointError, match="missing.*make data"):
        checkpoint_data_path(ckpt, tmp_path / "ckpts" / "x.pt")


def test_cli_and_explorer_use_a_moved_checkpoint_from_another_directory(tiny_checkpoint, tmp_path):
    """Train in one folder, move checkpoint + data to another, run from a third."""
    trained, moved, elsewhere = (tmp_path / name for name in ("trained", "moved", "cwd"))
    for folder in (trained, moved, elsewhere):
        folder.mkdir()
    shutil.copy2(tiny_checkpoint.parent / "tiny.txt", trained / "tiny.txt")
    ckpt = load_checkpoint(tiny_checkpoint)
    data = {"data": project_relative(trained / "tiny.txt")}
    save_checkpoint(trained / "tiny.pt", {**ckpt, "train_config": ckpt["train_config"] | data})
    for name in ("tiny.pt", "tiny.txt"):
        shutil.move(str(trained / name), moved / name)
    moved_ckpt = load_checkpoint(moved / "tiny.pt")
    assert checkpoint_data_path(moved_ckpt, moved / "tiny.pt") == moved / "tiny.txt"
    res = cli(["evaluate", "--checkpoint", str(moved / "tiny.pt"), *EVAL], elsewhere)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1])["test_graphs"] > 0
    assert len(Explorer.open(moved / "tiny.pt").data) == 200
    (moved / "tiny.txt").unlink()
    res = cli(["evaluate", "--checkpoint", str(moved / "tiny.pt"), *EVAL], elsewhere)
    assert res.returncode == 2 and res.stderr.startswith("error:") and "missing" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
