"""The subscriptions read model: one row per service SLA and customer, and its queries.

Fed by Subscription.Subscribed, TierChanged and Ended (domain/subscriptions.py); the columns are
described in projections/tables.py. A tier change effective later leaves the tier and fee in
force until then in tier_id and the fee columns, and shows itself in the change_ columns; the
row's changes list gives the tier in force at any instant exactly, by the subscription's rule.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Engine, Row, Table, insert, select, update

from domain.identifiers import agreement_of_stream, subscription_stream
from domain.subscriptions import Subscription, SubscriptionTerms
from domain.terms import Fee, PeriodUnit
from projections.ledger_views import from_minor_units, to_minor_units
from projections.tables import subscriptions

SCAN_ROWS = 500  # rows read at a time while a listing filters by tier


class SubscriptionViews:
    """Projects each customer's subscription to a service SLA into one row."""

    name = "subscription_views"
    tables: tuple[Table, ...] = (subscriptions,)
    topics = frozenset(
        get_topic(cls)
        for cls in (Subscription.Subscribed, Subscription.TierChanged, Subscription.Ended)
    )

    def handle_batch(self, connection: Connection, events: Iterable[tuple[int, Any]]) -> None:
        """Fold a batch into the rows it touches, then write each row once."""
        touched: dict[tuple[str, str], dict[str, Any]] = {}
        stored: set[tuple[str, str]] = set()
        for position, event in events:
            if isinstance(event, Subscription.Subscribed):
                key = (event.agreement_id, event.customer.party_id)
                touched[key] = _subscribed(event)
            else:
                key = _subscription_key(event.originator_id)
                if key not in touched:
                    touched[key] = _stored_row(connection, key)
                    stored.add(key)
                _apply(touched[key], event)
            touched[key]["version"] = event.originator_version
            touched[key]["position"] = position
        for key, row in touched.items():
            if key in stored:
                connection.execute(
                    update(subscriptions)
                    .where(
                        subscriptions.c.agreement_id == key[0],
                        subscriptions.c.customer_id == key[1],
                    )
                    .values(row)
                )
        new = [row for key, row in touched.items() if key not in stored]
        if new:
            connection.execute(insert(subscriptions), new)


def _subscribed(event: Subscription.Subscribed) -> dict[str, Any]:
    first = SubscriptionTerms(event.tier_id, event.fee, event.start)
    return {
        "agreement_id": event.agreement_id,
        "customer_id": event.customer.party_id,
        "customer_name": event.customer.display_name,
        **_summary([first]),
        "start": _utc(event.start),
        "planned_end": None if event.end is None else _utc(event.end),
        "ended_at": None,
    }


def _apply(row: dict[str, Any], event: Any) -> None:
    if isinstance(event, Subscription.TierChanged):
        changes = [*_decode_changes(row["changes"])]
        changes.append(SubscriptionTerms(event.tier_id, event.fee, event.effective_from))
        row.update(_summary(changes))
    elif isinstance(event, Subscription.Ended):
        row["ended_at"] = _utc(event.end_at)


def _summary(changes: list[SubscriptionTerms]) -> dict[str, Any]:
    """The tier, fee and change columns of a subscription with these states (record order)."""
    newest = changes[-1] if len(changes) > 1 else None
    before = changes[0] if newest is None else _in_force_before(changes, newest.effective_from)
    values: dict[str, Any] = {
        "tier_id": before.tier_id,
        **_fee_columns(before.fee, ""),
        "change_tier_id": None,
        "change_fee_minor": None,
        "change_currency": None,
        "change_fee_period": None,
        "change_effective_from": None,
        "changes": _encode_changes(changes),
    }
    if newest is not None:
        values["change_tier_id"] = newest.tier_id
        values.update(_fee_columns(newest.fee, "change_"))
        values["change_effective_from"] = _utc(newest.effective_from)
    return values


def _fee_columns(fee: Fee, prefix: str) -> dict[str, Any]:
    return {
        f"{prefix}fee_minor": to_minor_units(fee.amount),
        f"{prefix}currency": fee.amount.currency,
        f"{prefix}fee_period": fee.period.value,
    }


def _in_force_before(changes: Sequence[SubscriptionTerms], instant: datetime) -> SubscriptionTerms:
    """The state in force just before instant, by Subscription.terms_at's rule: the last one
    recorded that is effective before instant, else the first."""
    in_force = [c for c in changes if c.effective_from < instant]
    return in_force[-1] if in_force else changes[0]


def _encode_changes(changes: Sequence[SubscriptionTerms]) -> str:
    return json.dumps(
        [
            {
                "tier_id": c.tier_id,
                "fee_minor": to_minor_units(c.fee.amount),
                "currency": c.fee.amount.currency,
                "fee_period": c.fee.period.value,
                "effective_from": _utc(c.effective_from).isoformat(),
            }
            for c in changes
        ],
        separators=(",", ":"),
    )


def _decode_changes(text: str) -> tuple[SubscriptionTerms, ...]:
    return tuple(
        SubscriptionTerms(
            item["tier_id"],
            _fee(item["fee_minor"], item["currency"], item["fee_period"]),
            datetime.fromisoformat(item["effective_from"]),
        )
        for item in json.loads(text)
    )


def _stored_row(connection: Connection, key: tuple[str, str]) -> dict[str, Any]:
    row = connection.execute(
        select(subscriptions).where(
            subscriptions.c.agreement_id == key[0], subscriptions.c.customer_id == key[1]
        )
    ).one()
    return dict(row._mapping)


def _subscription_key(stream_id: str) -> tuple[str, str]:
    """(service, customer) of a subscription stream, agreement:<service>/customer:<customer>."""
    agreement_id = agreement_of_stream(stream_id)
    customer_id = stream_id.rsplit("/customer:", 1)[-1]
    if subscription_stream(agreement_id, customer_id) != stream_id:
        raise ValueError(f"not a subscription stream: {stream_id!r}")
    return agreement_id, customer_id


def _utc(instant: datetime) -> datetime:
    """An instant in UTC (SQLite keeps no offset: a naive value read back is UTC)."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


@dataclass(frozen=True)
class SubscriptionRow:
    """One customer's subscription to one service SLA, as projected (see projections/tables.py
    for what each field means); instants in UTC."""

    agreement_id: str
    customer_id: str
    customer_name: str
    tier_id: str
    fee: Fee
    change_tier_id: str | None
    change_fee: Fee | None
    change_effective_from: datetime | None
    changes: tuple[SubscriptionTerms, ...]
    start: datetime
    planned_end: datetime | None
    ended_at: datetime | None
    version: int
    position: int

    @property
    def end(self) -> datetime | None:
        """When the subscription ends: its end if it was ended, else its planned end."""
        return self.ended_at if self.ended_at is not None else self.planned_end

    def terms_at(self, instant: datetime) -> SubscriptionTerms:
        """The tier and fee in force at instant (the first ones before the start)."""
        in_force = [c for c in self.changes if c.effective_from <= instant]
        return in_force[-1] if in_force else self.changes[0]

    def upcoming_change(self, instant: datetime) -> SubscriptionTerms | None:
        """The newest tier change when it takes effect after instant, else None."""
        newest = self.changes[-1] if len(self.changes) > 1 else None
        return newest if newest is not None and newest.effective_from > instant else None

    def is_active_at(self, instant: datetime) -> bool:
        """Whether instant is within [start, end)."""
        return self.start <= instant and (self.end is None or instant < self.end)


def service_subscriptions(
    engine: Engine,
    agreement_id: str,
    *,
    tier_id: str = "",
    after: str = "",
    limit: int,
    as_of: datetime | None = None,
) -> list[SubscriptionRow]:
    """The subscriptions to a service SLA in customer-id order, after a customer id; with
    tier_id, only those on that tier at as_of (without as_of, on the tier of the newest change,
    which every later instant has)."""
    c = subscriptions.c
    query = select(subscriptions).where(c.agreement_id == agreement_id, c.customer_id > after)
    query = query.order_by(c.customer_id)
    if not tier_id:
        with engine.connect() as connection:
            return [_row(r) for r in connection.execute(query.limit(limit))]
    found: list[SubscriptionRow] = []
    with engine.connect() as connection:
        while len(found) < limit:
            batch = [_row(r) for r in connection.execute(query.limit(SCAN_ROWS))]
            found.extend(r for r in batch if _tier_at(r, as_of) == tier_id)
            if len(batch) < SCAN_ROWS:
                break
            query = query.where(c.customer_id > batch[-1].customer_id)
    return found[:limit]


def customer_subscriptions(
    engine: Engine, customer_id: str, *, after: str = "", limit: int
) -> list[SubscriptionRow]:
    """A customer's subscriptions in service-id order, after a service id."""
    c = subscriptions.c
    query = (
        select(subscriptions)
        .where(c.customer_id == customer_id, c.agreement_id > after)
        .order_by(c.agreement_id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [_row(r) for r in connection.execute(query)]


def _tier_at(row: SubscriptionRow, as_of: datetime | None) -> str:
    return row.changes[-1].tier_id if as_of is None else row.terms_at(as_of).tier_id


def _row(row: Row[Any]) -> SubscriptionRow:
    change_fee = None
    if row.change_fee_minor is not None:
        change_fee = _fee(row.change_fee_minor, row.change_currency, row.change_fee_period)
    return SubscriptionRow(
        agreement_id=row.agreement_id,
        customer_id=row.customer_id,
        customer_name=row.customer_name,
        tier_id=row.tier_id,
        fee=_fee(row.fee_minor, row.currency, row.fee_period),
        change_tier_id=row.change_tier_id,
        change_fee=change_fee,
        change_effective_from=_maybe_utc(row.change_effective_from),
        changes=_decode_changes(row.changes),
        start=_utc(row.start),
        planned_end=_maybe_utc(row.planned_end),
        ended_at=_maybe_utc(row.ended_at),
        version=row.version,
        position=row.position,
    )


def _fee(amount_minor: int, currency: str, period: str) -> Fee:
    return Fee(from_minor_units(amount_minor, currency), PeriodUnit(period))


def _maybe_utc(instant: datetime | None) -> datetime | None:
    return None if instant is None else _utc(instant)
