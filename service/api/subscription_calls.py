"""The service-SLA methods of LedgerService: subscribing, changing tier, ending, reading and listing
subscriptions, and GetCompliance and RecalculatePeriod, which judge a tier or a subscriber of a
service SLA as well as an agreement; map, call, map."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

import grpc

from domain.errors import unknown_agreement
from domain.subscriptions import Subscription
from projections.read_models import ReadModels
from projections.subscription_views import customer_subscriptions, service_subscriptions
from service.api.access import require_customer
from service.api.actor_context import as_caller
from service.api.call_groups import CallGroup
from service.api.command_inputs import check_recalculation
from service.api.command_replies import appended, appended_by, recalculate_reply
from service.api.listing_pages import fingerprint
from service.api.mapping.disputes import mark_open_disputes
from service.api.mapping.period_history import closed_into_report
from service.api.mapping.results import report_to_proto
from service.api.mapping.subscriptions import subscription_to_proto
from service.api.query_inputs import compliance_instants
from service.api.read_waits import log_at, models_at
from service.api.subscription_inputs import (
    check_compliance_subject,
    check_recalculation_customer,
    check_service_subject,
    ending_from_proto,
    subscribing_from_proto,
    subscription_read,
    subscriptions_page,
    tier_change_from_proto,
)
from service.api.subscription_pages import own_subscriptions, subscription_page
from service.app.application import Clock
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.command_requests import CommandRecord, CommandRequest


class SubscriptionCalls(CallGroup):
    """The service-SLA methods, mixed into LedgerServicer, which sets these attributes."""

    _clock: Clock
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

        return self._once("SubscribeCustomer", request, carry_out, replay)

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

        return self._once("ChangeSubscriptionTier", request, carry_out, replay)

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

        return self._once("EndSubscription", request, carry_out, replay)

    def GetSubscription(  # noqa: N802
        self, request: pb.GetSubscriptionRequest, context: grpc.ServicerContext
    ) -> pb.GetSubscriptionResponse:
        """A customer's subscription at as_of, as known at known_at."""
        self._access.subscriber_view(request.agreement_id)
        require_customer(request.customer_id, "customer_id")
        at = subscription_read(request, self._clock())
        log_at(self._app.event_log, request.min_log_position, context)
        head = self._app.event_log.head()
        subscription = self._app.subscriptions.subscription_at(
            request.agreement_id, request.customer_id, at.known_at
        )
        return pb.GetSubscriptionResponse(
            subscription=subscription_to_proto(subscription, at.as_of), log_position=head
        )

    def ListSubscriptions(  # noqa: N802
        self, request: pb.ListSubscriptionsRequest, context: grpc.ServicerContext
    ) -> pb.ListSubscriptionsResponse:
        """A page of a service SLA's subscriptions as known now, optionally of one tier (a
        subscriber's token: its own only)."""
        view = self._access.subscriber_view(request.agreement_id)
        wanted = subscriptions_page(request)
        if self._app.agreements.find_agreement(request.agreement_id) is None:
            raise unknown_agreement(request.agreement_id)
        models = models_at(self._read_models, request.min_log_position, context)
        position, now = models.position(), self._clock()
        a, tier_id = request.agreement_id, request.tier_id
        page, token = subscription_page(
            lambda after, limit: (
                service_subscriptions(
                    models.engine, a, tier_id=tier_id, after=after, limit=limit, as_of=now
                )
                if view is None
                else own_subscriptions(models.engine, a, view, tier_id, now, after)
            ),
            lambda row: row.customer_id,
            request.page_token,
            fingerprint("subscriptions", (a, tier_id)),
            wanted.size,
            self._page_bytes,
            now,
        )
        return pb.ListSubscriptionsResponse(
            subscriptions=page, next_page_token=token, log_position=position
        )

    def ListCustomerSubscriptions(  # noqa: N802
        self, request: pb.ListCustomerSubscriptionsRequest, context: grpc.ServicerContext
    ) -> pb.ListCustomerSubscriptionsResponse:
        """A page of one customer's subscriptions across services, as known now."""
        require_customer(request.customer_id, "customer_id")
        wanted = subscriptions_page(request)
        models = models_at(self._read_models, request.min_log_position, context)
        position, customer_id = models.position(), request.customer_id
        page, token = subscription_page(
            lambda after, limit: customer_subscriptions(
                models.engine, customer_id, after=after, limit=limit
            ),
            lambda row: row.agreement_id,
            request.page_token,
            fingerprint("customer-subscriptions", customer_id),
            wanted.size,
            self._page_bytes,
            self._clock(),
        )
        return pb.ListCustomerSubscriptionsResponse(
            subscriptions=page, next_page_token=token, log_position=position
        )

    def GetCompliance(  # noqa: N802
        self, request: pb.GetComplianceRequest, context: grpc.ServicerContext
    ) -> pb.GetComplianceResponse:
        """The compliance report at as_of, as known at known_at: of an agreement, or of a tier
        or a subscriber of a service SLA."""
        view = self._access.subscriber_view(request.agreement_id)
        check_compliance_subject(request)
        if view is not None:
            self._access.require_subscriber_subject(
                request.agreement_id, view, request.tier_id, request.customer_id
            )
        at = compliance_instants(request, self._clock())
        self._check_service_subject(
            request.agreement_id, request.tier_id, request.customer_id, required="tier_id"
        )
        log_at(self._app.event_log, request.min_log_position, context)
        a, o, models = request.agreement_id, request.objective_id, self._read_models
        if request.customer_id:
            subscription = self._app.subscriptions.subscription_at(
                a, request.customer_id, at.known_at
            )
            report, position = self._app.compliance.subscriber_report(
                a, request.customer_id, o, at.as_of, at.known_at, models
            )
            tier_id = subscription.terms_at(at.as_of).tier_id
        elif request.tier_id:
            report, position = self._app.compliance.tier_report(
                a, request.tier_id, o, at.as_of, at.known_at, models
            )
            tier_id = request.tier_id
        else:
            report, position = self._app.compliance.report(a, o, at.as_of, at.known_at, models)
            tier_id = ""
        message = report_to_proto(report)
        positions = self._app.compliance.close_positions(report, position)
        closed_into_report(
            message, [(o.objective_id, o.closed) for o in report.objectives], positions
        )
        message.tier_id, message.customer_id = tier_id, request.customer_id
        if not request.tier_id:
            disputes = self._app.disputes.open_at(a, request.customer_id, at.known_at, position)
            mark_open_disputes(message, disputes)
        return pb.GetComplianceResponse(report=message, log_position=position)

    @as_caller
    def RecalculatePeriod(  # noqa: N802
        self, request: pb.RecalculatePeriodRequest, context: grpc.ServicerContext
    ) -> pb.RecalculatePeriodResponse:
        """Re-evaluate a closed period (of an agreement, or of a subscriber of a service SLA)
        and append compensations."""
        self._access.require_agreement(request.agreement_id)
        check_recalculation_customer(request)
        check_recalculation(self._app, request)
        self._check_service_subject(
            request.agreement_id, "", request.customer_id, required="customer_id"
        )

        def carry_out(once: CommandRequest | None) -> pb.RecalculatePeriodResponse:
            events = self._app.commands.recalculate_period(
                request.agreement_id,
                request.objective_id,
                request.period_label,
                customer_id=request.customer_id,
                request=once,
            )
            return recalculate_reply(appended(events))

        def replay(record: CommandRecord) -> pb.RecalculatePeriodResponse:
            return recalculate_reply(appended_by(self._app, record))

        return self._once("RecalculatePeriod", request, carry_out, replay)

    def _check_service_subject(
        self, agreement_id: str, tier_id: str, customer_id: str, *, required: str
    ) -> None:
        """check_service_subject of this server's application."""
        check_service_subject(self._app, agreement_id, tier_id, customer_id, required=required)


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
