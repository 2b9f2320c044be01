"""Fuzzing checkpoint and cache files: a damaged file is refused or recomputed, never trusted.

Truncated copies, bit flips and random bytes of a real (tiny) checkpoint go through
``load_checkpoint`` + ``model_from_checkpoint`` (the path every UI and CLI load takes); damaged
latent and projection caches are read as missing. Seeded, so a failure reproduces.
"""

from __future__ import annotations

import random
import shutil

import numpy as np
import pytest
import torch

from ngae.errors import USER_ERRORS, CheckpointError
from ngae.explorer.latents import cache_dir_for
from ngae.explorer.projections import load_projection, projection_path
from ngae.files import load_arrays, save_arrays
from ngae.model.checkpoint import load_checkpoint, model_from_checkpoint, save_checkpoint


def load_or_refuse(path):
    """``"ok"``: loads into a model with finite weights; ``"refused"``: a user error."""
    try:
        model = model_from_checkpoint(load_checkpoint(path))
    except USER_ERRORS:
        return "refused"
    finite = all(torch.isfinite(p).all() for p in model.parameters())
    return "ok" if finite else "loaded non-finite weights"


def test_truncated_flipped_and_random_checkpoints(tiny_checkpoint, tmp_path):
    raw = tiny_checkpoint.read_bytes()
    rng = random.Random(7)
    cases = {f"cut{k}": raw[: rng.randrange(len(raw))] for k in range(30)}
    cases |= {f"random{k}": rng.randbytes(rng.randrange(1, 4096)) for k in range(10)}
    for k in range(20):
        flipped = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            flipped[rng.randrange(len(flipped))] ^= 1 << rng.randrange(8)
        cases[f"flip{k}"] = bytes(flipped)
    outcomes = {}
    for name, content in cases.items():
        path = tmp_path / f"{name}.pt"
        path.write_bytes(content)
        outcomes[name] = load_or_refuse(path)
    assert all(v == "refused" for k, v in outcomes.items() if not k.startswith("flip")), outcomes
    # A flipped bit either breaks the archive (refused) or lands in a weight; NaN/inf never
    # reach a model silently: those files are refused too.
    assert set(outcomes.values()) <= {"ok", "refused"}, outcomes


@pytest.mark.parametrize(
    "damage",
    [
        lambda c: c["model_config"].update(hs=-3),
        lambda c: c["model_config"].update(nz="wide"),
        lambda c: c["model_config"].update(max_n=3),
        lambda c: c["model_config"].update(hs=2.5),
        lambda c: c["state_dict"].pop(next(iter(c["state_dict"]))),
        lambda c: c["state_dict"].update({k: v[:1] for k, v in list(c["state_dict"].items())[:1]}),
        lambda c: c["state_dict"].update({"extra.weight": torch.zeros(2)}),
        lambda c: c.update(model_config=[1, 2]),
        lambda c: c["state_dict"].update({"enc.bad": "not a tensor"}),
        lambda c: c["state_dict"].update(
            {k: torch.full_like(v, float("nan")) for k, v in list(c["state_dict"].items())[:1]}
        ),
    ],
)
def test_tampered_checkpoints_are_refused(tiny_checkpoint, tmp_path, damage):
    ckpt = load_checkpoint(tiny_checkpoint)
    ckpt.pop("format")
    damage(ckpt)
    save_checkpoint(tmp_path / "bad.pt", ckpt)
    with pytest.raises(CheckpointError):
        model_from_checkpoint(load_checkpoint(tmp_path / "bad.pt"))


def test_damaged_caches_read_as_missing(tmp_path):
    rng = random.Random(3)
    good = tmp_path / "good.npz"
    save_arrays(good, xy=np.arange(40, dtype=np.float32).reshape(20, 2))
    raw = good.read_bytes()
    assert load_arrays(good, ("xy",), 20) is not None
    assert load_arrays(good, ("xy",), 21) is None  # a cache of another data set
    assert load_arrays(good, ("mu",), 20) is None
    for k in range(40):
        bad = tmp_path / f"bad{k}.npz"
        bad.write_bytes(raw[: rng.randrange(len(raw))] if k % 2 else rng.randbytes(200))
        assert load_arrays(bad, ("xy",), 20) is None
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy(bad, projection_path(cache, "tsne"))
    assert load_projection(cache, "tsne", 20) is None


def test_truncated_latent_cache_is_recomputed(tiny_checkpoint):
    from ngae.explorer.service import Explorer

    first = Explorer.open(tiny_checkpoint)
    path = cache_dir_for(tiny_checkpoint) / "latents.npz"
    path.write_bytes(path.read_bytes()[:100])
    again = Explorer.open(tiny_checkpoint)
    np.testing.assert_allclose(again.latents.mu, first.latents.mu, rtol=1e-5, atol=1e-6)
    assert load_arrays(path, ("mu",), len(first.data)) is not None  # rewritten whole
