"""The layering the house rules name: projections/ never imports service/."""

from __future__ import annotations

import ast
from pathlib import Path

PROJECTIONS = Path(__file__).resolve().parents[2] / "projections"


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_projections_never_import_service() -> None:
    found = {
        f"{path.name}: {module}"
        for path in sorted(PROJECTIONS.rglob("*.py"))
        for module in _imported_modules(path)
        if module == "service" or module.startswith("service.")
    }
    assert list(PROJECTIONS.rglob("*.py")), "no projections modules found"
    assert not found, f"projections import service: {sorted(found)}"
