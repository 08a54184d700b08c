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
from domain.claims import ClaimDecided
from domain.credit_lifecycle import credit_state
from domain.disputes import Dispute, DisputeSubject, Outcome, SubjectKind
from domain.errors import FailedPreconditionError
from domain.identifiers import period_stream
from domain.money import Money
from domain.period_results import PeriodEvent
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
        _exclusion_of(agreement, subject)
        return
    events = _period_events(app, agreement, subject)
    if not events:
        raise FailedPreconditionError(f"{_period(subject)} is not closed")
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
    """ClaimDecided with the dispute's id approving every denied amount of the credit (none
    when nothing is denied any more)."""
    subject = dispute.subject
    events = _period_events(app, agreement, subject)
    state = credit_state(events)
    if state is None or not state.denied.amount > 0:
        return []
    head = max(e.originator_version for e in events)
    return [
        ClaimDecided(
            originator_id=period_stream(
                agreement.agreement_id,
                subject.objective_id,
                subject.period_label,
                subject.customer_id,
            ),
            originator_version=head + 1,
            timestamp=now,
            agreement_id=agreement.agreement_id,
            objective_id=subject.objective_id,
            period_label=subject.period_label,
            customer_id=subject.customer_id,
            approved=state.denied,
            denied=Money(state.denied.amount * 0, state.denied.currency),
            reason=f"dispute {dispute.dispute_id} upheld: {reason}",
            dispute_id=dispute.dispute_id,
        )
    ]


def _exclusion_effects(
    app: LedgerApplication,
    agreement: Agreement,
    dispute: Dispute,
    outcome: Outcome,
    now: datetime,
) -> list[Any]:
    raise FailedPreconditionError(
        "resolving a dispute about an exclusion needs ExclusionRevoked, which this ledger does "
        "not have yet"
    )


def _subscription(
    app: LedgerApplication, agreement: Agreement, subject: DisputeSubject
) -> Subscription | None:
    if not agreement.current_terms.terms.is_service_sla:
        return None
    return app.commands.subscriber(agreement, subject.customer_id)


def _exclusion_of(agreement: Agreement, subject: DisputeSubject) -> Any:
    for exclusion in agreement.exclusions:
        if exclusion.exclusion_id == subject.exclusion_id and exclusion.customer_id in (
            "",
            subject.customer_id,
        ):
            return exclusion
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
