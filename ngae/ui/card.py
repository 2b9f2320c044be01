"""The model card's sentences: how a checkpoint was made, as its file records it.

Pure functions of :class:`ngae.explorer.ModelCard` (no Streamlit). Each sentence says only what
the file holds: epochs done against those planned, the learning rate per epoch from the
history (not the training config's single value), the predictor heads' refit.
"""

from __future__ import annotations

from ngae.explorer import ModelCard, plural


def rate(lr: float) -> str:
    """A learning rate as people write it: ``1e-3``, ``5e-4``, ``0.00015``."""
    mantissa, exponent = f"{lr:.0e}".split("e")
    if float(f"{mantissa}e{exponent}") == lr:
        return f"{mantissa}e{int(exponent)}"
    return f"{lr:g}"


def epochs_line(card: ModelCard) -> str:
    """Where the checkpoint comes from, how many epochs of how many planned, on what."""
    graphs = "" if card.train_graphs is None else f" on {card.train_graphs:,} training graphs"
    planned, done = card.planned, card.epoch
    if planned is None:
        span = plural(done, "epoch")
    elif planned == done:
        span = f"{plural(done, 'epoch')} (as planned)"
    else:
        span = f"**{done:,} of {planned:,} planned epochs**"
    if card.lineage.get("parent"):
        where = (
            f"Fine-tuned from **{card.lineage['parent']}** (at its epoch "
            f"{card.lineage.get('parent_epoch', 0):,}) for {span}{graphs}."
        )
    else:
        where = f"Trained for {span}{graphs}."
    if card.partial:
        where += " **Partial:** its run is still going, or was cancelled."
    elif card.stopped_at is not None and card.stopped_at > done:
        where += f" (Its run planned {card.stopped_at:,} and was stopped here by choice.)"
    elif planned is not None and done < planned:
        where += f" (The plan is its training config's; the file's history ends at epoch {done:,}.)"
    return where


def lr_line(card: ModelCard) -> str | None:
    """The learning rate per epoch as the history records it (``None``: none recorded).

    Where the training config names another rate, or one rate for a schedule that changed,
    the sentence says that the history is the record.
    """
    runs = card.lr_schedule
    if not runs:
        return None
    parts = [
        f"{rate(lr)} for epoch {a:,}" if a == b else f"{rate(lr)} for epochs {a:,}-{b:,}"
        for a, b, lr in runs
    ]
    text = "Learning rate, as the file's history records it: " + ", then ".join(parts) + "."
    configured = card.train_config.get("lr")
    if isinstance(configured, int | float) and (len(runs) > 1 or runs[0][2] != configured):
        text += (
            f" The training config below names one rate, {rate(float(configured))}: the "
            "history is the record of what ran."
        )
    return text


def heads_line(card: ModelCard) -> str | None:
    """How the predictor heads were refitted after training (``None``: they were not)."""
    info = card.heads_refit
    if not info:
        return None
    how = []
    if isinstance(info.get("epochs"), int | float):
        how.append(plural(int(info["epochs"]), "epoch"))
    if isinstance(info.get("lr"), int | float):
        how.append(f"lr {rate(float(info['lr']))}")
    first, last = info.get("first_loss"), info.get("last_loss")
    if isinstance(first, int | float) and isinstance(last, int | float):
        how.append(f"loss {first:.3g} → {last:.3g}")
    detail = f" ({', '.join(how)})" if how else ""
    return (
        "**Predictor heads refitted** after training, on the frozen latent means of the "
        f"training split{detail}: every prediction on these pages, and the evaluation below, "
        "comes from the refitted heads."
    )
