"""Search methods on NAS-Bench-Graph measured on the benchmark's truth, at equal query budgets.

    python benchmarks/nasbench_graph_methods.py [--datasets cora,citeseer] [--budgets 20,100]
        [--seeds 20] [--methods random,evolution,bo,ngae] [--checkpoint PATH] [--json OUT]

Protocol. A method sees only the validation accuracy of the architectures it has queried; each
distinct architecture costs one query, asking again is free. A data set's space is the
architectures its table holds (all 26,206; on proteins the 2,021 with its five ops): a method
never proposes others (evolution mutates within the data set's ops; BO and NGAE skip a
decoding the table lacks, at no cost). Reported for each budget: the TEST accuracy of the
best-validation architecture among the first ``budget`` queried (ties: the first queried),
mean and sample std over the seeds -- beside two ceilings read from the table: the test
accuracy of the space's best-validation architecture (the best a method selecting by validation
can reach) and the best test accuracy. One run to the largest budget gives every smaller budget
as its prefix (nested budgets). Accuracies are fractions, as in the tables.

Methods:

* ``random``: distinct architectures drawn uniformly.
* ``evolution``: regularized (aging) evolution, Real et al. 2019: a population of
  ``--population`` (20) random architectures; each step samples ``--tournament`` (5) members,
  mutates the best (one node: its op to another, or -- half the time, never for node 1 -- its
  input to another earlier node; a mutation giving the same architecture is redrawn), queries
  the child, appends it and removes the oldest member. 20/5: the best of five settings
  (10/3, 20/5, 50/10, 10/5, 5/2) by best validation accuracy at 100 and 500 queries on cora,
  citeseer and arxiv (20 seeds).
* ``bo`` and ``ngae`` need a VAE of this space (``--checkpoint``) whose codes carry no
  accuracy (trained with ``--perf-weight 0``: the structure part may see the whole space, no
  label). Both start from the same ``INIT`` (10) random queries as the other methods (common
  random numbers: every method's first draws are the seed's permutation), then query in
  rounds of ``round_size(n)`` (5 to 50, a fifth of those queried so far), so 500 queries
  take about 20 rounds.
* ``bo``: latent Bayesian optimisation as D-VAE's: a GP (BoTorch ``SingleTaskGP``, inputs
  scaled to the codes' box, outcomes standardised, hyperparameters refitted each round) on the
  latent means of the queried architectures; each round queries the unqueried architectures
  with the highest log expected improvement, the candidates being the latent means of every
  architecture of the data set (no decoding: the space is known).
* ``ngae``: NGAE's gradient search in a closed loop, the product's
  (:mod:`ngae.search.closed_loop`, default ``LoopConfig``): each round fits a fresh accuracy
  head (the model's head shape) on the queried codes only, runs the product's ascent
  (``ngae.search.ascent.ascend``: Adam, ``NGAE_SEARCH``: lr 0.05, 50 steps, projected every
  10 steps, within 3 std of the codes' mean) from the best ``STARTS`` (10) queried codes,
  greedily decodes every point of the paths, and queries the distinct new architectures met,
  best predicted first. When the paths meet fewer new architectures than the round needs, the
  rest are the unqueried architectures the head ranks highest (their share of the queries:
  ``ngae_screened_share``). ``LoopConfig.heads``/``kappa``: an ensemble of heads and the
  weight of their spread (1 and 0: one head).

The best-validation ceiling is where a method ends when it has queried everything; at a finite
budget a method can land above it (validation accuracy overfits: a near-best validation
architecture may test better than the best one).

JSON (``--json OUT``): ``{"datasets": {name: {"ceilings": {"best_valid_test", "best_test"},
"methods": {method: {budget: {"mean", "std", "seeds", "valid_mean", "valid_std"}}}}},
"ngae_screened_share" (with ngae)}}, "settings": {...}}``: ``mean``/``std`` the test accuracy
reported, ``valid_*`` the best validation accuracy found (what the methods maximise).
"""

from __future__ import annotations

import argparse
import json
import math
import time
import warnings
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from ngae.files import atomic_write_bytes
from ngae.model.checkpoint import load_checkpoint, model_from_checkpoint
from ngae.model.inference import encode_mu
from ngae.model.vae import NGAE
from ngae.search.closed_loop import LoopConfig, Pool, closed_loop, round_size
from ngae.spaces.errors import ArchError
from ngae.spaces.nasbench_graph.arch import GnnArch
from ngae.spaces.nasbench_graph.canonical import OPS, all_hashes, from_hash
from ngae.spaces.nasbench_graph.space import NasBenchGraphSpace
from ngae.spaces.nasbench_graph.tables import DATASETS, light_table

BUDGETS = (20, 50, 100, 200, 500)
SPACE = NasBenchGraphSpace()
LOOP = LoopConfig()  # NGAE's closed loop (ngae.search.closed_loop), as benchmarked
INIT = LOOP.init  # random queries before a latent method's first model
STARTS = LOOP.starts  # ascents per NGAE round
# The ascent's lr 0.05: at the product's 0.01 the projections (every 10 steps) snap the points
# back to the architectures they started from, and half the queries came from screening (cora,
# citeseer, arxiv, 10 seeds, 100 queries); 0.05 met enough new ones. 5 heads (with or without
# their spread as a bonus) were no better than 1 on those runs.
NGAE_SEARCH = LOOP.ascent


@dataclass(frozen=True)
class Problem:
    """One data set: the architectures its table holds, their figures, the ops it uses."""

    name: str
    hashes: np.ndarray  # (N,) ascending
    valid: np.ndarray  # (N,)
    test: np.ndarray  # (N,)
    ops: tuple[int, ...]

    @classmethod
    def of(cls, name: str) -> Problem:
        """Data set ``name``'s table, restricted to the architectures it holds."""
        table = light_table(name)
        hashes = all_hashes()[table.present[all_hashes()]]
        ops = sorted({op for h in hashes.tolist() for op in from_hash(h)[1]})
        return cls(name, hashes, table.valid[hashes], table.test[hashes], tuple(ops))

    def row(self, h: int) -> int | None:
        """The row of hash ``h``, ``None`` when the table lacks it."""
        k = int(np.searchsorted(self.hashes, h))
        return k if k < len(self.hashes) and self.hashes[k] == h else None

    def ceilings(self) -> dict[str, float]:
        """Test accuracy of the best-validation architecture, and the best test accuracy."""
        return {
            "best_valid_test": float(self.test[int(np.argmax(self.valid))]),
            "best_test": float(self.test.max()),
        }


class Oracle:
    """Validation accuracy of queried architectures; records each distinct one once, in order."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.seen: dict[int, float] = {}

    def query(self, h: int) -> float | None:
        """Validation accuracy of ``h`` (``None`` and no cost when the table lacks it)."""
        if h in self.seen:
            return self.seen[h]
        row = self.problem.row(h)
        if row is None:
            return None
        self.seen[h] = float(self.problem.valid[row])
        return self.seen[h]

    @property
    def count(self) -> int:
        """Distinct architectures queried so far."""
        return len(self.seen)

    def order(self) -> list[int]:
        """The distinct hashes in the order they were first queried."""
        return list(self.seen)


@dataclass
class Settings:
    """Method settings; ``latent``: the model and codes of the latent methods (or ``None``)."""

    population: int = 20
    tournament: int = 5
    latent: Latent | None = None
    screened: list[int] = field(default_factory=list)  # per ngae run: queries not decoded
    pools: dict[str, Pool] = field(default_factory=dict)  # ngae's pool per data set


@dataclass(frozen=True)
class Latent:
    """A VAE of the space, the latent means of all 26,206 architectures, and the codes' box."""

    model: NGAE  # read only: the closed loop fits its accuracy heads beside it
    mu: torch.Tensor  # (26206, nz), rows in all_hashes() order
    bounds: tuple[torch.Tensor, torch.Tensor]  # mean -+ 3 std per dimension (trust region)

    @classmethod
    def load(cls, checkpoint: str) -> Latent:
        """Read the checkpoint and encode every architecture."""
        model = model_from_checkpoint(load_checkpoint(checkpoint))
        model.requires_grad_(False)
        types, adj = SPACE.dense([GnnArch(*from_hash(h)) for h in all_hashes().tolist()])
        mu = encode_mu(model, types, adj)
        mean, std = mu.mean(0), mu.std(0)
        return cls(model, mu, (mean - 3 * std, mean + 3 * std))

    def codes(self, problem: Problem) -> torch.Tensor:
        """``(N, nz)`` codes of the problem's architectures, in its row order."""
        return self.mu[np.searchsorted(all_hashes(), problem.hashes)]

    def pool(self, problem: Problem) -> Pool:
        """The closed loop's pool: the problem's architectures, in its row order."""
        archs = [GnnArch(*from_hash(h)) for h in problem.hashes.tolist()]
        space = SPACE.with_oracle_source(problem.name)
        return Pool.of(space, archs, self.codes(problem), self.bounds)


def random_search(problem: Problem, budget: int, rng: np.random.Generator, s: Settings) -> list:
    """Distinct architectures uniformly at random."""
    return problem.hashes[rng.permutation(len(problem.hashes))[:budget]].tolist()


def mutate(h: int, ops: tuple[int, ...], rng: np.random.Generator) -> int:
    """One op or one input changed (module docstring); the child differs from ``h``."""
    links, op = from_hash(h)
    while True:
        node = int(rng.integers(4))
        new_links, new_ops = list(links), list(op)
        if node == 0 or rng.random() < 0.5:
            new_ops[node] = int(rng.choice([o for o in ops if o != op[node]]))
        else:
            new_links[node] = int(rng.choice([p for p in range(node + 1) if p != links[node]]))
        try:
            child = GnnArch(tuple(new_links), tuple(new_ops)).bench_hash
        except ArchError:  # all skip
            continue
        if child != h:
            return child


def evolution(problem: Problem, budget: int, rng: np.random.Generator, s: Settings) -> list:
    """Regularized evolution (module docstring); repeats of known children cost nothing."""
    oracle = Oracle(problem)
    population: deque[tuple[int, float]] = deque()
    for h in random_search(problem, min(s.population, budget), rng, s):
        population.append((h, oracle.query(h)))
    steps = 0
    while oracle.count < min(budget, len(problem.hashes)):
        pick = rng.choice(len(population), min(s.tournament, len(population)), replace=False)
        parent = max((population[i] for i in pick), key=lambda m: m[1])[0]
        child = mutate(parent, problem.ops, rng)
        population.append((child, oracle.query(child)))
        population.popleft()
        steps += 1
        if steps > 100 * budget:  # a population stuck among known architectures
            raise RuntimeError(f"evolution made no new query in {steps} steps")
    return oracle.order()


def _start(problem: Problem, budget: int, rng: np.random.Generator, s: Settings) -> Oracle:
    oracle = Oracle(problem)
    for h in random_search(problem, min(INIT, budget), rng, s):
        oracle.query(h)
    return oracle


def _queried(oracle: Oracle) -> tuple[np.ndarray, np.ndarray]:
    rows = np.array([oracle.problem.row(h) for h in oracle.seen], dtype=np.int64)
    return rows, np.array(list(oracle.seen.values()))


@torch.no_grad()
def log_ei(gp: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Log expected improvement of each row of ``x`` ``(N, d)`` over the best observation.

    BoTorch's ``LogExpectedImprovement`` with the marginal posterior computed directly (one
    Cholesky solve for all candidates: BoTorch's t-batches take seconds for 26,206 points),
    in the GP's standardised outcome units (an affine map: the ranking is the same).
    """
    from botorch.acquisition.analytic import _log_ei_helper

    gp.eval()
    train_x, train_y = gp.train_inputs[0], gp.train_targets  # (n, d), (n,) standardised
    mean0 = gp.mean_module.constant
    k = gp.covar_module(train_x).to_dense()
    k = k + gp.likelihood.noise * torch.eye(len(train_x), dtype=k.dtype)
    chol = torch.linalg.cholesky(k)
    alpha = torch.cholesky_solve((train_y - mean0)[:, None], chol)  # (n, 1)
    cross = gp.covar_module(x, train_x).to_dense()  # (N, n)
    mean = mean0 + (cross @ alpha).squeeze(-1)
    v = torch.linalg.solve_triangular(chol, cross.T, upper=False)  # (n, N)
    var = (gp.covar_module(x, diag=True) - v.pow(2).sum(0)).clamp_min(1e-12)
    sigma = var.sqrt()
    return _log_ei_helper((mean - train_y.max()) / sigma) + sigma.log()


def bo(problem: Problem, budget: int, rng: np.random.Generator, s: Settings) -> list:
    """Latent BO on the codes of all architectures (module docstring)."""
    from botorch.fit import fit_gpytorch_mll
    from botorch.models import SingleTaskGP
    from botorch.models.transforms import Standardize
    from gpytorch.mlls import ExactMarginalLogLikelihood

    x = s.latent.codes(problem).double()
    x = (x - x.min(0).values) / (x.max(0).values - x.min(0).values).clamp_min(1e-9)  # (N, nz)
    oracle = _start(problem, budget, rng, s)
    budget, state = min(budget, len(problem.hashes)), None
    while oracle.count < budget:
        rows, y = _queried(oracle)
        train_y = torch.as_tensor(y, dtype=torch.float64)[:, None]
        gp = SingleTaskGP(x[rows], train_y, outcome_transform=Standardize(1))
        if state is not None:  # warm start: last round's hyperparameters
            gp.load_state_dict(state, strict=False)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # BoTorch's numerical notes on tiny data sets
            fit_gpytorch_mll(ExactMarginalLogLikelihood(gp.likelihood, gp))
        state = {k: v for k, v in gp.state_dict().items() if not k.startswith("outcome")}
        score = log_ei(gp, x)
        score[rows] = -math.inf
        for row in torch.argsort(score, descending=True)[: round_size(oracle.count)].tolist():
            if oracle.count < budget:
                oracle.query(int(problem.hashes[row]))
    return oracle.order()


def ngae(problem: Problem, budget: int, rng: np.random.Generator, s: Settings) -> list:
    """NGAE's closed-loop gradient search (module docstring; :mod:`ngae.search.closed_loop`)."""
    if problem.name not in s.pools:
        s.pools[problem.name] = s.latent.pool(problem)
    space = SPACE.with_oracle_source(problem.name)
    result = closed_loop(
        s.latent.model, space, s.pools[problem.name], replace(LOOP, budget=budget), rng
    )
    s.screened.append(result.screened)
    return [GnnArch.from_string(q.item).bench_hash for q in result.queries]


def best_in_prefixes(
    problem: Problem, order: list[int], budgets: tuple[int, ...]
) -> list[tuple[float, float]]:
    """For each budget, the best validation accuracy in the prefix and its architecture's test
    accuracy (ties: the first queried)."""
    rows = np.array([problem.row(h) for h in order], dtype=np.int64)
    valid, test = problem.valid[rows], problem.test[rows]
    return [(float(valid[k]), float(test[k])) for k in (int(np.argmax(valid[:b])) for b in budgets)]


METHODS: dict[str, Callable[[Problem, int, np.random.Generator, Settings], list]] = {
    "random": random_search,
    "evolution": evolution,
    "bo": bo,
    "ngae": ngae,
}
LATENT_METHODS = ("bo", "ngae")


def run_method(
    name: str, problem: Problem, budgets: tuple[int, ...], seeds: int, s: Settings
) -> dict[str, dict[str, float]]:
    """Mean and std over seeds of each budget's figure; one run per seed to the largest budget."""
    per_seed = []
    for seed in range(seeds):
        entropy = [seed, zlib.crc32(problem.name.encode())]  # the same draws for every method
        order = METHODS[name](problem, max(budgets), np.random.default_rng(entropy), s)
        assert len(order) == len(set(order)) == min(max(budgets), len(problem.hashes)), name
        per_seed.append(best_in_prefixes(problem, order, budgets))
    values = np.array(per_seed)  # (seeds, budgets, 2): best validation, its test accuracy
    ddof = 1 if seeds > 1 else 0
    return {
        str(b): {
            "mean": float(values[:, k, 1].mean()),
            "std": float(values[:, k, 1].std(ddof=ddof)),
            "seeds": seeds,
            "valid_mean": float(values[:, k, 0].mean()),
            "valid_std": float(values[:, k, 0].std(ddof=ddof)),
        }
        for k, b in enumerate(budgets)
    }


def table_text(report: dict, budgets: tuple[int, ...]) -> str:
    """The report as a plain-text table: per data set its ceilings, then a row per method."""
    lines = []
    width = 16
    head = "".join(f"{b:>{width}}" for b in budgets)
    for name, entry in report["datasets"].items():
        c = entry["ceilings"]
        lines.append(
            f"{name}: best-validation arch's test {100 * c['best_valid_test']:.2f}, "
            f"best test {100 * c['best_test']:.2f} (test accuracy %, mean ± std)"
        )
        lines.append(f"  {'budget':<10}{head}")
        for method, by_budget in entry["methods"].items():
            cells = "".join(
                f"{100 * by_budget[str(b)]['mean']:>9.2f} ± {100 * by_budget[str(b)]['std']:<4.2f}"
                for b in budgets
            )
            lines.append(f"  {method:<10}{cells}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (module docstring)."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--datasets", default=",".join(DATASETS))
    p.add_argument("--budgets", default=",".join(map(str, BUDGETS)))
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--methods", default=None, help="default: all (bo, ngae need --checkpoint)")
    p.add_argument("--checkpoint", default=None, help="a VAE of this space (for bo and ngae)")
    p.add_argument("--population", type=int, default=Settings.population)
    p.add_argument("--tournament", type=int, default=Settings.tournament)
    p.add_argument("--json", default=None, help="write the report here")
    args = p.parse_args(argv)
    args.datasets = [d.strip() for d in args.datasets.split(",") if d.strip()]
    unknown = [d for d in args.datasets if d not in DATASETS]
    if unknown:
        p.error(f"unknown data set {unknown[0]!r} (one of: {', '.join(DATASETS)})")
    args.budgets = tuple(sorted({int(b) for b in args.budgets.split(",")}))
    return args


def main(argv: list[str] | None = None) -> dict:
    """Run the methods, print the table, write the JSON; returns the report."""
    args = parse_args(argv)
    default = [m for m in METHODS if m not in LATENT_METHODS or args.checkpoint]
    methods = args.methods.split(",") if args.methods else default
    s = Settings(population=args.population, tournament=args.tournament)
    if any(m in LATENT_METHODS for m in methods):
        if not args.checkpoint:
            raise SystemExit("bo and ngae need --checkpoint (a VAE of this space)")
        s.latent = Latent.load(args.checkpoint)
    start = time.perf_counter()
    report: dict = {"datasets": {}}
    for name in args.datasets:
        problem = Problem.of(name)
        entry = {"ceilings": problem.ceilings(), "methods": {}}
        for method in methods:
            s.screened.clear()
            entry["methods"][method] = run_method(method, problem, args.budgets, args.seeds, s)
            if method == "ngae":
                entry["ngae_screened_share"] = sum(s.screened) / (args.seeds * max(args.budgets))
        report["datasets"][name] = entry
    report["settings"] = {
        "budgets": list(args.budgets),
        "seeds": args.seeds,
        "population": s.population,
        "tournament": s.tournament,
        "init": INIT,
        "ngae_starts": STARTS,
        "ngae_search": {"steps": NGAE_SEARCH.steps, "lr": NGAE_SEARCH.learning_rate()},
        "checkpoint": args.checkpoint,
        "seconds": round(time.perf_counter() - start, 1),
        "ops": {n: [OPS[o] for o in Problem.of(n).ops] for n in args.datasets},
    }
    print(table_text(report, args.budgets))
    if args.json:
        blob = (json.dumps(report, indent=1) + "\n").encode()
        atomic_write_bytes(Path(args.json), lambda f: f.write(blob))
    return report


if __name__ == "__main__":
    main()
