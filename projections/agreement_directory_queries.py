"""The listing of the agreement directory: agreements at as_of, as known at known_at, by SQL.

A fact counts when it was recorded by known_at and lies at or before the position the listing
reads (so every page of one listing reads the same facts). The terms in force at as_of are the
newest version so known that is effective at or before as_of, else the first
(Agreement.terms_in_force); a subscriber is one whose subscription is active at as_of, its end
the recorded end when known, else the planned one (Subscription.is_active_at).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    func,
    not_,
    or_,
    select,
    union_all,
)

from domain.agreement_directory import AgreementSummary, DirectoryFilter
from domain.instants import from_epoch_us, to_epoch_us
from domain.terms import AgreementKind
from projections.agreement_directory import decode_shown
from projections.agreement_directory_tables import (
    directory_agreements,
    directory_services,
    directory_subscribers,
    directory_terms,
    service_key,
)
from projections.table_metadata import projection_tracking

DIRECTORY_NAME = "agreement_directory_v3"


@dataclass(frozen=True)
class DirectoryRead:
    """The instants and the log position a listing reads at."""

    as_of: datetime
    known_at: datetime
    position: int

    @property
    def as_of_us(self) -> int:
        """as_of in epoch microseconds."""
        return to_epoch_us(self.as_of)

    @property
    def known_us(self) -> int:
        """known_at in epoch microseconds."""
        return to_epoch_us(self.known_at)


def directory_position(connection: Connection) -> int:
    """The log position the directory reflects."""
    row = connection.execute(
        select(projection_tracking.c.position).where(projection_tracking.c.name == DIRECTORY_NAME)
    ).first()
    return int(row[0]) if row else 0


def list_agreements(
    connection: Connection, where: DirectoryFilter, at: DirectoryRead, after: str, limit: int
) -> list[AgreementSummary]:
    """Up to limit agreements with ids after after, in id order, matching where at at."""
    a, t = directory_agreements.c, directory_terms.c
    conditions = [
        a.agreement_id > after,
        a.recorded_us <= at.known_us,
        a.position <= at.position,
        a.signed_at_us <= at.as_of_us,
    ]
    if where.provider_id:
        conditions.append(a.provider_id == where.provider_id)
    if where.kind is not None:
        conditions.append(a.kind == where.kind.value)
    if where.customer_id:
        # One set of ids, not an OR, so that neither side is a walk of every agreement.
        mine = directory_agreements.alias("own").c  # not correlated with the walk
        own = select(mine.agreement_id).where(mine.customer_id == where.customer_id)
        conditions.append(a.agreement_id.in_(union_all(own, _subscribed(where, at))))
    if where.terminated is not None:
        ended = _terminated(at)
        conditions.append(ended if where.terminated else not_(ended))
    if where.service:
        s = directory_services.c
        # A count, not EXISTS: PostgreSQL turns EXISTS into a join that reads every row of the
        # service before it sorts; a scalar subquery stays a check of each agreement walked.
        covered = (
            select(func.count())
            .where(
                s.agreement_id == a.agreement_id,
                s.terms_version == in_force_version(at),
                s.service_key == service_key(where.service),
            )
            .scalar_subquery()
        )
        conditions.append(covered > 0)
    known_termination = and_(
        a.terminated_recorded_us <= at.known_us, a.terminated_position <= at.position
    )
    # The page's agreements first, each with the number of its terms in force, and only then
    # their terms: joined to the terms on that number, PostgreSQL cannot estimate the join and
    # evaluates the number for every agreement before it sorts (EXPLAIN ANALYZE: 1.3 s for the
    # first page of 100,000 agreements), where the page alone walks the primary key in order
    # and stops after limit rows.
    page = (
        select(
            a.agreement_id,
            a.kind,
            a.recorded_us,
            case((known_termination, a.terminated_at_us), else_=None).label("terminated_at_us"),
            _terminated(at).label("terminated"),
            in_force_version(at).label("terms_version"),
        )
        .where(*conditions)
        .order_by(a.agreement_id)
        .limit(limit)
        .subquery("page")
    )
    query = (
        select(page, t.term_start_us, t.term_end_us, t.shown)
        .join(
            directory_terms,
            and_(t.agreement_id == page.c.agreement_id, t.terms_version == page.c.terms_version),
        )
        .order_by(page.c.agreement_id)
    )
    return [_summary(row) for row in connection.execute(query)]


def in_force_version(at: DirectoryRead) -> ColumnElement[Any]:
    """The number of the terms version in force at as_of of the directory's agreements row of
    the query it is part of (correlated to it even from inside another subquery)."""
    t = directory_terms.alias("in_force").c  # not correlated with the outer query's terms
    newest = (
        select(func.max(t.terms_version))
        .where(
            t.agreement_id == directory_agreements.c.agreement_id,
            t.recorded_us <= at.known_us,
            t.position <= at.position,
            t.effective_from_us <= at.as_of_us,
        )
        .correlate(directory_agreements)
        .scalar_subquery()
    )
    return func.coalesce(newest, 1)


def _terminated(at: DirectoryRead) -> ColumnElement[bool]:
    """Whether a termination known at known_at had taken effect at as_of."""
    a = directory_agreements.c
    return and_(
        a.terminated_at_us.is_not(None),
        a.terminated_recorded_us <= at.known_us,
        a.terminated_position <= at.position,
        a.terminated_at_us <= at.as_of_us,
    )


def _subscribed(where: DirectoryFilter, at: DirectoryRead) -> Any:
    """The ids of the service SLAs the customer is subscribed to at as_of, as known then."""
    s = directory_subscribers.c
    end_known = and_(s.ended_recorded_us <= at.known_us, s.ended_position <= at.position)
    end = case((end_known, s.ended_at_us), else_=s.planned_end_us)
    return select(s.agreement_id).where(
        s.customer_id == where.customer_id,
        s.recorded_us <= at.known_us,
        s.position <= at.position,
        s.start_us <= at.as_of_us,
        or_(end.is_(None), end > at.as_of_us),
    )


def _summary(row: Any) -> AgreementSummary:
    shown = decode_shown(row.shown)
    return AgreementSummary(
        agreement_id=row.agreement_id,
        kind=AgreementKind(row.kind),
        provider=shown["provider"],
        customer=shown["customer"],
        services=shown["services"],
        terminated=bool(row.terminated),
        terms_version=int(row.terms_version),
        term_start=from_epoch_us(row.term_start_us),
        term_end=None if row.term_end_us is None else from_epoch_us(row.term_end_us),
        terminated_at=None if row.terminated_at_us is None else from_epoch_us(row.terminated_at_us),
        objective_ids=shown["objective_ids"],
        tier_ids=shown["tier_ids"],
        signed_recorded_at=from_epoch_us(row.recorded_us),
    )
