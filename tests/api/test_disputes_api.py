"""Disputes over gRPC on a real server with tokens: a customer disputes its own agreements'
results only, the provider resolves, a writer does neither; an upheld dispute's compensations,
listings and the compliance report that shows open disputes beside their periods."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from service.api.auth import token_digest
from service.generated.sla.ledger.v1 import disputes_pb2 as dpb
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import terms_pb2
from tests import proto_builders as build
from tests.api.token_server import TIMEOUT, Stub, auth, code

START = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
TOKENS = {
    "admin": ("admin", []),
    "writer": ("writer", []),
    "provider": ("provider", []),
    "globex-customer": ("customer", ["globex"]),
    "initech-customer": ("customer", ["initech"]),
}


@pytest.fixture
def server(start_server: Callable[..., Any], sqlite_database_url: str, tmp_path: Path) -> Any:
    path = tmp_path / "tokens.json"
    path.write_text(
        json.dumps(
            [
                {"name": name, "sha256": token_digest(f"{name}-token").hex(), "role": role}
                | ({"customers": customers} if customers else {})
                for name, (role, customers) in TOKENS.items()
            ]
        )
    )
    return start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--tokens", str(path))
    )


def _january_closed(
    stub: Stub, agreement_id: str = "sla-1", customer: str = "globex", good: int = 60
) -> None:
    """An agreement of customer (10% of the fee below 99.9%) whose January (Europe/Berlin)
    closed met: 60 good minutes."""
    policy = terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
        )
    )
    request = build.sign_request(agreement_id, START, START, credit_policy=policy)
    request.terms.customer.CopyFrom(terms_pb2.Party(party_id=customer))
    stub.SignAgreement(request, timeout=TIMEOUT, metadata=auth("admin"))
    readings = [
        build.reading("availability", START + timedelta(minutes=i), good, 60) for i in range(60)
    ]
    stub.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id=agreement_id, measurements=readings),
        timeout=TIMEOUT,
        metadata=auth("admin"),
    )
    stub.ClosePeriod(
        pb.ClosePeriodRequest(agreement_id=agreement_id, until=build.timestamp(FEBRUARY)),
        timeout=TIMEOUT,
        metadata=auth("admin"),
    )


def _opening(agreement_id: str = "sla-1", request_id: str = "") -> dpb.OpenDisputeRequest:
    return dpb.OpenDisputeRequest(
        agreement_id=agreement_id,
        dispute_id="d-1",
        subject=dpb.DisputeSubject(
            kind=dpb.DISPUTE_SUBJECT_KIND_PERIOD_RESULT,
            objective_id="availability",
            period_label="2026-01",
        ),
        reason="our probes saw the API down on 1 January",
        evidence="probe export P-7",
        request_id=request_id,
    )


def _resolving(outcome: int = dpb.DISPUTE_OUTCOME_UPHELD) -> dpb.ResolveDisputeRequest:
    return dpb.ResolveDisputeRequest(
        agreement_id="sla-1",
        dispute_id="d-1",
        outcome=outcome,  # type: ignore[arg-type]
        reason="the probes are right",
        expected_version=1,
    )


def test_a_customer_opens_a_dispute_naming_what_the_ledger_knew(server: Any) -> None:
    stub = Stub(server.channel)
    _january_closed(stub)
    head = stub.GetLedgerDigest(
        pb.GetLedgerDigestRequest(), timeout=TIMEOUT, metadata=auth("admin")
    ).digest.log_position

    reply = stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("globex-customer"))

    assert reply.dispute.opened_log_position == head
    assert reply.log_position == head + 1
    assert (reply.dispute.customer_id, reply.dispute.state) == ("globex", dpb.DISPUTE_STATE_OPEN)


def test_a_customer_cannot_dispute_another_customers_agreement(server: Any) -> None:
    stub = Stub(server.channel)
    _january_closed(stub)

    status = code(
        lambda: stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("initech-customer"))
    )

    assert status is grpc.StatusCode.NOT_FOUND


def test_a_writer_may_neither_open_nor_resolve_a_dispute(server: Any) -> None:
    stub = Stub(server.channel)
    _january_closed(stub)
    stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("globex-customer"))

    opened = code(lambda: stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("writer")))
    resolved = code(
        lambda: stub.ResolveDispute(_resolving(), timeout=TIMEOUT, metadata=auth("writer"))
    )

    assert (opened, resolved) == (grpc.StatusCode.PERMISSION_DENIED,) * 2


def test_the_customer_cannot_resolve_its_own_dispute(server: Any) -> None:
    stub = Stub(server.channel)
    _january_closed(stub)
    stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("globex-customer"))

    status = code(
        lambda: stub.ResolveDispute(_resolving(), timeout=TIMEOUT, metadata=auth("globex-customer"))
    )

    assert status is grpc.StatusCode.PERMISSION_DENIED


def test_an_upheld_dispute_appends_the_compensating_credit_after_its_resolution(
    server: Any,
) -> None:
    """January closed met on 60 good minutes of 60/60 = 3,600/3,600. Recorded late: 60 minutes
    of 0/60 on 1 January 02:00-03:00 UTC -> 3,600 good of 7,200 = 50% < 99.9: the band of 10%.
    January in Europe/Berlin is 744 hours from 31 Dec 23:00 UTC; the term starts at 1 Jan 00:00
    UTC, 1 hour in, so the period's fee is EUR 1,000.00 x 743/744 = EUR 998.655913... and the
    credit 10% of it = EUR 99.8655... -> EUR 99.87, owed from EUR 0.00: CreditAdjusted
    +EUR 99.87, after DisputeResolved."""
    stub = Stub(server.channel)
    _january_closed(stub)
    stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("globex-customer"))
    late = [
        build.reading("availability", START + timedelta(hours=2, minutes=i), 0, 60)
        for i in range(60)
    ]
    stub.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id="sla-1", measurements=late),
        timeout=TIMEOUT,
        metadata=auth("admin"),
    )

    reply = stub.ResolveDispute(_resolving(), timeout=TIMEOUT, metadata=auth("provider"))

    events = stub.ListEvents(
        pb.ListEventsRequest(agreement_id="sla-1", page_size=1000),
        timeout=TIMEOUT,
        metadata=auth("admin"),
    ).events
    appended = [e for e in events if reply.first_position <= e.position <= reply.log_position]
    kinds = [e.WhichOneof("payload") for e in appended]
    assert kinds[0] == "dispute_resolved"
    assert kinds[-1] == "credit_adjusted"
    assert appended[-1].credit_adjusted.delta.amount == "99.87"
    assert reply.dispute.compensation_count == reply.appended_count - 1
    assert reply.dispute.state == dpb.DISPUTE_STATE_UPHELD


def test_a_retried_opening_with_its_request_id_gets_the_first_reply(server: Any) -> None:
    stub = Stub(server.channel)
    _january_closed(stub)
    first = stub.OpenDispute(
        _opening(request_id="r-1"), timeout=TIMEOUT, metadata=auth("globex-customer")
    )

    again = stub.OpenDispute(
        _opening(request_id="r-1"), timeout=TIMEOUT, metadata=auth("globex-customer")
    )

    assert again == first


def test_a_customer_lists_its_own_open_disputes_and_must_name_its_customer(server: Any) -> None:
    stub = Stub(server.channel)
    _january_closed(stub)
    opened = stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("globex-customer"))
    mine = dpb.ListDisputesRequest(
        customer_id="globex",
        state=dpb.DISPUTE_STATE_OPEN,
        min_log_position=opened.log_position,
    )

    listed = stub.ListDisputes(mine, timeout=TIMEOUT, metadata=auth("globex-customer"))
    unnamed = code(
        lambda: stub.ListDisputes(
            dpb.ListDisputesRequest(), timeout=TIMEOUT, metadata=auth("globex-customer")
        )
    )

    assert [d.dispute_id for d in listed.disputes] == ["d-1"]
    assert unnamed is grpc.StatusCode.PERMISSION_DENIED


def test_another_customers_token_finds_no_dispute(server: Any) -> None:
    stub = Stub(server.channel)
    _january_closed(stub)
    stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("globex-customer"))
    read = dpb.GetDisputeRequest(agreement_id="sla-1", dispute_id="d-1")

    mine = code(lambda: stub.GetDispute(read, timeout=TIMEOUT, metadata=auth("globex-customer")))
    theirs = code(lambda: stub.GetDispute(read, timeout=TIMEOUT, metadata=auth("initech-customer")))

    assert (mine, theirs) == (grpc.StatusCode.OK, grpc.StatusCode.NOT_FOUND)


def test_the_compliance_report_shows_an_open_dispute_beside_its_period(server: Any) -> None:
    stub = Stub(server.channel)
    _january_closed(stub)
    opened = stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("globex-customer"))
    january = build.timestamp(datetime(2026, 1, 15, tzinfo=UTC))
    asked = pb.GetComplianceRequest(agreement_id="sla-1", as_of=january)

    report = stub.GetCompliance(asked, timeout=TIMEOUT, metadata=auth("globex-customer")).report
    asked.known_at.CopyFrom(opened.dispute.opened_at)
    asked.known_at.FromMicroseconds(asked.known_at.ToMicroseconds() - 1)
    before = stub.GetCompliance(asked, timeout=TIMEOUT, metadata=auth("globex-customer")).report

    assert [list(o.open_dispute_ids) for o in report.objectives] == [["d-1"]]
    assert [d.dispute_id for d in report.open_disputes] == ["d-1"]
    assert [list(o.open_dispute_ids) for o in before.objectives] == [[]]


def test_a_retried_resolution_with_its_request_id_gets_the_first_reply(server: Any) -> None:
    stub = Stub(server.channel)
    _january_closed(stub)
    stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("globex-customer"))
    resolving = _resolving(dpb.DISPUTE_OUTCOME_REJECTED)
    resolving.request_id = "r-1"
    first = stub.ResolveDispute(resolving, timeout=TIMEOUT, metadata=auth("provider"))

    again = stub.ResolveDispute(resolving, timeout=TIMEOUT, metadata=auth("provider"))
    resolving.outcome = dpb.DISPUTE_OUTCOME_UPHELD
    other = code(lambda: stub.ResolveDispute(resolving, timeout=TIMEOUT, metadata=auth("provider")))

    assert again == first
    assert other is grpc.StatusCode.ALREADY_EXISTS


def test_a_dispute_is_refused_naming_every_bad_field(server: Any) -> None:
    stub = Stub(server.channel)
    _january_closed(stub)
    request = _opening()
    request.dispute_id = "not an id"
    request.subject.kind = dpb.DISPUTE_SUBJECT_KIND_UNSPECIFIED
    request.reason = " "
    request.evidence = "e" * 4097

    with pytest.raises(grpc.RpcError) as refused:
        stub.OpenDispute(request, timeout=TIMEOUT, metadata=auth("globex-customer"))

    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert _fields(refused.value) == ["dispute_id", "subject.kind", "reason", "evidence"]


def _fields(error: Any) -> list[str]:
    status = rpc_status.from_call(error)
    assert status is not None
    bad_request = error_details_pb2.BadRequest()
    status.details[0].Unpack(bad_request)
    return [v.field for v in bad_request.field_violations]


def test_the_breach_and_credit_listings_name_the_open_disputes_of_their_period(
    server: Any,
) -> None:
    """January closed breached (60 minutes of 0/60): one breach, one credit line."""
    stub = Stub(server.channel)
    _january_closed(stub, good=0)
    opened = stub.OpenDispute(_opening(), timeout=TIMEOUT, metadata=auth("globex-customer"))
    seen = auth("globex-customer")

    breaches = stub.ListBreaches(
        pb.ListBreachesRequest(customer_id="globex", min_log_position=opened.log_position),
        timeout=TIMEOUT,
        metadata=seen,
    ).breaches
    credits = stub.ListCredits(
        pb.ListCreditsRequest(customer_id="globex", min_log_position=opened.log_position),
        timeout=TIMEOUT,
        metadata=seen,
    ).credits

    assert [list(b.open_dispute_ids) for b in breaches] == [["d-1"]]
    assert [list(c.open_dispute_ids) for c in credits] == [["d-1"]]
