"""The public encoding of logged events: the LedgerEvent payload each domain event class fills,
and the encoder the event-encodings projection is given."""

from __future__ import annotations

from eventsourcing.utils import get_topic

from domain.agreement import Agreement
from domain.case_milestones import CaseClockWarned, CaseMilestoneRecorded
from domain.claims import ClaimDecided, CreditClaimed, CreditForfeited, CreditSettled
from domain.credit_caps import CreditCapped
from domain.disputes import Dispute
from domain.measurements import MetricMeasured
from domain.period_results import (
    BonusAdjusted,
    BonusEarned,
    BreachDetected,
    BreachRetracted,
    CreditAdjusted,
    CreditIssued,
    PeriodClosed,
    PeriodRecalculated,
    TerminationRightGranted,
)
from domain.subscriptions import Subscription
from projections.event_encodings import EncodedEvent
from projections.log_source import LoggedEvent
from service.api.mapping.events import logged_event_to_proto
from service.generated.sla.ledger.v1 import events_pb2

# The domain event classes that logged_event_to_proto writes into each member of the
# LedgerEvent `payload` oneof. Their topics let the database do the type filtering.
PAYLOAD_CLASSES: dict[str, tuple[type, ...]] = {
    "agreement_signed": (Agreement.Signed,),
    "agreement_amended": (Agreement.Amended,),
    "agreement_terminated": (Agreement.Terminated,),
    "metric_measured": (MetricMeasured,),
    "exclusion_recorded": (Agreement.ExclusionRecorded,),
    "period_closed": (PeriodClosed,),
    "breach_detected": (BreachDetected,),
    "breach_retracted": (BreachRetracted,),
    "credit_issued": (CreditIssued,),
    "credit_adjusted": (CreditAdjusted,),
    "bonus_earned": (BonusEarned,),
    "bonus_adjusted": (BonusAdjusted,),
    "period_recalculated": (PeriodRecalculated,),
    "termination_right_granted": (TerminationRightGranted,),
    "case_milestone_recorded": (CaseMilestoneRecorded,),
    "case_clock_warned": (CaseClockWarned,),
    "customer_subscribed": (Subscription.Subscribed,),
    "subscription_tier_changed": (Subscription.TierChanged,),
    "subscription_ended": (Subscription.Ended,),
    "credit_capped": (CreditCapped,),
    "credit_claimed": (CreditClaimed,),
    "claim_decided": (ClaimDecided,),
    "credit_forfeited": (CreditForfeited,),
    "credit_settled": (CreditSettled,),
    "dispute_opened": (Dispute.Opened,),
    "dispute_resolved": (Dispute.Resolved,),
    "exclusion_acknowledged": (Agreement.ExclusionAcknowledged,),
    "exclusion_revoked": (Agreement.ExclusionRevoked,),
}
PAYLOAD_TOPICS: dict[str, tuple[str, ...]] = {
    name: tuple(get_topic(cls) for cls in classes) for name, classes in PAYLOAD_CLASSES.items()
}
_PAYLOAD_NAMES = {
    field.name for field in events_pb2.LedgerEvent.DESCRIPTOR.oneofs_by_name["payload"].fields
}
# Both spellings of a payload type that clients see, the oneof field name ("credit_issued") and
# its proto3 JSON name ("creditIssued"), each to the field name.
PAYLOAD_NAMES: dict[str, str] = {
    spelling: field.name
    for field in events_pb2.LedgerEvent.DESCRIPTOR.oneofs_by_name["payload"].fields
    for spelling in (field.name, field.json_name)
}
if set(PAYLOAD_CLASSES) != _PAYLOAD_NAMES:  # pragma: no cover - caught by any test run
    raise RuntimeError(
        "PAYLOAD_CLASSES must name every LedgerEvent payload: "
        f"missing {sorted(_PAYLOAD_NAMES - set(PAYLOAD_CLASSES))}, "
        f"unknown {sorted(set(PAYLOAD_CLASSES) - _PAYLOAD_NAMES)}"
    )


class LedgerEventEncoder:
    """Encodes a logged event as its serialized LedgerEvent."""

    topics = frozenset(topic for topics in PAYLOAD_TOPICS.values() for topic in topics)

    def encode(self, logged: LoggedEvent) -> EncodedEvent:
        """The LedgerEvent of a logged event: its agreement, payload name and bytes."""
        message = logged_event_to_proto(logged)
        return EncodedEvent(
            message.agreement_id, message.WhichOneof("payload"), message.SerializeToString()
        )
