"""Which period streams a compliance question reads, picked by their labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.compliance_streams import results_before
from domain.identifiers import period_stream
from domain.periods import period_containing
from domain.terms import PeriodUnit

PROPERTY = settings(database=None, max_examples=300, deadline=None)
zones = st.sampled_from(["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Asia/Kathmandu"])
instants = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2199, 1, 1), timezones=st.just(UTC)
)


@PROPERTY
@given(instants, st.sampled_from(list(PeriodUnit)), zones, st.integers(-3, 3))
def test_every_period_ended_by_as_of_is_kept(
    instant: datetime, unit: PeriodUnit, zone: str, days: int
) -> None:
    period = period_containing(instant, unit, zone)
    stream = period_stream("sla-1", "availability", period.label)
    as_of = period.end + timedelta(days=days)

    kept = results_before([stream], as_of)

    assert stream in kept or period.end > as_of


def test_a_period_starting_days_after_as_of_is_left_out() -> None:
    as_of = datetime(2026, 3, 1, tzinfo=UTC)
    streams = [period_stream("sla-1", "a", label) for label in ("2026-02", "2026-03-04")]

    assert results_before(streams, as_of) == {streams[0]}
