"""The client reaches a server over TLS with a bearer token, and tells a wrong token apart."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import trustme
from sla_ledger_client import LedgerClient, PermissionDenied, Unauthenticated

from tests.api.token_server import write_tokens

SIGNED_AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def tls_ledger(
    start_ledger: Callable[..., Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """A server with TLS (a trustme CA's certificate for localhost) and the tests' token file;
    its target and the CA file."""
    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("localhost", "127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(folder / "server.pem"))
    cert.private_key_pem.write_to_path(str(folder / "server.key"))
    ca.cert_pem.write_to_path(str(folder / "ca.pem"))
    server = start_ledger(
        folder / "ledger.sqlite3",
        extra_args=(
            "--tls-cert",
            str(folder / "server.pem"),
            "--tls-key",
            str(folder / "server.key"),
            "--tokens",
            str(write_tokens(folder / "tokens.json")),
        ),
    )
    yield f"localhost:{server.port}", str(folder / "ca.pem")


def test_a_writer_token_over_tls_signs_an_agreement(
    tls_ledger: tuple[str, str], agreement_terms: Callable[[], Any]
) -> None:
    target, ca_file = tls_ledger
    with LedgerClient.connect(target, token="admin-token", ca_file=ca_file) as ledger:
        signed = ledger.sign_agreement("tls-1", agreement_terms(), signed_at=SIGNED_AT)

    assert signed.agreement.version == 1


def test_an_unknown_token_is_unauthenticated(tls_ledger: tuple[str, str]) -> None:
    target, ca_file = tls_ledger
    with (
        LedgerClient.connect(target, token="not-a-token", ca_file=ca_file) as ledger,
        pytest.raises(Unauthenticated) as refused,
    ):
        ledger.get_ledger_digest()

    assert refused.value.reason == "INVALID_TOKEN"


def test_a_role_that_may_not_call_a_method_is_permission_denied(
    tls_ledger: tuple[str, str], agreement_terms: Callable[[], Any]
) -> None:
    target, ca_file = tls_ledger
    with (
        LedgerClient.connect(target, token="auditor-token", ca_file=ca_file) as ledger,
        pytest.raises(PermissionDenied) as refused,
    ):
        ledger.sign_agreement("tls-2", agreement_terms(), signed_at=SIGNED_AT)

    assert refused.value.reason == "ROLE_FORBIDS_METHOD"


def test_a_missing_ca_file_is_refused_at_connect(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        LedgerClient.connect("localhost:1", ca_file=tmp_path / "missing.pem")
