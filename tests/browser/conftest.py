"""Fixtures for the browser tests: a real ledger, a real `sla-ledger portal`, a real Chromium.

One ledger server (SQLite, with bearer tokens) is started and seeded through gRPC per test
session (per xdist worker), and one portal process beside it; every test gets a fresh browser
context (no cookies) and leaves a screenshot of its page in the artifacts folder. Without
Chromium the tests are skipped with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from tests.api.server_process import ServerProcess
from tests.browser import browser_support as support
from tests.browser import seeded_ledger
from tests.browser.seeded_ledger import SeededLedger

LISTEN_DEADLINE_SECONDS = 30.0
PAGE_TIMEOUT_MS = 15_000


def _unavailable(reason: str) -> None:
    support.unavailable(reason, os.environ)


@pytest.fixture(scope="session")
def chromium_executable() -> Path:
    """Debian's Chromium (or SLA_LEDGER_TEST_CHROMIUM); skipped when missing, except CI=true."""
    path = support.chromium_path(os.environ)
    reason = support.chromium_missing(path)
    if reason is not None:
        _unavailable(reason)
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable: Path) -> Iterator[Any]:
    """A headless Chromium driven by Playwright, for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:  # the dev extra is not installed
        _unavailable(f"Playwright for Python is not installed ({error})")
        raise AssertionError("unreachable") from error
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_executable),
            headless=True,
            args=list(support.CHROMIUM_ARGS),
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """The folder screenshots and downloads go to (created)."""
    folder = support.artifacts_dir(os.environ) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def ledger_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real `sla-ledger serve` on a free port, SQLite, with seeded_ledger's tokens."""
    workdir = tmp_path_factory.mktemp("browser-ledger")
    tokens = seeded_ledger.write_tokens(workdir / "tokens.json")
    server = _start(
        [
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            f"sqlite:///{workdir / 'ledger.sqlite3'}",
            "--close-periods",
            "off",
            "--tokens",
            str(tokens),
        ],
        workdir,
    )
    server.port = int(server.wait_for_log("listening", LISTEN_DEADLINE_SECONDS)["port"])
    server.channel = grpc.insecure_channel(f"127.0.0.1:{server.port}")
    grpc.channel_ready_future(server.channel).result(timeout=LISTEN_DEADLINE_SECONDS)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seeded(ledger_server: ServerProcess) -> SeededLedger:
    """The ledger's content, written once per session (see seeded_ledger)."""
    return seeded_ledger.seed(pb_grpc.LedgerServiceStub(ledger_server.channel))


@pytest.fixture(scope="session")
def portal_url(
    ledger_server: ServerProcess, seeded: SeededLedger, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The base URL of a real `sla-ledger portal` process in front of the seeded ledger."""
    portal = _start(
        ["portal", "--ledger", f"127.0.0.1:{ledger_server.port}", "--listen", "127.0.0.1:0"],
        tmp_path_factory.mktemp("browser-portal"),
    )
    port = int(portal.wait_for_log("portal listening", LISTEN_DEADLINE_SECONDS)["port"])
    url = f"http://127.0.0.1:{port}"
    yield url
    portal.stop()


@pytest.fixture
def page(browser: Any, portal_url: str, artifacts: Path, request: pytest.FixtureRequest) -> Any:
    """A page in a fresh browser context; its screenshot is saved when the test ends."""
    context = browser.new_context(base_url=portal_url, accept_downloads=True)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    try:
        opened.screenshot(
            path=str(artifacts / f"{support.artifact_name(request.node.nodeid)}.png"),
            full_page=True,
        )
    finally:
        context.close()


@pytest.fixture
def sign_in() -> Callable[[Any, str], None]:
    """Sign a page in to the portal with the token of a seeded_ledger.TOKENS name."""

    def sign(page: Any, name: str) -> None:
        page.goto("/sign-in")
        page.get_by_test_id("token-input").fill(seeded_ledger.token(name))
        page.get_by_test_id("sign-in-submit").click()
        page.wait_for_load_state()

    return sign


@pytest.fixture(scope="session")
def pdf_tools() -> None:
    """pdftoppm and pdftotext; skipped when missing, except under CI=true."""
    reason = support.pdf_tools_missing()
    if reason is not None:
        _unavailable(reason)


def _start(arguments: list[str], workdir: Path) -> ServerProcess:
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", *arguments, "--log-level", "INFO"],
        cwd=workdir,
        env=dict(os.environ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
    )
    return ServerProcess(process)
