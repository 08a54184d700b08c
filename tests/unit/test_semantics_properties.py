"""Properties of the SLA semantics over random objectives, readings, policies and fees.

- attainment stays within [0, 100] for the percentage kinds and count limits;
- an issued or adjusted credit is never negative and never above the cap on the period fee;
- closing twice appends nothing;
- the order and batching in which readings arrive does not change what a close records
  (and, as a worked example, a cumulative sum of samples of very different magnitudes).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import TypeVar

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.agreement import Agreement
from domain.agreement_history import AgreementHistory, fold_history
from domain.compliance import evaluate
from domain.exclusions import Exclusion
from domain.instants import to_epoch_us
from domain.measurements import Measurement, group_by_stream, measured_events
from domain.money import Money
from domain.objectives import (
    Indicator,
    ObjectiveRules,
)
from domain.period_closing import close_due_periods, recalculate_period
from domain.period_results import CreditAdjusted, CreditIssued, PeriodClosed, PeriodEvent
from domain.terms import AgreementTerms, Objective, PeriodUnit
from tests.semantics_strategies import (
    AGREEMENT_ID,
    APR,
    BOUNDED_KINDS,
    JUN,
    OBJECTIVE_ID,
    PERCENT_KINDS,
    SECOND,
    SPAN_SECONDS,
    ZONES,
    cap_of,
    exclusions,
    fees,
    objectives,
    readings,
    terms,
)

# No example database; each example folds and closes a small log, so no per-example deadline.
PROPERTY = settings(database=None, max_examples=100, deadline=None)


E = TypeVar("E")


# --- a local log builder ---------------------------------------------------------------------


class History:
    """An agreement's log under construction: events appended with increasing record times."""

    def __init__(self, agreement_terms: AgreementTerms) -> None:
        signed_at = agreement_terms.term_start - timedelta(days=1)
        self.clock = signed_at
        self.agreement = Agreement.sign(AGREEMENT_ID, agreement_terms, signed_at, self.clock)
        self.events: list[object] = list(self.agreement.collect_events())
        self._heads: dict[str, int] = {}

    def _next(self, at: datetime | None = None) -> datetime:
        at = at or self.clock + SECOND
        assert at > self.clock, "record times must increase along the log"
        self.clock = at
        return at

    def measure(self, readings: Sequence[Measurement]) -> None:
        """Record one batch of readings (one event per objective-day stream)."""
        if not readings:
            return
        groups = group_by_stream(AGREEMENT_ID, readings)
        new = measured_events(AGREEMENT_ID, groups, self._heads, self._next())
        for event in new:
            self._heads[event.originator_id] = event.originator_version
        self.events.extend(new)

    def terminate(self, effective_at: datetime) -> None:
        """Terminate the agreement."""
        self.agreement.terminate(effective_at, "ended", self._next())
        self.events.extend(self.agreement.collect_events())

    def folded(self) -> AgreementHistory:
        """The history of everything recorded so far."""
        history = fold_history(self.events)
        assert history is not None
        return history

    def close(self, until: datetime, at: datetime | None = None) -> list[PeriodEvent]:
        """Close every due period; the new events."""
        new = close_due_periods(self.folded(), until, self._next(at))
        self.events.extend(new)
        return new

    def recalculate_all(self) -> list[PeriodEvent]:
        """Recalculate every closed period; the new events."""
        new: list[PeriodEvent] = []
        for objective_id, label in sorted(self.folded().periods):
            events = recalculate_period(self.folded(), objective_id, label, self._next())
            self.events.extend(events)
            new.extend(events)
        return new


# --- properties ------------------------------------------------------------------------------


@PROPERTY
@given(
    objective=objectives(BOUNDED_KINDS),
    batch=readings(),
    excluded=exclusions(),
    zone=st.sampled_from(ZONES),
    as_of_seconds=st.integers(0, SPAN_SECONDS + 86_400),
)
def test_attainment_is_always_between_0_and_100(
    objective: Objective,
    batch: list[Measurement],
    excluded: list[Exclusion],
    zone: str,
    as_of_seconds: int,
) -> None:
    as_of = APR + as_of_seconds * SECOND
    for result in evaluate(objective, APR, JUN, batch, excluded, zone, as_of):
        attainment = result.attainment_percent
        if attainment is not None:
            assert 0 <= attainment <= 100
        if result.indicator in PERCENT_KINDS and result.attained is not None:
            assert 0 <= result.attained <= 100


@PROPERTY
@given(
    objective=objectives(BOUNDED_KINDS, with_policy=True),
    on_time=readings(min_size=10),
    late=readings(max_size=10),
    fee=fees(),
    zone=st.sampled_from(ZONES),
    terminated_after_days=st.none() | st.integers(1, 60),
)
def test_every_credit_is_between_zero_and_the_cap_of_the_period_fee(
    objective: Objective,
    on_time: list[Measurement],
    late: list[Measurement],
    fee: Money,
    zone: str,
    terminated_after_days: int | None,
) -> None:
    history = History(terms(objective, zone, fee))
    history.measure(on_time)
    if terminated_after_days is not None:
        history.terminate(APR + timedelta(days=terminated_after_days))
    closed = history.close(JUN + timedelta(days=7))
    history.measure(late)
    recalculated = history.recalculate_all()

    policy = objective.rules.credit_policy
    assert policy is not None
    fees_by_period = {e.period_label: e.period_fee for e in of_type(closed, PeriodClosed)}
    for credit in of_type(closed, CreditIssued):
        assert 0 < credit.amount.amount <= cap_of(policy, credit.period_fee)
    for adjusted in of_type(recalculated, CreditAdjusted):
        period_fee = fees_by_period[adjusted.period_label]
        assert 0 <= adjusted.after.amount <= cap_of(policy, period_fee)


@PROPERTY
@given(
    objective=objectives((*BOUNDED_KINDS, Indicator.CUMULATIVE), with_policy=True),
    batch=readings(),
    zone=st.sampled_from(ZONES),
    until_days=st.integers(0, 75),
)
def test_closing_twice_appends_nothing(
    objective: Objective, batch: list[Measurement], zone: str, until_days: int
) -> None:
    history = History(terms(objective, zone))
    history.measure(batch)
    until = APR + timedelta(days=until_days)
    history.close(until)

    assert close_due_periods(history.folded(), until, history.clock + SECOND) == []


@st.composite
def arrivals(draw: st.DrawFn) -> tuple[list[Measurement], list[list[Measurement]]]:
    """Readings, and the same readings permuted and split into batches."""
    batch = draw(readings())
    shuffled = draw(st.permutations(batch))
    cuts = sorted(draw(st.lists(st.integers(0, len(shuffled)), max_size=5)))
    bounds = [0, *cuts, len(shuffled)]
    return batch, [shuffled[a:b] for a, b in pairwise(bounds)]


@PROPERTY
@given(
    objective=objectives((*BOUNDED_KINDS, Indicator.CUMULATIVE), with_policy=True),
    arrived=arrivals(),
    zone=st.sampled_from(ZONES),
)
def test_the_order_and_batching_of_readings_do_not_change_the_closed_figures_or_credit(
    objective: Objective,
    arrived: tuple[list[Measurement], list[list[Measurement]]],
    zone: str,
) -> None:
    batch, batches = arrived
    in_order = History(terms(objective, zone))
    in_order.measure(batch)
    reordered = History(terms(objective, zone))
    for part in batches:
        reordered.measure(part)
    closed_at = JUN + timedelta(hours=1)

    # Same periods, figures, statuses, fees, breaches, credits and bonuses, event for event
    # (the close is recorded at the same instant in both logs).
    assert in_order.close(JUN, at=closed_at) == reordered.close(JUN, at=closed_at)


def test_a_cumulative_total_of_samples_does_not_depend_on_their_order() -> None:
    kpi = Objective(
        OBJECTIVE_ID,
        "revenue",
        Decimal(0),
        PeriodUnit.MONTH,
        rules=ObjectiveRules(indicator=Indicator.CUMULATIVE, cumulative_target=Decimal(1)),
    )
    big, small, minus_big = (
        Measurement(OBJECTIVE_ID, "", to_epoch_us(APR + hours * timedelta(hours=1)), None, None, s)
        for hours, s in ((1, 1e20), (2, 1e-10), (3, -1e20))
    )
    may = datetime(2026, 5, 1, tzinfo=UTC)

    # 1e20 + 1e-10 - 1e20 = 1e-10 exactly, in either order.
    for order in ([big, small, minus_big], [big, minus_big, small]):
        (result,) = evaluate(kpi, APR, may, order, [], "UTC", may)
        assert result.attained == Decimal("1E-10")


def of_type(events: Sequence[object], cls: type[E]) -> list[E]:
    """The events of one type, in order."""
    return [event for event in events if isinstance(event, cls)]
