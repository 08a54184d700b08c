"""The disputes read model: one row per dispute, and the listing query.

Fed by Dispute.Opened and Dispute.Resolved (domain/disputes.py); the columns are described in
projections/tables.py. A row is the dispute's record (domain.disputes.DisputeRecord) as its
stream tells it; instants are kept as epoch microseconds, so both backends return them alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Engine, Row, Table, and_, insert, select, update

from domain.disputes import (
    Dispute,
    DisputeRecord,
    DisputeSubject,
    Outcome,
    SubjectKind,
    opened_record,
    resolved_record,
)
from domain.instants import from_epoch_us, to_epoch_us
from projections.tables import disputes


class DisputeViews:
    """Projects each dispute into one row."""

    name = "dispute_views"
    tables: tuple[Table, ...] = (disputes,)
    topics = frozenset(get_topic(cls) for cls in (Dispute.Opened, Dispute.Resolved))

    def handle_batch(self, connection: Connection, events: Iterable[tuple[int, Any]]) -> None:
        """Fold a batch into the rows it touches, then write each row once."""
        touched: dict[tuple[str, str], DisputeRecord] = {}
        stored: set[tuple[str, str]] = set()
        for position, event in events:
            if isinstance(event, Dispute.Opened):
                record = opened_record(position, event)
                touched[(record.agreement_id, record.dispute_id)] = record
            elif isinstance(event, Dispute.Resolved):
                key = _key_of(event.originator_id)
                if key not in touched:
                    found = _stored(connection, key)
                    if found is None:  # pragma: no cover - a resolution follows its opening
                        continue
                    touched[key] = found
                    stored.add(key)
                touched[key] = resolved_record(touched[key], position, event)
        for key, record in touched.items():
            if key in stored:
                connection.execute(
                    update(disputes)
                    .where(disputes.c.agreement_id == key[0], disputes.c.dispute_id == key[1])
                    .values(_row(record))
                )
        new = [_row(record) for key, record in touched.items() if key not in stored]
        if new:
            connection.execute(insert(disputes), new)


def list_disputes(
    engine: Engine,
    agreement_id: str,
    customer_id: str,
    state: tuple[bool, Outcome | None] | None,
    after: int,
    limit: int,
) -> list[DisputeRecord]:
    """Up to limit disputes opened after log position after, in the order they were opened,
    of one agreement and one customer ('' for any), in a state ((True, None) open, (False,
    outcome) resolved so; None for any)."""
    where = [disputes.c.opened_position > after]
    if agreement_id:
        where.append(disputes.c.agreement_id == agreement_id)
    if customer_id:
        where.append(disputes.c.customer_id == customer_id)
    if state is not None:
        is_open, outcome = state
        if is_open:
            where.append(disputes.c.outcome.is_(None))
        else:
            assert outcome is not None
            where.append(disputes.c.outcome == outcome.value)
    query = select(disputes).where(and_(*where)).order_by(disputes.c.opened_position).limit(limit)
    with engine.connect() as connection:
        return [record_of(row) for row in connection.execute(query)]


def open_dispute_ids(
    engine: Engine, periods: Iterable[tuple[str, str, str, str]]
) -> dict[tuple[str, str, str, str], list[str]]:
    """The ids of the open disputes of each (agreement, objective, period label, customer)
    period (a period result or a denied claim; the customer who disputes), in opening order."""
    wanted = set(periods)
    found: dict[tuple[str, str, str, str], list[str]] = {}
    if not wanted:
        return found
    query = (
        select(
            disputes.c.agreement_id,
            disputes.c.objective_id,
            disputes.c.period_label,
            disputes.c.customer_id,
            disputes.c.dispute_id,
        )
        .where(
            disputes.c.agreement_id.in_(sorted({p[0] for p in wanted})),
            disputes.c.outcome.is_(None),
            disputes.c.subject_kind != SubjectKind.EXCLUSION.value,
        )
        .order_by(disputes.c.opened_position)
    )
    with engine.connect() as connection:
        for agreement_id, objective_id, label, customer_id, dispute_id in connection.execute(query):
            key = (agreement_id, objective_id, label, customer_id)
            if key in wanted:
                found.setdefault(key, []).append(dispute_id)
    return found


def record_of(row: Row[Any]) -> DisputeRecord:
    """The dispute record a row holds."""
    return DisputeRecord(
        agreement_id=row.agreement_id,
        dispute_id=row.dispute_id,
        subject=DisputeSubject(
            SubjectKind(row.subject_kind),
            row.objective_id,
            row.period_label,
            row.exclusion_id,
            row.subject_customer_id,
        ),
        customer_id=row.customer_id,
        reason=row.reason,
        evidence=row.evidence,
        opened_at=from_epoch_us(row.opened_at_us),
        opened_log_position=row.opened_log_position,
        opened_position=row.opened_position,
        version=row.version,
        outcome=None if row.outcome is None else Outcome(row.outcome),
        resolution_reason=row.resolution_reason,
        resolved_at=None if row.resolved_at_us is None else from_epoch_us(row.resolved_at_us),
        resolved_log_position=row.resolved_log_position,
        resolved_position=row.resolved_position,
        compensation_count=row.compensation_count,
    )


def _row(record: DisputeRecord) -> dict[str, Any]:
    subject = record.subject
    return {
        "agreement_id": record.agreement_id,
        "dispute_id": record.dispute_id,
        "customer_id": record.customer_id,
        "subject_kind": subject.kind.value,
        "objective_id": subject.objective_id,
        "period_label": subject.period_label,
        "exclusion_id": subject.exclusion_id,
        "subject_customer_id": subject.customer_id,
        "reason": record.reason,
        "evidence": record.evidence,
        "opened_at_us": to_epoch_us(record.opened_at),
        "opened_log_position": record.opened_log_position,
        "opened_position": record.opened_position,
        "outcome": None if record.outcome is None else record.outcome.value,
        "resolution_reason": record.resolution_reason,
        "resolved_at_us": None if record.resolved_at is None else to_epoch_us(record.resolved_at),
        "resolved_log_position": record.resolved_log_position,
        "resolved_position": record.resolved_position,
        "compensation_count": record.compensation_count,
        "version": record.version,
    }


def _stored(connection: Connection, key: tuple[str, str]) -> DisputeRecord | None:
    row = connection.execute(
        select(disputes).where(disputes.c.agreement_id == key[0], disputes.c.dispute_id == key[1])
    ).first()
    return None if row is None else record_of(row)


def _key_of(stream_id: str) -> tuple[str, str]:
    """(agreement, dispute) of a dispute stream (agreement:<id>/dispute:<dispute>)."""
    root, dispute_id = stream_id.rsplit("/dispute:", 1)
    return root.split(":", 1)[1], dispute_id
