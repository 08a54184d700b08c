"""The layering the house rules name: projections/ never imports service/, and the
application (service/app) never reaches grpc."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECTIONS = ROOT / "projections"


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


def _module_path(module: str) -> Path | None:
    """The project's source file of a module, None for one outside the project."""
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def test_the_application_imports_neither_grpc_nor_the_api() -> None:
    """service/app, and everything it imports in turn, never reaches grpc or service/api: the
    transport stays in service/api."""
    pending = sorted(ROOT.joinpath("service", "app").glob("*.py"))
    assert pending, "no service/app modules found"
    seen: set[Path] = set()
    offending: list[str] = []
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in _imported_modules(path):
            if module.split(".")[0] == "grpc" or module.startswith("service.api"):
                offending.append(f"{path.relative_to(ROOT)} imports {module}")
            source = _module_path(module)
            if source is not None:
                pending.append(source)
    assert offending == []


def test_reports_and_the_portal_reach_the_ledger_only_through_its_api() -> None:
    """reports/ and portal/ are clients of the gRPC API: of the project they import only the
    generated stubs (and each other), never the domain, the store, the application or the read
    models."""
    allowed = ("reports", "portal", "service.generated")
    project = ("domain", "projections", "service", "reports", "portal", "interchange")
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for folder in ("reports", "portal")
        for path in sorted(ROOT.joinpath(folder).rglob("*.py"))
        for module in _imported_modules(path)
        if module.split(".")[0] in project
        and not any(module == a or module.startswith(f"{a}.") for a in allowed)
    ]
    assert offending == []


def test_interchange_reaches_the_ledger_only_through_its_api() -> None:
    """interchange/ (OpenSLO in and out) maps the API's messages: of the project it imports only
    the generated stubs and the reports' connection (a client of the API), never the domain,
    the store, the application or the read models."""
    allowed = ("interchange", "service.generated", "reports.connection")
    project = ("domain", "projections", "service", "reports", "portal", "interchange")
    paths = sorted(ROOT.joinpath("interchange").rglob("*.py"))
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in paths
        for module in _imported_modules(path)
        if module.split(".")[0] in project
        and not any(module == a or module.startswith(f"{a}.") for a in allowed)
    ]
    assert paths, "no interchange modules found"
    assert offending == []


def test_the_application_and_the_workers_reach_the_metrics_only_through_observers() -> None:
    """service/app and service/workers are handed callables at the composition root; they never
    import the metrics modules or prometheus_client."""
    offending = [
        f"{path.relative_to(ROOT)} imports {module}"
        for folder in (("service", "app"), ("service", "workers"))
        for path in sorted(ROOT.joinpath(*folder).glob("*.py"))
        for module in _imported_modules(path)
        if module.split(".")[0] == "prometheus_client"
        or module.startswith("service.telemetry.metrics")
    ]
    assert offending == []


PROBE = "import sys, service.cli; print('prometheus_client' in sys.modules)"


def test_the_command_line_does_not_load_prometheus_client_until_metrics_are_on() -> None:
    loaded = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert loaded.stdout.strip() == "False"
