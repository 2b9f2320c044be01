"""One Explorer shared by many threads: answers as if alone, the model never changes.

Several searches and decodes run at once on one explorer (as browser sessions do); each result
must equal the same call made alone, and the model's weights, training flag and
``requires_grad`` flags must be exactly what they were when it was opened. A search must not
depend on (or change) the calling thread's grad mode either.
"""

from __future__ import annotations

import threading
from dataclasses import asdict

import numpy as np
import pytest
import torch

from ngae.explorer import SearchConfig
from ngae.explorer.service import Explorer

SEARCHES = [
    SearchConfig(samples=3, steps=8, decodes=4, strategy="random", seed=1),
    SearchConfig(samples=3, steps=8, decodes=4, strategy="predicted", optimizer="sgd"),
    SearchConfig(samples=2, steps=6, decodes=3, strategy="optimal", project_every=3),
]


@pytest.fixture(scope="module")
def explorer(decoding_checkpoint):
    return Explorer.open(decoding_checkpoint)


def snapshot(model: torch.nn.Module) -> dict:
    return {
        "weights": {k: v.clone() for k, v in model.state_dict().items()},
        "training": [m.training for m in model.modules()],
        "requires_grad": [p.requires_grad for p in model.parameters()],
        "grads": [p.grad for p in model.parameters()],
    }


def comparable(result) -> dict:
    doc = asdict(result)
    doc.pop("seconds")
    return doc


def decodes(explorer: Explorer) -> list:
    out = [explorer.decode_index(i, decodes=6) for i in range(4)]
    out += [explorer.decode_map_position(0.1 * k, -0.1 * k, decodes=6) for k in range(3)]
    return [(d.cell and d.cell.arch, d.share, d.valid_share, d.z.tolist()) for d in out]


def test_model_is_frozen_at_open(explorer):
    model = explorer.model
    assert not model.training and not any(m.training for m in model.modules())
    assert not any(p.requires_grad for p in model.parameters())


def test_concurrent_searches_and_decodes_equal_sequential_ones(explorer):
    before = snapshot(explorer.model)
    alone_searches = [comparable(explorer.search(cfg)) for cfg in SEARCHES]
    alone_decodes = decodes(explorer)
    assert any(s["results"] for s in alone_searches), "no search found anything to compare"

    results: dict[str, object] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(SEARCHES) * 2 + 2)

    def run(name, fn):
        barrier.wait()
        try:
            results[name] = fn()
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    jobs = [
        (f"search{k}-{r}", lambda cfg=cfg: comparable(explorer.search(cfg)))
        for k, cfg in enumerate(SEARCHES)
        for r in range(2)
    ]
    jobs += [(f"decode{r}", lambda: decodes(explorer)) for r in range(2)]
    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors
    for k in range(len(SEARCHES)):
        for r in range(2):
            assert results[f"search{k}-{r}"] == alone_searches[k], (k, r)
    for r in range(2):
        assert results[f"decode{r}"] == alone_decodes

    after = snapshot(explorer.model)
    assert after["training"] == before["training"]
    assert after["requires_grad"] == before["requires_grad"]
    assert all(g is None for g in after["grads"])
    for name, weight in before["weights"].items():
        assert torch.equal(after["weights"][name], weight), name


def test_search_leaves_the_callers_grad_mode_alone(explorer):
    cfg = SEARCHES[0]
    with torch.no_grad():
        inside = comparable(explorer.search(cfg))
        assert not torch.is_grad_enabled()
    assert inside == comparable(explorer.search(cfg))
    assert torch.is_grad_enabled()


def test_tables_handed_out_are_copies(explorer):
    table = explorer.table()
    table.loc[0, "pred_acc"] = -1.0
    assert explorer.table().loc[0, "pred_acc"] != -1.0
    np.testing.assert_array_equal(explorer.table().pred_acc, explorer.latents.pred_acc)
