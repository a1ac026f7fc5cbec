"""The package layout: one concept per subpackage, imports pointing one way (helpers/__init__.py)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parents[1] / "helpers"

# book -> evaluation / mome -> minn / gem -> data, transitively.
ALLOWED = {
    "data": set(),
    "gem": {"data"},
    "minn": {"gem", "data"},
    "mome": {"gem", "data"},
    "evaluation": {"minn", "gem", "data"},
    "book": {"evaluation", "mome", "minn", "gem", "data"},
}


def _imported_subpackages(path: Path) -> set[str]:
    """The ``helpers`` subpackages ``path`` imports (from :func:`_imported_modules`)."""
    return {name.split(".")[1] for name in _imported_modules(path)
            if name.startswith("helpers.") and len(name.split(".")) > 1}


def test_top_level_holds_only_subpackages():
    modules = sorted(p.name for p in HELPERS.glob("*.py") if p.name != "__init__.py")
    assert modules == [], f"modules outside a subpackage: {modules}"
    assert {p.name for p in HELPERS.iterdir() if (p / "__init__.py").is_file()} == set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package):
    bad = {}
    for path in sorted((HELPERS / package).rglob("*.py")):
        wrong = _imported_subpackages(path) - ALLOWED[package] - {package}
        if wrong:
            bad[str(path.relative_to(HELPERS))] = sorted(wrong)
    assert not bad, f"imports against the arrows: {bad}"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_subpackage_docstring_names_its_imports(package):
    doc = ast.get_docstring(ast.parse((HELPERS / package / "__init__.py").read_text()))
    assert doc and "Imports:" in doc


# ----- the private engines, the book at the top, sizes, indexes, no issue numbers or outside paths -

#: Largest module of helpers/ (lines) and largest function or method (lines, decorators excluded).
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80


def _modules() -> list[Path]:
    return sorted(HELPERS.rglob("*.py"))


def _dotted(path: Path) -> str:
    """``helpers/minn/_engine/trainer.py`` -> ``helpers.minn._engine.trainer`` (packages: no __init__)."""
    parts = path.relative_to(HELPERS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path) -> set[str]:
    """Every dotted name ``path`` imports (relative imports resolved; ``from a import b`` -> a, a.b)."""
    package = _dotted(path) if path.name == "__init__.py" else _dotted(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return found


def _engines() -> list[str]:
    """Dotted names of the private engine subpackages (``helpers.<pkg>._engine``)."""
    return sorted(_dotted(p) for p in HELPERS.glob("*/_engine/__init__.py"))


def test_an_engine_is_imported_only_by_its_subpackage_and_the_book():
    bad = {}
    for engine in _engines():
        owner = engine.rpartition(".")[0]
        for path in _modules():
            name = _dotted(path)
            if name == owner or name.startswith(owner + ".") or name.startswith("helpers.book"):
                continue
            used = sorted(m for m in _imported_modules(path)
                          if m == engine or m.startswith(engine + "."))
            if used:
                bad[str(path.relative_to(HELPERS))] = used
    assert not bad, f"private engines imported from outside their subpackage and helpers.book: {bad}"


def test_nothing_imports_the_book():
    bad = {}
    for path in _modules():
        if _dotted(path).startswith("helpers.book"):
            continue
        used = sorted(m for m in _imported_modules(path)
                      if m == "helpers.book" or m.startswith("helpers.book."))
        if used:
            bad[str(path.relative_to(HELPERS))] = used
    assert not bad, f"helpers.book is the top: nothing else may import it: {bad}"


def test_modules_and_functions_are_small():
    too_long = {}
    for path in _modules():
        text = path.read_text()
        lines = len(text.splitlines())
        name = str(path.relative_to(HELPERS))
        if lines > MAX_MODULE_LINES:
            too_long[name] = f"{lines} lines"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long[f"{name}::{node.name} (line {node.lineno})"] = f"{length} lines"
    assert not too_long, (f"over {MAX_MODULE_LINES} lines per module / {MAX_FUNCTION_LINES} per "
                          f"function: {too_long}")


def _packages() -> list[Path]:
    return sorted(p.parent for p in HELPERS.rglob("__init__.py") if p.parent != HELPERS)


@pytest.mark.parametrize("package", _packages(), ids=lambda p: _dotted(p / "__init__.py"))
def test_subpackage_docstring_lists_its_modules(package):
    import re

    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""
    children = [p for p in package.glob("*.py") if p.name != "__init__.py"]
    children += [p / "__init__.py" for p in package.iterdir() if (p / "__init__.py").is_file()]
    missing = sorted(name for name in map(_dotted, children)
                     if not re.search(re.escape(name) + r"(?![\w])", doc))
    assert not missing, f"{_dotted(package / '__init__.py')}'s docstring does not name {missing}"


#: An issue reference (``#26``, "issue 26") and paths of one machine, outside the repository.
_ISSUE = r"""(?<![\w&/:"'])#\d+\b|\bissues? #?\d+\b"""
_OUTSIDE = r"/work/|\.\./shared|/home/\w|/root/|/Users/\w"


def test_no_issue_numbers_or_outside_paths_in_helpers():
    import re

    found = []
    for path in _modules():
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for pattern in (_ISSUE, _OUTSIDE):
                match = re.search(pattern, line, flags=re.IGNORECASE)
                if match:
                    found.append(f"{path.relative_to(HELPERS)}:{number}: {match.group(0)!r}")
    assert not found, "issue numbers or paths outside the repository:\n" + "\n".join(found)
