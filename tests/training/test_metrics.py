"""Known answers for the predictor-quality metrics (``ngae.training.metrics``)."""

import numpy as np
import pytest

from ngae.training.metrics import regression_metrics, top_k_metrics


def test_regression_metrics_known_answers():
    true = np.array([1.0, 2.0, 3.0, 4.0])
    pred = np.array([1.0, 2.0, 3.0, 6.0])  # one error of 2
    m = regression_metrics(pred, true)
    assert m["rmse"] == pytest.approx(1.0)  # sqrt(4 / 4)
    assert m["r2"] == pytest.approx(1.0 - 4.0 / 5.0)  # SS_tot = 5
    assert m["spearman"] == pytest.approx(1.0)  # same order
    assert m["kendall"] == pytest.approx(1.0)
    assert m["pearson"] == pytest.approx(np.corrcoef(pred, true)[0, 1])
    reverse = regression_metrics(-true, true)
    assert reverse["pearson"] == pytest.approx(-1.0)
    assert reverse["kendall"] == pytest.approx(-1.0)


def test_top_k_precision_counts_the_overlap_of_the_best():
    true = np.arange(200, dtype=float)  # the true top 1% is {199, 198}, top 5% is 190..199
    pred = true.copy()
    pred[199] = -1.0  # the best is ranked last: it leaves both predicted top sets
    m = top_k_metrics(pred, true)
    assert m["top1_precision"] == pytest.approx(1 / 2)  # predicted top 2: 198, 197
    assert m["top5_precision"] == pytest.approx(9 / 10)  # predicted top 10: 189..198
    # Kendall tau over the true top 10% (180..199): one of 20 items is out of order.
    n = 20
    discordant = n - 1  # item 199 is below all 19 others
    assert m["top10_kendall"] == pytest.approx(1 - 2 * discordant / (n * (n - 1) / 2))
    assert top_k_metrics(true, true) == {
        "top1_precision": 1.0,
        "top5_precision": 1.0,
        "top10_kendall": pytest.approx(1.0),
    }


# ----- prior validity, uniqueness and novelty on hand-made decodings ----------------------
def _prior_on(monkeypatch, space, decoded, train_items):
    """``prior_metrics`` where the decoder returns ``decoded`` (dense types, adjacency)."""
    import torch

    from ngae.training import metrics

    types, adj = decoded
    monkeypatch.setattr(metrics, "decode_many", lambda *a, **k: (types, adj))
    train_t, train_a = space.dense(train_items)
    train_keys = set(space.keys(train_t, train_a))
    mu = torch.zeros(4, 3)
    return metrics.prior_metrics(
        None, mu, train_keys, len(types), 1, keys_of=space.keys, valid_of=space.valid_mask
    )


def test_prior_metrics_asia_counts_networks_by_bn_validity(monkeypatch):
    import torch

    from ngae.spaces.registry import SPACES

    asia = SPACES["asia"]
    empty = asia.parse("0" * 64)  # no edges: valid, but no chain edges (ENAS's rule fails it)
    s_to_l = asia.parse("0" * 11 + "1" + "0" * 52)
    types, adj = asia.dense([empty, s_to_l, s_to_l, empty])
    types = types.clone()
    types[3, 4] = types[3, 5]  # the fourth decoding names a variable twice: invalid
    out = _prior_on(monkeypatch, asia, (types, adj), train_items=[empty])
    assert out["validity"] == pytest.approx(3 / 4)
    assert out["uniqueness"] == pytest.approx(2 / 3)  # empty, S->L
    assert out["novelty"] == pytest.approx(2 / 3)  # S->L twice is new, empty is not
    assert out["prior_decodes"] == 4
    enas_rule = SPACES["enas6"].valid_mask(types, adj)
    assert not enas_rule.any(), "ENAS's rule would have called all of them invalid"
    assert torch.equal(asia.valid_mask(types, adj), torch.tensor([True, True, True, False]))


def test_prior_metrics_enas_by_is_valid_enas(monkeypatch):
    from ngae.spaces.registry import SPACES

    enas = SPACES["enas6"]
    a = enas.parse("0 1 0 2 0 0 3 0 0 0 4 0 0 0 0 5 0 0 0 0 0")
    b = enas.parse("1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1")
    types, adj = enas.dense([a, b, b, a, a])
    adj = adj.clone()
    adj[4, 2, 3] = 0  # a chain edge removed: invalid
    out = _prior_on(monkeypatch, enas, (types, adj), train_items=[b])
    assert out["validity"] == pytest.approx(4 / 5)
    assert out["uniqueness"] == pytest.approx(2 / 4)
    assert out["novelty"] == pytest.approx(2 / 4)  # a twice is new, b twice is not


def test_prior_metrics_needs_the_space_rule():
    import torch

    from ngae.training.metrics import prior_metrics

    with pytest.raises(ValueError, match="validity rule"):
        prior_metrics(None, torch.zeros(2, 3), set(), 2, 1)
