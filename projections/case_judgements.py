"""The case_judgements read model: every case's judgement spans per case-objective definition,
versioned by record time, and signed bucket counts of the final ones.

On each CaseMilestoneRecorded the case's timeline (kept in projected_case_timelines, in record
order) is judged again by judgement_spans for every case-objective definition of its agreement.
Spans that stay the same keep their row; the others are superseded at the milestone's record
time (recorded_until_us) and the new ones recorded from it, so a query as known at K reads the
rows with recorded_from_us <= K < recorded_until_us. A definition new to the agreement (signed
or amended terms) judges every case the agreement has, with the versions each would have had.
A case's events are assumed recorded with non-decreasing record times (one stream, appended in
order by one clock), so what was known of a case at K is a prefix of its stream.

Each final row (valid from its judged instant on, for good) adds +1 (and +1 met) to its
15-minute bucket of judged_at and hour of record time in projected_case_judgement_counts, and
-1 at the hour it is superseded, so a window sums its whole buckets over few rows
(projections/case_counts.py). The final state depends only on the events, not on batching:
rows known at no record time and counts summing to zero are removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table, and_, bindparam, delete, insert, select, update

from domain.agreement import Agreement
from domain.case_milestones import CaseMilestoneRecorded
from domain.case_readings import judgement_spans
from domain.case_timeline import sorted_timeline
from domain.instants import to_epoch_us
from domain.rollup_sums import BUCKET_US
from domain.terms import AgreementTerms, Objective
from projections.case_definitions import CaseDefinition, case_specs, objective_of
from projections.case_rows import (
    Entry,
    JudgementRow,
    add_counts,
    key_params,
    labels_json,
    row_values,
    timeline_entry,
)
from projections.tables import (
    case_definitions,
    case_judgement_counts,
    case_judgement_totals,
    case_judgements,
    case_timelines,
)

NAME = "case_judgements"
HOUR_US = 3_600_000_000
DAY_US = 24 * HOUR_US
_IN_CHUNK = 500


def bucket_of(judged_at_us: int) -> int:
    """The 15-minute bucket holding a judged instant."""
    return judged_at_us - judged_at_us % BUCKET_US


def hour_of(recorded_at_us: int) -> int:
    """The hour of record time holding an instant."""
    return recorded_at_us - recorded_at_us % HOUR_US


@lru_cache(maxsize=256)
def _judging(objective_id: str, spec: str) -> tuple[Objective, str]:
    return objective_of(objective_id, spec)


class CaseJudgements:
    """Projects case milestones and case-objective definitions into judgement rows and counts."""

    name = NAME
    tables: tuple[Table, ...] = (
        case_definitions,
        case_timelines,
        case_judgements,
        case_judgement_counts,
        case_judgement_totals,
    )
    topics = frozenset(
        get_topic(cls) for cls in (Agreement.Signed, Agreement.Amended, CaseMilestoneRecorded)
    )

    def handle_batch(self, connection: Connection, events: Iterable[tuple[int, Any]]) -> None:
        """Apply the batch's events in log order, then write what changed."""
        batch = _Batch(connection, list(events))
        batch.apply()
        batch.flush()


class _Batch:
    """One batch's reads, in-memory changes and writes."""

    def __init__(self, connection: Connection, events: list[tuple[int, Any]]) -> None:
        self._c = connection
        self._events = events
        self._defs: dict[str, list[CaseDefinition]] = {}
        self._timelines: dict[tuple[str, str], list[Entry]] = {}
        self._all_loaded: set[str] = set()
        # (agreement, case, objective, def_version) -> valid_after -> current row
        self._current: dict[tuple[str, str, str, int], dict[int, JudgementRow]] = {}
        self._loaded_rows: set[tuple[str, str]] = set()
        self._new_defs: list[dict[str, Any]] = []
        self._new_milestones: list[dict[str, Any]] = []
        self._inserted: dict[tuple[Any, ...], JudgementRow] = {}
        self._closed: dict[tuple[Any, ...], int] = {}
        self._deleted: set[tuple[Any, ...]] = set()
        self._counts: dict[tuple[str, str, int, int, int], list[int]] = {}
        self._totals: dict[tuple[str, str, int, int, int], list[int]] = {}

    def apply(self) -> None:
        """Prefetch what the batch touches, then apply each event in order."""
        self._prefetch()
        for position, event in self._events:
            if isinstance(event, CaseMilestoneRecorded):
                self._milestone(position, event)
            elif isinstance(event, Agreement.Signed):
                self._terms(position, event.agreement_id, 1, event.terms)
            elif isinstance(event, Agreement.Amended):
                agreement_id = event.originator_id.split(":", 1)[1]
                self._terms(position, agreement_id, event.terms_version, event.terms)

    def _prefetch(self) -> None:
        by_agreement: dict[str, set[str]] = {}
        for _, event in self._events:
            if isinstance(event, CaseMilestoneRecorded):
                by_agreement.setdefault(event.agreement_id, set()).add(event.case_id)
        for agreement_id, case_ids in by_agreement.items():
            self._definitions(agreement_id)
            self._load_cases(agreement_id, sorted(case_ids))

    def _definitions(self, agreement_id: str) -> list[CaseDefinition]:
        found = self._defs.get(agreement_id)
        if found is None:
            c = case_definitions.c
            rows = self._c.execute(
                select(c.objective_id, c.terms_version, c.def_version, c.spec)
                .where(c.agreement_id == agreement_id)
                .order_by(c.terms_version, c.objective_id)
            ).all()
            found = self._defs[agreement_id] = [CaseDefinition(*row) for row in rows]
        return found

    def _load_cases(self, agreement_id: str, case_ids: list[str]) -> None:
        wanted = [i for i in case_ids if (agreement_id, i) not in self._loaded_rows]
        for start in range(0, len(wanted), _IN_CHUNK):
            chunk = wanted[start : start + _IN_CHUNK]
            t = case_timelines.c
            unread = [i for i in chunk if (agreement_id, i) not in self._timelines]
            stored: dict[tuple[str, str], list[Entry]] = {}
            for row in self._c.execute(
                select(case_timelines)
                .where(t.agreement_id == agreement_id, t.case_id.in_(unread))
                .order_by(t.position)
            ):
                stored.setdefault((agreement_id, row.case_id), []).append(timeline_entry(row))
            self._timelines.update(stored)
            j = case_judgements.c
            for row in self._c.execute(
                select(case_judgements).where(
                    j.agreement_id == agreement_id,
                    j.case_id.in_(chunk),
                    j.recorded_until_us.is_(None),
                )
            ):
                key = (agreement_id, row.case_id, row.objective_id, row.def_version)
                span = (row.judged_at_us, row.met, row.valid_after_us, row.valid_until_us)
                self._current.setdefault(key, {})[row.valid_after_us] = JudgementRow(
                    span, row.recorded_from_us
                )
            self._loaded_rows.update((agreement_id, i) for i in chunk)

    def _milestone(self, position: int, event: CaseMilestoneRecorded) -> None:
        agreement_id, case_id = event.agreement_id, event.case_id
        recorded_at = to_epoch_us(event.timestamp)
        milestone = event.milestone()
        self._load_cases(agreement_id, [case_id])
        timeline = self._timelines.setdefault((agreement_id, case_id), [])
        timeline.append((milestone, recorded_at))
        self._new_milestones.append(
            {
                "position": position,
                "agreement_id": agreement_id,
                "case_id": case_id,
                "kind": milestone.kind.value,
                "occurred_at_us": milestone.occurred_at_us,
                "milestone_id": milestone.milestone_id,
                "labels": "" if milestone.labels is None else labels_json(milestone.labels),
                "reason": milestone.reason,
                "recorded_at_us": recorded_at,
            }
        )
        for definition in self._distinct(agreement_id):
            self._judge(agreement_id, case_id, definition, timeline, recorded_at)

    def _distinct(self, agreement_id: str) -> list[CaseDefinition]:
        return [d for d in self._definitions(agreement_id) if d.def_version == d.terms_version]

    def _terms(
        self, position: int, agreement_id: str, terms_version: int, terms: AgreementTerms
    ) -> None:
        known = self._definitions(agreement_id)
        for objective_id, spec in sorted(case_specs(terms).items()):
            same = [d for d in known if d.objective_id == objective_id and d.spec == spec]
            def_version = same[0].def_version if same else terms_version
            definition = CaseDefinition(objective_id, terms_version, def_version, spec)
            known.append(definition)
            self._new_defs.append(
                {
                    "agreement_id": agreement_id,
                    "objective_id": objective_id,
                    "terms_version": terms_version,
                    "def_version": def_version,
                    "spec": spec,
                    "position": position,
                }
            )
            if not same:
                self._judge_every_case(agreement_id, definition)

    def _judge_every_case(self, agreement_id: str, definition: CaseDefinition) -> None:
        """Judge every case of the agreement by a new definition, version by version."""
        if agreement_id not in self._all_loaded:
            t = case_timelines.c
            stored: dict[str, list[Entry]] = {}
            for row in self._c.execute(
                select(case_timelines).where(t.agreement_id == agreement_id).order_by(t.position)
            ):
                stored.setdefault(row.case_id, []).append(timeline_entry(row))
            for case_id, entries in stored.items():
                self._timelines.setdefault((agreement_id, case_id), entries)
            self._all_loaded.add(agreement_id)
        for (owner, case_id), timeline in sorted(self._timelines.items()):
            if owner != agreement_id:
                continue
            for end in range(len(timeline)):
                recorded_at = timeline[end][1]
                if end + 1 < len(timeline) and timeline[end + 1][1] == recorded_at:
                    continue  # recorded together: no record time knew this prefix alone
                self._judge(agreement_id, case_id, definition, timeline[: end + 1], recorded_at)

    def _judge(
        self,
        agreement_id: str,
        case_id: str,
        definition: CaseDefinition,
        timeline: list[Entry],
        recorded_at: int,
    ) -> None:
        """Make the case's current rows for a definition those of the timeline, from recorded_at."""
        objective, time_zone = _judging(definition.objective_id, definition.spec)
        spans = judgement_spans(sorted_timeline(m for m, _ in timeline), objective, time_zone)
        wanted = {(s.judged_at_us, s.met, s.valid_after_us, s.valid_until_us) for s in spans}
        key = (agreement_id, case_id, definition.objective_id, definition.def_version)
        current = self._current.setdefault(key, {})
        for valid_after, row in list(current.items()):
            if row.span not in wanted:
                self._supersede(key, row, recorded_at)
                del current[valid_after]
        kept = {row.span for row in current.values()}
        for span in sorted(wanted - kept, key=lambda s: s[2]):
            row = JudgementRow(span, recorded_at)
            current[span[2]] = row
            self._inserted[(*key, recorded_at, span[2])] = row
            if row.final:
                self._count(key, row, recorded_at, +1)

    def _supersede(
        self, key: tuple[str, str, str, int], row: JudgementRow, recorded_at: int
    ) -> None:
        pk = (*key, row.recorded_from_us, row.span[2])
        if row.recorded_from_us == recorded_at:  # known at no record time: remove it
            if self._inserted.pop(pk, None) is None:
                self._deleted.add(pk)
        elif pk in self._inserted:
            self._inserted[pk].recorded_until_us = recorded_at
        else:
            self._closed[pk] = recorded_at
        if row.final:
            self._count(key, row, recorded_at, -1)

    def _count(
        self, key: tuple[str, str, str, int], row: JudgementRow, at_us: int, sign: int
    ) -> None:
        agreement_id, _, objective_id, def_version = key
        judged_at, met = row.span[0], row.span[1]
        of = (agreement_id, objective_id, def_version)
        for counts in (
            self._counts.setdefault((*of, bucket_of(judged_at), hour_of(at_us)), [0, 0]),
            self._totals.setdefault((*of, BUCKET_US, bucket_of(judged_at)), [0, 0]),
            self._totals.setdefault((*of, DAY_US, judged_at - judged_at % DAY_US), [0, 0]),
        ):
            counts[0] += sign * met
            counts[1] += sign

    def flush(self) -> None:
        """Write the batch's changes."""
        c = self._c
        if self._new_defs:
            c.execute(insert(case_definitions), self._new_defs)
        if self._new_milestones:
            c.execute(insert(case_timelines), self._new_milestones)
        j = case_judgements.c
        by_key = and_(
            j.agreement_id == bindparam("k_agreement"),
            j.case_id == bindparam("k_case"),
            j.objective_id == bindparam("k_objective"),
            j.def_version == bindparam("k_def"),
            j.recorded_from_us == bindparam("k_from"),
            j.valid_after_us == bindparam("k_after"),
        )
        if self._deleted:
            c.execute(
                delete(case_judgements).where(by_key), [key_params(pk) for pk in self._deleted]
            )
        if self._closed:
            c.execute(
                update(case_judgements).where(by_key).values(recorded_until_us=bindparam("until")),
                [{**key_params(pk), "until": until} for pk, until in self._closed.items()],
            )
        if self._inserted:
            c.execute(
                insert(case_judgements), [row_values(pk, r) for pk, r in self._inserted.items()]
            )
        for table, counts, column in (
            (case_judgement_counts, self._counts, "recorded_hour_us"),
            (case_judgement_totals, self._totals, "width_us"),
        ):
            changed = [
                dict(zip(_COUNT_KEYS[column], (*k, met, judged), strict=True))
                for k, (met, judged) in counts.items()
                if met or judged
            ]
            if changed:
                add_counts(c, table, changed)


_COUNT_KEYS = {
    "recorded_hour_us": (
        "agreement_id",
        "objective_id",
        "def_version",
        "bucket_us",
        "recorded_hour_us",
        "met",
        "judged",
    ),
    "width_us": (
        "agreement_id",
        "objective_id",
        "def_version",
        "width_us",
        "bucket_us",
        "met",
        "judged",
    ),
}
