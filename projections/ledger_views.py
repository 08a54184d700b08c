"""The breaches and credit-ledger read models: how each event changes their rows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, select, update

from domain.agreement import Agreement
from domain.money import MINOR_UNITS, Money
from domain.period_results import (
    BonusAdjusted,
    BonusEarned,
    BreachDetected,
    BreachRetracted,
    CreditAdjusted,
    CreditIssued,
    PeriodClosed,
    PeriodEvent,
)
from projections.tables import agreements, breaches, credit_lines, periods

CREDIT_KINDS: dict[type, str] = {
    CreditIssued: "credit_issued",
    CreditAdjusted: "credit_adjusted",
    BonusEarned: "bonus_earned",
    BonusAdjusted: "bonus_adjusted",
}


def to_minor_units(money: Money) -> int:
    """A rounded amount as a whole number of the currency's minor units."""
    return int(money.amount.scaleb(money.minor_unit))


def from_minor_units(amount: int, currency: str) -> Money:
    """The Money for a whole number of minor units."""
    return Money(Decimal(amount).scaleb(-MINOR_UNITS[currency]), currency)


def utc(instant: datetime) -> datetime:
    """The instant as stored: UTC (SQLite returns naive datetimes, read back as UTC)."""
    return instant.astimezone(UTC) if instant.tzinfo else instant.replace(tzinfo=UTC)


class LedgerViews:
    """Projects agreements' parties, closed periods, breaches and credit lines."""

    name = "ledger_views"
    # Only these events change the views; the runner need not decode any other.
    topics = frozenset(
        get_topic(cls)
        for cls in (
            Agreement.Signed,
            PeriodClosed,
            BreachDetected,
            BreachRetracted,
            *CREDIT_KINDS,
        )
    )

    def handle(self, connection: Connection, position: int, event: Any) -> None:
        """Apply one event at its log position."""
        if isinstance(event, Agreement.Signed):
            connection.execute(
                agreements.insert().values(
                    agreement_id=event.agreement_id,
                    customer_id=event.terms.customer.party_id,
                    provider_id=event.terms.provider.party_id,
                    position=position,
                )
            )
        elif isinstance(event, PeriodClosed):
            connection.execute(
                periods.insert().values(
                    agreement_id=event.agreement_id,
                    objective_id=event.objective_id,
                    period_label=event.period_label,
                    window_start=event.window_start,
                    window_end=event.window_end,
                    position=position,
                )
            )
        elif isinstance(event, BreachDetected):
            parties, window = self._context(connection, event)
            connection.execute(
                breaches.insert().values(
                    position=position,
                    agreement_id=event.agreement_id,
                    customer_id=parties[0],
                    provider_id=parties[1],
                    objective_id=event.objective_id,
                    period_label=event.period_label,
                    window_start=window[0],
                    window_end=window[1],
                    track=event.track,
                    attained="" if event.attained is None else str(event.attained),
                    target=str(event.target),
                    terms_version=event.terms_version,
                    recorded_at=event.timestamp,
                    retracted=False,
                )
            )
        elif isinstance(event, BreachRetracted):
            connection.execute(
                update(breaches)
                .where(
                    breaches.c.agreement_id == event.agreement_id,
                    breaches.c.objective_id == event.objective_id,
                    breaches.c.period_label == event.period_label,
                    breaches.c.track == event.track,
                    breaches.c.position < position,
                )
                .values(retracted=True)
            )
        elif type(event) in CREDIT_KINDS:
            parties, window = self._context(connection, event)
            amount = (
                event.delta if isinstance(event, CreditAdjusted | BonusAdjusted) else event.amount
            )
            connection.execute(
                credit_lines.insert().values(
                    position=position,
                    agreement_id=event.agreement_id,
                    customer_id=parties[0],
                    provider_id=parties[1],
                    objective_id=event.objective_id,
                    period_label=event.period_label,
                    window_start=window[0],
                    kind=CREDIT_KINDS[type(event)],
                    amount_minor=to_minor_units(amount),
                    currency=amount.currency,
                    policy_line=event.policy_line,
                    recorded_at=event.timestamp,
                )
            )

    @staticmethod
    def _context(
        connection: Connection, event: PeriodEvent
    ) -> tuple[tuple[str, str], tuple[datetime, datetime]]:
        party_row = connection.execute(
            select(agreements.c.customer_id, agreements.c.provider_id).where(
                agreements.c.agreement_id == event.agreement_id
            )
        ).one()
        window_row = connection.execute(
            select(periods.c.window_start, periods.c.window_end).where(
                periods.c.agreement_id == event.agreement_id,
                periods.c.objective_id == event.objective_id,
                periods.c.period_label == event.period_label,
            )
        ).one()
        return (party_row[0], party_row[1]), (window_row[0], window_row[1])
