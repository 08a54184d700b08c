"""ListAgreements against a real server: filters, as_of and known_at, paging, and customer tokens.

The ledger: globex's customer-based agreement (services compute and storage, amended on
2026-03-01 to compute only, terminated from 2026-06-01), initech's internal agreement, and the
service SLA cloud-sla that hooli subscribes to from 2026-02-01 to 2026-04-01.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.generated.sla.ledger.v1 import discovery_pb2 as discovery_pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc, terms_pb2
from tests import proto_builders as build
from tests import service_sla_requests as svc
from tests.api.token_server import auth, write_tokens

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
START = datetime(2026, 1, 1, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)
JUNE = datetime(2026, 6, 1, tzinfo=UTC)
ACTIVE = terms_pb2.AGREEMENT_STATUS_ACTIVE
TERMINATED = terms_pb2.AGREEMENT_STATUS_TERMINATED


@pytest.fixture
def ledger(
    start_server: Callable[..., Any], sqlite_database_url: str, tmp_path: Path
) -> tuple[Stub, int]:
    """The server with the three agreements, and the log position after the last command."""
    tokens = write_tokens(tmp_path / "tokens.json")
    server = start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--tokens", str(tokens))
    )
    stub = Stub(server.channel)
    admin = auth("admin")
    stub.SignAgreement(
        build.sign_request("globex-main", START, START), timeout=TIMEOUT, metadata=admin
    )
    amend = build.amend_request("globex-main", START, MARCH)
    del amend.terms.services[1:]
    stub.AmendAgreement(amend, timeout=TIMEOUT, metadata=admin)
    stub.TerminateAgreement(
        build.terminate_request("globex-main", JUNE), timeout=TIMEOUT, metadata=admin
    )
    internal = build.sign_request(
        "initech-ops",
        START,
        START,
        kind=terms_pb2.AGREEMENT_KIND_INTERNAL,
        customer=terms_pb2.Party(party_id="initech"),
    )
    stub.SignAgreement(internal, timeout=TIMEOUT, metadata=admin)
    stub.SignAgreement(svc.sign_service(START, START), timeout=TIMEOUT, metadata=admin)
    reply = stub.SubscribeCustomer(
        svc.subscribe(
            "hooli", "basic", datetime(2026, 2, 1, tzinfo=UTC), end=datetime(2026, 4, 1, tzinfo=UTC)
        ),
        timeout=TIMEOUT,
        metadata=admin,
    )
    return stub, reply.log_position


def _list(
    stub: Stub, position: int, who: str = "admin", **fields: Any
) -> discovery_pb.ListAgreementsResponse:
    for name in ("as_of", "known_at"):
        if name in fields:
            fields[name] = build.timestamp(fields[name])
    request = discovery_pb.ListAgreementsRequest(min_log_position=position, **fields)
    reply: discovery_pb.ListAgreementsResponse = stub.ListAgreements(
        request, timeout=TIMEOUT, metadata=auth(who)
    )
    return reply


def _ids(reply: discovery_pb.ListAgreementsResponse) -> list[str]:
    return [a.agreement_id for a in reply.agreements]


def test_every_agreement_is_listed_in_id_order(ledger: tuple[Stub, int]) -> None:
    stub, position = ledger

    reply = _list(stub, position)

    assert _ids(reply) == ["cloud-sla", "globex-main", "initech-ops"]
    assert reply.next_page_token == ""
    assert reply.log_position >= position


def test_an_amendment_shows_its_services_and_version_from_its_effective_date(
    ledger: tuple[Stub, int],
) -> None:
    stub, position = ledger

    before = _list(stub, position, as_of=datetime(2026, 2, 1, tzinfo=UTC), provider_id="acme-cloud")
    after = _list(stub, position, as_of=datetime(2026, 4, 1, tzinfo=UTC), provider_id="acme-cloud")

    globex_before = next(a for a in before.agreements if a.agreement_id == "globex-main")
    globex_after = next(a for a in after.agreements if a.agreement_id == "globex-main")
    assert (list(globex_before.services), globex_before.terms_version) == (
        ["compute", "storage"],
        1,
    )
    assert (list(globex_after.services), globex_after.terms_version) == (["compute"], 2)


def test_the_service_filter_reads_the_terms_in_force_at_as_of(ledger: tuple[Stub, int]) -> None:
    stub, position = ledger

    in_february = _list(stub, position, service="storage", as_of=datetime(2026, 2, 1, tzinfo=UTC))
    in_april = _list(stub, position, service="storage", as_of=datetime(2026, 4, 1, tzinfo=UTC))

    assert "globex-main" in _ids(in_february)
    assert "globex-main" not in _ids(in_april)


def test_the_status_filter_follows_the_termination_s_effective_instant(
    ledger: tuple[Stub, int],
) -> None:
    stub, position = ledger

    may = _list(stub, position, status=TERMINATED, as_of=datetime(2026, 5, 1, tzinfo=UTC))
    july = _list(stub, position, status=TERMINATED, as_of=datetime(2026, 7, 1, tzinfo=UTC))
    active_july = _list(stub, position, status=ACTIVE, as_of=datetime(2026, 7, 1, tzinfo=UTC))

    assert (_ids(may), _ids(july)) == ([], ["globex-main"])
    assert "globex-main" not in _ids(active_july)
    assert july.agreements[0].terminated_at == build.timestamp(JUNE)


def test_a_customer_finds_a_service_sla_only_while_subscribed(ledger: tuple[Stub, int]) -> None:
    stub, position = ledger

    march = _list(stub, position, customer_id="hooli", as_of=MARCH)
    may = _list(stub, position, customer_id="hooli", as_of=datetime(2026, 5, 1, tzinfo=UTC))

    assert (_ids(march), _ids(may)) == (["cloud-sla"], [])
    assert not march.agreements[0].HasField("customer")
    assert list(march.agreements[0].tier_ids) == ["basic", "premium"]


def test_an_agreement_is_not_listed_before_the_ledger_knew_it(ledger: tuple[Stub, int]) -> None:
    stub, position = ledger
    first = _list(stub, position).agreements[0]

    earlier = _list(
        stub, position, known_at=first.signed_recorded_at.ToDatetime(UTC).replace(year=2000)
    )

    assert _ids(earlier) == []


def test_pages_follow_one_another_without_repeating_or_missing(ledger: tuple[Stub, int]) -> None:
    stub, position = ledger

    first = _list(stub, position, page_size=2)
    second = _list(stub, position, page_size=2, page_token=first.next_page_token)

    assert (_ids(first), _ids(second)) == (["cloud-sla", "globex-main"], ["initech-ops"])
    assert second.next_page_token == ""


def test_a_token_of_other_filters_is_refused(ledger: tuple[Stub, int]) -> None:
    stub, position = ledger
    token = _list(stub, position, page_size=1).next_page_token

    with pytest.raises(grpc.RpcError) as refused:
        _list(stub, position, page_size=1, page_token=token, provider_id="acme-cloud")

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def test_a_customer_token_lists_its_own_customer_s_agreements(ledger: tuple[Stub, int]) -> None:
    stub, position = ledger

    reply = _list(stub, position, who="initech-auditor", customer_id="initech")

    assert _ids(reply) == ["initech-ops"]


@pytest.mark.parametrize("customer_id", ["", "globex"])
def test_a_customer_token_naming_no_customer_or_another_is_denied(
    ledger: tuple[Stub, int], customer_id: str
) -> None:
    stub, position = ledger

    with pytest.raises(grpc.RpcError) as refused:
        _list(stub, position, who="initech-auditor", customer_id=customer_id)

    assert refused.value.code() is grpc.StatusCode.PERMISSION_DENIED


@pytest.mark.parametrize(
    "fields",
    [
        {"page_size": 1001},
        {"customer_id": "no spaces"},
        {"service": "x" * 257},
        {"kind": 99},
        {"status": 99},
        {"page_token": "garbage"},
    ],
)
def test_a_malformed_request_is_invalid(ledger: tuple[Stub, int], fields: dict[str, Any]) -> None:
    stub, position = ledger

    with pytest.raises(grpc.RpcError) as refused:
        _list(stub, position, **fields)

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
