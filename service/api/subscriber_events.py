"""A service SLA's events as one of its subscribers sees them (a token limited to customers).

A subscriber sees the service's own events (its terms, the readings and exclusions of the whole
service) and what concerns its customers: their subscriptions, their periods' results, their
exclusions and the readings labelled with them. Another subscriber's subscription, results and
exclusions are left out, and so are the readings labelled with another customer (a measurement
event keeps the rest of its readings, its late indexes renumbered).
"""

from __future__ import annotations

from collections.abc import Callable

from domain.subscriber_views import CUSTOMER_LABEL
from service.generated.sla.ledger.v1 import events_pb2


def subscriber_events(
    customers: frozenset[str],
) -> Callable[[events_pb2.LedgerEvent], events_pb2.LedgerEvent | None]:
    """The filter of a subscriber of these customers: an event as it sees it, or None."""

    def shown(event: events_pb2.LedgerEvent) -> events_pb2.LedgerEvent | None:
        kind = event.WhichOneof("payload")
        if kind == "metric_measured":
            return _own_readings(event, customers)
        owner = _customer_of(event, kind)
        return event if not owner or owner in customers else None

    return shown


def _customer_of(event: events_pb2.LedgerEvent, kind: str | None) -> str:
    """The customer an event concerns; "" for the whole service."""
    if kind is None:
        return ""
    payload = getattr(event, kind)
    if kind == "exclusion_recorded":
        return str(payload.exclusion.customer_id)
    if kind == "customer_subscribed":
        return str(payload.customer.party_id)
    if "customer_id" in payload.DESCRIPTOR.fields_by_name:
        return str(payload.customer_id)
    return ""


def _own_readings(
    event: events_pb2.LedgerEvent, customers: frozenset[str]
) -> events_pb2.LedgerEvent | None:
    """The measurement event without the readings labelled with another customer; None when
    none is left."""
    measured = event.metric_measured
    kept = [
        index
        for index, reading in enumerate(measured.measurements)
        if reading.labels.get(CUSTOMER_LABEL, "") in customers | {""}
    ]
    if len(kept) == len(measured.measurements):
        return event
    if not kept:
        return None
    late = set(measured.late_indexes)
    shown = events_pb2.LedgerEvent()
    shown.CopyFrom(event)
    del shown.metric_measured.measurements[:]
    del shown.metric_measured.late_indexes[:]
    for new_index, index in enumerate(kept):
        shown.metric_measured.measurements.append(measured.measurements[index])
        if index in late:
            shown.metric_measured.late_indexes.append(new_index)
    return shown
