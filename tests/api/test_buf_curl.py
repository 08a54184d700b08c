"""`buf curl`, a client we did not write, reaches the server through reflection."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests.api.sqlite_only import sqlite_only_database_url  # noqa: F401 - database_url

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


# The walk-through of README.md: each ```sh block is one call, the ```json block after it
# the part of its reply the page shows.
README_PAGE = Path(__file__).resolve().parents[2] / "README.md"
WALK_THROUGH = "### A ticket from open to breach, with buf curl"
CALL = re.compile(r"```sh\n(.*?)```\n\n```json\n(.*?)```", re.DOTALL)
DATA = re.compile(r"-d '(.*?)' (http://\S+)/sla\.ledger\.v1\.LedgerService/(\w+)", re.DOTALL)


SERVICE_WALK_THROUGH = "### A service SLA with two tiers, with buf curl"


def _walk_through(heading: str = WALK_THROUGH) -> list[tuple[str, str, Any]]:
    """(method, request JSON, the reply shown) of each call of a walk-through, in order."""
    text = README_PAGE.read_text().split(heading, 1)[1].split("\n#", 1)[0]
    calls = []
    for command, shown in CALL.findall(text):
        found = DATA.search(command)
        assert found is not None, command
        assert command.startswith("buf curl --protocol grpc --http2-prior-knowledge -d '")
        calls.append((found.group(3), found.group(1), json.loads(shown)))
    return calls


def _holds(reply: Any, shown: Any) -> bool:
    """Whether a reply holds everything shown: the same keys with those values, lists item by
    item."""
    if isinstance(shown, dict):
        return isinstance(reply, dict) and all(
            key in reply and _holds(reply[key], value) for key, value in shown.items()
        )
    if isinstance(shown, list):
        return (
            isinstance(reply, list)
            and len(reply) == len(shown)
            and all(_holds(r, s) for r, s in zip(reply, shown, strict=True))
        )
    return bool(reply == shown)


def test_the_walk_through_of_a_ticket_from_open_to_breach_replies_as_the_page_shows(
    buf_curl: Callable[..., Any],
) -> None:
    calls = _walk_through()
    assert [method for method, _, _ in calls] == [
        "SignAgreement",
        "RecordCaseEvents",
        "GetCase",
        "GetCase",
        "ListCases",
    ]
    for method, data, shown in calls:
        result = buf_curl(method=method, data=data)

        assert result.returncode == 0, result.stderr
        reply = json.loads(result.stdout)
        assert _holds(reply, shown), f"{method}: {reply}"


def test_the_walk_through_of_a_service_sla_with_two_tiers_replies_as_the_page_shows(
    buf_curl: Callable[..., Any],
) -> None:
    calls = _walk_through(SERVICE_WALK_THROUGH)
    assert [method for method, _, _ in calls] == [
        "SignAgreement",
        "SubscribeCustomer",
        "SubscribeCustomer",
        "RecordMeasurements",
        "ClosePeriod",
        "GetCompliance",
        "ListCredits",
    ]
    for method, data, shown in calls:
        result = buf_curl(method=method, data=data)

        assert result.returncode == 0, result.stderr
        reply = json.loads(result.stdout)
        assert _holds(reply, shown), f"{method}: {reply}"


CLAIM_WALK_THROUGH = "### A credit from eligible to settled, with buf curl"


def test_the_walk_through_of_a_credit_from_eligible_to_settled_replies_as_the_page_shows(
    buf_curl: Callable[..., Any],
) -> None:
    calls = _walk_through(CLAIM_WALK_THROUGH)
    assert [method for method, _, _ in calls] == [
        "SignAgreement",
        "RecordMeasurements",
        "ClosePeriod",
        "ClaimCredit",
        "DecideClaim",
        "SettleCredits",
        "GetCreditBalance",
    ]
    for method, data, shown in calls:
        result = buf_curl(method=method, data=data)

        assert result.returncode == 0, result.stderr
        reply = json.loads(result.stdout)
        assert _holds(reply, shown), f"{method}: {reply}"
    settle_data = calls[5][1]
    again = buf_curl(method="SettleCredits", data=settle_data)
    assert json.loads(again.stdout)["credits"][0]["settled"]["amount"] == "60.00"


def test_buf_curl_records_the_same_milestone_once(
    buf_curl: Callable[..., Any],
) -> None:
    (sign, sign_data, _), (_, record_data, _) = _walk_through()[:2]
    assert buf_curl(method=sign, data=sign_data).returncode == 0
    again = json.loads(record_data)
    again["requestId"] = ""

    first = buf_curl(method="RecordCaseEvents", data=json.dumps(again))
    second = buf_curl(method="RecordCaseEvents", data=json.dumps(again))

    assert json.loads(first.stdout)["recordedCount"] == "1"
    assert json.loads(second.stdout) == {"duplicateCount": "1"}
