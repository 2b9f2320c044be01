"""The house rules, checked on the source: layers, a small flat package, no path hacks.

- ``dashboard.py`` and ``pages/`` (with its sub-packages) import from ``ngae`` only
  ``ngae.explorer`` and ``ngae.ui`` (and their modules), with no exceptions; no file in
  ``pages/`` is over :data:`PAGE_LINES` lines.
- Outside a space's own folder (``ngae/spaces/<name>/``), no code decides by a space's name
  (``"enas6"``, ``"asia"``, ``is_space(...)``) or a label's text (``== "accuracy"``,
  ``== "BIC"``): it asks the space.
- ``ngae/`` never imports Streamlit; ``ngae.explorer`` never imports ``ngae.ui``.
- At most 12 modules directly under ``ngae/``; ``explorer/`` and ``ui/`` are packages.
- No ``sys.path`` edits in the product, the benchmarks or the scripts; benchmarks import
  nothing from ``tests/``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from ngae.files import PROJECT_ROOT as ROOT

APP_FILES = [ROOT / "dashboard.py", *sorted((ROOT / "pages").rglob("*.py"))]
PAGE_LINES = 300
SPACE_NAMES = {"enas6", "asia"}
LABEL_WORDS = {"accuracy", "BIC"}
NO_PATH_HACKS = ["ngae", "pages", "benchmarks", "scripts", "dashboard.py", "serve.py"]


def imported_modules(path: Path) -> list[str]:
    """Every absolute module a file imports (``from ngae import x`` counts as ``ngae.x``)."""
    mods: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            mods += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "ngae":
                mods += [f"ngae.{a.name}" for a in node.names]
            else:
                mods.append(node.module)
    return mods


def python_files(*names: str) -> list[Path]:
    out: list[Path] = []
    for name in names:
        path = ROOT / name
        out += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return out


def in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_app_imports_only_the_explorer_and_ui(path):
    for mod in imported_modules(path):
        if in_package(mod, "ngae"):
            ok = in_package(mod, "ngae.explorer") or in_package(mod, "ngae.ui")
            assert ok, f"{path.name} imports {mod}"


def test_the_rule_catches_a_leak(tmp_path):
    leak = tmp_path / "leak.py"
    leak.write_text("from ngae import search\nfrom ngae.model.vae import NGAE\nimport ngae.ui\n")
    mods = [m for m in imported_modules(leak) if in_package(m, "ngae")]
    bad = [m for m in mods if not (in_package(m, "ngae.explorer") or in_package(m, "ngae.ui"))]
    assert bad == ["ngae.search", "ngae.model.vae"]


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_page_files_are_short(path):
    lines = len(path.read_text().splitlines())
    assert lines <= PAGE_LINES, f"{path.relative_to(ROOT)} has {lines} lines (split it)"


def _strings(node: ast.AST) -> list[str]:
    """String constants of an operand: itself, or the items of a literal tuple, list or set."""
    items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [i.value for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)]


def decisions_by_name(source: str) -> list[str]:
    """Where ``source`` decides by a space's name or a label's text: ``line: code`` each.

    Comparisons (``==``, ``!=``, ``in``, ``is``...) and ``match`` cases with ``"enas6"``,
    ``"asia"``, ``"accuracy"`` or ``"BIC"``, and calls of ``is_space``.
    """
    words = SPACE_NAMES | LABEL_WORDS
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            hit = any(t in words for operand in (node.left, *node.comparators)
                      for t in _strings(operand))  # fmt: skip
        elif isinstance(node, ast.MatchValue):
            hit = any(t in words for t in _strings(node.value))
        elif isinstance(node, ast.Call):
            fn = node.func
            hit = (
                fn.attr if isinstance(fn, ast.Attribute) else getattr(fn, "id", "")
            ) == "is_space"
        else:
            continue
        if hit:
            found.append((node.lineno, ast.unparse(node)))
    return [f"{line}: {code}" for line, code in sorted(found)]


def outside_space_folders() -> list[Path]:
    """``ngae/`` less each space's folder (``ngae/spaces/<name>/``), ``pages/``, the app."""
    spaces = ROOT / "ngae" / "spaces"
    folders = [p for p in spaces.iterdir() if p.is_dir() and (p / "__init__.py").is_file()]
    product = [p for p in python_files("ngae") if not any(p.is_relative_to(f) for f in folders)]
    return product + python_files("pages", "dashboard.py")


def test_no_decision_by_a_space_name_or_label_text():
    hits = [
        f"{path.relative_to(ROOT)}:{hit}"
        for path in outside_space_folders()
        for hit in decisions_by_name(path.read_text())
    ]
    assert not hits, "ask the space instead:\n" + "\n".join(hits)


def test_the_name_rule_catches_a_decision():
    source = (
        'if info.name == "enas6": pass\n'
        'ok = kind in ("asia", "other")\n'
        'short = "params" if n.perf != "accuracy" else n.cmplx\n'
        'lam = 0.0 if names.perf == "BIC" else 20.0\n'
        'if ex.is_space("asia"): pass\n'
        'match name:\n    case "asia": pass\n'
        'label = f"true {n.perf}"; title = "accuracy"; space = SPACES["asia"]\n'
    )
    lines = [hit.split(":")[0] for hit in decisions_by_name(source)]
    assert lines == ["1", "2", "3", "4", "5", "7"]


def test_ngae_never_imports_streamlit_and_explorer_never_ui():
    for path in python_files("ngae"):
        mods = imported_modules(path)
        assert not any(in_package(m, "streamlit") for m in mods), path
        if "explorer" in path.relative_to(ROOT).parts:
            assert not any(in_package(m, "ngae.ui") for m in mods), path


def test_flat_package_is_small_and_grouped():
    flat = sorted(p.name for p in (ROOT / "ngae").glob("*.py"))
    assert len(flat) <= 12, flat
    for package in ("spaces", "model", "training", "search", "explorer", "ui", "retrain"):
        assert (ROOT / "ngae" / package / "__init__.py").is_file(), package


def test_no_sys_path_edits():
    for path in python_files(*NO_PATH_HACKS):
        text = path.read_text()
        assert "sys.path.insert" not in text and "sys.path.append" not in text, path


def test_benchmarks_import_nothing_from_tests():
    local = {p.stem for p in (ROOT / "tests").rglob("*.py")}
    for path in python_files("benchmarks"):
        for mod in imported_modules(path):
            assert mod.split(".")[0] not in local | {"tests"}, f"{path.name} imports {mod}"


def test_project_metadata_pins_the_requirements():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    pins = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert project["dependencies"] == pins
    assert project["scripts"] == {"ngae": "ngae.cli:main"}
