"""Customers' subscriptions to service SLAs: subscribing, changing tier and ending, and reads.

The rules are the domain's (domain/subscriptions.py). One stream per service and customer,
agreement:<id>/customer:<customer>, so a customer holds one subscription to a service: a second
one is refused, as ALREADY_EXISTS when it would overlap the first, and as FAILED_PRECONDITION
when the first ended before the new start (re-subscribing after an end is not supported). The
store's unique (stream, version) keeps this true whatever the races. Business instants (start,
end, a tier change's effective instant) may lie in the past or the future; record time never
goes backwards within a subscription's stream. Request ids make a command safe to retry, as for
every command (service/app/commands.py); a retry that meets its own first call's effect (the
stream begun, the tier changed, the end recorded) is answered as that call was.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, cast

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.agreement import Agreement
from domain.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    LedgerError,
    NotFoundError,
    Reason,
    VersionConflictError,
    unknown_agreement,
)
from domain.identifiers import is_identifier, subscription_stream
from domain.known_at import recorded_by
from domain.resource_names import subscription_name
from domain.subscriptions import Subscription, replay_subscription
from domain.terms import Fee, Party
from service.store.command_requests import CommandRecord, CommandRequest
from service.store.ledger_recorder import AppendExtras

if TYPE_CHECKING:
    from service.app.application import LedgerApplication


class Subscriptions:
    """Subscribe customers to a service SLA, change their tier, end their subscription."""

    def __init__(self, app: LedgerApplication) -> None:
        self._app = app

    def subscribe(
        self,
        agreement_id: str,
        customer: Party,
        tier_id: str,
        fee: Fee,
        start: datetime,
        end: datetime | None,
        *,
        request: CommandRequest | None = None,
    ) -> tuple[Subscription, int]:
        """Subscribe a customer to a service SLA on a tier; the subscription and the log
        position of its first event."""
        with self._answered_once(request):
            service = self._service(agreement_id)
            subscription = Subscription.subscribe(
                service, customer, tier_id, fee, start, end, recorded_at=self._app.now()
            )
            existing = self.find(agreement_id, customer.party_id)
            if existing is not None:
                raise _second_subscription(existing, start)
            try:
                recordings = self._app.save(
                    subscription, extras=AppendExtras(command_request=request)
                )
            except IntegrityError:
                self._app.idempotency.raise_if_carried_out(request)
                concurrent = self.find(agreement_id, customer.party_id)
                if concurrent is None:  # pragma: no cover - a conflict leaves the stream begun
                    raise
                raise _second_subscription(concurrent, start) from None
        return subscription, recordings[-1].notification.id

    def change_tier(
        self,
        agreement_id: str,
        customer_id: str,
        tier_id: str,
        fee: Fee | None,
        effective_from: datetime,
        *,
        reason: str = "",
        expected_version: int | None = None,
        request: CommandRequest | None = None,
    ) -> tuple[Subscription, int]:
        """Move a subscription to another tier (and fee; None keeps the fee in force) from
        effective_from on; the subscription and the log position of the change."""
        with self._answered_once(request):
            service = self._service(agreement_id)
            subscription = self._for_change(agreement_id, customer_id, expected_version)
            subscription.change_tier(
                service, tier_id, fee, effective_from, reason, self._record_time(subscription)
            )
            return subscription, self._save_change(subscription, request)

    def end(
        self,
        agreement_id: str,
        customer_id: str,
        end_at: datetime,
        *,
        reason: str = "",
        expected_version: int | None = None,
        request: CommandRequest | None = None,
    ) -> tuple[Subscription, int]:
        """End a subscription at end_at; the subscription and the log position of the end."""
        with self._answered_once(request):
            self._service(agreement_id)
            subscription = self._for_change(agreement_id, customer_id, expected_version)
            subscription.end_subscription(end_at, reason, self._record_time(subscription))
            return subscription, self._save_change(subscription, request)

    def find(self, agreement_id: str, customer_id: str) -> Subscription | None:
        """The customer's subscription to the service as recorded now; None when there is
        none."""
        if not (is_identifier(agreement_id) and is_identifier(customer_id)):
            return None
        try:
            return cast(
                Subscription,
                self._app.repository.get(subscription_stream(agreement_id, customer_id)),
            )
        except AggregateNotFoundError:
            return None

    def subscription_at(
        self, agreement_id: str, customer_id: str, known_at: datetime
    ) -> Subscription:
        """The customer's subscription to the service from the events recorded by known_at;
        NotFoundError when none was recorded by then."""
        events: Iterable[Subscription.Event] = []
        if is_identifier(agreement_id) and is_identifier(customer_id):
            stream = subscription_stream(agreement_id, customer_id)
            events = cast(Iterable[Subscription.Event], self._app.events.get(stream))
        subscription = replay_subscription(
            list(itertools.takewhile(lambda e: recorded_by(e, known_at), events))
        )
        if subscription is None:
            raise NotFoundError(
                f"customer {customer_id} had no subscription to {agreement_id} recorded by "
                f"{known_at.isoformat()}",
                resource_type="subscription",
                resource_name=subscription_name(agreement_id, customer_id),
            )
        return subscription

    def carried_out(self, record: CommandRecord) -> tuple[Subscription, int]:
        """The subscription as a recorded subscribe, tier change or end left it, and the log
        position of its last event: the reply a retry of that request gets."""
        last = self._app.event_log.event_at(record.last_position)
        stream = str(last.event.originator_id)
        notifications = self._app.event_log.stream_notifications([stream])
        events = [
            self._app.event_log.decode(n) for n in notifications if n.id <= record.last_position
        ]
        subscription = replay_subscription(events)
        assert subscription is not None
        return subscription, record.last_position

    @contextmanager
    def _answered_once(self, request: CommandRequest | None) -> Iterator[None]:
        """A refusal met by a retry whose request was carried out meanwhile (the stream begun,
        the version moved on) becomes that request's answer (RequestCarriedOutError)."""
        try:
            yield
        except LedgerError:
            self._app.idempotency.raise_if_carried_out(request)
            raise

    def _service(self, agreement_id: str) -> Agreement:
        service = self._app.agreements.find_agreement(agreement_id)
        if service is None:
            raise unknown_agreement(agreement_id)
        return service

    def _for_change(
        self, agreement_id: str, customer_id: str, expected_version: int | None
    ) -> Subscription:
        subscription = self.find(agreement_id, customer_id)
        if subscription is None:
            raise NotFoundError(
                f"customer {customer_id} has no subscription to {agreement_id}",
                resource_type="subscription",
                resource_name=subscription_name(agreement_id, customer_id),
            )
        if expected_version is not None and expected_version != subscription.version:
            raise VersionConflictError(
                f"the subscription of {customer_id} to {agreement_id} is at version "
                f"{subscription.version}, not the expected {expected_version}; read it again",
                reason=Reason.EXPECTED_VERSION_MISMATCH,
            )
        return subscription

    def _record_time(self, subscription: Subscription) -> datetime:
        # Record time never goes backwards within a stream, even if the host clock does.
        return max(self._app.now(), subscription.modified_on)

    def _save_change(self, subscription: Subscription, request: CommandRequest | None) -> int:
        try:
            recordings = self._app.save(subscription, extras=AppendExtras(command_request=request))
        except IntegrityError:
            self._app.idempotency.raise_if_carried_out(request)
            raise VersionConflictError(
                f"the subscription of {subscription.customer_id} to "
                f"{subscription.agreement_id} was changed concurrently; read it again"
            ) from None
        return recordings[-1].notification.id


def _second_subscription(existing: Subscription, start: datetime) -> LedgerError:
    """The refusal of a second subscription of a customer to a service, beside existing."""
    who = f"customer {existing.customer_id}"
    service = existing.agreement_id
    end = existing.end
    if end is not None and end <= start:
        return FailedPreconditionError(
            f"the subscription of {who} to {service} ended at {end.isoformat()}, before the "
            f"new start {start.isoformat()}: re-subscription after an end is not supported "
            "(one subscription per customer per service)",
            reason=Reason.SUBSCRIPTION_ENDED,
        )
    until = f"until {end.isoformat()}" if end is not None else "with no end"
    return AlreadyExistsError(
        f"{who} already subscribes to {service} (from {existing.start.isoformat()} {until}): "
        "the new subscription overlaps it; change its tier or end it instead"
    )
