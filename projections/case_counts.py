"""How many cases a window of a case objective judged, and how many met, from case_judgements.

A window [start, end) evaluated at as_of has cutoff c; it counts the judgement rows holding at
c (valid_after < c <= valid_until) with start <= judged_at, as known at K (recorded_from <= K <
recorded_until). Whole 15-minute buckets inside [start, c) are summed from the totals (whole UTC
days, and buckets at the edges), less the signed counts recorded from K's hour on; the rest is
read row by row: final rows in the partial buckets at either end, final rows of the whole
buckets recorded or superseded within K's hour up to K, and the rows that are not final (a
reopened or relabelled case's earlier judgements) still holding at c.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, case, false, func, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from domain.rollup_sums import BUCKET_US
from projections.case_judgements import DAY_US, HOUR_US, NAME, bucket_of
from projections.snapshots import read_snapshot
from projections.tables import (
    case_definitions,
    case_judgement_counts,
    case_judgement_totals,
    case_judgements,
    projection_tracking,
)

_IN_CHUNK = 500


@dataclass(frozen=True)
class CaseCount:
    """Cases judged in a window, and how many of them met the target."""

    met: int = 0
    judged: int = 0

    def __add__(self, other: CaseCount) -> CaseCount:
        return CaseCount(self.met + other.met, self.judged + other.judged)

    def __sub__(self, other: CaseCount) -> CaseCount:
        return CaseCount(self.met - other.met, self.judged - other.judged)


class CaseJudgementSnapshot:
    """The case_judgements read model at one position, read in one snapshot."""

    def __init__(self, connection: Connection) -> None:
        self._c = connection
        row = connection.execute(
            select(projection_tracking.c.position).where(projection_tracking.c.name == NAME)
        ).first()
        self.position = int(row[0]) if row else 0

    def def_version(self, agreement_id: str, objective_id: str, terms_version: int) -> int | None:
        """The def_version judging an objective of a terms version; None when not projected."""
        c = case_definitions.c
        return self._c.execute(
            select(c.def_version).where(
                c.agreement_id == agreement_id,
                c.objective_id == objective_id,
                c.terms_version == terms_version,
            )
        ).scalar()

    def count(
        self,
        agreement_id: str,
        objective_id: str,
        def_version: int,
        start_us: int,
        cutoff_us: int,
        known_at_us: int,
    ) -> CaseCount:
        """The cases the window [start_us, cutoff_us) judges as known at known_at_us."""
        if cutoff_us <= start_us:
            return CaseCount()
        first = -(-start_us // BUCKET_US) * BUCKET_US  # the first whole bucket
        last = bucket_of(cutoff_us)  # the whole buckets end here
        key = (agreement_id, objective_id, def_version)
        total = self._not_final(key, start_us, cutoff_us, known_at_us)
        if first >= last:
            return total + self._final(key, start_us, cutoff_us, known_at_us)
        total += self._final(key, start_us, first, known_at_us)
        total += self._final(key, last, cutoff_us, known_at_us)
        hour = known_at_us - known_at_us % HOUR_US
        day_first = -(-first // DAY_US) * DAY_US
        day_last = last - last % DAY_US
        if day_first < day_last:
            total += self._totals(key, DAY_US, day_first, day_last)
            total += self._totals(key, BUCKET_US, first, day_first)
            total += self._totals(key, BUCKET_US, day_last, last)
        else:
            total += self._totals(key, BUCKET_US, first, last)
        n = case_judgement_counts.c
        met, judged = self._c.execute(
            select(func.coalesce(func.sum(n.met), 0), func.coalesce(func.sum(n.judged), 0)).where(
                n.agreement_id == agreement_id,
                n.objective_id == objective_id,
                n.def_version == def_version,
                n.recorded_hour_us >= hour,
                n.bucket_us >= first,
                n.bucket_us < last,
            )
        ).one()
        total -= CaseCount(int(met), int(judged))  # recorded from K's hour on
        j = case_judgements.c
        for column, sign in ((j.recorded_from_us, 1), (j.recorded_until_us, -1)):
            met, judged = self._c.execute(
                select(func.coalesce(func.sum(_as_int(j.met)), 0), func.count()).where(
                    *_of(key),
                    column >= hour,
                    column <= known_at_us,
                    j.final == true(),
                    j.judged_at_us + 0 >= first,  # along the record-time index: few rows
                    j.judged_at_us + 0 < last,
                )
            ).one()
            total += CaseCount(sign * int(met), sign * int(judged))
        return total

    def _totals(
        self, key: tuple[str, str, int], width_us: int, from_us: int, until_us: int
    ) -> CaseCount:
        if until_us <= from_us:
            return CaseCount()
        t = case_judgement_totals.c
        agreement_id, objective_id, def_version = key
        met, judged = self._c.execute(
            select(func.coalesce(func.sum(t.met), 0), func.coalesce(func.sum(t.judged), 0)).where(
                t.agreement_id == agreement_id,
                t.objective_id == objective_id,
                t.def_version == def_version,
                t.width_us == width_us,
                t.bucket_us >= from_us,
                t.bucket_us < until_us,
            )
        ).one()
        return CaseCount(int(met), int(judged))

    def count_cases(
        self,
        agreement_id: str,
        objective_id: str,
        def_version: int,
        case_ids: Collection[str],
        start_us: int,
        cutoff_us: int,
        known_at_us: int,
    ) -> CaseCount:
        """What the named cases' rows add to count() for the same window."""
        key = (agreement_id, objective_id, def_version)
        j = case_judgements.c
        total = CaseCount()
        ids = sorted(case_ids)
        for at in range(0, len(ids), _IN_CHUNK):
            total += self._sum(
                j.case_id.in_(ids[at : at + _IN_CHUNK]),
                *_of(key),
                *_known(known_at_us),
                *_holding(cutoff_us),
                j.judged_at_us >= start_us,
            )
        return total

    def _final(
        self, key: tuple[str, str, int], from_us: int, until_us: int, known_at_us: int
    ) -> CaseCount:
        if until_us <= from_us:
            return CaseCount()
        j = case_judgements.c
        return self._sum(
            *_of(key),
            j.final == true(),
            j.judged_at_us >= from_us,
            j.judged_at_us < until_us,
            *_known(known_at_us),
        )

    def _not_final(
        self, key: tuple[str, str, int], start_us: int, cutoff_us: int, known_at_us: int
    ) -> CaseCount:
        # Two reads, each along the index on valid_until: rows still holding at the cutoff.
        j = case_judgements.c
        common = [
            *_of(key),
            j.final == false(),
            j.valid_after_us < cutoff_us,
            j.judged_at_us + 0 >= start_us,
            *_known(known_at_us),
        ]
        return self._sum(*common, j.valid_until_us >= cutoff_us) + self._sum(
            *common, j.valid_until_us.is_(None)
        )

    def _sum(self, *where: ColumnElement[bool]) -> CaseCount:
        j = case_judgements.c
        met, judged = self._c.execute(
            select(func.coalesce(func.sum(_as_int(j.met)), 0), func.count()).where(*where)
        ).one()
        return CaseCount(int(met), int(judged))


def _as_int(column: ColumnElement[bool]) -> ColumnElement[int]:
    return case((column == true(), 1), else_=0)


def _of(key: tuple[str, str, int]) -> list[ColumnElement[bool]]:
    j = case_judgements.c
    agreement_id, objective_id, def_version = key
    return [
        j.agreement_id == agreement_id,
        j.objective_id == objective_id,
        j.def_version == def_version,
    ]


def _known(known_at_us: int) -> list[ColumnElement[bool]]:
    j = case_judgements.c
    # "+ 0" keeps SQLite from reading these along the record-time indexes: nearly every row
    # passes them, while the other terms of each query select few.
    return [
        j.recorded_from_us + 0 <= known_at_us,
        or_(j.recorded_until_us.is_(None), j.recorded_until_us + 0 > known_at_us),
    ]


def _holding(cutoff_us: int) -> list[ColumnElement[bool]]:
    j = case_judgements.c
    return [
        j.valid_after_us < cutoff_us,
        or_(j.valid_until_us.is_(None), j.valid_until_us >= cutoff_us),
    ]


@contextmanager
def case_snapshot(engine: Engine) -> Iterator[CaseJudgementSnapshot]:
    """The case_judgements read model as one committed state, with its position."""
    with read_snapshot(engine) as connection:
        yield CaseJudgementSnapshot(connection)
