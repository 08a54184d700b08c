"""Disputes on each backend: opening, the log position named, resolution and its compensations,
races, and the disputes read model."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from domain.disputes import DisputeSubject, Outcome, SubjectKind
from domain.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    VersionConflictError,
)
from domain.period_results import BreachDetected, CreditAdjusted, PeriodRecalculated
from projections.dispute_views import list_disputes
from projections.read_models import ReadModels
from service.app.application import LedgerApplication
from service.bootstrap import open_read_models
from tests.integration.dispute_histories import (
    AGREEMENT,
    APRIL_RESULT,
    april_closed_as_met,
    eur,
    open_april_dispute,
    reading,
)

OUTAGE_READING = reading(datetime(2026, 4, 10, 18, tzinfo=UTC), 0, 1000)


def _record_late_outage(app: LedgerApplication) -> None:
    app.ingest.record_measurements(AGREEMENT, [OUTAGE_READING])


def test_a_dispute_names_the_ledgers_head_when_it_was_opened(database_url: str) -> None:
    with april_closed_as_met(database_url) as (app, _clock):
        head = app.event_log.head()

        record = app.disputes.open(AGREEMENT, "d-1", APRIL_RESULT, "the outage", "INC-42")

        assert record.opened_log_position == head
        assert record.opened_position == head + 1
        assert (record.customer_id, record.is_open, record.version) == ("globex", True, 1)


def test_an_upheld_dispute_of_a_period_result_appends_the_recalculations_compensations(
    database_url: str,
) -> None:
    """April closed as met: 30 readings of 1,000/1,000 = 100%. A reading of 0/1,000 on 10 April
    recorded after the close (late) leaves April's result as it was until recalculated.
    Upheld: 30,000 good of 31,000 = 96.774193...% < 99.0 and >= 95.0 -> the 25% band:
    25% x EUR 1,000.00 = EUR 250.00, owed from EUR 0.00: CreditAdjusted +EUR 250.00."""
    with april_closed_as_met(database_url) as (app, clock):
        open_april_dispute(app)
        clock.now += timedelta(days=1)
        _record_late_outage(app)

        resolution = app.disputes.resolve(AGREEMENT, "d-1", Outcome.UPHELD, "the outage is real")

        events = [
            app.event_log.event_at(p).event
            for p in range(resolution.first_position + 1, resolution.last_position + 1)
        ]
        assert [type(e) for e in events] == [PeriodRecalculated, BreachDetected, CreditAdjusted]
        adjusted = events[-1]
        assert isinstance(adjusted, CreditAdjusted)
        assert (adjusted.before, adjusted.after, adjusted.delta) == (
            eur("0.00"),
            eur("250.00"),
            eur("250.00"),
        )
        assert resolution.dispute.compensation_count == 3
        assert resolution.appended_count == 4


def test_a_rejected_dispute_of_a_period_result_appends_only_its_resolution(
    database_url: str,
) -> None:
    with april_closed_as_met(database_url) as (app, _clock):
        open_april_dispute(app)
        _record_late_outage(app)

        resolution = app.disputes.resolve(AGREEMENT, "d-1", Outcome.REJECTED, "we disagree")

        assert (resolution.appended_count, resolution.dispute.outcome) == (1, Outcome.REJECTED)


def test_a_period_that_is_not_closed_cannot_be_disputed(database_url: str) -> None:
    may = DisputeSubject(SubjectKind.PERIOD_RESULT, "availability", "2026-05")
    with (
        april_closed_as_met(database_url) as (app, _clock),
        pytest.raises(FailedPreconditionError, match="not closed"),
    ):
        app.disputes.open(AGREEMENT, "d-1", may, "May", "")


def test_a_claim_that_was_never_denied_cannot_be_disputed(database_url: str) -> None:
    denied = DisputeSubject(SubjectKind.DENIED_CLAIM, "availability", "2026-04")
    with (
        april_closed_as_met(database_url) as (app, _clock),
        pytest.raises(FailedPreconditionError, match="no denied claim"),
    ):
        app.disputes.open(AGREEMENT, "d-1", denied, "denied", "")


def test_a_second_dispute_with_the_same_id_is_refused(database_url: str) -> None:
    with april_closed_as_met(database_url) as (app, _clock):
        open_april_dispute(app)

        with pytest.raises(AlreadyExistsError):
            open_april_dispute(app)


def test_a_customer_based_agreements_dispute_names_no_subscriber(database_url: str) -> None:
    subject = DisputeSubject(SubjectKind.PERIOD_RESULT, "availability", "2026-04", "", "x")
    with april_closed_as_met(database_url) as (app, _clock):
        with pytest.raises(InvalidArgumentError) as refused:
            app.disputes.open(AGREEMENT, "d-1", subject, "", "")

        assert [v.field for v in refused.value.violations] == ["subject.customer_id", "reason"]


def test_a_stale_expected_version_is_refused(database_url: str) -> None:
    with april_closed_as_met(database_url) as (app, _clock):
        open_april_dispute(app)
        app.disputes.resolve(AGREEMENT, "d-1", Outcome.REJECTED, "no", expected_version=1)

        with pytest.raises(VersionConflictError):
            app.disputes.resolve(AGREEMENT, "d-1", Outcome.UPHELD, "yes", expected_version=1)


def test_a_resolved_dispute_is_not_resolved_again(database_url: str) -> None:
    with april_closed_as_met(database_url) as (app, _clock):
        open_april_dispute(app)
        app.disputes.resolve(AGREEMENT, "d-1", Outcome.REJECTED, "no")

        with pytest.raises(FailedPreconditionError, match="resolved already"):
            app.disputes.resolve(AGREEMENT, "d-1", Outcome.UPHELD, "yes")


def test_of_two_racing_resolutions_exactly_one_is_recorded(database_url: str) -> None:
    with april_closed_as_met(database_url) as (app, _clock):
        open_april_dispute(app)
        _record_late_outage(app)
        outcomes: list[str] = []
        barrier = threading.Barrier(2)

        def resolve(outcome: Outcome) -> None:
            barrier.wait()
            try:
                app.disputes.resolve(AGREEMENT, "d-1", outcome, "decided", expected_version=1)
                outcomes.append("resolved")
            except (VersionConflictError, FailedPreconditionError):
                outcomes.append("refused")

        threads = [threading.Thread(target=resolve, args=(o,)) for o in Outcome]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(outcomes) == ["refused", "resolved"]
        assert app.disputes.get(AGREEMENT, "d-1").version == 2


def test_the_read_model_lists_open_disputes_in_the_order_they_were_opened(
    database_url: str,
) -> None:
    with april_closed_as_met(database_url) as (app, _clock):
        for dispute_id in ("d-b", "d-a", "d-c"):
            open_april_dispute(app, dispute_id)
        app.disputes.resolve(AGREEMENT, "d-a", Outcome.REJECTED, "no")
        models = _read_models(app, database_url)

        open_ones = list_disputes(models.engine, AGREEMENT, "", (True, None), 0, 10)
        rejected = list_disputes(models.engine, "", "globex", (False, Outcome.REJECTED), 0, 10)

        assert [r.dispute_id for r in open_ones] == ["d-b", "d-c"]
        assert [(r.dispute_id, r.version) for r in rejected] == [("d-a", 2)]


def test_the_read_models_dispute_equals_the_one_read_from_its_stream(database_url: str) -> None:
    with april_closed_as_met(database_url) as (app, _clock):
        open_april_dispute(app)
        _record_late_outage(app)
        app.disputes.resolve(AGREEMENT, "d-1", Outcome.UPHELD, "yes")
        models = _read_models(app, database_url)

        [listed] = list_disputes(models.engine, AGREEMENT, "", None, 0, 10)

        assert listed == app.disputes.get(AGREEMENT, "d-1")


def _read_models(app: LedgerApplication, database_url: str) -> ReadModels:
    models = open_read_models(app, database_url)
    models.catch_up()
    return models


def test_both_sides_replay_what_the_ledger_knew_when_the_dispute_was_opened(
    database_url: str,
) -> None:
    """Opened on 2 May; the late outage (recorded 3 May) and the upheld resolution (EUR
    250.00, see above) come after. Known at the opening, April has no breach and no credit; known
    now, CreditAdjusted +EUR 250.00."""
    may_15 = datetime(2026, 5, 15, tzinfo=UTC)
    with april_closed_as_met(database_url) as (app, clock):
        record = app.disputes.open(AGREEMENT, "d-1", APRIL_RESULT, "the outage", "")
        clock.now += timedelta(days=1)
        _record_late_outage(app)
        app.disputes.resolve(AGREEMENT, "d-1", Outcome.UPHELD, "the outage is real")

        then, _ = app.compliance.report(AGREEMENT, "", may_15, record.opened_at, None)
        now, _ = app.compliance.report(AGREEMENT, "", may_15, clock.now, None)

        assert (len(then.breaches), len(then.credits)) == (0, 0)
        assert [c.amount for c in now.credits] == [eur("250.00")]
