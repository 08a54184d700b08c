"""The rows the case_judgements read model writes, and how they are written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.case_milestones import Milestone, MilestoneKind
from projections.tables import case_judgement_counts

Span = tuple[int, bool, int, int | None]  # judged_at, met, valid_after, valid_until
Entry = tuple[Milestone, int]  # a milestone and its record time (µs)


@dataclass
class JudgementRow:
    """A stored judgement span and the record times it is known for."""

    span: Span
    recorded_from_us: int
    recorded_until_us: int | None = None

    @property
    def final(self) -> bool:
        judged_at, _, valid_after, valid_until = self.span
        return valid_until is None and valid_after == judged_at


def timeline_entry(row: Any) -> Entry:
    labels = json.loads(row.labels) if row.labels else None
    milestone = Milestone(
        row.case_id,
        MilestoneKind(row.kind),
        row.occurred_at_us,
        row.milestone_id,
        labels,
        row.reason,
    )
    return milestone, row.recorded_at_us


def labels_json(labels: Any) -> str:
    return json.dumps(dict(labels), sort_keys=True, separators=(",", ":"))


def key_params(pk: tuple[Any, ...]) -> dict[str, Any]:
    agreement_id, case_id, objective_id, def_version, recorded_from, valid_after = pk
    return {
        "k_agreement": agreement_id,
        "k_case": case_id,
        "k_objective": objective_id,
        "k_def": def_version,
        "k_from": recorded_from,
        "k_after": valid_after,
    }


def row_values(pk: tuple[Any, ...], row: JudgementRow) -> dict[str, Any]:
    agreement_id, case_id, objective_id, def_version, recorded_from, valid_after = pk
    judged_at, met, _, valid_until = row.span
    return {
        "agreement_id": agreement_id,
        "objective_id": objective_id,
        "def_version": def_version,
        "case_id": case_id,
        "recorded_from_us": recorded_from,
        "valid_after_us": valid_after,
        "judged_at_us": judged_at,
        "met": met,
        "valid_until_us": valid_until,
        "final": row.final,
        "recorded_until_us": row.recorded_until_us,
    }


def add_counts(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Add signed counts to their rows (an upsert), then remove the rows left at zero."""
    t = case_judgement_counts
    make = postgres_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = make(t)
    statement = statement.on_conflict_do_update(
        index_elements=[c.name for c in t.primary_key.columns],
        set_={
            "met": t.c.met + statement.excluded.met,
            "judged": t.c.judged + statement.excluded.judged,
        },
    )
    connection.execute(statement, rows)
    connection.execute(
        delete(t).where(
            t.c.agreement_id == bindparam("k_agreement"),
            t.c.objective_id == bindparam("k_objective"),
            t.c.def_version == bindparam("k_def"),
            t.c.bucket_us == bindparam("k_bucket"),
            t.c.recorded_hour_us == bindparam("k_hour"),
            t.c.met == 0,
            t.c.judged == 0,
        ),
        [
            {
                "k_agreement": r["agreement_id"],
                "k_objective": r["objective_id"],
                "k_def": r["def_version"],
                "k_bucket": r["bucket_us"],
                "k_hour": r["recorded_hour_us"],
            }
            for r in rows
        ],
    )
