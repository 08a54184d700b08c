"""Property: every ListAgreements listing of the directory read model, read page by page, is the
replay oracle's (domain.agreement_directory.directory_oracle) over the events known then, for
random signings, amendments, terminations and subscriptions, filters, as_of, known_at and
position, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from domain.agreement import Agreement
from domain.agreement_directory import (
    AgreementSummary,
    DirectoryFilter,
    directory_oracle,
)
from domain.errors import FailedPreconditionError, InvalidArgumentError
from domain.money import Money
from domain.subscriptions import Subscription
from domain.terms import AgreementKind, AgreementTerms, Fee, Objective, Party, PeriodUnit
from projections.agreement_directory import AgreementDirectory
from projections.agreement_directory_queries import DirectoryRead, list_agreements
from projections.agreement_directory_tables import DIRECTORY_TABLES
from projections.runner import BatchedProjectionRunner, create_tables
from projections.tables import projection_tracking
from tests.integration.service_log import MemoryLog, read_models_engine_at
from tests.unit.worked_examples.service_builders import service_terms

HOUR = timedelta(hours=1)
BASE = datetime(2026, 1, 1, tzinfo=UTC)
FEE = Fee(Money(Decimal("100.00"), "EUR"), PeriodUnit.MONTH)
PROVIDERS = ("p1", "p2")
CUSTOMERS = ("c1", "c2", "c3")
SERVICES = ("x", "y", "z\x00\u0661")  # any text a name may hold: NUL, other scripts
AGREEMENTS = 4  # customer-based or internal agreements a0..a3; service SLAs s0 and s1
hours = st.integers(0, 72)  # a short span, so that probes meet the facts' instants
services = st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True)
ends = st.none() | st.integers(1, 96)
steps_of_kind = {
    "sign": st.tuples(
        st.just("sign"),
        st.integers(0, AGREEMENTS - 1),
        st.sampled_from([AgreementKind.CUSTOMER_BASED, AgreementKind.INTERNAL]),
        st.sampled_from(PROVIDERS),
        st.sampled_from(CUSTOMERS),
        services,
        hours,  # signed at, hours after BASE
        st.integers(0, 24),  # term start, hours after the signing
        ends,  # term end, hours after the term start
    ),
    "service": st.tuples(
        st.just("service"), st.integers(0, 5), st.sampled_from(PROVIDERS), services, hours
    ),
    "amend": st.tuples(
        st.just("amend"), st.integers(0, 9), services, hours, st.integers(-24, 24), ends
    ),
    "terminate": st.tuples(st.just("terminate"), st.integers(0, 9), hours),
    "subscribe": st.tuples(
        st.just("subscribe"), st.integers(0, 5), st.sampled_from(CUSTOMERS), hours, ends
    ),
    "end": st.tuples(st.just("end"), st.integers(0, 5), st.sampled_from(CUSTOMERS), hours),
}
# Signings and subscriptions most often, so that amendments, terminations and ends find them.
KINDS = ["sign", "service", "sign", "subscribe", "amend", "subscribe", "terminate", "end"]
step = st.sampled_from(KINDS).flatmap(lambda kind: steps_of_kind[kind])


def _often_any(values: Any) -> Any:
    """A filter field: left out (any) half the time, else one of values."""
    return st.one_of(st.just(values[0]), st.sampled_from(values[1:]))


filters = st.just(DirectoryFilter()) | st.builds(
    DirectoryFilter,
    _often_any(["", *CUSTOMERS]),
    _often_any(["", *PROVIDERS]),
    _often_any(["", *SERVICES]),
    _often_any([None, *AgreementKind]),
    _often_any([None, True, False]),
)
# (as_of hours after BASE, known_at as record steps after the first, position cut as a share)
# A probe names an instant of the history (by index, wrapping) and a step off it, so that
# as_of and known_at meet the facts' boundaries, or lands anywhere in the span; the log's
# whole or a prefix; and a filter.
TINY = timedelta(microseconds=1)
instant_picks = st.tuples(st.integers(0, 200), st.sampled_from([-TINY, timedelta(0), TINY]))
probes = st.tuples(
    st.none() | instant_picks,
    st.none() | instant_picks,
    st.one_of(st.just(1.0), st.floats(0, 1)),  # the whole log, or a prefix
    filters,
)


@dataclass
class History:
    """A log under construction: each step's events recorded one record tick after the last."""

    prefix: str
    clock: datetime = BASE - HOUR
    agreements: dict[str, Agreement] = field(default_factory=dict)
    subscriptions: dict[tuple[str, str], Subscription] = field(default_factory=dict)
    log: MemoryLog = field(default_factory=MemoryLog)
    streams: dict[str, list[Any]] = field(default_factory=dict)

    def apply(self, kind: str, target: int, *args: Any) -> None:
        """Carry out one step, if the domain accepts it, and append what it recorded."""
        self.clock += timedelta(minutes=target % 3)  # some steps share a record time
        ids = [f"{self.prefix}a{target % AGREEMENTS}", f"{self.prefix}s{target % 2}"]
        made: Any = None
        with contextlib.suppress(InvalidArgumentError, FailedPreconditionError):
            made = getattr(self, f"_{kind}")(target, ids, *args)
        if made is not None:
            new = made.collect_events()
            self.streams.setdefault(made.id, []).extend(new)
            self.log.extend(new)

    def _sign(
        self,
        _t: int,
        ids: list[str],
        kind: Any,
        provider: str,
        customer: str,
        covered: list[str],
        signed: int,
        start: int,
        end: int | None,
    ) -> Agreement | None:
        if ids[0] in self.agreements:
            return None
        signed_at = BASE + signed * HOUR
        terms = _terms(kind, provider, customer, covered, signed_at + start * HOUR, end)
        agreement = Agreement.sign(ids[0], terms, signed_at, self.clock)
        self.agreements[ids[0]] = agreement
        return agreement

    def _service(
        self, _t: int, ids: list[str], provider: str, covered: list[str], start: int
    ) -> Agreement | None:
        if ids[1] in self.agreements:
            return None
        terms = service_terms(start=BASE + start * HOUR)
        terms = _replace(terms, provider=Party(provider), services=tuple(covered))
        agreement = Agreement.sign(ids[1], terms, terms.term_start - HOUR, self.clock)
        self.agreements[ids[1]] = agreement
        return agreement

    def _amend(
        self,
        target: int,
        ids: list[str],
        covered: list[str],
        effective: int,
        shift: int,
        end: int | None,
    ) -> Agreement | None:
        agreement = self._pick(target)
        if agreement is None:
            return None
        old = agreement.current_terms.terms
        start = old.term_start + shift * HOUR
        terms = _replace(
            old,
            services=tuple(covered),
            term_start=start,
            term_end=None if end is None else start + end * HOUR,
        )
        agreement.amend(terms, agreement.signed_at + effective * HOUR, False, "why", self.clock)
        return agreement

    def _terminate(self, target: int, ids: list[str], effective: int) -> Agreement | None:
        agreement = self._pick(target)
        if agreement is None:
            return None
        agreement.terminate(agreement.signed_at + effective * HOUR, "bye", self.clock)
        return agreement

    def _pick(self, target: int) -> Agreement | None:
        """One of the agreements signed so far (a step acts on what exists)."""
        signed = list(self.agreements.values())
        return signed[target % len(signed)] if signed else None

    def _subscribe(
        self, _t: int, ids: list[str], customer: str, start: int, end: int | None
    ) -> Subscription | None:
        slas = [a for a in self.agreements.values() if a.current_terms.terms.is_service_sla]
        service = slas[_t % len(slas)] if slas else None
        if service is None or (service.agreement_id, customer) in self.subscriptions:
            return None
        begins = service.terms_versions[0].terms.term_start + start * HOUR
        planned = None if end is None else begins + end * HOUR
        subscription = Subscription.subscribe(
            service, Party(customer), "basic", FEE, begins, planned, self.clock
        )
        self.subscriptions[service.agreement_id, customer] = subscription
        return subscription

    def _end(self, target: int, _ids: list[str], _c: str, after: int) -> Subscription | None:
        held = list(self.subscriptions.values())
        if not held:
            return None
        subscription = held[target % len(held)]
        subscription.end_subscription(subscription.start + (after + 1) * HOUR, "bye", self.clock)
        return subscription


def _terms(
    kind: AgreementKind,
    provider: str,
    customer: str,
    covered: list[str],
    start: datetime,
    end: int | None,
) -> AgreementTerms:
    return AgreementTerms(
        provider=Party(provider, provider.upper()),
        customer=Party(customer, customer.upper()),
        kind=kind,
        services=tuple(covered),
        time_zone="UTC",
        fee=FEE,
        term_start=start,
        term_end=None if end is None else start + end * HOUR,
        objectives=(Objective("availability", "availability", Decimal("99.9"), PeriodUnit.MONTH),),
    )


def _replace(terms: AgreementTerms, **changes: Any) -> AgreementTerms:
    return AgreementTerms(**{**terms.__dict__, **changes})


def _business_instants(log: MemoryLog) -> set[datetime]:
    """Every business instant an event of the log names, its terms' included."""
    found = {BASE}
    for entry in log.entries:
        values = list(vars(entry.event()).values())
        values += [v for t in values if isinstance(t, AgreementTerms) for v in vars(t).values()]
        found.update(v for v in values if isinstance(v, datetime))
    return found - {e.event().timestamp for e in log.entries}


def _picked(
    instants: list[datetime], pick: tuple[int, timedelta] | None, otherwise: datetime
) -> datetime:
    """The instant a probe picks (one of instants, stepped off it), or otherwise."""
    if pick is None:
        return otherwise
    index, step = pick
    return instants[index % len(instants)] + step


def _listed(
    engine: Engine, where: DirectoryFilter, at: DirectoryRead, size: int
) -> list[AgreementSummary]:
    """Every page of a listing, each after the last id of the page before."""
    found: list[AgreementSummary] = []
    with engine.connect() as connection:
        while True:
            after = found[-1].agreement_id if found else ""
            page = list_agreements(connection, where, at, after, size)
            found.extend(page)
            if len(page) < size:
                return found


class DirectoryPropertyContract:
    """Subclasses supply `database_url`."""

    @pytest.fixture
    def database_url(self) -> str:
        raise NotImplementedError

    @pytest.fixture
    def engine(self, database_url: str) -> Iterator[Engine]:
        engine = read_models_engine_at(database_url)
        create_tables(engine, [AgreementDirectory.name])
        yield engine
        engine.dispose()

    @settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        signings=st.tuples(
            *([steps_of_kind["sign"]] * AGREEMENTS), *([steps_of_kind["service"]] * 2)
        ),
        steps=st.lists(step, max_size=30),
        batch_size=st.integers(1, 8),
        page_size=st.integers(1, 4),
        asked=st.lists(probes, min_size=1, max_size=10),
    )
    def test_every_listing_equals_the_replay_of_the_events_known_then(
        self,
        engine: Engine,
        signings: tuple[Any, ...],
        steps: list[Any],
        batch_size: int,
        page_size: int,
        asked: list[Any],
    ) -> None:
        with engine.begin() as connection:
            for table in DIRECTORY_TABLES:
                connection.execute(delete(table))
            connection.execute(delete(projection_tracking))
        create_tables(engine, [AgreementDirectory.name])
        history = History(f"{uuid.uuid4().hex[:6]}-")
        for index, (kind, _, *args) in enumerate(signings):  # every agreement, then the steps
            history.apply(kind, index, *args)
        for kind, *args in steps:
            history.apply(kind, *args)
        BatchedProjectionRunner(
            engine, history.log.read_log, AgreementDirectory(), batch_size
        ).catch_up()
        head = history.log.head()
        business = sorted(_business_instants(history.log))
        recorded = sorted({e.event().timestamp for e in history.log.entries}) or [BASE]
        later, known_now = BASE + 200 * HOUR, history.clock + HOUR
        # Every boundary: each business instant and the instant before it, known now; each
        # record instant and the one before it, at a business instant after all of them; of
        # everyone, of each customer and of each service.
        sweep = [(b + step, known_now) for b in business for step in (-TINY, timedelta(0))]
        sweep += [(later, r + step) for r in recorded for step in (-TINY, timedelta(0))]
        swept = [
            DirectoryFilter(),
            *(DirectoryFilter(customer_id=c) for c in CUSTOMERS),
            *(DirectoryFilter(service=service) for service in SERVICES),
        ]
        for (as_of, known_at), where in itertools.product(sweep, swept):
            _check(engine, history, where, DirectoryRead(as_of, known_at, head), page_size)
        for as_of_pick, known_pick, share, where in asked:
            at = DirectoryRead(
                _picked(business, as_of_pick, later),
                _picked(recorded, known_pick, known_now),
                round(share * head),
            )
            _check(engine, history, where, at, page_size)


def _check(
    engine: Engine, history: History, where: DirectoryFilter, at: DirectoryRead, page_size: int
) -> None:
    """The listing at at, page by page, is the oracle's over the events up to at.position."""
    kept = {id(e.event()) for e in history.log.entries[: at.position]}
    streams = [[e for e in s if id(e) in kept] for s in history.streams.values()]
    expected = directory_oracle(
        [s for s in streams if s and isinstance(s[0], Agreement.Event)],
        [s for s in streams if s and isinstance(s[0], Subscription.Event)],
        where,
        at.as_of,
        at.known_at,
    )

    listed = _listed(engine, where, at, page_size)

    assert listed == expected


class TestDirectoryPropertiesOnSQLite(DirectoryPropertyContract):
    """On a SQLite file."""

    @pytest.fixture
    def database_url(self, sqlite_database_url: str) -> str:
        return sqlite_database_url


@pytest.mark.postgres
class TestDirectoryPropertiesOnPostgres(DirectoryPropertyContract):
    """On PostgreSQL."""

    @pytest.fixture
    def database_url(self, postgres_database_url: str) -> str:
        return postgres_database_url
