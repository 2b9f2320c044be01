"""``python -m ngae params``: counts printed in order, one-line errors with exit code 2."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ngae.spaces.enas.data_file import DEFAULT_DATA

pytest.importorskip("ngae.commands.search")  # ngae.cli imports every command module

from ngae.cli import main  # noqa: E402
from ngae.files import PROJECT_ROOT as ROOT

LINES = DEFAULT_DATA.read_text().splitlines()
LINE_1 = "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"
ALL_POOLS = "5 5 0 5 0 0 5 0 0 0 5 0 0 0 0 5 0 0 0 0 0"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ngae", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def three_lines(tmp_path):
    path = tmp_path / "three.txt"
    path.write_text("\n".join(LINES[:3]) + "\n")
    return path


def assert_one_line_error(stderr: str, *fragments: str) -> None:
    assert stderr.startswith("error: ")
    assert stderr.count("\n") == 1 and stderr.endswith("\n")
    assert "Traceback" not in stderr
    for fragment in fragments:
        assert fragment in stderr


# ---------------------------------------------------------------- as a real process


def test_process_prints_one_count_per_line_in_file_order(three_lines):
    done = run_cli("params", "--filters", "96", str(three_lines))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "9796512\n7556256\n5804064\n"


def test_process_bad_string_is_one_line_and_exit_2():
    done = run_cli("params", "1 4 0 5")
    assert (done.returncode, done.stdout) == (2, "")
    assert_one_line_error(done.stderr, "4 integers")


# ---------------------------------------------------------------- through main()


def test_string_prints_one_count(capsys):
    assert main(["params", LINE_1]) == 0
    assert capsys.readouterr() == ("9796512\n", "")


def test_filters_and_separable_flags(capsys):
    assert main(["params", "--filters", "4", ALL_POOLS]) == 0
    assert capsys.readouterr().out == "1980\n"  # derived by hand in tests/space/test_complexity.py
    sep = "1 5 0 5 0 0 5 0 0 0 5 0 0 0 0 2 1 0 0 0 0"
    assert main(["params", "--filters", "4", sep]) == 0
    assert main(["params", "--filters", "4", "--separable", sep]) == 0
    assert capsys.readouterr().out == "9132\n9040\n"


def test_file_with_blank_lines_prints_only_architectures(tmp_path, capsys):
    path = tmp_path / "gaps.txt"
    path.write_text(f"\n{LINES[2]}\n\n{LINES[0]}\n")
    assert main(["params", str(path)]) == 0
    assert capsys.readouterr().out == "5804064\n9796512\n"


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["params", "1 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0"], ["20 integers"]),
        (["params", "6 4 0 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"], ["op 6"]),
        (["params", "1 4 2 5 0 0 0 1 1 1 2 1 1 1 1 3 0 0 0 0 1"], ["skip bits"]),
        (["params", "no/such/file.txt"], ["no/such/file.txt", "no such file"]),
        (["params", "--filters", "95", LINE_1], ["--filters", "95"]),
        (["params", "--filters", "0", LINE_1], ["--filters"]),
        (["params", "--filters", "-4", LINE_1], ["--filters"]),
    ],
)
def test_user_errors_are_one_line_and_exit_2(capsys, argv, fragments):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_line_error(err, *fragments)


def test_malformed_file_line_names_file_and_line(tmp_path, capsys):
    path = tmp_path / "bad.txt"
    path.write_text(f"{LINES[0]}\n[[1], [4, 0], [5, 0\n{LINES[1]}\n")
    assert main(["params", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert_one_line_error(err, f"{path}:2:")


@pytest.mark.parametrize(
    ("argv", "fragments"),
    [
        (["params"], ["source", "python -m ngae params --help"]),
        (["params", "--filters", "many", LINE_1], ["--filters", "python -m ngae params --help"]),
        ([], ["command", "python -m ngae --help"]),
    ],
)
def test_argparse_errors_exit_2_with_one_line(capsys, argv, fragments):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert_one_line_error(capsys.readouterr().err, *fragments)
