"""The issue's end-to-end flow against a real server, on SQLite and on PostgreSQL, called through
the typed client (sla_ledger_client) as a team adopting the ledger would call it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sla_ledger_client import Aborted, FailedPrecondition, InvalidArgument, LedgerClient, Recorded
from sla_ledger_client.v1 import terms_pb2 as client_terms_pb2

from service.generated.sla.ledger.v1 import ledger_service_pb2, terms_pb2

SignRequest = Callable[..., ledger_service_pb2.SignAgreementRequest]
AmendRequest = Callable[..., ledger_service_pb2.AmendAgreementRequest]
FIRST_READING_AT = datetime(2025, 2, 1, tzinfo=UTC)


@pytest.fixture
def ledger(server: Any) -> Iterator[LedgerClient]:
    """The typed client over the server's channel."""
    yield LedgerClient(server.channel)


def _client_terms(terms: terms_pb2.AgreementTerms) -> client_terms_pb2.AgreementTerms:
    """The fixtures' terms as the client's message type (the same wire format)."""
    return client_terms_pb2.AgreementTerms.FromString(terms.SerializeToString())


def _sign(ledger: LedgerClient, request: ledger_service_pb2.SignAgreementRequest) -> Any:
    return ledger.sign_agreement(
        request.agreement_id,
        _client_terms(request.terms),
        signed_at=request.signed_at.ToDatetime(tzinfo=UTC),
    )


def _amend(ledger: LedgerClient, request: ledger_service_pb2.AmendAgreementRequest) -> Any:
    return ledger.amend_agreement(
        request.agreement_id,
        _client_terms(request.terms),
        effective_from=request.effective_from.ToDatetime(tzinfo=UTC),
        expected_version=request.expected_version if request.HasField("expected_version") else None,
    )


def _terminate(ledger: LedgerClient, agreement_id: str) -> Any:
    return ledger.terminate_agreement(agreement_id, effective_at=datetime(2025, 6, 1, tzinfo=UTC))


def _minute_readings(ledger: LedgerClient, agreement_id: str, count: int = 10_000) -> Recorded:
    """Readings of 'availability', one a minute from 2025-02-01, 59 and 60 good of 60 in turn."""
    return ledger.record_readings(
        agreement_id,
        "availability",
        [FIRST_READING_AT + timedelta(minutes=minute) for minute in range(count)],
        good=[59 + minute % 2 for minute in range(count)],
        total=[60] * count,
    )


def test_get_agreement_reads_back_the_signed_agreement(
    ledger: LedgerClient, sign_request: SignRequest
) -> None:
    request = sign_request("sla-1")
    signed = _sign(ledger, request)

    read = ledger.get_agreement("sla-1")

    assert read == signed.agreement
    assert read.terms == request.terms
    assert (read.version, read.status) == (1, "ACTIVE")


def test_amend_with_the_current_expected_version_gives_terms_version_2(
    ledger: LedgerClient, sign_request: SignRequest, amend_request: AmendRequest
) -> None:
    _sign(ledger, sign_request("sla-1"))

    amended = _amend(ledger, amend_request("sla-1", expected_version=1))

    assert (amended.version, amended.terms_version) == (2, 2)
    assert ledger.get_agreement("sla-1").terms.fee.amount.amount == "1500.00"


def test_amend_with_a_stale_expected_version_is_aborted_and_not_retried(
    ledger: LedgerClient, sign_request: SignRequest, amend_request: AmendRequest
) -> None:
    _sign(ledger, sign_request("sla-1"))
    _amend(ledger, amend_request("sla-1", expected_version=1))

    with pytest.raises(Aborted) as refused:
        _amend(ledger, amend_request("sla-1", expected_version=1))

    assert refused.value.reason == "EXPECTED_VERSION_MISMATCH"
    assert refused.value.retry_delay is None


def test_terminate_makes_the_agreement_terminated(
    ledger: LedgerClient, sign_request: SignRequest
) -> None:
    _sign(ledger, sign_request("sla-1"))

    terminated = _terminate(ledger, "sla-1")

    assert terminated.version == 2
    assert ledger.get_agreement("sla-1").status == "TERMINATED"


def test_a_second_terminate_is_failed_precondition(
    ledger: LedgerClient, sign_request: SignRequest
) -> None:
    _sign(ledger, sign_request("sla-1"))
    _terminate(ledger, "sla-1")

    with pytest.raises(FailedPrecondition) as refused:
        _terminate(ledger, "sla-1")

    assert refused.value.reason == "AGREEMENT_TERMINATED"


def test_one_call_records_10000_readings(ledger: LedgerClient, sign_request: SignRequest) -> None:
    _sign(ledger, sign_request("sla-1"))

    recorded = _minute_readings(ledger, "sla-1")

    assert (recorded.recorded, recorded.duplicates, recorded.calls) == (10_000, 0, 1)


def test_resending_the_same_10000_readings_records_none_and_counts_10000_duplicates(
    ledger: LedgerClient, sign_request: SignRequest
) -> None:
    _sign(ledger, sign_request("sla-1"))
    _minute_readings(ledger, "sla-1")

    resent = _minute_readings(ledger, "sla-1")

    assert (resent.recorded, resent.duplicates, resent.log_position) == (0, 10_000, 0)


def test_compliance_of_the_readings_is_exact_decimal_percent(
    ledger: LedgerClient, sign_request: SignRequest
) -> None:
    _sign(ledger, sign_request("sla-1"))
    recorded = _minute_readings(ledger, "sla-1", 4)

    compliance = ledger.get_compliance(
        "sla-1",
        as_of=FIRST_READING_AT + timedelta(minutes=4),
        min_log_position=recorded.log_position,
    )

    # 59 + 60 + 59 + 60 = 238 good minutes of 240: 99.166666...%, rendered to 6 places.
    track = compliance.objectives[0].tracks[0]
    assert (track.good, track.total, track.attained) == (
        Decimal("238"),
        Decimal("240"),
        Decimal("99.166667"),
    )


def test_invalid_terms_arrive_as_invalid_argument_listing_the_field_paths(
    ledger: LedgerClient, sign_request: SignRequest
) -> None:
    bad_fee = terms_pb2.Fee(
        amount=terms_pb2.Money(currency_code="XYZ", amount="10.00"),
        period=terms_pb2.PERIOD_UNIT_MONTH,
    )

    with pytest.raises(InvalidArgument) as refused:
        _sign(ledger, sign_request("sla-1", time_zone="Mars/Olympus", fee=bad_fee))

    assert [v.path for v in refused.value.field_violations] == [
        "terms.time_zone",
        "terms.fee.amount.currency_code",
    ]
    assert refused.value.reason == "INVALID_FIELDS"


def test_the_audit_trail_shows_each_events_record_time_and_its_unauthenticated_caller(
    ledger: LedgerClient, sign_request: SignRequest
) -> None:
    _sign(ledger, sign_request("sla-1"))
    _minute_readings(ledger, "sla-1", 10)

    events = list(ledger.list_events(agreement_id="sla-1"))

    assert [e.WhichOneof("payload") for e in events] == ["agreement_signed", "metric_measured"]
    assert all(e.actor.startswith("unauthenticated ipv4:127.0.0.1:") for e in events)
    assert all(e.recorded_at.seconds > 0 for e in events)
