"""Asia's files: the samples table (CSV), random DAGs, and the DAG data set (JSON lines).

* ``data/asia_samples.csv``: 5,000 rows drawn from the Asia network (:func:`sample_asia`,
  seed 0), header ``A,S,T,L,B,E,X,D``, values ``yes``/``no``
  (``scripts/make_asia_samples.py`` writes it byte for byte).
* ``data/asia_bn.jsonl`` (20,000) and ``data/asia_bn_200k.jsonl`` (200,000, made by
  ``make``): distinct random DAGs over the variables, each with its BIC on those
  samples (``scripts/make_asia_dataset.py``); one object per line with ``types``, ``edges``
  (D-VAE's BN encoding, input and output included), ``score``, ``params`` (free parameters) and
  ``adjacency`` (the 64-digit string).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from ngae.files import DATA_DIR, atomic_write_bytes, file_sha256
from ngae.spaces.asia.bic import LocalScores
from ngae.spaces.asia.network import NUM_VARS, VARIABLES, BayesNet, sample_asia
from ngae.spaces.errors import DataError

SAMPLES = DATA_DIR / "asia_samples.csv"
DATASET = DATA_DIR / "asia_bn.jsonl"
SAMPLE_ROWS, SAMPLE_SEED = 5000, 0
DATASET_SIZE, DATASET_SEED = 20000, 0
# D-VAE's scale (its asia_200k); made by `make`, not kept in git (60 MB). Same seed: its first
# DATASET_SIZE networks are DATASET's.
LARGE_DATASET, LARGE_SIZE = DATA_DIR / "asia_bn_200k.jsonl", 200000


def samples_csv(rows: np.ndarray) -> bytes:
    """The CSV bytes of a ``(n, 8)`` bool table: header, then ``yes``/``no`` per cell."""
    words = np.where(rows, "yes", "no")
    lines = [",".join(VARIABLES)] + [",".join(r) for r in words]
    return ("\n".join(lines) + "\n").encode("ascii")


def write_samples(path: Path = SAMPLES, n: int = SAMPLE_ROWS, seed: int = SAMPLE_SEED) -> None:
    """Draw ``n`` rows with ``seed`` and write them (atomically)."""
    blob = samples_csv(sample_asia(n, seed))
    atomic_write_bytes(Path(path), lambda f: f.write(blob))


def read_samples(path: str | Path = SAMPLES) -> np.ndarray:
    """Read a samples CSV as ``(n, 8)`` int64 states (1 = yes); bad content raises DataError."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        raise DataError(f"{path}: no such samples file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise DataError(f"{path}: cannot read the file ({err.__class__.__name__})") from None
    header = [h.strip() for h in lines[0].split(",")]
    if sorted(header) != sorted(VARIABLES):
        raise DataError(f"{path}:1: the header must name the columns {','.join(VARIABLES)}")
    column = [header.index(v) for v in VARIABLES]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = [c.strip().lower() for c in line.split(",")]
        if len(cells) != NUM_VARS or any(c not in ("yes", "no") for c in cells):
            raise DataError(f"{path}:{number}: expected {NUM_VARS} values, each yes or no")
        rows.append([cells[c] == "yes" for c in column])
    if not rows:
        raise DataError(f"{path}: no samples in the file")
    return np.array(rows, dtype=np.int64)


@functools.lru_cache(maxsize=4)
def _scores_for(path: str, digest: str) -> LocalScores:
    return LocalScores(read_samples(path), (2,) * NUM_VARS)


def local_scores(path: str | Path = SAMPLES) -> LocalScores:
    """The BIC table of a samples file (cached per file content)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise DataError(f"{path}: no such samples file")
    return _scores_for(str(path), file_sha256(path))


def random_dags(count: int, seed: int) -> list[BayesNet]:
    """``count`` distinct random DAGs whose densities vary.

    Each draws an edge probability uniformly in [0.05, 0.6] and a random variable order, then
    adds each forward pair in that order with that probability; repeats are redrawn.
    """
    rng = np.random.default_rng(seed)
    seen: set[tuple[int, ...]] = set()
    out = []
    upper = np.triu(np.ones((NUM_VARS, NUM_VARS), dtype=bool), 1)
    while len(out) < count:
        p = rng.uniform(0.05, 0.6)
        order = rng.permutation(NUM_VARS)
        forward = upper & (rng.random((NUM_VARS, NUM_VARS)) < p)
        adj = np.zeros((NUM_VARS, NUM_VARS), dtype=np.int64)
        adj[np.ix_(order, order)] = forward
        key = tuple(int(v) for v in adj.flatten())
        if key not in seen:
            seen.add(key)
            out.append(BayesNet(key))
    return out


def dataset_lines(nets: list[BayesNet], local: LocalScores) -> list[str]:
    """One JSON line per DAG, in the data set's format (module docstring)."""
    adj = np.stack([n.adjacency for n in nets])
    scores, params = local.score(adj), local.free_params(adj)
    lines = []
    for net, score, free in zip(nets, scores, params, strict=True):
        types, dag = net.to_dag()
        u, v = np.nonzero(dag)
        record = {
            "types": types.tolist(),
            "edges": [[int(a), int(b)] for a, b in zip(u, v, strict=True)],
            "score": round(float(score), 6),
            "params": int(free),
            "adjacency": net.to_string(),
        }
        lines.append(json.dumps(record))
    return lines


def write_dataset(
    path: Path = DATASET, count: int = DATASET_SIZE, seed: int = DATASET_SEED
) -> None:
    """Sample ``count`` DAGs, score them on the shipped samples and write the data set."""
    blob = ("\n".join(dataset_lines(random_dags(count, seed), local_scores())) + "\n").encode()
    atomic_write_bytes(Path(path), lambda f: f.write(blob))
