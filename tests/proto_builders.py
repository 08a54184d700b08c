"""Builders of valid sla.ledger.v1 requests, shared by the servicer and API tests.

The dates a request carries are parameters: each conftest binds its own (the servicer tests run
in 2026, the API tests in 2025) in thin wrappers that it hands to tests as fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from service.generated.sla.ledger.v1 import events_pb2, ledger_service_pb2, terms_pb2


def timestamp(instant: datetime) -> Timestamp:
    """A Timestamp for a timezone-aware instant."""
    stamp = Timestamp()
    stamp.FromDatetime(instant)
    return stamp


def proto_terms(
    term_start: datetime, fee_amount: str = "1000.00", **overrides: Any
) -> terms_pb2.AgreementTerms:
    """Valid terms with one monthly availability objective; keyword overrides replace fields."""
    fields: dict[str, Any] = {
        "provider": terms_pb2.Party(party_id="acme-cloud", display_name="ACME Cloud"),
        "customer": terms_pb2.Party(party_id="globex", display_name="Globex Corporation"),
        "kind": terms_pb2.AGREEMENT_KIND_CUSTOMER_BASED,
        "services": ["compute", "storage"],
        "time_zone": "Europe/Berlin",
        "fee": terms_pb2.Fee(
            amount=terms_pb2.Money(currency_code="EUR", amount=fee_amount),
            period=terms_pb2.PERIOD_UNIT_MONTH,
        ),
        "term_start": timestamp(term_start),
        "objectives": [
            terms_pb2.Objective(
                objective_id="availability",
                metric="availability",
                target_percent="99.9",
                period=terms_pb2.PERIOD_UNIT_MONTH,
            )
        ],
    }
    fields.update(overrides)
    return terms_pb2.AgreementTerms(**fields)


def sign_request(
    agreement_id: str, term_start: datetime, signed_at: datetime, **term_overrides: Any
) -> ledger_service_pb2.SignAgreementRequest:
    """A request to sign valid terms."""
    return ledger_service_pb2.SignAgreementRequest(
        agreement_id=agreement_id,
        terms=proto_terms(term_start, **term_overrides),
        signed_at=timestamp(signed_at),
    )


def amend_request(
    agreement_id: str,
    term_start: datetime,
    effective_from: datetime,
    *,
    expected_version: int | None = None,
    fee_amount: str = "1500.00",
) -> ledger_service_pb2.AmendAgreementRequest:
    """A request to amend to valid terms with a new fee ("price change"); a None
    expected_version leaves the field unset."""
    return ledger_service_pb2.AmendAgreementRequest(
        agreement_id=agreement_id,
        terms=proto_terms(term_start, fee_amount),
        effective_from=timestamp(effective_from),
        reason="price change",
        expected_version=expected_version,
    )


def terminate_request(
    agreement_id: str, effective_at: datetime, *, expected_version: int | None = None
) -> ledger_service_pb2.TerminateAgreementRequest:
    """A request to terminate ("contract ended"); a None expected_version leaves the field unset."""
    return ledger_service_pb2.TerminateAgreementRequest(
        agreement_id=agreement_id,
        effective_at=timestamp(effective_at),
        reason="contract ended",
        expected_version=expected_version,
    )


def get_request(
    agreement_id: str, *, as_of: datetime | None = None, known_at: datetime | None = None
) -> ledger_service_pb2.GetAgreementRequest:
    """A GetAgreementRequest; as_of and known_at are set only when given."""
    request = ledger_service_pb2.GetAgreementRequest(agreement_id=agreement_id)
    if as_of is not None:
        request.as_of.CopyFrom(timestamp(as_of))
    if known_at is not None:
        request.known_at.CopyFrom(timestamp(known_at))
    return request


def reading(
    objective_id: str, observed_at: datetime, good: int = 59, total: int = 60
) -> terms_pb2.Measurement:
    """A counts reading of an objective at an instant, without a measurement id."""
    return terms_pb2.Measurement(
        objective_id=objective_id,
        observed_at=timestamp(observed_at),
        counts=terms_pb2.EventCounts(good=good, total=total),
    )


def minute_readings(
    agreement_id: str, first_reading_at: datetime, count: int
) -> ledger_service_pb2.RecordMeasurementsRequest:
    """Counts readings of 'availability', one a minute from an instant, 59 and 60 good of 60 in
    turn, without measurement ids."""
    return ledger_service_pb2.RecordMeasurementsRequest(
        agreement_id=agreement_id,
        measurements=[
            reading(
                "availability",
                first_reading_at + timedelta(minutes=minute),
                good=59 + minute % 2,
            )
            for minute in range(count)
        ],
    )


def list_all_events(
    list_events: Callable[[ledger_service_pb2.ListEventsRequest], Any],
    agreement_id: str,
    *,
    page_size: int,
) -> list[events_pb2.LedgerEvent]:
    """Every event of an agreement ('' for the whole ledger), calling ``list_events`` (a
    ListEvents call that returns the response) for page after page until no page token is left."""
    events: list[events_pb2.LedgerEvent] = []
    token = ""
    while True:
        page = list_events(
            ledger_service_pb2.ListEventsRequest(
                agreement_id=agreement_id, page_size=page_size, page_token=token
            )
        )
        events.extend(page.events)
        token = page.next_page_token
        if not token:
            return events


def case_objective(
    objective_id: str = "p1-resolution",
    *,
    priority: str = "P1",
    target_seconds: int = 4 * 3600,
    stop: terms_pb2.ClockStop = terms_pb2.CLOCK_STOP_RESOLUTION,
) -> terms_pb2.Objective:
    """A monthly case objective: cases labelled with the priority resolved within the target
    (all hours) in 95% of cases."""
    return terms_pb2.Objective(
        objective_id=objective_id,
        metric="resolution_time",
        target_percent="95",
        period=terms_pb2.PERIOD_UNIT_MONTH,
        label_scope={"priority": priority},
        case_clock=terms_pb2.CaseClock(stop=stop, target_seconds=target_seconds),
    )
