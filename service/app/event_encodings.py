"""Encoded events: every event of the log in the public schema, serialized once.

A stream catching up then sends stored bytes instead of decoding each stored event and mapping
it to a LedgerEvent again for every subscriber.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table, insert, select

from domain.agreement import Agreement
from domain.measurements import MetricMeasured
from domain.period_results import (
    BonusAdjusted,
    BonusEarned,
    BreachDetected,
    BreachRetracted,
    CreditAdjusted,
    CreditIssued,
    PeriodClosed,
    PeriodRecalculated,
    TerminationRightGranted,
)
from projections.log_source import LoggedEvent
from projections.tables import encoded_events
from service.api.mapping.core import logged_event_to_proto
from service.generated.sla.ledger.v1 import events_pb2

# The domain event classes that logged_event_to_proto writes into each member of the
# LedgerEvent `payload` oneof. Their topics let the database do the type filtering.
PAYLOAD_CLASSES: dict[str, tuple[type, ...]] = {
    "agreement_signed": (Agreement.Signed,),
    "agreement_amended": (Agreement.Amended,),
    "agreement_terminated": (Agreement.Terminated,),
    "metric_measured": (MetricMeasured,),
    "exclusion_recorded": (Agreement.ExclusionRecorded,),
    "period_closed": (PeriodClosed,),
    "breach_detected": (BreachDetected,),
    "breach_retracted": (BreachRetracted,),
    "credit_issued": (CreditIssued,),
    "credit_adjusted": (CreditAdjusted,),
    "bonus_earned": (BonusEarned,),
    "bonus_adjusted": (BonusAdjusted,),
    "period_recalculated": (PeriodRecalculated,),
    "termination_right_granted": (TerminationRightGranted,),
}
PAYLOAD_TOPICS: dict[str, tuple[str, ...]] = {
    name: tuple(get_topic(cls) for cls in classes) for name, classes in PAYLOAD_CLASSES.items()
}
_PAYLOAD_NAMES = {
    field.name for field in events_pb2.LedgerEvent.DESCRIPTOR.oneofs_by_name["payload"].fields
}
# Both spellings of a payload type that clients see, the oneof field name ("credit_issued") and
# its proto3 JSON name ("creditIssued"), each to the field name.
PAYLOAD_NAMES: dict[str, str] = {
    spelling: field.name
    for field in events_pb2.LedgerEvent.DESCRIPTOR.oneofs_by_name["payload"].fields
    for spelling in (field.name, field.json_name)
}
if set(PAYLOAD_CLASSES) != _PAYLOAD_NAMES:  # pragma: no cover - caught by any test run
    raise RuntimeError(
        "PAYLOAD_CLASSES must name every LedgerEvent payload: "
        f"missing {sorted(_PAYLOAD_NAMES - set(PAYLOAD_CLASSES))}, "
        f"unknown {sorted(set(PAYLOAD_CLASSES) - _PAYLOAD_NAMES)}"
    )


class EventEncodings:
    """Projects every event into its serialized LedgerEvent."""

    # v2: status and kind enums, figures at their shown precision (domain/display.py)
    name = "event_encodings_v2"  # the version of encoded_events_v2
    tables: tuple[Table, ...] = (encoded_events,)
    topics = frozenset(topic for topics in PAYLOAD_TOPICS.values() for topic in topics)

    def handle_batch(self, connection: Connection, events: Iterable[tuple[int, Any]]) -> None:
        """Insert the encoding of every event of the batch."""
        rows = []
        for position, event in events:
            message = logged_event_to_proto(LoggedEvent(position, event))
            rows.append(
                {
                    "position": position,
                    "agreement_id": message.agreement_id,
                    "event_type": message.WhichOneof("payload"),
                    "encoded": message.SerializeToString(),
                }
            )
        if rows:
            connection.execute(insert(encoded_events), rows)


def read_encoded(
    connection: Connection,
    after: int,
    up_to: int,
    limit: int,
    agreement_id: str,
    event_types: Sequence[str],
    max_bytes: int,
) -> tuple[list[tuple[int, bytes]], bool]:
    """(position, encoded LedgerEvent) after a position and up to another, in log order,
    of one agreement ('' for all) and of some event types (none for all), until they reach
    max_bytes; and whether they were cut there (rows are streamed, never all loaded)."""
    c = encoded_events.c
    query = select(c.position, c.encoded).where(c.position > after, c.position <= up_to)
    if agreement_id:
        query = query.where(c.agreement_id == agreement_id)
    if event_types:
        query = query.where(c.event_type.in_(event_types))
    found: list[tuple[int, bytes]] = []
    used = 0
    rows = connection.execution_options(stream_results=True, yield_per=64).execute(
        query.order_by(c.position).limit(limit)
    )
    for position, encoded in rows:
        found.append((position, bytes(encoded)))
        used += len(encoded)
        if used >= max_bytes:
            rows.close()
            return found, True
    return found, False
