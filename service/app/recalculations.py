"""The compensating events of one closed objective-period re-evaluated with what is known now.

One derivation for every path that recalculates: RecalculatePeriod (service/app/commands.py),
an acknowledged or revoked exclusion (several periods at once: periods_compensations) and an
upheld dispute (service/app/disputes.py), which passes the agreement as its resolution
leaves it (e.g. with an exclusion revoked) so that the events are saved with the resolution.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.agreement import Agreement
from domain.errors import FieldViolation, InvalidArgumentError, NotFoundError
from domain.identifiers import IDENTIFIER_RULE, is_identifier
from domain.period_closing import recalculate_period
from domain.period_results import PeriodClosed, PeriodEvent
from domain.resource_names import period_name
from domain.subscriber_views import subscriber_history
from domain.subscriptions import Subscription
from service.app.closing_plans import recalculation_history
from service.app.credit_caps import with_caps
from service.app.event_log import EventLog


def period_compensations(
    log: EventLog,
    agreement: Agreement,
    subscription: Subscription | None,
    objective_id: str,
    period_label: str,
    recorded_at: datetime,
) -> list[PeriodEvent]:
    """The compensations of one closed period of agreement (of the subscriber of subscription,
    for a service SLA, which needs one); NotFoundError when the period is not closed.

    Reads only what the period needs (service.app.closing_plans.recalculation_history)."""
    return periods_compensations(
        log, agreement, subscription, [(objective_id, period_label)], recorded_at
    )


def periods_compensations(
    log: EventLog,
    agreement: Agreement,
    subscription: Subscription | None,
    periods: Iterable[tuple[str, str]],
    recorded_at: datetime,
) -> list[PeriodEvent]:
    """The compensations of several closed periods (objective id, label), to be appended
    together: each period's own, then the cap across objectives applied once over all of them,
    so that each fee period is allocated once seeing every change (service/app/credit_caps.py).
    NotFoundError when one of them is not closed."""
    events: list[PeriodEvent] = []
    closes: dict[str, PeriodClosed] = {}
    view: Agreement | None = None
    customer_id = subscription.customer_id if subscription is not None else ""
    for objective_id, period_label in dict.fromkeys(periods):
        agreement.check_period_label(objective_id, period_label)  # before reading for it
        history = recalculation_history(log, agreement, objective_id, period_label, customer_id)
        if subscription is not None:
            history = subscriber_history(history, subscription)
        standing = history.period(objective_id, period_label)
        if standing is None:
            whose = f" for customer {customer_id}" if customer_id else ""
            raise NotFoundError(
                f"period {period_label} of objective {objective_id!r} is not closed{whose}",
                resource_type="period",
                resource_name=period_name(
                    agreement.agreement_id, objective_id, period_label, customer_id
                ),
            )
        events.extend(recalculate_period(history, objective_id, period_label, recorded_at))
        closes[standing.closed.originator_id] = standing.closed
        view = history.agreement
    if view is None:
        return events
    judged = view
    return with_caps(log, events, lambda _customer: judged, closes)


def check_subscriber_named(agreement: Agreement, customer_id: str) -> None:
    """InvalidArgumentError on field customer_id unless it is named exactly when the agreement
    is a service SLA (whose periods are closed per subscriber)."""
    if not agreement.current_terms.terms.is_service_sla:
        if customer_id:
            raise InvalidArgumentError(
                [FieldViolation("customer_id", "only a service SLA has subscribers")]
            )
        return
    if not is_identifier(customer_id):
        rule = f"a service SLA's periods are closed per subscriber: {IDENTIFIER_RULE}"
        raise InvalidArgumentError([FieldViolation("customer_id", rule)])
