"""The claim lifecycle's events as ListEvents and SubscribeEvents show them: each its own
LedgerEvent payload, amounts as stored, the deadline and minimum on PeriodClosed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain.claims import ClaimDecided, CreditClaimed, CreditForfeited, CreditSettled
from domain.identifiers import period_stream
from domain.money import Money
from domain.period_results import PeriodClosed, PeriodEvent
from projections.log_source import LoggedEvent
from service.api.mapping.events import logged_event_to_proto
from service.generated.sla.ledger.v1 import claims_pb2

AT = datetime(2026, 5, 2, tzinfo=UTC)
DEADLINE = datetime(2026, 7, 1, tzinfo=UTC)


def eur(amount: str) -> Money:
    return Money(Decimal(amount), "EUR")


def of(cls: type[PeriodEvent], version: int, **fields: object) -> PeriodEvent:
    return cls(
        originator_id=period_stream("acme", "availability", "2026-04", "globex"),
        originator_version=version,
        timestamp=AT + timedelta(minutes=version),
        agreement_id="acme",
        objective_id="availability",
        period_label="2026-04",
        customer_id="globex",
        **fields,
    )


def test_each_claim_event_has_its_own_payload_with_its_fields() -> None:
    events = [
        of(CreditClaimed, 4, claim_reference="T-1", evidence="down", amount=eur("100.00")),
        of(ClaimDecided, 5, approved=eur("60.00"), denied=eur("40.00"), reason="partly"),
        of(CreditForfeited, 6, amount=eur("0.50"), deadline=DEADLINE),
        of(
            CreditSettled,
            7,
            settlement_id="s-1",
            method="written_off",
            invoice_reference="",
            invoice_date="",
            amount=eur("60.00"),
        ),
    ]

    claimed, decided, forfeited, settled = (
        logged_event_to_proto(LoggedEvent(i + 1, e)) for i, e in enumerate(events)
    )

    assert (claimed.credit_claimed.claim_reference, claimed.credit_claimed.amount.amount) == (
        "T-1",
        "100.00",
    )
    assert claimed.credit_claimed.customer_id == "globex"
    assert (decided.claim_decided.approved.amount, decided.claim_decided.denied.amount) == (
        "60.00",
        "40.00",
    )
    assert forfeited.credit_forfeited.deadline.ToDatetime(tzinfo=UTC) == DEADLINE
    assert settled.credit_settled.method == claims_pb2.SETTLEMENT_METHOD_WRITTEN_OFF


def test_a_close_under_a_claim_rule_shows_its_deadline_and_minimum() -> None:
    closed = of(
        PeriodClosed,
        1,
        window_start=datetime(2026, 4, 1, tzinfo=UTC),
        window_end=datetime(2026, 5, 1, tzinfo=UTC),
        terms_version=1,
        figures=[],
        status="breached",
        period_fee=eur("1000.00"),
        claim_deadline=DEADLINE,
        claim_minimum=eur("20.00"),
    )

    message = logged_event_to_proto(LoggedEvent(1, closed)).period_closed

    assert message.claim_deadline.ToDatetime(tzinfo=UTC) == DEADLINE
    assert message.claim_minimum.amount == "20.00"
