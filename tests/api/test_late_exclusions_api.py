"""Exclusions that respect the customer against a real server: GetAgreement and ListEvents show
each exclusion's record lag and standing, maintenance without notice is FAILED_PRECONDITION,
and only the agreement's customer (a customer token of globex) acknowledges a late exclusion,
whose acknowledgement recalculates the closed period it touches.

sla-late: globex, UTC, 99.9% monthly, below 99.9 -> 10% of EUR 1,000.00; rules: 48 h notice for
maintenance, acknowledgement after 30 days. January 2025: 100 good one-minute readings from
00:00 and 1 bad one at 02:00: 6,000 good of 6,060 = 99.01% < 99.9 -> EUR 100.00.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest

from service.api.auth import token_digest
from service.generated.sla.ledger.v1 import exclusion_acknowledgements_pb2 as ack_pb
from service.generated.sla.ledger.v1 import exclusion_rules_pb2, ledger_service_pb2_grpc, terms_pb2
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from tests import proto_builders as build

Stub = ledger_service_pb2_grpc.LedgerServiceStub
TIMEOUT = 10
JANUARY = datetime(2025, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2025, 2, 1, tzinfo=UTC)
TOKENS = {
    "admin": ("admin", []),
    "writer": ("writer", []),
    "globex": ("customer", ["globex"]),
    "initech": ("customer", ["initech"]),
}
OUTAGE_START = JANUARY + timedelta(hours=2)
OUTAGE_END = JANUARY + timedelta(hours=3)


def _auth(name: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {name}-token"),)


def _exclusion(kind: int, exclusion_id: str = "outage", days: int = 0) -> terms_pb2.Exclusion:
    return terms_pb2.Exclusion(
        exclusion_id=exclusion_id,
        start=build.timestamp(OUTAGE_START + timedelta(days=days)),
        end=build.timestamp(OUTAGE_END + timedelta(days=days)),
        kind=kind,  # type: ignore[arg-type]
        reason="found in the provider's records",
    )


@pytest.fixture
def stub(start_server: Callable[..., Any], sqlite_database_url: str, tmp_path: Path) -> Stub:
    """A server with TOKENS; sla-late signed, January's readings recorded and closed (EUR
    100.00), and the outage's exclusion recorded now, long after: it awaits acknowledgement."""
    tokens = tmp_path / "tokens.json"
    tokens.write_text(
        json.dumps(
            [
                {"name": name, "sha256": token_digest(f"{name}-token").hex(), "role": role}
                | ({"customers": customers} if customers else {})
                for name, (role, customers) in TOKENS.items()
            ]
        )
    )
    server = start_server(
        sqlite_database_url, extra_args=("--close-periods", "off", "--tokens", str(tokens))
    )
    stub = Stub(server.channel)
    admin = _auth("admin")
    policy = terms_pb2.CreditPolicy(
        bands=terms_pb2.BandsRule(
            bands=[terms_pb2.CreditBand(below_percent="99.9", credit_percent="10")]
        )
    )
    rules = exclusion_rules_pb2.ExclusionRules(
        maintenance_notice_hours=48, acknowledgement_after_days=30
    )
    signing = build.sign_request(
        "sla-late", JANUARY, JANUARY, time_zone="UTC", credit_policy=policy, exclusion_rules=rules
    )
    stub.SignAgreement(signing, timeout=TIMEOUT, metadata=admin)
    readings = [
        build.reading("availability", JANUARY + timedelta(minutes=m), 60) for m in range(100)
    ]
    readings.append(build.reading("availability", OUTAGE_START, 0))
    stub.RecordMeasurements(
        pb.RecordMeasurementsRequest(agreement_id="sla-late", measurements=readings),
        timeout=TIMEOUT,
        metadata=admin,
    )
    stub.ClosePeriod(
        pb.ClosePeriodRequest(agreement_id="sla-late", until=build.timestamp(FEBRUARY)),
        timeout=TIMEOUT,
        metadata=admin,
    )
    stub.RecordExclusion(
        pb.RecordExclusionRequest(
            agreement_id="sla-late", exclusion=_exclusion(terms_pb2.EXCLUSION_KIND_OTHER)
        ),
        timeout=TIMEOUT,
        metadata=_auth("writer"),
    )
    return stub


def _acknowledge(**fields: Any) -> ack_pb.AcknowledgeExclusionRequest:
    values: dict[str, Any] = {"agreement_id": "sla-late", "exclusion_id": "outage"}
    values.update(fields)
    return ack_pb.AcknowledgeExclusionRequest(**values)


def _code(call: Callable[[], Any]) -> grpc.StatusCode:
    try:
        call()
    except grpc.RpcError as error:
        return error.code()
    return grpc.StatusCode.OK


def _events(stub: Stub) -> list[Any]:
    def page(request: pb.ListEventsRequest) -> Any:
        return stub.ListEvents(request, timeout=TIMEOUT, metadata=_auth("admin"))

    return build.list_all_events(page, "sla-late", page_size=1000)


def _agreement(stub: Stub) -> pb.GetAgreementResponse:
    request = pb.GetAgreementRequest(agreement_id="sla-late")
    reply: pb.GetAgreementResponse = stub.GetAgreement(
        request, timeout=TIMEOUT, metadata=_auth("admin")
    )
    return reply


def test_get_agreement_shows_the_exclusion_awaiting_acknowledgement_with_its_record_lag(
    stub: Stub,
) -> None:
    (listed,) = _agreement(stub).exclusions

    assert listed.exclusion.exclusion_id == "outage"
    assert listed.acknowledgement_required
    assert listed.standing == exclusion_rules_pb2.EXCLUSION_STANDING_AWAITING_ACKNOWLEDGEMENT
    # The lag is recorded_at - end, whenever the server recorded it.
    lag = listed.recorded_at.ToDatetime(UTC) - OUTAGE_END
    assert listed.record_lag.ToTimedelta() == lag
    assert lag > timedelta(days=30)


def test_list_events_shows_the_recorded_exclusions_lag_and_standing(stub: Stub) -> None:
    events = _events(stub)
    (recorded,) = [e for e in events if e.WhichOneof("payload") == "exclusion_recorded"]

    payload = recorded.exclusion_recorded
    assert payload.acknowledgement_required
    assert payload.standing == exclusion_rules_pb2.EXCLUSION_STANDING_AWAITING_ACKNOWLEDGEMENT
    assert payload.record_lag.ToTimedelta() == recorded.recorded_at.ToDatetime(UTC) - OUTAGE_END


def test_maintenance_recorded_after_its_start_is_failed_precondition(stub: Stub) -> None:
    request = pb.RecordExclusionRequest(
        agreement_id="sla-late",
        exclusion=_exclusion(terms_pb2.EXCLUSION_KIND_SCHEDULED_MAINTENANCE, "maintenance", 1),
    )

    with pytest.raises(grpc.RpcError) as refused:
        stub.RecordExclusion(request, timeout=TIMEOUT, metadata=_auth("writer"))

    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "48 h notice" in str(refused.value.details())


def test_the_customers_acknowledgement_recalculates_january_and_takes_back_eur_100(
    stub: Stub,
) -> None:
    version = _agreement(stub).agreement.version

    reply = stub.AcknowledgeExclusion(
        _acknowledge(customer_id="globex", expected_version=version, request_id="ack-1"),
        timeout=TIMEOUT,
        metadata=_auth("globex"),
    )

    # 6,000 good of 6,000 once the 02:00 reading is excluded: met; 100.00 -> 0.00.
    assert (reply.acknowledged, reply.version, reply.periods_recalculated) == (True, version + 1, 1)
    events = _events(stub)
    adjusted = [e.credit_adjusted for e in events if e.WhichOneof("payload") == "credit_adjusted"]
    assert [a.delta.amount for a in adjusted] == ["-100.00"]
    (listed,) = _agreement(stub).exclusions
    assert listed.standing == exclusion_rules_pb2.EXCLUSION_STANDING_ACKNOWLEDGED


def test_a_retried_acknowledgement_gets_the_first_reply(stub: Stub) -> None:
    request = _acknowledge(request_id="ack-1")
    first = stub.AcknowledgeExclusion(request, timeout=TIMEOUT, metadata=_auth("globex"))

    again = stub.AcknowledgeExclusion(request, timeout=TIMEOUT, metadata=_auth("globex"))

    assert again == first


def test_an_acknowledgement_with_a_stale_version_is_aborted(stub: Stub) -> None:
    stale = _agreement(stub).agreement.version - 1

    code = _code(
        lambda: stub.AcknowledgeExclusion(
            _acknowledge(expected_version=stale), timeout=TIMEOUT, metadata=_auth("globex")
        )
    )

    assert code is grpc.StatusCode.ABORTED


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("writer", grpc.StatusCode.PERMISSION_DENIED),
        ("initech", grpc.StatusCode.NOT_FOUND),
    ],
)
def test_only_the_agreements_customer_acknowledges(
    stub: Stub, who: str, expected: grpc.StatusCode
) -> None:
    code = _code(
        lambda: stub.AcknowledgeExclusion(_acknowledge(), timeout=TIMEOUT, metadata=_auth(who))
    )

    assert code is expected
    assert _agreement(stub).exclusions[0].standing == (
        exclusion_rules_pb2.EXCLUSION_STANDING_AWAITING_ACKNOWLEDGEMENT
    )


def test_acknowledging_an_exclusion_that_counts_already_is_failed_precondition(
    stub: Stub,
) -> None:
    request = pb.RecordExclusionRequest(
        agreement_id="sla-late",
        exclusion=terms_pb2.Exclusion(
            exclusion_id="future",
            start=build.timestamp(datetime(2199, 1, 1, tzinfo=UTC)),
            end=build.timestamp(datetime(2199, 1, 2, tzinfo=UTC)),
            kind=terms_pb2.EXCLUSION_KIND_OTHER,
            reason="planned far ahead",
        ),
    )
    stub.RecordExclusion(request, timeout=TIMEOUT, metadata=_auth("writer"))

    code = _code(
        lambda: stub.AcknowledgeExclusion(
            _acknowledge(exclusion_id="future"), timeout=TIMEOUT, metadata=_auth("globex")
        )
    )

    assert code is grpc.StatusCode.FAILED_PRECONDITION
