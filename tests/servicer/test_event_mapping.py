"""A MetricMeasured event maps to the same public readings however it is mapped."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.measurements import Measurement, group_by_stream, measured_events
from projections.log_source import LoggedEvent
from service.api.mapping.events import logged_event_to_proto
from service.api.mapping.measurements import measurement_to_proto
from tests.semantics_strategies import APR, readings


@settings(database=None, max_examples=100, deadline=None)
@given(
    found=readings(max_size=40),
    shapes=st.lists(st.sampled_from(["counts", "sample"])),
    labels=st.lists(st.sampled_from([None, {"tier": "gold", "region": "eu"}])),
    before_1970=st.booleans(),
)
def test_the_readings_of_a_metric_measured_event_map_reading_by_reading(
    found: list[Measurement],
    shapes: list[str],
    labels: list[dict[str, str] | None],
    before_1970: bool,
) -> None:
    shaped = []
    for i, reading in enumerate(found):
        if i < len(shapes) and shapes[i] == "sample":
            reading = reading._replace(good=None, total=None)
        else:
            reading = reading._replace(sample=None)
        if before_1970:
            reading = reading._replace(observed_at_us=-reading.observed_at_us + 123)
        shaped.append(reading._replace(labels=labels[i] if i < len(labels) else None))
    for event in measured_events("sla", group_by_stream("sla", shaped), {}, APR):
        message = logged_event_to_proto(LoggedEvent(7, event))

        expected = [measurement_to_proto(r) for r in event.measurements()]
        assert list(message.metric_measured.measurements) == expected
