"""Builders of one credit's period stream: each call appends the next event at the head."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.claims import ClaimDecided, CreditClaimed, CreditForfeited, CreditSettled
from domain.credit_caps import CreditCapped
from domain.identifiers import period_stream
from domain.money import Money
from domain.period_results import CreditAdjusted, CreditIssued, PeriodClosed, PeriodEvent

AGREEMENT = "acme-claims"
OBJECTIVE = "availability"
LABEL = "2026-04"
APR = datetime(2026, 4, 1, tzinfo=UTC)
MAY = datetime(2026, 5, 1, tzinfo=UTC)
DEADLINE = datetime(2026, 7, 1, tzinfo=UTC)


def eur(amount: str) -> Money:
    """An amount in euros."""
    return Money(Decimal(amount), "EUR")


class CreditStream:
    """The events of one credit's stream, numbered from 1, recorded a minute apart."""

    def __init__(self, *, claim_driven: bool = True, minimum: str = "0.00") -> None:
        self.events: list[PeriodEvent] = []
        self._claim_fields: dict[str, Any] = (
            {"claim_deadline": DEADLINE, "claim_minimum": eur(minimum)} if claim_driven else {}
        )

    def _add(self, cls: type[PeriodEvent], **fields: Any) -> CreditStream:
        version = len(self.events) + 1
        self.events.append(
            cls(
                originator_id=period_stream(AGREEMENT, OBJECTIVE, LABEL),
                originator_version=version,
                timestamp=MAY + timedelta(minutes=version),
                agreement_id=AGREEMENT,
                objective_id=OBJECTIVE,
                period_label=LABEL,
                **fields,
            )
        )
        return self

    def closed(self) -> CreditStream:
        """PeriodClosed of April on a fee of EUR 1000.00."""
        return self._add(
            PeriodClosed,
            window_start=APR,
            window_end=MAY,
            terms_version=1,
            figures=[],
            status="breached",
            period_fee=eur("1000.00"),
            **self._claim_fields,
        )

    def issued(self, amount: str) -> CreditStream:
        """CreditIssued of amount."""
        return self._add(
            CreditIssued,
            amount=eur(amount),
            percent_of_fee=Decimal(10),
            policy_line="below 99.9: 10%",
            capped=False,
            period_fee=eur("1000.00"),
        )

    def adjusted(self, before: str, after: str) -> CreditStream:
        """CreditAdjusted from before to after."""
        return self._add(
            CreditAdjusted,
            before=eur(before),
            after=eur(after),
            delta=eur(str(Decimal(after) - Decimal(before))),
            policy_line="recalculated",
        )

    def capped(self, delta: str) -> CreditStream:
        """CreditCapped with delta (negative: cut more)."""
        return self._add(
            CreditCapped,
            fee_period_label=LABEL,
            cap=eur("100.00"),
            credits_before_cap=eur("150.00"),
            reduction_before=eur("0.00"),
            reduction_after=eur(str(-Decimal(delta))),
            delta=eur(delta),
            allocation_line="cap",
        )

    def claimed(self, amount: str) -> CreditStream:
        """CreditClaimed of amount."""
        return self._add(CreditClaimed, claim_reference="T-1", evidence="", amount=eur(amount))

    def decided(self, approved: str, denied: str, dispute_id: str = "") -> CreditStream:
        """ClaimDecided approving and denying."""
        return self._add(
            ClaimDecided,
            approved=eur(approved),
            denied=eur(denied),
            reason="decided",
            dispute_id=dispute_id,
        )

    def forfeited(self, amount: str) -> CreditStream:
        """CreditForfeited of amount at the deadline."""
        return self._add(CreditForfeited, amount=eur(amount), deadline=DEADLINE)

    def settled(self, amount: str, settlement_id: str = "s-1") -> CreditStream:
        """CreditSettled of amount on an invoice."""
        return self._add(
            CreditSettled,
            settlement_id=settlement_id,
            method="invoice",
            invoice_reference="INV-1",
            invoice_date="2026-06-01",
            amount=eur(amount),
        )
