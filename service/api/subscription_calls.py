"""The service-SLA methods of LedgerService: subscribing, changing tier, ending, reading and listing
subscriptions, and GetCompliance and RecalculatePeriod, which judge a tier or a subscriber of a
service SLA as well as an agreement; map, call, map."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import grpc
from google.protobuf.message import Message

from domain.errors import FieldViolation, InvalidArgumentError
from domain.subscriptions import Subscription
from projections.read_models import ReadModels
from service.api.access import CustomerScope
from service.api.actor_context import as_caller
from service.api.auth import current_identity
from service.api.command_inputs import check_recalculation
from service.api.command_replies import appended, appended_by, recalculate_reply
from service.api.mapping.results import report_to_proto
from service.api.mapping.subscriptions import subscription_to_proto
from service.api.query_inputs import compliance_instants
from service.api.read_waits import log_at
from service.api.subscription_inputs import (
    ending_from_proto,
    subscribing_from_proto,
    subscription_read,
    tier_change_from_proto,
)
from service.app.application import Clock, LedgerApplication
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.command_requests import CommandRecord, CommandRequest

Reply = TypeVar("Reply")


class SubscriptionCalls:
    """The service-SLA methods, mixed into LedgerServicer, which sets these attributes."""

    _app: LedgerApplication
    _clock: Clock
    _access: CustomerScope
    _read_models: ReadModels | None
    _page_bytes: int

    @as_caller
    def SubscribeCustomer(  # noqa: N802
        self, request: pb.SubscribeCustomerRequest, context: grpc.ServicerContext
    ) -> pb.SubscribeCustomerResponse:
        """Subscribe a customer to a service SLA."""
        self._access.require_agreement(request.agreement_id)
        s = subscribing_from_proto(self._app, request)

        def carry_out(once: CommandRequest | None) -> pb.SubscribeCustomerResponse:
            subscription, position = self._app.subscriptions.subscribe(
                request.agreement_id, s.customer, s.tier_id, s.fee, s.start, s.end, request=once
            )
            return _reply(pb.SubscribeCustomerResponse, subscription, s.start, position)

        def replay(record: CommandRecord) -> pb.SubscribeCustomerResponse:
            subscription, _ = self._app.subscriptions.carried_out(record)
            return _reply(pb.SubscribeCustomerResponse, subscription, s.start, record.last_position)

        return self._subscription_once("SubscribeCustomer", request, carry_out, replay)

    @as_caller
    def ChangeSubscriptionTier(  # noqa: N802
        self, request: pb.ChangeSubscriptionTierRequest, context: grpc.ServicerContext
    ) -> pb.ChangeSubscriptionTierResponse:
        """Move a subscription to another tier (or fee) from an instant on."""
        self._access.require_agreement(request.agreement_id)
        change = tier_change_from_proto(self._app, request)
        changed = pb.ChangeSubscriptionTierResponse

        def carry_out(once: CommandRequest | None) -> pb.ChangeSubscriptionTierResponse:
            subscription, position = self._app.subscriptions.change_tier(
                request.agreement_id,
                request.customer_id,
                request.tier_id,
                change.fee,
                change.effective_from,
                reason=request.reason,
                expected_version=change.expected_version,
                request=once,
            )
            return _reply(changed, subscription, change.effective_from, position)

        def replay(record: CommandRecord) -> pb.ChangeSubscriptionTierResponse:
            subscription, _ = self._app.subscriptions.carried_out(record)
            return _reply(changed, subscription, change.effective_from, record.last_position)

        return self._subscription_once("ChangeSubscriptionTier", request, carry_out, replay)

    @as_caller
    def EndSubscription(  # noqa: N802
        self, request: pb.EndSubscriptionRequest, context: grpc.ServicerContext
    ) -> pb.EndSubscriptionResponse:
        """End a subscription at an instant."""
        self._access.require_agreement(request.agreement_id)
        ending = ending_from_proto(self._app, request)

        def carry_out(once: CommandRequest | None) -> pb.EndSubscriptionResponse:
            subscription, position = self._app.subscriptions.end(
                request.agreement_id,
                request.customer_id,
                ending.end_at,
                reason=request.reason,
                expected_version=ending.expected_version,
                request=once,
            )
            return _reply(pb.EndSubscriptionResponse, subscription, ending.end_at, position)

        def replay(record: CommandRecord) -> pb.EndSubscriptionResponse:
            subscription, _ = self._app.subscriptions.carried_out(record)
            return _reply(
                pb.EndSubscriptionResponse, subscription, ending.end_at, record.last_position
            )

        return self._subscription_once("EndSubscription", request, carry_out, replay)

    def GetSubscription(  # noqa: N802
        self, request: pb.GetSubscriptionRequest, context: grpc.ServicerContext
    ) -> pb.GetSubscriptionResponse:
        """A customer's subscription at as_of, as known at known_at."""
        self._access.require_agreement(request.agreement_id)
        at = subscription_read(request, self._clock())
        log_at(self._app.event_log, request.min_log_position, context)
        head = self._app.event_log.head()
        subscription = self._app.subscriptions.subscription_at(
            request.agreement_id, request.customer_id, at.known_at
        )
        return pb.GetSubscriptionResponse(
            subscription=subscription_to_proto(subscription, at.as_of), log_position=head
        )

    def GetCompliance(  # noqa: N802
        self, request: pb.GetComplianceRequest, context: grpc.ServicerContext
    ) -> pb.GetComplianceResponse:
        """The compliance report at as_of, as known at known_at."""
        self._access.require_agreement(request.agreement_id)
        at = compliance_instants(request, self._clock())
        log_at(self._app.event_log, request.min_log_position, context)
        report, position = self._app.compliance.report(
            request.agreement_id, request.objective_id, at.as_of, at.known_at, self._read_models
        )
        return pb.GetComplianceResponse(report=report_to_proto(report), log_position=position)

    @as_caller
    def RecalculatePeriod(  # noqa: N802
        self, request: pb.RecalculatePeriodRequest, context: grpc.ServicerContext
    ) -> pb.RecalculatePeriodResponse:
        """Re-evaluate a closed period and append compensations."""
        self._access.require_agreement(request.agreement_id)
        check_recalculation(self._app, request)

        def carry_out(once: CommandRequest | None) -> pb.RecalculatePeriodResponse:
            events = self._app.commands.recalculate_period(
                request.agreement_id, request.objective_id, request.period_label, request=once
            )
            return recalculate_reply(appended(events))

        def replay(record: CommandRecord) -> pb.RecalculatePeriodResponse:
            return recalculate_reply(appended_by(self._app, record))

        return self._subscription_once("RecalculatePeriod", request, carry_out, replay)

    def _subscription_once(
        self,
        method: str,
        message: Message,
        carry_out: Callable[[CommandRequest | None], Reply],
        replay: Callable[[CommandRecord], Reply],
    ) -> Reply:
        return self._app.idempotency.carry_out_once(
            method, message, current_identity.get(), carry_out, replay
        )


Response = TypeVar(
    "Response",
    pb.SubscribeCustomerResponse,
    pb.ChangeSubscriptionTierResponse,
    pb.EndSubscriptionResponse,
)


def _reply(
    response: type[Response], subscription: Subscription, as_of: datetime, position: int
) -> Response:
    return response(subscription=subscription_to_proto(subscription, as_of), log_position=position)


def _refused(field: str, description: str) -> InvalidArgumentError:
    return InvalidArgumentError([FieldViolation(field, description)])
