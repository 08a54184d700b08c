"""Properties of which exclusions count: the per-subscriber shortcut a service close takes
(domain/exclusion_standing.py differing_customers, used by service/app/window_judge.py) equals
asking the rule for each subscriber, whatever the acknowledgements and revocations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.exclusion_standing import RecordedExclusion, differing_customers, visible_exclusions
from domain.exclusions import Exclusion, ExclusionKind

CUSTOMERS = ["globex", "initech", "hooli"]
START = datetime(2026, 4, 1, tzinfo=UTC)

customers = st.sampled_from(CUSTOMERS)


@st.composite
def recorded(draw: st.DrawFn, index: int) -> RecordedExclusion:
    exclusion = Exclusion(
        f"ex-{index}",
        START + timedelta(hours=index),
        START + timedelta(hours=index + 1),
        ExclusionKind.OTHER,
        "why",
        customer_id=draw(st.sampled_from(["", *CUSTOMERS])),
    )
    return RecordedExclusion(
        exclusion,
        START + timedelta(days=40),
        acknowledgement_required=draw(st.booleans()),
        acknowledged_for=frozenset(draw(st.lists(customers, max_size=3))),
        revoked_for=frozenset(draw(st.lists(customers | st.just(""), max_size=2))),
    )


@st.composite
def histories(draw: st.DrawFn) -> list[RecordedExclusion]:
    count = draw(st.integers(0, 8))
    return [draw(recorded(i)) for i in range(count)]


@given(history=histories())
def test_a_subscriber_without_differing_exclusions_sees_the_shared_views(
    history: list[RecordedExclusion],
) -> None:
    differing = differing_customers(history)
    shared = visible_exclusions(history, "")

    for customer_id in CUSTOMERS:
        if customer_id not in differing:
            assert visible_exclusions(history, customer_id) == shared


@given(history=histories())
def test_a_subscribers_differing_exclusions_are_exactly_where_its_view_and_the_shared_differ(
    history: list[RecordedExclusion],
) -> None:
    differing = differing_customers(history)
    shared = {e.exclusion_id for e in visible_exclusions(history, "")}

    for customer_id, found in differing.items():
        own = {e.exclusion_id for e in visible_exclusions(history, customer_id)}
        assert {e.exclusion_id for e in found} == own ^ shared
