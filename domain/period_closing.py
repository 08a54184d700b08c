"""Closing objective-periods and recalculating them: pure functions from history to new events.

Rules (README "SLA semantics" quotes them):
- A period can be closed once its evaluation window has ended: the window is the period cut to
  the agreement's term start, term end and termination. A period entirely after termination is
  never evaluated; the final partial period is evaluated on the time it ran.
- The period is judged with the terms that governed it (see governing_terms) and the readings and
  exclusions known when it is closed.
- Breach: BreachDetected for each track that missed its target. Credit and bonus: the period
  fee and the decision of credits.py (period_fee, period_credit, period_bonus), one CreditIssued
  and one BonusEarned per period at most. No data: no breach, no credit, no bonus; the period is
  reported as no data.
- Termination right: when a close makes K consecutive closed periods of the objective breached
  (K = termination_right_after), TerminationRightGranted is appended, once per run of breaches.
- Recalculation compares a new evaluation with the period's current figures and appends only
  compensations: PeriodRecalculated (before and after), BreachRetracted or BreachDetected per
  track, CreditAdjusted and BonusAdjusted with before, after and delta. Nothing changes otherwise.
- The cap across objectives of a fee period's credits is applied after a close or a
  recalculation, in the same append, from the credits of the whole fee period
  (domain/credit_cap_periods.py; service/app/credit_caps.py reads them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.agreement_history import (
    AgreementHistory,
    PeriodStanding,
)
from domain.claims import claim_deadline
from domain.compliance import Status, TrackResult
from domain.credits import credit_policy, period_bonus, period_credit, period_fee
from domain.identifiers import period_stream
from domain.money import Money
from domain.period_results import (
    BonusAdjusted,
    BonusEarned,
    BreachDetected,
    BreachRetracted,
    CreditAdjusted,
    CreditIssued,
    PeriodClosed,
    PeriodEvent,
    PeriodRecalculated,
    TerminationRightGranted,
    TrackFigures,
    overall_status,
)
from domain.period_walk import PeriodWindow, due_periods, earlier_labels
from domain.periods import Period, unit_of_label
from domain.window_evaluation import evaluate_window


def evaluate_due(history: AgreementHistory, due: PeriodWindow) -> list[TrackResult]:
    """The evaluation of a due period with everything the history holds."""
    return evaluate_window(history, due, due.window_end)


def close_due_periods(
    history: AgreementHistory, until: datetime, recorded_at: datetime
) -> list[PeriodEvent]:
    """The events that close every due period not closed yet (nothing when all are closed)."""
    events: list[PeriodEvent] = []
    closed_now: dict[tuple[str, str], str] = {}
    for due in due_periods(history, until):
        if (due.objective.objective_id, due.period.label) not in history.periods:
            events.extend(close_period(history, due, recorded_at, closed_now))
    return events


def close_period(
    history: AgreementHistory,
    due: PeriodWindow,
    recorded_at: datetime,
    closed_now: dict[tuple[str, str], str],
    results: list[TrackResult] | None = None,
) -> list[PeriodEvent]:
    """The events that close one due period, judged with history; closed_now holds the status
    of each period closed before it in the same call, and gets this one's. results, when given,
    is evaluate_due(history, due) computed already (subscribers of one tier share it).

    history needs only the readings of the period's window, its exclusions, and the standings of
    the periods a run of breaches may reach back to (earlier_labels, while they are breached).
    """
    new = _close(history, due, recorded_at, closed_now, results)
    closing = new[0]
    assert isinstance(closing, PeriodClosed)
    closed_now[(due.objective.objective_id, due.period.label)] = closing.status
    return new


def _close(
    history: AgreementHistory,
    due: PeriodWindow,
    recorded_at: datetime,
    closed_now: dict[tuple[str, str], str],
    results: list[TrackResult] | None,
) -> list[PeriodEvent]:
    agreement_id = history.agreement.agreement_id
    objective_id = due.objective.objective_id
    if results is None:
        results = evaluate_due(history, due)
    figures = [TrackFigures.of(r) for r in results]
    fee = period_fee(due)
    status = overall_status(figures)
    writer = _PeriodStreamWriter(
        agreement_id, objective_id, due.period.label, 0, recorded_at, history.customer_id
    )
    writer.append(
        PeriodClosed,
        window_start=due.window_start,
        window_end=due.window_end,
        terms_version=due.terms.number,
        figures=figures,
        status=status,
        period_fee=fee,
        **({"tier_id": due.terms.tier_id} if due.terms.tier_id else {}),
        **_claim_fields(due),
    )
    for result in results:
        if result.breached:
            writer.append(
                BreachDetected,
                track=result.track.value,
                attained=result.attained,
                target=result.target,
                terms_version=due.terms.number,
            )
    policy = credit_policy(due)
    credit = period_credit(policy, results, fee)
    if credit is not None:
        writer.append(
            CreditIssued,
            amount=credit.amount,
            percent_of_fee=credit.percent_of_fee,
            policy_line=credit.policy_line,
            capped=credit.capped,
            period_fee=fee,
        )
    bonus = period_bonus(policy, results, fee)
    if bonus is not None:
        writer.append(
            BonusEarned,
            amount=bonus.amount,
            percent_of_fee=bonus.percent_of_fee,
            policy_line=bonus.policy_line,
            period_fee=fee,
        )
    run = _breach_run(history, due, status, closed_now)
    limit = due.objective.rules.termination_right_after
    if limit is not None and run is not None and run[0] == limit:
        writer.append(
            TerminationRightGranted, consecutive_breaches=run[0], first_period_label=run[1]
        )
    return writer.events


def _claim_fields(due: PeriodWindow) -> dict[str, Any]:
    """The claim deadline and minimum of a period whose governing terms have a claim rule."""
    terms = due.terms.terms
    rule = terms.claim_rule
    if rule is None:
        return {}
    return {
        "claim_deadline": claim_deadline(rule, due.window_end, terms.fee.period, terms.time_zone),
        "claim_minimum": Money(rule.minimum_amount, terms.fee.amount.currency).rounded(),
    }


class _PeriodStreamWriter:
    """Numbers new events of one objective-period stream after its current head."""

    def __init__(
        self,
        agreement_id: str,
        objective_id: str,
        label: str,
        head: int,
        recorded_at: datetime,
        customer_id: str = "",
    ) -> None:
        self._identity = {
            "agreement_id": agreement_id,
            "objective_id": objective_id,
            "period_label": label,
        }
        if customer_id:
            self._identity["customer_id"] = customer_id
        self._stream = period_stream(agreement_id, objective_id, label, customer_id)
        self._version = head
        self._recorded_at = recorded_at
        self.events: list[PeriodEvent] = []

    def append(self, cls: type[PeriodEvent], **fields: Any) -> None:
        """Add the next event of the stream."""
        self._version += 1
        self.events.append(
            cls(
                originator_id=self._stream,
                originator_version=self._version,
                timestamp=self._recorded_at,
                **self._identity,
                **fields,
            )
        )


def _breach_run(
    history: AgreementHistory,
    due: PeriodWindow,
    status: str,
    closed_now: dict[tuple[str, str], str],
) -> tuple[int, str] | None:
    """(length, first label) of the run of consecutive breached periods ending with this one."""
    if status != Status.BREACHED.value:
        return None
    objective_id = due.objective.objective_id
    length, first = 1, due.period.label
    for label in earlier_labels(due):
        key = (objective_id, label)
        standing = history.periods.get(key)
        previous_status = standing.status if standing is not None else closed_now.get(key)
        if previous_status != Status.BREACHED.value:
            break
        length, first = length + 1, label
    return length, first


def recalculate_period(
    history: AgreementHistory, objective_id: str, label: str, recorded_at: datetime
) -> list[PeriodEvent]:
    """Compensating events for a closed period re-evaluated with what is known now."""
    standing = history.period(objective_id, label)
    if standing is None:
        return []
    due = _due_for_standing(history, standing)
    if due is None:
        return []
    results = evaluate_due(history, due)
    after = [TrackFigures.of(r) for r in results]
    writer = _PeriodStreamWriter(
        history.agreement.agreement_id,
        objective_id,
        label,
        standing.version,
        recorded_at,
        history.customer_id,
    )

    if after != standing.figures:
        writer.append(
            PeriodRecalculated,
            before=standing.figures,
            after=after,
            status_before=standing.status,
            status_after=overall_status(after),
        )
    for result in results:
        track = result.track.value
        if result.breached and track not in standing.breached_tracks:
            writer.append(
                BreachDetected,
                track=track,
                attained=result.attained,
                target=result.target,
                terms_version=due.terms.number,
            )
        elif not result.breached and track in standing.breached_tracks:
            writer.append(BreachRetracted, track=track, reason="recalculated with late data")
    fee = standing.closed.period_fee
    policy = credit_policy(due)
    zero = Money(fee.amount * 0, fee.currency).rounded()
    for decision, current, cls in (
        (period_credit(policy, results, fee), standing.credit, CreditAdjusted),
        (period_bonus(policy, results, fee), standing.bonus, BonusAdjusted),
    ):
        before = current or zero
        after_amount = decision.amount if decision is not None else zero
        if after_amount.amount != before.amount:
            writer.append(
                cls,
                before=before,
                after=after_amount,
                delta=Money(after_amount.amount - before.amount, fee.currency),
                policy_line=decision.policy_line if decision is not None else "no longer owed",
            )
    return writer.events


def _due_for_standing(history: AgreementHistory, standing: PeriodStanding) -> PeriodWindow | None:
    closed = standing.closed
    terms = next(
        (
            v
            for v in history.agreement.terms_versions
            if v.number == closed.terms_version and v.tier_id == closed.tier_id
        ),
        None,
    )
    if terms is None:
        return None
    objective = terms.terms.objective(standing.objective_id)
    if objective is None:
        return None
    period = Period(
        closed.window_start, closed.window_end, unit_of_label(standing.label), standing.label
    )
    return PeriodWindow(objective, period, terms, closed.window_start, closed.window_end)
