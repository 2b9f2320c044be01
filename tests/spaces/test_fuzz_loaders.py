"""Fuzzing the loaders: any input either loads or raises a user error, never anything else.

Seeded, so a failure reproduces; the number of cases is counted and kept to a few hundred.
"""

from __future__ import annotations

import json
import math
import random

import numpy as np

from ngae.errors import USER_ERRORS
from ngae.spaces.enas.arch import Arch
from ngae.spaces.enas.data_file import DEFAULT_DATA, parse_enas_line, read_enas_file
from ngae.spaces.errors import ArchError, DataError
from ngae.spaces.registry import load_dataset

RAW = DEFAULT_DATA.read_bytes()
HEAD = RAW[: RAW.index(b"\n", 20_000) + 1]  # about 230 complete lines
HEAD_LINES = HEAD.decode().splitlines()
BASE = HEAD_LINES[0]
LINE_1_VALUES = "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1".split()
ALPHABET = "[]0123456789,. -+eE\t\x00\u2028xnaifNIT_"
REPLACEMENTS = [
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e400",
    "true",
    "false",
    "null",
    "1.0",
    "0.5",
    "-1",
    "2",
    "99999999999999999999999999",
    "9" * 5000,
    "[]",
    "[[]]",
    "[0, 1]",
    '"1"',
    "{}",
    "[" * 3000,
]


def test_user_errors_are_value_errors():
    assert DataError in USER_ERRORS and ArchError in USER_ERRORS
    assert all(issubclass(e, ValueError) for e in USER_ERRORS)


def outcome(func, *args):
    """``"ok"`` with the result, or ``"error"``; any other exception fails the test."""
    try:
        return "ok", func(*args)
    except (DataError, ArchError) as err:
        assert str(err), "an error message must say something"
        return "error", None


def mutate(line: str, rng: random.Random) -> str:
    """One to three random edits: replace a token, insert, delete or duplicate a span, or
    the benign ones (a digit changed, a space added) that often leave a loadable line."""
    for _ in range(rng.randint(1, 3)):
        kind = rng.randrange(6)
        i = rng.randrange(len(line) + 1)
        j = min(len(line), i + rng.randint(1, 6))
        digits = [k for k, ch in enumerate(line) if ch.isdigit()]
        if kind == 4 and digits:
            k = rng.choice(digits)
            line = line[:k] + rng.choice("0123456") + line[k + 1 :]
        elif kind == 5:
            line = line[:i] + " " + line[i:]
        elif kind == 0:
            line = line[:i] + rng.choice(REPLACEMENTS) + line[j:]
        elif kind == 1:
            line = line[:i] + "".join(rng.choices(ALPHABET, k=rng.randint(1, 4))) + line[i:]
        elif kind == 2:
            line = line[:i] + line[j:]
        else:
            line = line[:j] + line[i:j] + line[j:]
    return line


def check_parsed(arch: Arch, acc: float) -> None:
    assert isinstance(arch, Arch) and math.isfinite(acc) and 0.0 <= acc <= 1.0
    assert Arch.from_string(arch.to_string()) == arch
    assert all(type(op) is int for op in arch.ops)


def test_mutated_lines_parse_or_raise_user_errors():
    rng = random.Random(20_020)
    tried, results = 0, {"ok": 0, "error": 0}
    for _ in range(300):
        kind, value = outcome(parse_enas_line, mutate(rng.choice(HEAD_LINES), rng))
        if kind == "ok":
            check_parsed(*value)
        results[kind] += 1
        tried += 1
    assert tried == 300
    assert results["ok"] >= 10 and results["error"] >= 100, results  # both paths exercised


def test_structured_bad_lines_raise_user_errors():
    rows = json.loads(BASE.rpartition("],")[0] + "]")
    cases = [f"{json.dumps(rows)}, {acc}" for acc in ["nan", "inf", "-inf", "1e999", "-0.1", ""]]
    for i in range(len(rows)):  # each value is neither an op (0..5) nor a skip bit (0, 1)
        for value in ["true", "1.0", '"1"', "null", "6", "-1", "10" * 30, "[1]"]:
            broken = [list(r) for r in rows]
            broken[i][-1] = "@"
            cases.append(json.dumps(broken).replace('"@"', value) + ", 0.5")
        short = [list(r) for r in rows]
        short[i] = short[i][:-1] if len(short[i]) > 1 else []
        cases.append(f"{json.dumps(short)}, 0.5")
    cases += [
        "[1, 2, 3], 0.5",
        "[[1], 2], 0.5",
        "[], 0.5",
        "[[]], 0.5",
        "{}, 0.5",
        '"[[1]]", 0.5',
        "[[1]] 0.5",
        BASE.replace("],", "]],", 1),
    ]
    for case in cases:
        kind, _ = outcome(parse_enas_line, case)
        assert kind == "error", case
    assert len(cases) == 6 + 9 * len(rows) + 8


def test_random_strings_for_arch_from_string():
    rng = random.Random(6)
    tokens = ["0", "1", "5", "6", "-1", "1.0", "True", "x", "", ",", "9" * 5000, "1e3", "٣", "\x00"]
    results = {"ok": 0, "error": 0}
    for _ in range(200):
        if rng.random() < 0.5:  # near the real thing: 21 integers with one change
            values = LINE_1_VALUES.copy()
            values[rng.randrange(21)] = rng.choice(tokens)
            text = " ".join(values)
        else:
            text = " ".join(rng.choices(tokens, k=rng.randint(0, 30)))
        kind, arch = outcome(Arch.from_string, text)
        if kind == "ok":
            assert Arch.from_string(arch.to_string()) == arch
        results[kind] += 1
    assert sum(results.values()) == 200
    assert results["ok"] >= 10 and results["error"] >= 50, results


def test_truncated_copies_of_the_real_file(tmp_path):
    """Cut at random byte offsets: the complete lines load unchanged, a partial one is named."""
    rng = random.Random(7)
    expected = [parse_enas_line(line)[0] for line in HEAD_LINES]
    line_ends = [i + 1 for i, byte in enumerate(HEAD) if byte == ord("\n")]
    loaded = failed = 0
    for k in range(40):
        if k < 2:
            cut = [0, len(HEAD)][k]
        elif k % 2:  # anywhere
            cut = rng.randrange(len(HEAD) + 1)
        else:  # at or just before a line end: inside the accuracy "0.7302"
            cut = rng.choice(line_ends) - rng.randint(0, 4)
        path = tmp_path / f"cut{k}.txt"
        path.write_bytes(HEAD[:cut])
        complete = HEAD[:cut].count(b"\n")
        try:
            archs, accs = read_enas_file(path)
        except DataError as err:
            failed += 1
            empty = cut == 0 and "no architectures" in str(err)
            assert empty or str(err).startswith(f"{path}:{complete + 1}: "), (cut, str(err))
            continue
        loaded += 1
        # a cut inside the accuracy digits still parses: the architecture part is complete
        assert archs == expected[: len(archs)] and len(archs) in (complete, complete + 1)
        assert np.all((accs >= 0) & (accs <= 1))
    assert loaded + failed == 40
    assert loaded >= 10 and failed >= 10, (loaded, failed)


def test_random_bytes_and_mutated_files_through_load_dataset(tmp_path):
    rng = random.Random(8)
    good_jsonl = json.dumps({"types": [0, 2, 3, 1], "edges": [[0, 1], [1, 2], [2, 3]], "acc": 0.5})
    results = {"ok": 0, "error": 0}
    for k in range(120):
        suffix = ".jsonl" if k % 2 else ".txt"
        if k % 3 == 0:
            content = rng.randbytes(rng.randint(0, 300))
        elif suffix == ".txt":
            lines = [mutate(line, rng) if rng.random() < 0.3 else line for line in HEAD_LINES[:8]]
            content = "\n".join(lines).encode()
        else:
            lines = [mutate(good_jsonl, rng) if rng.random() < 0.5 else good_jsonl]
            lines += [good_jsonl] * 3
            content = "\n".join(rng.sample(lines, len(lines))).encode()
        path = tmp_path / f"f{k}{suffix}"
        path.write_bytes(content)
        kind, data = outcome(load_dataset, path)
        if kind == "ok":
            assert len(data) >= 1 and data.types.shape[0] == len(data)
            assert np.all(np.isfinite(data.acc)) and np.all(np.isfinite(data.params))
        results[kind] += 1
    assert sum(results.values()) == 120
    assert results["ok"] >= 10 and results["error"] >= 40, results
