"""Tamper evidence for the read models: `verify --read-models` rebuilds them and names the first
stored row that differs from what the log gives.

The append-only triggers guard the log's tables, not the read models, so an intruder edits
these rows directly; the event log itself is edited with its triggers out of the way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Table, delete, func, insert, select, text, update

from domain.credit_policies import BandsRule, CreditBand, CreditPolicy
from domain.instants import to_epoch_us
from domain.measurements import Measurement
from domain.objectives import ObjectiveRules
from domain.terms import Objective, PeriodUnit
from projections import audit
from projections.audit import Difference, Problem, audit_read_models
from projections.tables import (
    breaches,
    credit_lines,
    encoded_events,
    periods,
    projection_tracking,
    reading_rollups,
)
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock

JANUARY = datetime(2026, 1, 1, tzinfo=UTC)
FEBRUARY = datetime(2026, 2, 1, tzinfo=UTC)
MARCH = datetime(2026, 3, 1, tzinfo=UTC)


class Ledger:
    """A ledger with breaches, credits and rollups of two months, its read models caught up."""

    def __init__(self, database_url: str, make_terms: Callable[..., Any]) -> None:
        self.database_url = database_url
        storage = parse_database_url(database_url)
        self.app = open_application(storage, clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC)))
        self.models = open_read_models(self.app, storage, create_tables=False)
        self.models.create()
        self.schema = storage.env.get("POSTGRES_SCHEMA")
        # EUR 1,000.00 a month; below 99.9% earns 10%. Each month's 10 readings give 99.1667%.
        policy = CreditPolicy(BandsRule((CreditBand(Decimal("99.9"), Decimal(10)),)))
        objective = Objective(
            "availability",
            "availability",
            Decimal("99.9"),
            PeriodUnit.MONTH,
            rules=ObjectiveRules(credit_policy=policy),
        )
        terms = make_terms(time_zone="UTC", objectives=(objective,))
        self.app.commands.sign_agreement("acme-1", terms, JANUARY)
        for month in (JANUARY, FEBRUARY):
            self.app.ingest.record_measurements("acme-1", _minutes(month, 10))
        self.app.commands.close_periods("acme-1", MARCH)
        self.models.catch_up()

    def retract_january(self) -> None:
        """A late reading lifts January above its target; its recalculation retracts."""
        at = to_epoch_us(JANUARY + timedelta(days=3))
        self.app.ingest.record_measurements(
            "acme-1", [Measurement("availability", "late", at, 60_000, 60_000)]
        )
        self.app.commands.recalculate_period("acme-1", "availability", "2026-01")

    def head(self) -> int:
        return self.app.event_log.head()

    def first_position(self, table: Table) -> int:
        with self.models.engine.connect() as connection:
            return int(connection.execute(select(func.min(table.c.position))).scalar_one())

    def change(self, statement: Any) -> None:
        """Run a statement on the read models (their schema applied), as an intruder would."""
        with self.models.engine.begin() as connection:
            connection.execute(statement)

    def tamper_with_log(self, statement: str, **params: Any) -> None:
        """Run SQL on the event log with its append-only triggers out of the way."""
        table = self.app.recorder.events_table_name  # type: ignore[attr-defined]
        with self.models.engine.begin() as connection:
            if self.schema is None:
                connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_refuse_update"))
                position = "rowid"
            else:
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                table, position = f'"{self.schema}".{table}', "notification_id"
            connection.execute(text(statement.format(events=table, pos=position)), params)

    def verify(self) -> dict[str, Any]:
        """`sla-ledger verify --read-models`: its JSON and exit code."""
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "service.cli",
                "verify",
                "--read-models",
                "--database-url",
                self.database_url,
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.stdout, done.stderr
        return {**json.loads(done.stdout), "returncode": done.returncode}

    def close(self) -> None:
        self.models.stop()
        self.app.close()


@pytest.fixture
def ledger(database_url: str, make_terms: Callable[..., Any]) -> Iterator[Ledger]:
    built = Ledger(database_url, make_terms)
    yield built
    built.close()


def _minutes(start: datetime, count: int) -> list[Measurement]:
    return [
        Measurement("availability", "", to_epoch_us(start + timedelta(minutes=i)), 59 + i % 2, 60)
        for i in range(count)
    ]


def _difference(outcome: dict[str, Any]) -> tuple[Any, ...]:
    found = outcome["read_models"]["first_difference"]
    return (outcome["returncode"], found["table"], found["key"], found["problem"], found["column"])


def test_untouched_read_models_verify_at_the_position_they_reflect(ledger: Ledger) -> None:
    ledger.retract_january()
    ledger.models.catch_up()

    outcome = ledger.verify()

    assert (outcome["returncode"], outcome["ok"]) == (0, True)
    assert outcome["read_models"] == {
        "ok": True,
        "position": ledger.head(),
        "positions": {
            "ledger_views_v2": ledger.head(),
            "reading_rollups": ledger.head(),
            "event_encodings_v2": ledger.head(),
            "case_judgements": ledger.head(),
            "subscription_views": ledger.head(),
            "credit_lifecycle_v1": ledger.head(),
            "dispute_views": ledger.head(),
            "agreement_directory_v3": ledger.head(),
        },
        "first_difference": None,
    }


def test_an_edited_credit_amount_is_named_by_table_position_and_column(ledger: Ledger) -> None:
    position = ledger.first_position(credit_lines)
    ledger.change(
        update(credit_lines).where(credit_lines.c.position == position).values(amount_minor=9)
    )

    outcome = ledger.verify()

    assert outcome["ok"] is True  # the hash chain is intact: only a read model was edited
    assert _difference(outcome) == (
        1,
        "projected_credit_lines_v2",
        {"position": position},
        "changed",
        "amount_minor",
    )


def test_a_deleted_breach_is_named_as_missing(ledger: Ledger) -> None:
    position = ledger.first_position(breaches)
    ledger.change(delete(breaches).where(breaches.c.position == position))

    outcome = ledger.verify()

    assert _difference(outcome) == (
        1,
        "projected_breaches_v2",
        {"position": position},
        "missing",
        "",
    )


def test_an_inserted_rollup_row_is_named_as_extra(ledger: Ledger) -> None:
    copied = ledger.first_position(reading_rollups)
    with ledger.models.engine.connect() as connection:
        row = connection.execute(
            select(reading_rollups).where(reading_rollups.c.position == copied)
        ).one()
    # Position 1 signed the agreement: no rollup belongs there.
    ledger.change(insert(reading_rollups).values({**row._asdict(), "position": 1}))

    outcome = ledger.verify()

    assert _difference(outcome) == (
        1,
        "projected_reading_rollups",
        {"position": 1},
        "extra",
        "",
    )


def test_changed_bytes_of_an_encoded_event_are_named_by_its_position(ledger: Ledger) -> None:
    with ledger.models.engine.connect() as connection:
        encoded = connection.execute(
            select(encoded_events.c.encoded).where(encoded_events.c.position == 2)
        ).scalar_one()
    forged = bytes(encoded).replace(b"acme-1", b"evil-1")
    ledger.change(
        update(encoded_events).where(encoded_events.c.position == 2).values(encoded=forged)
    )

    outcome = ledger.verify()

    assert _difference(outcome) == (1, "encoded_events_v2", {"position": 2}, "changed", "encoded")


def test_a_tracking_position_beyond_the_log_is_named(ledger: Ledger) -> None:
    ledger.change(
        update(projection_tracking)
        .where(projection_tracking.c.name == "reading_rollups")
        .values(position=ledger.head() + 5)
    )

    found = ledger.models.audit().first_difference

    assert found is not None
    assert (found.table, dict(found.key), found.problem) == (
        "projection_tracking",
        {"name": "reading_rollups"},
        Problem.BEYOND_HEAD,
    )


def test_a_dropped_read_model_table_is_named_as_missing(ledger: Ledger) -> None:
    with ledger.models.engine.begin() as connection:
        credit_lines.drop(connection)

    assert ledger.models.audit().first_difference == Difference(
        "projected_credit_lines_v2", {}, Problem.MISSING, detail="the table does not exist"
    )


def test_a_row_read_after_many_chunks_is_compared_on_its_whole_key(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit, "CHUNK_ROWS", 1)
    assert ledger.models.audit().ok
    ledger.change(
        update(periods)
        .where(periods.c.period_label == "2026-02")
        .values(window_end=MARCH + timedelta(days=1))
    )

    found = ledger.models.audit().first_difference

    assert found is not None
    assert (found.table, dict(found.key), found.problem, found.column) == (
        "projected_periods_v2",
        {
            "agreement_id": "acme-1",
            "customer_id": "globex",
            "objective_id": "availability",
            "period_label": "2026-02",
        },
        Problem.CHANGED,
        "window_end",
    )


def test_a_retraction_projected_while_the_audit_compares_does_not_make_it_differ(
    ledger: Ledger,
) -> None:
    # The retraction changes a breach row of a position the audit compares; the audit must see
    # the rows and the tracking positions of one moment.
    head_reads = 0
    before = ledger.head()

    def head_with_a_server_projecting_meanwhile() -> int:
        nonlocal head_reads
        head_reads += 1
        head = ledger.head()
        if head_reads == 2:  # the read inside the snapshot, after its tracking positions
            ledger.retract_january()
            ledger.models.catch_up()
        return head

    models = ledger.models
    outcome = audit_read_models(
        models.engine,
        models.read_log,
        (
            models.views,
            models.rollups,
            models.encodings,
            models.cases,
            models.subscriptions,
            models.credit_lifecycle,
            models.disputes,
            models.directory,
        ),
        head_with_a_server_projecting_meanwhile,
    )

    assert head_reads == 2
    assert (outcome.ok, outcome.position) == (True, before)
    assert ledger.head() > before
    assert models.audit().ok


def test_an_event_that_cannot_be_decoded_is_named_by_its_position(ledger: Ledger) -> None:
    ledger.tamper_with_log("UPDATE {events} SET state = :garbage WHERE {pos} = 2", garbage=b"\xff")

    found = ledger.models.audit().first_difference

    assert found is not None
    assert (found.table, dict(found.key), found.problem) == (
        "",
        {"position": 2},
        Problem.UNREPLAYABLE,
    )
