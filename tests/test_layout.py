"""The package layout: one concept per subpackage, imports pointing one way (README, Architecture)."""

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
    tree = ast.parse(path.read_text())
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "helpers" and len(parts) > 1:
                found.add(parts[1])
    return found


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
