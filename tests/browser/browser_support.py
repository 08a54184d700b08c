"""Where the browser tests find Chromium and the PDF tools, and where they keep screenshots.

The browser is Debian's `chromium` package driven by Playwright for Python (Playwright's own
browser downloads are never used: there is no internet where the tests run). Without it the
tests are skipped with the reason, except under CI=true, where a missing browser fails the run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

CHROMIUM_VARIABLE = "SLA_LEDGER_TEST_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
ARTIFACTS_VARIABLE = "SLA_LEDGER_TEST_ARTIFACTS"
REPOSITORY = Path(__file__).resolve().parents[2]
# Headless and quiet: no GPU, no QUIC, nothing fetched from the network behind the tests' back.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
PDF_TOOLS = ("pdftoppm", "pdftotext")


def under_ci(environment: Mapping[str, str]) -> bool:
    """True when the environment says CI=true (in any case)."""
    return environment.get("CI", "").lower() == "true"


def chromium_path(environment: Mapping[str, str]) -> Path:
    """The Chromium executable the tests drive: SLA_LEDGER_TEST_CHROMIUM, else Debian's."""
    return Path(environment.get(CHROMIUM_VARIABLE) or DEFAULT_CHROMIUM)


def chromium_missing(path: Path) -> str | None:
    """Why the browser tests cannot run with this executable, or None when they can."""
    if not path.is_file():
        return (
            f"no Chromium at {path} (apt-get install chromium, or set {CHROMIUM_VARIABLE} "
            "to a Chromium executable)"
        )
    if not os.access(path, os.X_OK):
        return f"{path} is not executable"
    return None


def pdf_tools_missing() -> str | None:
    """Why the PDF checks cannot run (pdftoppm and pdftotext of poppler-utils), or None."""
    missing = [tool for tool in PDF_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not found (apt-get install poppler-utils)"
    return None


def artifacts_dir(environment: Mapping[str, str]) -> Path:
    """Where screenshots and downloads are kept: SLA_LEDGER_TEST_ARTIFACTS, else
    .test-artifacts/ at the repository's root (gitignored)."""
    configured = environment.get(ARTIFACTS_VARIABLE)
    return Path(configured) if configured else REPOSITORY / ".test-artifacts"


def artifact_name(test_id: str) -> str:
    """A file name for a test's artifacts: its node id with anything unsafe replaced."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", test_id.split("::")[-1]).strip("_") or "test"


def unavailable(reason: str, environment: Mapping[str, str]) -> None:
    """Skip the test for that reason, or fail it under CI=true, where nothing may be missing."""
    if under_ci(environment):
        pytest.fail(f"the browser tests are required under CI=true: {reason}")
    pytest.skip(reason)
