"""Search methods on Asia compared on TRUE scores (BIC) at equal oracle budgets.

    python benchmarks/asia_search_methods.py [--checkpoint checkpoints/ngae_asia.pt]
        [--seeds 5] [--calls 200] [--out assets/asia_search_methods.json]

An oracle call is the true BIC of one distinct valid network that is not in the data set
(invalid decodings cost none; the data set's BIC is known without asking).
Methods, each given the same budget of calls:

* NGAE: the gradient search (strategy predicted, lambda 0, lr 0.03, 200 steps: NGAE_SEARCH),
  twice as many samples as calls; the predictor ranks the distinct novel results and the
  oracle scores them best predicted first. It never sees a true score.
* BO: latent Bayesian optimisation as D-VAE did it -- a GP on latent codes with the training
  networks' known BIC as its initial data (a seeded random 500 of them, free as they are for
  NGAE's training), then rounds of 10 candidates -- the local maxima of log expected
  improvement from 10 restarts within the training codes' box (BoTorch: SingleTaskGP with
  hyperparameters refitted every 4 rounds, warm-started; LogExpectedImprovement; optimize_acqf)
  -- each decoded and its network scored (one call if valid and new; candidates that give no
  call join the GP at the worst score seen, so it moves on); at most 2 x calls candidates, so
  a run whose candidates rarely decode to valid networks ends with fewer calls.
* random: prior samples (rescaled to the training codes' spread) decoded and scored.

Prints, per method, the best true BIC after 10, 50 and 200 calls (mean and spread over the
seeds), the calls each run made, its best at the end and the gap to the exact optimum, and
writes the curves to ``--out`` for the dashboard (``--report FILE`` prints a written file's
table again).
BoTorch is a test/benchmark dependency (requirements-dev.txt), not the product's.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import torch

from ngae.explorer import Explorer, SearchConfig
from ngae.files import PROJECT_ROOT, atomic_write_bytes, file_sha256
from ngae.model.inference import decode_many
from ngae.search.oracle_budget import BUDGETS, gradient_search_scores, random_search_scores

# lambda 0: BIC already charges for parameters. Step size and steps: the better of the defaults
# (lr 0.01, 100 steps) and lr 0.03 / 200 steps on seed 0 (seeds 1-4 are out of sample).
NGAE_SEARCH = SearchConfig(lambda_cmplx=0.0, lr=0.03, steps=200)


def bo_scores(
    ex: Explorer, calls: int, seed: int, init: int = 500, q: int = 10, refit_every: int = 4
) -> list[float]:
    """Latent BO (module docstring): true scores in the order the oracle was called."""
    from botorch.acquisition import LogExpectedImprovement
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from botorch.models.transforms import Normalize, Standardize
    from botorch.optim import optimize_acqf
    from gpytorch.mlls import ExactMarginalLogLikelihood

    rng = np.random.default_rng(seed)
    train = np.flatnonzero(ex.split == "train")
    pick = rng.choice(train, size=min(init, len(train)), replace=False)
    x = torch.as_tensor(ex.latents.mu[pick], dtype=torch.float64)
    y = torch.as_tensor(ex.data.acc[pick], dtype=torch.float64)[:, None]
    mu = torch.as_tensor(ex.latents.mu[train], dtype=torch.float64)
    bounds = torch.stack([mu.min(0).values, mu.max(0).values])
    seen = set(ex.full_data.strings)  # the data set's networks are known: no call
    scores: list[float] = []
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    state = None
    for round_ in range(2 * calls // q):  # at most 2 x calls candidates
        if len(scores) >= calls:
            break
        gp = SingleTaskGP(
            x, y, input_transform=Normalize(x.shape[1]), outcome_transform=Standardize(1)
        )
        if state is not None:  # warm start: the last round's hyperparameters
            gp.load_state_dict(state, strict=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if state is None or round_ % refit_every == 0:
                mll = ExactMarginalLogLikelihood(gp.likelihood, gp)
                fit_gpytorch_mll(mll, optimizer_kwargs={"options": {"maxiter": 75}})
            gp.eval()
            # A batch of q: the local maxima of expected improvement from q restarts.
            cand, _ = optimize_acqf(
                LogExpectedImprovement(gp, best_f=y.max()),
                bounds,
                q=1,
                num_restarts=q,
                raw_samples=8 * q,
                return_best_only=False,
            )
        state = {k: v for k, v in gp.state_dict().items() if "train" not in k}
        cand = cand.reshape(-1, x.shape[1])
        types, adj = decode_many(ex.model, cand.float(), stochastic=True, generator=gen)
        new_x, new_y = [], []
        for k, item in enumerate(ex.space.to_items(types, adj)):
            if item is None or item.to_string() in seen or len(scores) >= calls:
                new_x.append(cand[k])  # no call: mark the point as poor for the GP
                new_y.append(float(y.min()))
                continue
            seen.add(item.to_string())
            score = float(ex.space.true_scores([item])[0])
            scores.append(score)
            new_x.append(cand[k])
            new_y.append(score)
        x = torch.cat([x, torch.stack(new_x)])
        y = torch.cat([y, torch.tensor(new_y, dtype=torch.float64)[:, None]])
    return scores


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--checkpoint", default=str(PROJECT_ROOT / "checkpoints" / "ngae_asia.pt"))
    p.add_argument("--seeds", type=int, default=5)
    p.add_argument("--calls", type=int, default=max(BUDGETS))
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--methods", default="ngae,bo,random")
    p.add_argument("--out", default=str(PROJECT_ROOT / "assets" / "asia_search_methods.json"))
    p.add_argument("--report", default=None, help="only print the table of a written file")
    args = p.parse_args()
    if args.report:
        report(json.loads(Path(args.report).read_text()))
        return
    torch.set_num_threads(args.threads)
    ex = Explorer.open(Path(args.checkpoint))
    info = ex.space_info
    budgets = tuple(b for b in BUDGETS if b <= args.calls)
    methods = {
        "ngae": lambda s: gradient_search_scores(ex, args.calls, s, NGAE_SEARCH),
        "bo": lambda s: bo_scores(ex, args.calls, s),
        "random": lambda s: random_search_scores(
            ex.model, ex.space, ex.latents.mu, args.calls, s, frozenset(ex.full_data.strings)
        ),
    }
    curves: dict[str, list[list[float]]] = {}
    seconds: dict[str, float] = {}
    for name in args.methods.split(","):
        start = time.perf_counter()
        curves[name] = []
        for seed in range(args.seeds):
            s = methods[name](seed)
            curves[name].append(np.maximum.accumulate(s).tolist())
            print(f"{name} seed {seed}: {len(s)} calls, best {max(s):.1f}", flush=True)
        seconds[name] = time.perf_counter() - start
    opt, best = info.optimum_score, info.dataset_best
    doc = {
        "command": "python benchmarks/asia_search_methods.py "
        + " ".join(f"--{k} {v}" for k, v in (("seeds", args.seeds), ("calls", args.calls))),
        "checkpoint": Path(args.checkpoint).name,
        "checkpoint_sha": file_sha256(args.checkpoint)[:12],
        "machine": platform.processor() or platform.machine(),
        "threads": args.threads,
        "optimum": opt,
        "dataset_best": best,
        "curves": curves,
        "seconds": seconds,
        "date": time.strftime("%Y-%m-%d"),
    }
    atomic_write_bytes(Path(args.out), lambda f: f.write(json.dumps(doc, indent=1).encode()))
    print(f"wrote {args.out}\n")
    report(doc, budgets)


def report(doc: dict, budgets: tuple[int, ...] = BUDGETS) -> None:
    """The table: best true BIC after each budget (mean ± std over the seeds that got that
    far), the calls each run made, its best at the end and that best's gap to the optimum."""
    opt, best = doc["optimum"], doc["dataset_best"]
    print(f"exact optimum {opt:.1f}; best training network {best:.1f}")
    head = ["method", *(f"after {b}" for b in budgets), "calls made", "best at the end", "gap"]
    print(" | ".join(head))
    for name, runs in doc["curves"].items():
        cells = [name]
        for b in budgets:
            vals = [r[b - 1] for r in runs if len(r) >= b]
            spread = f"{np.mean(vals):,.1f} ± {np.std(vals):,.1f}" if vals else "-"
            cells.append(spread + ("" if len(vals) in (0, len(runs)) else f" ({len(vals)} runs)"))
        ends = [r[-1] for r in runs if r]
        calls = [len(r) for r in runs]
        cells.append(f"{min(calls)}-{max(calls)}" if min(calls) != max(calls) else str(calls[0]))
        cells.append(f"{np.mean(ends):,.1f} ± {np.std(ends):,.1f}")
        cells.append(f"{(opt - np.mean(ends)) / abs(opt):.2%}")
        above = sum(e > best for e in ends)
        cells[-1] += f" ({above} of {len(runs)} runs above the training best)"
        print(" | ".join(cells))


if __name__ == "__main__":
    main()
