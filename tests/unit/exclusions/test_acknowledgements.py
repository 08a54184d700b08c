"""The Agreement aggregate's acknowledgements and revocations of exclusions: given events, when a
command, then the events appended and the exclusions that count."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import cast

import pytest

from domain.agreement import Agreement, replay_agreement
from domain.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError
from domain.exclusion_rules import ExclusionRules
from domain.exclusion_standing import ExclusionStanding, visible_exclusions
from domain.exclusions import Exclusion, ExclusionKind
from tests.unit.worked_examples.builders import APR, objective, terms
from tests.unit.worked_examples.service_builders import service_terms

RULES = ExclusionRules(acknowledgement_after_days=30)
RECORDED = datetime(2027, 2, 15, tzinfo=UTC)
LATER = RECORDED + timedelta(hours=1)
LATE = Exclusion(
    "outage-1",
    datetime(2026, 4, 10, 11, tzinfo=UTC),
    datetime(2026, 4, 10, 13, tzinfo=UTC),
    ExclusionKind.OTHER,
    "found in the provider's records",
)


def agreement_with(required: bool) -> Agreement:
    """Given: an agreement (customer globex) with the exclusion recorded, waiting for
    acknowledgement when required."""
    agreement = Agreement.sign(
        "sla-1", replace(terms(objective()), exclusion_rules=RULES), APR, recorded_at=APR
    )
    agreement.record_exclusion(LATE, RECORDED, acknowledgement_required=required)
    agreement.collect_events()
    return agreement


def service_with_late_exclusion() -> Agreement:
    """Given: a service SLA with a service-wide exclusion waiting for acknowledgement."""
    service = Agreement.sign(
        "svc-1", replace(service_terms(), exclusion_rules=RULES), APR, recorded_at=APR
    )
    service.record_exclusion(LATE, RECORDED, acknowledgement_required=True)
    service.collect_events()
    return service


def test_an_exclusion_awaiting_acknowledgement_does_not_count() -> None:
    agreement = agreement_with(required=True)

    assert agreement.exclusions == []
    (recorded,) = agreement.recorded_exclusions
    assert recorded.standing("") is ExclusionStanding.AWAITING_ACKNOWLEDGEMENT


def test_the_customers_acknowledgement_appends_exclusion_acknowledged_and_it_counts() -> None:
    agreement = agreement_with(required=True)

    assert agreement.acknowledge_exclusion("outage-1", "globex", LATER)

    (event,) = agreement.collect_events()
    assert isinstance(event, Agreement.ExclusionAcknowledged)
    assert (event.exclusion_id, event.customer_id, event.dispute_id) == ("outage-1", "", "")
    assert agreement.exclusions == [LATE]
    assert agreement.recorded_exclusions[0].standing("") is ExclusionStanding.ACKNOWLEDGED


def test_an_acknowledgement_may_leave_the_agreements_customer_unnamed() -> None:
    agreement = agreement_with(required=True)

    assert agreement.acknowledge_exclusion("outage-1", "", LATER)
    assert agreement.exclusions == [LATE]


def test_acknowledging_twice_appends_nothing_the_second_time() -> None:
    agreement = agreement_with(required=True)
    agreement.acknowledge_exclusion("outage-1", "", LATER)
    agreement.collect_events()

    assert not agreement.acknowledge_exclusion("outage-1", "globex", LATER)
    assert list(agreement.collect_events()) == []


def test_a_dispute_resolved_for_the_provider_acknowledges_with_its_id() -> None:
    agreement = agreement_with(required=True)

    agreement.acknowledge_exclusion("outage-1", "", LATER, dispute_id="dispute-7")

    (event,) = agreement.collect_events()
    assert isinstance(event, Agreement.ExclusionAcknowledged)
    assert event.dispute_id == "dispute-7"
    assert agreement.exclusions == [LATE]


def test_an_exclusion_that_counts_already_cannot_be_acknowledged() -> None:
    agreement = agreement_with(required=False)

    with pytest.raises(FailedPreconditionError, match="needs no acknowledgement"):
        agreement.acknowledge_exclusion("outage-1", "", LATER)


def test_an_unknown_exclusion_is_not_found() -> None:
    agreement = agreement_with(required=True)

    with pytest.raises(NotFoundError, match="no exclusion"):
        agreement.acknowledge_exclusion("outage-2", "", LATER)


def test_another_customer_cannot_acknowledge_an_agreements_exclusion() -> None:
    agreement = agreement_with(required=True)

    with pytest.raises(InvalidArgumentError) as refused:
        agreement.acknowledge_exclusion("outage-1", "initech", LATER)
    assert [v.field for v in refused.value.violations] == ["customer_id"]


def test_a_revoked_exclusion_stops_counting() -> None:
    agreement = agreement_with(required=False)

    assert agreement.revoke_exclusion("outage-1", "dispute-3", LATER)

    (event,) = agreement.collect_events()
    assert isinstance(event, Agreement.ExclusionRevoked)
    assert (event.exclusion_id, event.dispute_id, event.customer_id) == (
        "outage-1",
        "dispute-3",
        "",
    )
    assert agreement.exclusions == []
    assert agreement.recorded_exclusions[0].standing("") is ExclusionStanding.REVOKED


def test_revoking_twice_appends_nothing_the_second_time() -> None:
    agreement = agreement_with(required=False)
    agreement.revoke_exclusion("outage-1", "dispute-3", LATER)
    agreement.collect_events()

    assert not agreement.revoke_exclusion("outage-1", "dispute-4", LATER)


def test_a_revocation_needs_the_disputes_id() -> None:
    agreement = agreement_with(required=False)

    with pytest.raises(InvalidArgumentError) as refused:
        agreement.revoke_exclusion("outage-1", "", LATER)
    assert [v.field for v in refused.value.violations] == ["dispute_id"]


def test_a_revoked_exclusion_cannot_be_acknowledged() -> None:
    agreement = agreement_with(required=True)
    agreement.revoke_exclusion("outage-1", "dispute-3", LATER)

    with pytest.raises(FailedPreconditionError, match="revoked"):
        agreement.acknowledge_exclusion("outage-1", "", LATER)


def test_the_replayed_agreement_keeps_every_standing() -> None:
    agreement = Agreement.sign("sla-1", terms(objective()), APR, recorded_at=APR)
    agreement.record_exclusion(LATE, RECORDED, acknowledgement_required=True)
    second = replace(LATE, exclusion_id="outage-2")
    agreement.record_exclusion(second, RECORDED)
    agreement.acknowledge_exclusion("outage-1", "", LATER)
    agreement.revoke_exclusion("outage-2", "dispute-1", LATER)

    replayed = replay_agreement(cast(list[Agreement.Event], agreement.collect_events()))

    assert replayed is not None
    assert replayed.exclusions == [LATE]
    assert [r.standing("") for r in replayed.recorded_exclusions] == [
        ExclusionStanding.ACKNOWLEDGED,
        ExclusionStanding.REVOKED,
    ]


def test_a_service_wide_late_exclusion_counts_only_for_the_subscriber_that_acknowledged() -> None:
    service = service_with_late_exclusion()

    service.acknowledge_exclusion("outage-1", "globex", LATER)

    recorded = service.recorded_exclusions
    assert visible_exclusions(recorded, "globex") == [LATE]
    assert visible_exclusions(recorded, "initech") == []
    assert visible_exclusions(recorded, "") == []  # the tier's shared view: nobody's
    assert service.exclusions == []


def test_a_service_wide_acknowledgement_must_name_the_subscriber() -> None:
    service = service_with_late_exclusion()

    with pytest.raises(InvalidArgumentError) as refused:
        service.acknowledge_exclusion("outage-1", "", LATER)
    assert [v.field for v in refused.value.violations] == ["customer_id"]


def test_a_subscribers_own_exclusion_is_acknowledged_by_that_subscriber_only() -> None:
    service = Agreement.sign("svc-1", service_terms(), APR, recorded_at=APR)
    own = replace(LATE, customer_id="globex")
    service.record_exclusion(own, RECORDED, acknowledgement_required=True)

    with pytest.raises(InvalidArgumentError, match="another customer's"):
        service.acknowledge_exclusion("outage-1", "initech", LATER)
    service.acknowledge_exclusion("outage-1", "globex", LATER)

    assert service.exclusions == [own]
    assert visible_exclusions(service.recorded_exclusions, "globex") == [own]


def test_a_revocation_for_one_subscriber_leaves_the_others_counting() -> None:
    service = Agreement.sign("svc-1", service_terms(), APR, recorded_at=APR)
    service.record_exclusion(LATE, RECORDED)

    service.revoke_exclusion("outage-1", "dispute-1", LATER, customer_id="globex")

    recorded = service.recorded_exclusions
    assert visible_exclusions(recorded, "globex") == []
    assert visible_exclusions(recorded, "initech") == [LATE]
    assert service.exclusions == [LATE]
