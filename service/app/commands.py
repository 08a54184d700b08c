"""The ledger's commands on agreements: each appends the events of one decision, or refuses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from eventsourcing.persistence import IntegrityError

from domain.agreement import Agreement, AgreementStanding
from domain.errors import (
    AlreadyExistsError,
    FieldViolation,
    InvalidArgumentError,
    NotFoundError,
    Reason,
    VersionConflictError,
)
from domain.exclusions import Exclusion
from domain.identifiers import is_identifier, subscription_stream
from domain.period_results import PeriodEvent
from domain.resource_names import agreement_name, subscription_name
from domain.subscriptions import Subscription
from domain.terms import AgreementTerms
from projections.log_source import LoggedEvent
from service.app.closing_plans import (
    MAX_PERIODS_PER_CLOSE,
    ClosedPeriods,
    ClosePlan,
    plan_close,
)
from service.app.recalculations import check_subscriber_named, period_compensations
from service.app.service_closing import MAX_SUBSCRIBER_PERIODS_PER_CLOSE, plan_service_close
from service.store.command_requests import CommandRequest, with_outcome
from service.store.ledger_recorder import AppendExtras

if TYPE_CHECKING:
    from service.app.application import LedgerApplication

MAX_RECORDING_ATTEMPTS = 5


@dataclass(frozen=True)
class Appended:
    """What a command appended: the agreement's new version and the last log position."""

    version: int
    log_position: int


class Commands:
    """Sign, amend, terminate, record exclusions, close and recalculate periods."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app

    def sign_agreement(
        self,
        agreement_id: str,
        terms: AgreementTerms,
        signed_at: datetime,
        *,
        request: CommandRequest | None = None,
    ) -> tuple[AgreementStanding, int]:
        """Sign a new agreement; its standing at signing and the log position."""
        now = self._app.now()
        agreement = Agreement.sign(
            agreement_id, terms, signed_at, recorded_at=now, latest=now + self._app.max_clock_skew
        )
        try:
            recordings = self._app.save(agreement, extras=AppendExtras(command_request=request))
        except IntegrityError:
            self._app.idempotency.raise_if_carried_out(request)
            raise AlreadyExistsError(f"agreement {agreement_id} already exists") from None
        return agreement.standing_at(signed_at), recordings[-1].notification.id

    def amend_agreement(
        self,
        agreement_id: str,
        terms: AgreementTerms,
        effective_from: datetime,
        *,
        retroactive: bool = False,
        reason: str = "",
        expected_version: int | None = None,
        request: CommandRequest | None = None,
    ) -> tuple[Appended, int]:
        """Replace the terms from effective_from; what was appended and the new terms version."""
        agreement = self._agreement_for_change(agreement_id, expected_version)
        agreement.amend(terms, effective_from, retroactive, reason, self._record_time(agreement))
        return self._save_change(agreement, request), agreement.current_terms.number

    def terminate_agreement(
        self,
        agreement_id: str,
        effective_at: datetime,
        *,
        reason: str = "",
        expected_version: int | None = None,
        request: CommandRequest | None = None,
    ) -> Appended:
        """End the agreement at effective_at."""
        agreement = self._agreement_for_change(agreement_id, expected_version)
        agreement.terminate(effective_at, reason, self._record_time(agreement))
        return self._save_change(agreement, request)

    def record_exclusion(
        self, agreement_id: str, exclusion: Exclusion, *, request: CommandRequest | None = None
    ) -> tuple[bool, int]:
        """Record an exclusion; (False, 0) when the same one was recorded before. A service
        SLA's exclusion for one customer (exclusion.customer_id) needs that customer's
        subscription. A late one waits for acknowledgement when the terms say so
        (service/app/exclusion_acknowledgements.py)."""
        agreement = self._agreement_for_change(agreement_id, None)
        self._refuse_unknown_subscriber(agreement, exclusion)
        recorded_at = self._record_time(agreement)
        late = self._app.exclusion_acknowledgements.acknowledgement_required
        if not agreement.record_exclusion(
            exclusion, recorded_at, late(agreement, exclusion, recorded_at)
        ):
            return False, 0
        return True, self._save_change(agreement, request).log_position

    def close_periods(
        self,
        agreement_id: str,
        until: datetime,
        *,
        request: CommandRequest | None = None,
        limit: int | None = None,
    ) -> ClosedPeriods:
        """Close the oldest due objective-periods of the agreement that ended by until: at most
        limit of them (by default MAX_PERIODS_PER_CLOSE, see service.app.closing_plans; for a
        service SLA, its subscribers' periods, MAX_SUBSCRIBER_PERIODS_PER_CLOSE, see
        service.app.service_closing); more_due says when more are due."""
        app = self._app
        if until > app.now():
            raise InvalidArgumentError(
                [FieldViolation("until", "periods cannot be closed before they end")]
            )
        for _ in range(MAX_RECORDING_ATTEMPTS):
            agreement = app.agreements.find_agreement(agreement_id)
            if agreement is None:
                raise NotFoundError(
                    f"agreement {agreement_id} does not exist",
                    resource_type="agreement",
                    resource_name=agreement_name(agreement_id),
                )
            plan = self._close_plan(agreement, until, limit)
            if not plan.events:
                return ClosedPeriods([], False, 0)
            once = with_outcome(request, closed=plan.closed_count, more_due=int(plan.more_due))
            try:
                recordings = app.save_events(plan.events, extras=AppendExtras(command_request=once))
            except IntegrityError:
                app.idempotency.raise_if_carried_out(request)
                continue  # a concurrent closer appended first; look again
            logged = [
                LoggedEvent(r.notification.id, e)
                for r, e in zip(recordings, plan.events, strict=True)
            ]
            return ClosedPeriods(logged, plan.more_due, plan.closed_count)
        raise VersionConflictError("concurrent closers kept closing the same periods; retry")

    def _close_plan(self, agreement: Agreement, until: datetime, limit: int | None) -> ClosePlan:
        app = self._app
        if agreement.current_terms.terms.is_service_sla:
            return plan_service_close(
                app.event_log,
                agreement,
                until,
                app.now(),
                limit or MAX_SUBSCRIBER_PERIODS_PER_CLOSE,
            )
        return plan_close(
            app.event_log, agreement, until, app.now(), limit or MAX_PERIODS_PER_CLOSE
        )

    def recalculate_period(
        self,
        agreement_id: str,
        objective_id: str,
        period_label: str,
        *,
        customer_id: str = "",
        request: CommandRequest | None = None,
    ) -> list[LoggedEvent]:
        """Re-evaluate a closed period with what is known now; the compensations appended. Reads
        only what the period needs (service.app.recalculations.period_compensations). A service
        SLA's periods are closed per subscriber: customer_id names the subscriber (and only
        then may be given), whose period stream gets the compensations."""

        def derive(now: datetime) -> list[PeriodEvent] | None:
            agreement = self._app.agreements.find_agreement(agreement_id)
            if agreement is None:
                return None
            check_subscriber_named(agreement, customer_id)
            subscription = self.subscriber(agreement, customer_id) if customer_id else None
            return period_compensations(
                self._app.event_log, agreement, subscription, objective_id, period_label, now
            )

        return self._append_derived(agreement_id, derive, request)

    def subscriber(self, service: Agreement, customer_id: str) -> Subscription:
        """The subscription of customer_id to a service SLA; InvalidArgumentError on field
        customer_id when none is named, NotFoundError when it has none."""
        check_subscriber_named(service, customer_id)
        subscription = self._app.subscriptions.find(service.agreement_id, customer_id)
        if subscription is None:
            raise NotFoundError(
                f"customer {customer_id} has no subscription to {service.agreement_id}",
                resource_type="subscription",
                resource_name=subscription_name(service.agreement_id, customer_id),
            )
        return subscription

    def _refuse_unknown_subscriber(self, agreement: Agreement, exclusion: Exclusion) -> None:
        """InvalidArgumentError on field exclusion.customer_id (with every other rule the
        exclusion breaks) when it names a customer without a subscription to the service."""
        customer_id = exclusion.customer_id
        if not (
            customer_id
            and agreement.current_terms.terms.is_service_sla
            and is_identifier(customer_id)
        ):
            return  # nothing to look up, or a rule the agreement's own checks refuse
        stream = subscription_stream(agreement.agreement_id, customer_id)
        if self._app.event_log.stream_heads([stream]):
            return
        violations = agreement.exclusion_violations(exclusion)
        violations.append(
            FieldViolation(
                "exclusion.customer_id",
                f"customer {customer_id} has no subscription to {agreement.agreement_id}",
            )
        )
        raise InvalidArgumentError(violations)

    def _agreement_for_change(self, agreement_id: str, expected_version: int | None) -> Agreement:
        agreement = self._app.agreements.find_agreement(agreement_id)
        if agreement is None:
            raise NotFoundError(
                f"agreement {agreement_id} does not exist",
                resource_type="agreement",
                resource_name=agreement_name(agreement_id),
            )
        if expected_version is not None and expected_version != agreement.version:
            raise VersionConflictError(
                f"agreement {agreement_id} is at version {agreement.version}, "
                f"not the expected {expected_version}; read it again",
                reason=Reason.EXPECTED_VERSION_MISMATCH,
            )
        return agreement

    def _append_derived(
        self,
        agreement_id: str,
        derive: Callable[[datetime], list[PeriodEvent] | None],
        request: CommandRequest | None = None,
    ) -> list[LoggedEvent]:
        app = self._app
        for _ in range(MAX_RECORDING_ATTEMPTS):
            events = derive(app.now())
            if events is None:
                raise NotFoundError(
                    f"agreement {agreement_id} does not exist",
                    resource_type="agreement",
                    resource_name=agreement_name(agreement_id),
                )
            if not events:
                return []
            try:
                recordings = app.save(*events, extras=AppendExtras(command_request=request))
            except IntegrityError:
                app.idempotency.raise_if_carried_out(request)
                continue  # a concurrent closer appended first; derive again from the log
            return [
                LoggedEvent(r.notification.id, e) for r, e in zip(recordings, events, strict=True)
            ]
        raise VersionConflictError("concurrent writers kept changing the periods; retry")

    def _record_time(self, agreement: Agreement) -> datetime:
        # Record time never goes backwards within a stream, even if the host clock does.
        return max(self._app.now(), agreement.modified_on)

    def _save_change(self, agreement: Agreement, request: CommandRequest | None) -> Appended:
        try:
            recordings = self._app.save(agreement, extras=AppendExtras(command_request=request))
        except IntegrityError:
            self._app.idempotency.raise_if_carried_out(request)
            raise VersionConflictError(
                f"agreement {agreement.agreement_id} was changed concurrently; read it again"
            ) from None
        return Appended(agreement.version, recordings[-1].notification.id)
