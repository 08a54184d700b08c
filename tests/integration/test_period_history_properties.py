"""Property: ListPeriodResults' fast path (the periods read model as its index, each period's
stream folded) gives, page after page, exactly the fold of domain/period_history.py over the
full log of every agreement, at random known_at, page sizes and filters; and GetCompliance's
closed result, on the full replay oracle, is that fold's. Random histories of three agreements
(two of one customer) from tests/integration/test_projection_properties.py's steps: readings,
closes, recalculations, exclusions, amendments. On SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.period_history import PeriodOutcome, period_outcome
from domain.period_results import PeriodEvent
from domain.terms import Party
from projections.period_listing import PeriodFilter, PeriodKey
from projections.read_models import ReadModels
from service.app.application import LedgerApplication
from service.bootstrap import open_application, open_read_models
from service.store.storage import parse_database_url
from tests.clocks import SteppingClock
from tests.integration.test_projection_properties import START, _apply, _terms, step

Listed = list[tuple[PeriodKey, PeriodOutcome]]
CUSTOMERS = ("globex", "globex", "initech")
PROPERTY = settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Ledger:
    """The application and read models of one database, and every agreement signed in it (the
    examples of a property share the database: a customer's listing spans all of them)."""

    def __init__(self, app: LedgerApplication, models: ReadModels) -> None:
        self.app = app
        self.models = models
        self.signed: list[tuple[str, str]] = []  # (agreement, customer)


@pytest.fixture
def ledger(database_url: str) -> Iterator[Ledger]:
    storage = parse_database_url(database_url)
    app = open_application(storage, clock=SteppingClock(datetime(2026, 6, 1, tzinfo=UTC)))
    models = open_read_models(app, storage, create_tables=False)
    models.create()
    yield Ledger(app, models)
    models.stop()
    app.close()


def _signed(ledger: Ledger, data: st.DataObject) -> list[str]:
    """Three agreements (the first two of one customer), each with a random history (the
    third, another customer's, without amendments)."""
    app = ledger.app
    ids = []
    for customer in CUSTOMERS:
        agreement_id = f"a-{uuid.uuid4().hex[:10]}"
        terms = _terms()
        terms = type(terms)(**{**terms.__dict__, "customer": Party(customer)})
        app.commands.sign_agreement(agreement_id, terms, START)
        steps = data.draw(st.lists(step, min_size=1, max_size=8))
        # The steps amend to globex's terms: another customer's agreement is not amended.
        _apply(app, agreement_id, [s for s in steps if customer == "globex" or s[0] != "amend"])
        ids.append(agreement_id)
        ledger.signed.append((agreement_id, customer))
    return ids


def _full_log_fold(ledger: Ledger, where: PeriodFilter, known_at: datetime) -> Listed:
    """The oracle: every period stream of the full log of each agreement, folded."""
    app = ledger.app
    found: Listed = []
    for agreement_id, customer in ledger.signed:
        streams: dict[str, list[tuple[int, PeriodEvent]]] = defaultdict(list)
        for logged in app.event_log.list_events(agreement_id, 0, 1_000_000):
            if isinstance(logged.event, PeriodEvent):
                streams[logged.event.originator_id].append((logged.position, logged.event))
        for pairs in streams.values():
            outcome = period_outcome(pairs, known_at)
            if outcome is None:
                continue
            key = PeriodKey(
                outcome.window_start,
                outcome.agreement_id,
                outcome.customer_id or customer,
                outcome.objective_id,
                outcome.period_label,
            )
            if _kept(key, where):
                found.append((key, outcome))
    return sorted(found, key=lambda pair: pair[0])


def _kept(key: PeriodKey, where: PeriodFilter) -> bool:
    return (
        where.agreement_id in ("", key.agreement_id)
        and where.customer_id in ("", key.customer_id)
        and where.objective_id in ("", key.objective_id)
        and (where.window_start_from is None or key.window_start >= where.window_start_from)
        and (where.window_start_to is None or key.window_start < where.window_start_to)
    )


def _every_page(
    app: LedgerApplication,
    models: ReadModels,
    where: PeriodFilter,
    size: int,
    known_at: datetime,
) -> Listed:
    """The fast path, page after page, as ListPeriodResults reads it."""
    listed: Listed = []
    after: PeriodKey | None = None
    while True:
        found = app.period_history.page(
            models.engine, where, after, size, known_at, models.position()
        )
        listed.extend(found[:size])
        if len(found) <= size:
            return listed
        after = found[size - 1][0]


def _instant(data: st.DataObject) -> datetime | None:
    days = data.draw(st.none() | st.integers(0, 45))
    return None if days is None else START + timedelta(days=days)


@PROPERTY
@given(data=st.data())
def test_every_page_of_period_results_equals_the_fold_over_the_full_log(
    ledger: Ledger, data: st.DataObject
) -> None:
    app, models = ledger.app, ledger.models
    agreement_ids = _signed(ledger, data)
    models.catch_up()
    recorded = sorted(
        {e.timestamp for a in agreement_ids for e in app.event_log.agreement_events(a)}
    )

    for _ in range(3):
        by_agreement = data.draw(st.booleans())
        where = PeriodFilter(
            agreement_id=data.draw(st.sampled_from(agreement_ids)) if by_agreement else "",
            customer_id="" if by_agreement else data.draw(st.sampled_from(CUSTOMERS)),
            objective_id=data.draw(st.sampled_from(["", "availability", "latency"])),
            window_start_from=_instant(data),
            window_start_to=_instant(data),
        )
        known_at = data.draw(st.sampled_from(recorded)) - timedelta(
            microseconds=data.draw(st.sampled_from([0, 1]))
        )
        size = data.draw(st.integers(1, 4))

        listed = _every_page(app, models, where, size, known_at)

        assert listed == _full_log_fold(ledger, where, known_at)


@PROPERTY
@given(data=st.data())
def test_compliance_inside_a_closed_period_carries_the_fold_of_its_stream(
    ledger: Ledger, data: st.DataObject
) -> None:
    app = ledger.app
    agreement_ids = _signed(ledger, data)

    for _ in range(6):
        agreement_id = data.draw(st.sampled_from(agreement_ids))
        recorded = sorted({e.timestamp for e in app.event_log.agreement_events(agreement_id)})
        where = PeriodFilter(agreement_id=agreement_id)
        known_at = data.draw(st.sampled_from(recorded))
        folded = {
            (k.objective_id, k.period_label): outcome
            for k, outcome in _full_log_fold(ledger, where, known_at)
        }
        as_of = START + timedelta(hours=data.draw(st.integers(0, 45 * 24)))
        inside_closed: bool = data.draw(st.booleans())
        if folded and inside_closed:  # often inside a period closed by known_at
            closed = sorted(folded.values(), key=lambda o: (-len(o.recalculations), repr(o)))
            inside = data.draw(st.sampled_from(closed[:2]))  # recalculated ones first
            share = data.draw(st.integers(0, 99)) / 100
            as_of = inside.window_start + (inside.window_end - inside.window_start) * share
        report = app.compliance.by_full_replay(agreement_id, "", as_of, known_at)
        positions = app.compliance.close_positions(report, app.event_log.head())

        carried = {
            (o.objective_id, o.period_label): (
                o.closed.status,
                o.closed.figures,
                o.closed.closed_at,
                o.closed.terms_version,
                o.closed.recalculations,
                positions[o.closed.stream_id],
            )
            for o in report.objectives
            if o.closed is not None
        }
        expected = {
            key: (
                f.status,
                f.figures,
                f.closed_at,
                f.terms_version,
                len(f.recalculations),
                f.closed_position,
            )
            for o in report.objectives
            if (key := (o.objective_id, o.period_label)) in folded
            and o.window_start is not None
            and (f := folded[key])
        }
        assert carried == expected
