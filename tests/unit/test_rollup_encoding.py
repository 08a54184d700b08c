"""The rollups projection stores what it computed exactly: encoding and decoding round-trip."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.measurements import Measurement, group_by_stream, measured_events
from domain.rollup_sums import span_of, summarize_event
from projections.reading_rollups import decode_sums, decode_totals, encode_sums, encode_totals
from tests.semantics_strategies import APR, readings

PROPERTY = settings(database=None, max_examples=200, deadline=None)


@PROPERTY
@given(
    found=readings(max_size=60),
    labels=st.lists(st.sampled_from([None, {"tier": "gold"}, {"a": "1", "b": 'q"u'}])),
    huge=st.booleans(),
)
def test_rollups_read_back_equal_to_those_written(
    found: list[Measurement], labels: list[dict[str, str] | None], huge: bool
) -> None:
    found = [
        r._replace(
            labels=labels[i] if i < len(labels) else None,
            good=(r.good or 0) * 10**30 if huge else r.good,
            total=(r.total or 0) * 10**30 if huge else r.total,
        )
        for i, r in enumerate(found)
    ]
    for event in measured_events("sla", group_by_stream("sla", found), {}, APR):
        day_us = event.observed_at_us[0] - event.observed_at_us[0] % 86_400_000_000
        sums = summarize_event(event)
        totals = list(span_of(sums).totals or ())
        first = sums[0].bucket_us

        assert decode_sums(event.objective_id, day_us, encode_sums(sums, day_us)) == sums
        assert decode_totals(event.objective_id, first, encode_totals(totals)) == totals
