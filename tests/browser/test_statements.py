"""Downloading March's statement from the period page in a real browser: a PDF that renders,
whose text holds the ledger digest it was made at and March's figures, for an auditor's token
and for the customer's own scoped token."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from tests.api.server_process import ServerProcess
from tests.browser import seeded_ledger as ledger

SignIn = Callable[[Any, str], None]
ADMIN = (("authorization", f"Bearer {ledger.token('admin')}"),)


def _download_march_pdf(page: Any, sign_in: SignIn, folder: Path, who: str) -> Path:
    sign_in(page, who)
    page.goto(f"/agreements/{ledger.AGREEMENT}/objectives/availability/periods/{ledger.PERIOD}")
    with page.expect_download() as download:
        page.get_by_test_id("statement-pdf").click()
    saved = folder / f"statement-{who}-{ledger.PERIOD}.pdf"
    download.value.save_as(saved)
    return saved


def _digest(server: ServerProcess) -> str:
    stub = pb_grpc.LedgerServiceStub(server.channel)
    head = stub.GetLedgerDigest(pb.GetLedgerDigestRequest(), timeout=10, metadata=ADMIN).digest
    return f"{head.log_position}:{head.sha256_hex}"


def _text(pdf: Path) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_downloaded_pdf_statement_renders_to_a_page_that_is_not_blank(
    page: Any, sign_in: SignIn, artifacts: Path, pdf_tools: None, seeded: ledger.SeededLedger
) -> None:
    pdf = _download_march_pdf(page, sign_in, artifacts, "auditor")

    prefix = artifacts / "statement-page"
    done = subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(prefix)],
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    [rendered] = sorted(artifacts.glob("statement-page*.png"))
    with Image.open(rendered) as image:
        histogram = image.convert("L").histogram()  # pixels of each grey level, 0 to 255
    # Dark text on a light page: both must be there.
    assert sum(histogram[:128]) > 0
    assert sum(histogram[128:]) > 0


def test_the_downloaded_pdf_statement_holds_the_ledger_digest_and_march_s_attainment(
    page: Any,
    sign_in: SignIn,
    artifacts: Path,
    pdf_tools: None,
    ledger_server: ServerProcess,
    seeded: ledger.SeededLedger,
) -> None:
    text = _text(_download_march_pdf(page, sign_in, artifacts, "auditor"))

    assert _digest(ledger_server) in text.replace("\n", "")
    assert "99.798387" in text  # 44,550 of 44,640 hours' events good


def test_a_customer_scoped_token_downloads_its_own_statement_with_the_digest(
    page: Any,
    sign_in: SignIn,
    artifacts: Path,
    pdf_tools: None,
    ledger_server: ServerProcess,
    seeded: ledger.SeededLedger,
) -> None:
    text = _text(_download_march_pdf(page, sign_in, artifacts, "globex"))

    assert _digest(ledger_server) in text.replace("\n", "")
