"""What a dispute's subject must be to be disputed, and what its resolution leads to.

- A period result: the period must be closed. Upheld, the period is recalculated with what the
  ledger knows now (service/app/recalculations.py, the derivation RecalculatePeriod uses): its
  compensating events (PeriodRecalculated, BreachDetected or BreachRetracted, CreditAdjusted)
  are appended with the resolution. Rejected: nothing.
- A denied claim: the period's credit must have a denied amount (domain/credit_lifecycle.py).
  Upheld: ClaimDecided with the dispute's id approves what was denied. Rejected: nothing.
- An exclusion: the agreement must hold it (for a service SLA: service-wide or the disputing
  subscriber's own). Upheld: ExclusionRevoked, then every closed period it touches is
  recalculated without it. Rejected: an exclusion awaiting the customer's acknowledgement counts
  from then on (ExclusionAcknowledged with the dispute's id) and the periods are recalculated.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.agreement import Agreement
from domain.claim_decisions import CreditName, decide
from domain.credit_lifecycle import credit_state
from domain.disputes import Dispute, DisputeSubject, Outcome, SubjectKind
from domain.errors import FailedPreconditionError, Reason
from domain.exclusion_standing import ExclusionStanding, RecordedExclusion
from domain.identifiers import period_stream
from domain.period_results import PeriodEvent
from domain.resource_names import credit_name
from domain.subscriptions import Subscription
from service.app.recalculations import period_compensations

if TYPE_CHECKING:
    from service.app.application import LedgerApplication


def check_subject_state(
    app: LedgerApplication, agreement: Agreement, subject: DisputeSubject
) -> None:
    """NotFoundError for an unknown subscriber, FailedPreconditionError when the subject is
    not there to dispute (a period not closed, no denied amount, an exclusion not recorded)."""
    _subscription(app, agreement, subject)
    if subject.kind is SubjectKind.EXCLUSION:
        recorded = _exclusion_of(agreement, subject)
        if recorded.standing(subject.customer_id) is ExclusionStanding.REVOKED:
            raise FailedPreconditionError(f"exclusion {subject.exclusion_id} was revoked")
        return
    events = _period_events(app, agreement, subject)
    if not events:
        raise FailedPreconditionError(
            f"{_period(subject)} is not closed", reason=Reason.PERIOD_NOT_CLOSED
        )
    if subject.kind is SubjectKind.DENIED_CLAIM:
        state = credit_state(events)
        if state is None or not state.denied.amount > 0:
            raise FailedPreconditionError(f"{_period(subject)} has no denied claim to dispute")


def resolution_effects(
    app: LedgerApplication,
    agreement: Agreement,
    dispute: Dispute,
    outcome: Outcome,
    reason: str,
    now: datetime,
) -> list[Any]:
    """The events a resolution leads to, to be appended right after it."""
    subject = dispute.subject
    if subject.kind is SubjectKind.EXCLUSION:
        return _exclusion_effects(app, agreement, dispute, outcome, now)
    if outcome is not Outcome.UPHELD:
        return []
    if subject.kind is SubjectKind.PERIOD_RESULT:
        subscription = _subscription(app, agreement, subject)
        return list(
            period_compensations(
                app.event_log,
                agreement,
                subscription,
                subject.objective_id,
                subject.period_label,
                now,
            )
        )
    return _claim_approval(app, agreement, dispute, reason, now)


def _claim_approval(
    app: LedgerApplication, agreement: Agreement, dispute: Dispute, reason: str, now: datetime
) -> list[Any]:
    """ClaimDecided with the dispute's id approving everything denied (domain.claim_decisions
    decide); nothing when nothing is denied any more."""
    subject = dispute.subject
    events = _period_events(app, agreement, subject)
    state = credit_state(events)
    if state is None or not state.denied.amount > 0:
        return []
    decision = f"dispute {dispute.dispute_id} upheld: {reason}"
    name = CreditName(
        _period(subject),
        credit_name(
            agreement.agreement_id, subject.objective_id, subject.period_label, subject.customer_id
        ),
    )
    return [decide(events, None, decision, now, name, dispute_id=dispute.dispute_id)]


def _exclusion_effects(
    app: LedgerApplication,
    agreement: Agreement,
    dispute: Dispute,
    outcome: Outcome,
    now: datetime,
) -> list[Any]:
    """Upheld: ExclusionRevoked for the disputing customer; rejected while it awaits the
    customer's acknowledgement: ExclusionAcknowledged. Then the compensations of every closed
    period it touches, recalculated with the agreement as the change leaves it."""
    subject = dispute.subject
    whose = subject.customer_id  # "" for a customer-based agreement's customer
    recorded = _exclusion_of(agreement, subject)
    at = max(now, agreement.modified_on)
    if outcome is Outcome.UPHELD:
        changed = agreement.revoke_exclusion(
            subject.exclusion_id, dispute.dispute_id, at, customer_id=whose
        )
    elif recorded.standing(whose) is ExclusionStanding.AWAITING_ACKNOWLEDGEMENT:
        changed = agreement.acknowledge_exclusion(
            subject.exclusion_id, whose, at, dispute_id=dispute.dispute_id
        )
    else:
        return []
    if not changed:
        return []
    effects: list[Any] = list(agreement.collect_events())
    # The compensations an acknowledgement or revocation implies, as AcknowledgeExclusion
    # derives them: every closed period of the customer's that the exclusion touches.
    effects.extend(
        app.exclusion_acknowledgements.compensations(agreement, subject.exclusion_id, whose, at)
    )
    return effects


def _subscription(
    app: LedgerApplication, agreement: Agreement, subject: DisputeSubject
) -> Subscription | None:
    if not agreement.current_terms.terms.is_service_sla:
        return None
    return app.commands.subscriber(agreement, subject.customer_id)


def _exclusion_of(agreement: Agreement, subject: DisputeSubject) -> RecordedExclusion:
    """The recorded exclusion a subject names, if the disputing customer may dispute it (a
    service SLA's: service-wide or that subscriber's own), and not revoked for it."""
    for recorded in agreement.recorded_exclusions:
        exclusion = recorded.exclusion
        if exclusion.exclusion_id == subject.exclusion_id and exclusion.customer_id in (
            "",
            subject.customer_id,
        ):
            return recorded
    raise FailedPreconditionError(
        f"agreement {agreement.agreement_id} has no exclusion {subject.exclusion_id!r}"
        + (f" that applies to customer {subject.customer_id}" if subject.customer_id else "")
    )


def _period_events(
    app: LedgerApplication, agreement: Agreement, subject: DisputeSubject
) -> list[PeriodEvent]:
    stream = period_stream(
        agreement.agreement_id, subject.objective_id, subject.period_label, subject.customer_id
    )
    log = app.event_log
    return [log.decode(n) for n in log.stream_notifications([stream])]


def _period(subject: DisputeSubject) -> str:
    whose = f" for customer {subject.customer_id}" if subject.customer_id else ""
    return f"period {subject.period_label} of objective {subject.objective_id!r}{whose}"
