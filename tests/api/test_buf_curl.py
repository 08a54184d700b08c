"""`buf curl`, a client we did not write, reaches the server through reflection."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

Run = Callable[[Sequence[str]], Any]
METHOD_PREFIX = "sla.ledger.v1.LedgerService"


@pytest.fixture
def buf_curl(buf: Path, server: Any, run_command: Run) -> Callable[..., Any]:
    """Run `buf curl` over gRPC (HTTP/2 prior knowledge) against the server.

    With a method name, calls it with the JSON request data; without, passes the extra flags.
    """

    def curl(*flags: str, method: str = "", data: str | None = None) -> Any:
        base_url = f"http://127.0.0.1:{server.port}"
        command = [
            str(buf),
            "curl",
            "--protocol",
            "grpc",
            "--http2-prior-knowledge",
            "--connect-timeout",
            "10",
            *flags,
        ]
        if data is not None:
            command += ["-d", data]
        command.append(f"{base_url}/{METHOD_PREFIX}/{method}" if method else base_url)
        return run_command(command)

    return curl


def _sign(buf_curl: Callable[..., Any], sign_json: Callable[[str], str], agreement_id: str) -> Any:
    result = buf_curl(method="SignAgreement", data=sign_json(agreement_id))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_buf_curl_lists_sign_agreement_among_the_methods(buf_curl: Callable[..., Any]) -> None:
    result = buf_curl("--list-methods")

    assert result.returncode == 0, result.stderr
    assert f"{METHOD_PREFIX}/SignAgreement" in result.stdout.split()


def test_buf_curl_finds_the_methods_through_v1_reflection(buf_curl: Callable[..., Any]) -> None:
    result = buf_curl("--reflect-protocol", "grpc-v1", "--list-methods")

    assert result.returncode == 0, result.stderr
    assert f"{METHOD_PREFIX}/SignAgreement" in result.stdout.split()


def test_buf_curl_signs_an_agreement_from_json(
    buf_curl: Callable[..., Any], sign_json: Callable[[str], str]
) -> None:
    signed = _sign(buf_curl, sign_json, "sla-buf")

    assert signed["agreement"]["agreementId"] == "sla-buf"
    assert signed["agreement"]["version"] == "1"
    assert signed["agreement"]["terms"]["fee"]["amount"] == {
        "currencyCode": "EUR",
        "amount": "1000.00",
    }


def test_buf_curl_gets_the_agreement_it_signed(
    buf_curl: Callable[..., Any], sign_json: Callable[[str], str]
) -> None:
    signed = _sign(buf_curl, sign_json, "sla-buf")

    result = buf_curl(method="GetAgreement", data=json.dumps({"agreementId": "sla-buf"}))

    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    assert read["agreement"] == signed["agreement"]
    assert read["agreement"]["terms"]["kind"] == "AGREEMENT_KIND_CUSTOMER_BASED"
    assert read["agreement"]["status"] == "AGREEMENT_STATUS_ACTIVE"


def test_buf_curl_amend_with_a_stale_version_exits_non_zero_and_prints_aborted(
    buf_curl: Callable[..., Any], sign_json: Callable[[str], str]
) -> None:
    signed = _sign(buf_curl, sign_json, "sla-buf")
    amendment = {
        "agreementId": "sla-buf",
        "terms": json.loads(sign_json("sla-buf"))["terms"],
        "effectiveFrom": "2025-03-01T00:00:00Z",
        "expectedVersion": str(int(signed["agreement"]["version"]) + 1),
    }

    result = buf_curl(method="AmendAgreement", data=json.dumps(amendment))

    assert result.returncode != 0
    assert "aborted" in result.stdout + result.stderr
