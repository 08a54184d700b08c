"""The public LedgerEvent of an event read from the log."""

from __future__ import annotations

from typing import Any

from domain.agreement import EXCLUSION_EVENTS, Agreement
from domain.case_milestones import CaseClockWarned, CaseMilestoneRecorded
from domain.disputes import Dispute
from domain.identifiers import agreement_of_stream
from domain.instants import MICROSECONDS_PER_DAY
from domain.measurements import MetricMeasured
from domain.period_results import PeriodEvent
from domain.subscriptions import Subscription
from projections.log_source import LoggedEvent
from service.api.mapping.cases import case_event_into_proto
from service.api.mapping.disputes import dispute_event_into_proto
from service.api.mapping.exclusion_standing import exclusion_event_into_proto
from service.api.mapping.measurements import add_measurements
from service.api.mapping.results import period_event_into_proto
from service.api.mapping.scalars import instant_to_proto
from service.api.mapping.subscriptions import subscription_event_into_proto
from service.api.mapping.terms import terms_to_proto
from service.generated.sla.ledger.v1 import events_pb2


def actor_of(event: Any) -> str:
    """Who caused a stored event; empty for events recorded before actors were recorded."""
    return str(getattr(event, "actor", ""))


def logged_event_to_proto(logged: LoggedEvent) -> events_pb2.LedgerEvent:
    """The public LedgerEvent for an event read from the log."""
    event = logged.event
    message = events_pb2.LedgerEvent(
        position=logged.position,
        stream_id=event.originator_id,
        stream_version=event.originator_version,
        recorded_at=instant_to_proto(event.timestamp),
        agreement_id=agreement_of_stream(event.originator_id),
        actor=actor_of(event),
    )
    if isinstance(event, Agreement.Signed):
        message.agreement_signed.terms.CopyFrom(terms_to_proto(event.terms))
        message.agreement_signed.signed_at.CopyFrom(instant_to_proto(event.signed_at))
    elif isinstance(event, Agreement.Amended):
        amended = message.agreement_amended
        amended.terms.CopyFrom(terms_to_proto(event.terms))
        amended.terms_version = event.terms_version
        amended.effective_from.CopyFrom(instant_to_proto(event.effective_from))
        amended.retroactive = event.retroactive
        amended.reason = event.reason
    elif isinstance(event, Agreement.Terminated):
        message.agreement_terminated.effective_at.CopyFrom(instant_to_proto(event.effective_at))
        message.agreement_terminated.reason = event.reason
    elif isinstance(event, MetricMeasured):
        measured = message.metric_measured
        measured.objective_id = event.objective_id
        measured.day.FromMicroseconds(
            event.observed_at_us[0] - event.observed_at_us[0] % MICROSECONDS_PER_DAY
        )
        add_measurements(measured.measurements, event)
        measured.late_indexes.extend(event.late_indexes)
    elif isinstance(event, EXCLUSION_EVENTS):
        exclusion_event_into_proto(event, message)
    elif isinstance(event, PeriodEvent):
        period_event_into_proto(event, message)
    elif isinstance(event, CaseMilestoneRecorded | CaseClockWarned):
        case_event_into_proto(event, message)
    elif isinstance(event, Subscription.Subscribed | Subscription.TierChanged | Subscription.Ended):
        subscription_event_into_proto(event, message)
    elif isinstance(event, Dispute.Opened | Dispute.Resolved):
        dispute_event_into_proto(event, message)
    else:  # pragma: no cover - every stored event type is mapped above
        raise TypeError(f"no public schema for {type(event).__name__}")
    return message
