"""The rows the case_judgements read model writes, and how they are written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from domain.case_milestones import Milestone, MilestoneKind

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


def add_counts(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Add signed counts (met, judged) to the rows of a counts table with the same key (an
    upsert), then remove the rows left at zero."""
    key = [c.name for c in table.primary_key.columns]
    make = postgres_insert if connection.dialect.name == "postgresql" else sqlite_insert
    statement = make(table)
    statement = statement.on_conflict_do_update(
        index_elements=key,
        set_={
            "met": table.c.met + statement.excluded.met,
            "judged": table.c.judged + statement.excluded.judged,
        },
    )
    connection.execute(statement, rows)
    connection.execute(
        delete(table).where(
            *(table.c[name] == bindparam(f"k_{name}") for name in key),
            table.c.met == 0,
            table.c.judged == 0,
        ),
        [{f"k_{name}": r[name] for name in key} for r in rows],
    )
