"""Reading Asia's data set (JSON lines) fast: text matching per line, then numpy for the batch.

A line as :func:`~ngae.spaces.asia.data.dataset_lines` writes it (``json.dumps``' spacing, its
keys in its order) matches :data:`LINE_PATTERN`, a strict subset of JSON whose adjacency and
score are read off the match; other lines go through :func:`parse_record` (``json.loads``).
All networks are then checked (digits 0/1, no self-loop, no cycle) and ordered at once
(:func:`~ngae.spaces.asia.network.topological_orders`). The first bad line is read again on its
own by :func:`parse_record`, so the error (``path:line: reason``) is the per-line loader's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ngae.spaces.asia.network import NUM_VARS, BayesNet, topological_orders
from ngae.spaces.errors import DataError
from ngae.spaces.graph_data import read_lines

# Integers short enough that json reads them (no 4300-digit limit) and float() never overflows.
_INT = r"(?:0|[1-9][0-9]{0,17})"
_NUMBER = r"-?(?:0|[1-9][0-9]{0,20})(?:\.[0-9]{1,30})?(?:[eE][-+]?[0-9]{1,3})?"
_PAIR = rf"\[{_INT}, {_INT}\]"
# The writer's lines, ``(score, adjacency)`` captured: only valid JSON, read the same either way.
LINE_PATTERN = re.compile(
    rf'\{{"types": \[(?:{_INT}(?:, {_INT})*)?\], '
    rf'"edges": \[(?:{_PAIR}(?:, {_PAIR})*)?\], '
    rf'"score": ({_NUMBER}), "params": {_INT}, "adjacency": "([0-9]{{{NUM_VARS * NUM_VARS}}})"\}}'
)
# What the per-line reading of a line may raise (the first three are reported as bad lines).
_REPORTED = (ValueError, TypeError, KeyError)
_FAILURES = (*_REPORTED, OverflowError, RecursionError)


@dataclass(frozen=True)
class Networks:
    """A data set's networks, checked.

    Attributes:
        adjacency: ``(M, 8, 8)`` uint8, ``[m, i, j] = 1`` for an edge from variable i to j.
        order: ``(M, 8)`` int64, each network's variables in :meth:`BayesNet.order`.
        strings: each network's 64-digit string.
        scores: ``(M,)`` float64 BIC from the file.
        nets: the networks as :class:`BayesNet`.
    """

    adjacency: np.ndarray
    order: np.ndarray
    strings: list[str]
    scores: np.ndarray
    nets: list[BayesNet]


@dataclass(frozen=True)
class _Scan:
    """Each network line's number, adjacency digits and score; where reading stopped, if it did."""

    numbers: list[int]
    digits: list[str]
    scores: list[float]
    failed: int | None


def parse_record(line: str) -> tuple[BayesNet, float]:
    """One line the per-line way: ``json.loads``, the adjacency parsed and checked, the score."""
    record = json.loads(line)
    return BayesNet.from_string(str(record["adjacency"])), float(record["score"])


def read_networks(path: Path | str) -> Networks:
    """The networks of an Asia JSON-lines file, exactly as reading it line by line gives them.

    Raises:
        DataError: ``path:line: reason`` for the first bad line; the file is unreadable or
            holds no networks.
    """
    lines = read_lines(Path(path))
    scan = _scan(lines)
    adjacency = _digit_values(scan.digits)
    order, valid = _check(adjacency)
    bad = np.flatnonzero(~valid)
    if len(bad):
        number = scan.numbers[bad[0]]
        raise _line_error(path, number, lines[number - 1])
    if scan.failed is not None:
        raise _line_error(path, scan.failed, lines[scan.failed - 1])
    if not scan.digits:
        raise DataError(f"{path}: no networks in the file")
    flat = adjacency.tobytes()  # 0/1 bytes, 64 per network
    step = NUM_VARS * NUM_VARS
    nets = [BayesNet.trusted(tuple(flat[k : k + step])) for k in range(0, len(flat), step)]
    scores = np.array(scan.scores, dtype=np.float64)
    return Networks(adjacency, order, scan.digits, scores, nets)


def _scan(lines: list[str]) -> _Scan:
    """Adjacency digits and score of each non-blank line, up to the first that fails to read."""
    numbers: list[int] = []
    digits: list[str] = []
    scores: list[float] = []
    for number, line in enumerate(lines, start=1):
        match = LINE_PATTERN.fullmatch(line)
        if match is not None:
            literal, text = match.groups()
            score = _json_float(literal)
        elif not line.strip():
            continue
        else:
            try:
                net, score = parse_record(line)
            except _FAILURES:
                return _Scan(numbers, digits, scores, failed=number)
            text = net.to_string()
        numbers.append(number)
        digits.append(text)
        scores.append(score)
    return _Scan(numbers, digits, scores, failed=None)


def _json_float(literal: str) -> float:
    """``float(json.loads(literal))`` of a JSON number: integers via ``int`` (``-0`` is 0.0)."""
    return float(int(literal)) if literal.lstrip("-").isdigit() else float(literal)


def _digit_values(digits: list[str]) -> np.ndarray:
    """``(M, 8, 8)`` uint8 values of 64-digit ASCII strings (all in one buffer)."""
    blob = "".join(digits).encode("ascii")
    values = np.frombuffer(blob, dtype=np.uint8) - ord("0")
    return values.reshape(-1, NUM_VARS, NUM_VARS)


def _check(adjacency: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Topological orders ``(M, 8)`` and which networks :class:`BayesNet` accepts ``(M,)``.

    A network is accepted when its digits are 0 or 1 and it has no cycle (a self-loop is one).
    """
    order, acyclic = topological_orders(adjacency)
    return order, (adjacency <= 1).all((1, 2)) & acyclic


def _line_error(path: Path | str, number: int, line: str) -> DataError:
    """The per-line loader's error for a bad line (what :func:`parse_record` raises on it)."""
    try:
        parse_record(line)
    except _REPORTED as err:
        return DataError(f"{path}:{number}: {str(err)[:120]}")
    return DataError(f"{path}:{number}: not a network")  # unreachable: the checks agree
