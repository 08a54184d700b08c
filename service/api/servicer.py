"""The LedgerService servicer: proto in, application call, proto out."""

from __future__ import annotations

from collections.abc import Iterator

import grpc

from projections.credit_balance_queries import balances_by_state, balances_now
from projections.queries import credit_balances, list_breaches, list_credits
from projections.read_models import ReadModels
from service.api.access import CustomerScope, require_customer, require_whole_ledger
from service.api.actor_context import as_caller
from service.api.case_calls import CaseCalls
from service.api.claim_calls import ClaimCalls
from service.api.command_inputs import (
    amendment_from_proto,
    closing_from_proto,
    exclusion_input,
    readings_from_proto,
    signing_from_proto,
    termination_from_proto,
)
from service.api.command_replies import (
    appended,
    close_replay,
    close_reply,
    first_event,
    measured_counts,
)
from service.api.directory_calls import DirectoryCalls
from service.api.dispute_calls import DisputeCalls, with_open_disputes
from service.api.event_filters import events_listing
from service.api.event_pages import both, event_page
from service.api.exclusion_calls import ExclusionCalls
from service.api.mapping.chain import digest_to_proto
from service.api.mapping.exclusion_standing import exclusions_into_proto
from service.api.mapping.read_models import balances_to_proto, breach_to_proto, credit_to_proto
from service.api.mapping.scalars import instant_to_proto
from service.api.mapping.terms import standing_to_proto
from service.api.period_calls import PeriodResultCalls
from service.api.query_inputs import (
    balance_instants,
    breach_listing,
    credit_listing,
    read_instants,
    verify_range,
)
from service.api.read_waits import audit_if_asked, models_at
from service.api.series_calls import SeriesCalls
from service.api.subscriber_events import subscriber_events
from service.api.subscription_calls import SubscriptionCalls
from service.api.subscriptions import EventStreams
from service.app.application import Clock, LedgerApplication
from service.config import DEFAULT_CASE_AT_RISK_PERCENT
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.generated.sla.ledger.v1 import ledger_service_pb2_grpc as pb_grpc
from service.store.command_requests import CommandRecord, CommandRequest
from service.store.event_limits import DEFAULT_MAX_MESSAGE_BYTES, page_bytes
from service.telemetry.metrics_observer import LedgerObserver


class LedgerServicer(
    CaseCalls,
    SubscriptionCalls,
    ClaimCalls,
    ExclusionCalls,
    DisputeCalls,
    DirectoryCalls,
    PeriodResultCalls,
    SeriesCalls,
    pb_grpc.LedgerServiceServicer,
):
    """Serves sla.ledger.v1.LedgerService from a LedgerApplication (the case methods:
    CaseCalls; subscriptions, compliance and recalculation: SubscriptionCalls; disputes:
    DisputeCalls)."""

    def __init__(
        self,
        app: LedgerApplication,
        clock: Clock,
        streams: EventStreams,
        read_models: ReadModels | None = None,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        case_at_risk_percent: int = DEFAULT_CASE_AT_RISK_PERCENT,
        observer: LedgerObserver | None = None,
    ) -> None:
        self._app = app
        self._observer = observer or LedgerObserver()
        self._clock = clock
        self._access = CustomerScope(app.agreements.customer_of, app.subscriptions.find)
        self._streams = streams
        self._read_models = read_models
        self._page_bytes = page_bytes(max_message_bytes)
        self._at_risk_percent = case_at_risk_percent

    def ListBreaches(  # noqa: N802
        self, request: pb.ListBreachesRequest, context: grpc.ServicerContext
    ) -> pb.ListBreachesResponse:
        """A page of the breaches projection."""
        self._access.require_listing(request.agreement_id, request.customer_id)
        listing = breach_listing(request)
        models = models_at(self._read_models, request.min_log_position, context)
        position = models.position()
        rows = list_breaches(models.engine, listing.where, listing.after(), listing.page.size)
        return pb.ListBreachesResponse(
            breaches=with_open_disputes(models.engine, [breach_to_proto(r) for r in rows]),
            log_position=position,
            next_page_token=listing.next_token(rows),
        )

    def ListCredits(  # noqa: N802
        self, request: pb.ListCreditsRequest, context: grpc.ServicerContext
    ) -> pb.ListCreditsResponse:
        """A page of the credit ledger."""
        self._access.require_listing(request.agreement_id, request.customer_id)
        listing = credit_listing(request)
        models = models_at(self._read_models, request.min_log_position, context)
        position = models.position()
        rows = list_credits(models.engine, listing.where, listing.after(), listing.page.size)
        return pb.ListCreditsResponse(
            credits=with_open_disputes(models.engine, [credit_to_proto(r) for r in rows]),
            log_position=position,
            next_page_token=listing.next_token(rows),
        )

    def GetCreditBalance(  # noqa: N802
        self, request: pb.GetCreditBalanceRequest, context: grpc.ServicerContext
    ) -> pb.GetCreditBalanceResponse:
        """Net credits and bonuses, and credits by state at as_of as known at known_at, per
        customer and currency."""
        require_customer(request.customer_id, "customer_id")
        at = balance_instants(request, self._clock())
        models = models_at(self._read_models, request.min_log_position, context)
        position = models.position()
        customer, currency = request.customer_id, request.currency_code
        lines = credit_balances(models.engine, customer, currency)
        if request.HasField("as_of") or request.HasField("known_at"):
            by_state = balances_by_state(models.engine, at.as_of, at.known_at, customer, currency)
        else:  # now: every event the read model holds, summed from the credits' states
            by_state = balances_now(models.engine, customer, currency)
        return pb.GetCreditBalanceResponse(
            balances=balances_to_proto(lines, by_state), log_position=position
        )

    def SubscribeEvents(  # noqa: N802
        self, request: pb.SubscribeEventsRequest, context: grpc.ServicerContext
    ) -> Iterator[pb.SubscribeEventsResponse]:
        """Follow the log from a position."""
        self._access.require_subscription(request)
        return self._streams.stream(request, context)

    @as_caller
    def SignAgreement(  # noqa: N802
        self, request: pb.SignAgreementRequest, context: grpc.ServicerContext
    ) -> pb.SignAgreementResponse:
        """Sign a new agreement."""
        require_customer(request.terms.customer.party_id, "terms.customer")
        signing = signing_from_proto(self._app, request)

        def carry_out(once: CommandRequest | None) -> pb.SignAgreementResponse:
            standing, position = self._app.commands.sign_agreement(
                request.agreement_id, signing.terms, signing.signed_at, request=once
            )
            return pb.SignAgreementResponse(
                agreement=standing_to_proto(standing), log_position=position
            )

        def replay(record: CommandRecord) -> pb.SignAgreementResponse:
            standing, position = self._app.idempotency.signing(record)
            return pb.SignAgreementResponse(
                agreement=standing_to_proto(standing), log_position=position
            )

        return self._once("SignAgreement", request, carry_out, replay)

    @as_caller
    def AmendAgreement(  # noqa: N802
        self, request: pb.AmendAgreementRequest, context: grpc.ServicerContext
    ) -> pb.AmendAgreementResponse:
        """Replace an agreement's terms from an effective instant."""
        require_customer(request.terms.customer.party_id, "terms.customer")
        self._access.require_agreement(request.agreement_id)
        amendment = amendment_from_proto(self._app, request)

        def carry_out(once: CommandRequest | None) -> pb.AmendAgreementResponse:
            appended, terms_version = self._app.commands.amend_agreement(
                request.agreement_id,
                amendment.terms,
                amendment.effective_from,
                retroactive=request.retroactive,
                reason=request.reason,
                expected_version=amendment.expected_version,
                request=once,
            )
            return pb.AmendAgreementResponse(
                version=appended.version,
                terms_version=terms_version,
                log_position=appended.log_position,
            )

        def replay(record: CommandRecord) -> pb.AmendAgreementResponse:
            amended = first_event(self._app, record)
            return pb.AmendAgreementResponse(
                version=amended.event.originator_version,
                terms_version=amended.event.terms_version,
                log_position=amended.position,
            )

        return self._once("AmendAgreement", request, carry_out, replay)

    @as_caller
    def TerminateAgreement(  # noqa: N802
        self, request: pb.TerminateAgreementRequest, context: grpc.ServicerContext
    ) -> pb.TerminateAgreementResponse:
        """End an agreement."""
        self._access.require_agreement(request.agreement_id)
        termination = termination_from_proto(self._app, request)

        def carry_out(once: CommandRequest | None) -> pb.TerminateAgreementResponse:
            appended = self._app.commands.terminate_agreement(
                request.agreement_id,
                termination.effective_at,
                reason=request.reason,
                expected_version=termination.expected_version,
                request=once,
            )
            return pb.TerminateAgreementResponse(
                version=appended.version, log_position=appended.log_position
            )

        def replay(record: CommandRecord) -> pb.TerminateAgreementResponse:
            terminated = first_event(self._app, record)
            return pb.TerminateAgreementResponse(
                version=terminated.event.originator_version, log_position=terminated.position
            )

        return self._once("TerminateAgreement", request, carry_out, replay)

    @as_caller
    def RecordMeasurements(  # noqa: N802
        self, request: pb.RecordMeasurementsRequest, context: grpc.ServicerContext
    ) -> pb.RecordMeasurementsResponse:
        """Record a batch of readings."""
        self._access.require_agreement(request.agreement_id)
        batch = readings_from_proto(self._app, request)

        def carry_out(once: CommandRequest | None) -> pb.RecordMeasurementsResponse:
            with batch.named_in_request():
                result = self._app.ingest.record_measurements(
                    request.agreement_id, batch.readings, request=once
                )
            self._observer.readings_ingested(result.recorded_count)
            return pb.RecordMeasurementsResponse(
                recorded_count=result.recorded_count,
                duplicate_count=result.duplicate_count,
                log_position=result.log_position,
                late_count=result.late_count,
            )

        def replay(record: CommandRecord) -> pb.RecordMeasurementsResponse:
            recorded, late = measured_counts(self._app, record)
            return pb.RecordMeasurementsResponse(
                recorded_count=recorded,
                duplicate_count=len(batch.readings) - recorded,
                log_position=record.last_position,
                late_count=late,
            )

        return self._once("RecordMeasurements", request, carry_out, replay)

    def GetAgreement(  # noqa: N802
        self, request: pb.GetAgreementRequest, context: grpc.ServicerContext
    ) -> pb.GetAgreementResponse:
        """The agreement in force at as_of, as known at known_at."""
        view = self._access.subscriber_view(request.agreement_id)
        at = read_instants(request, self._clock())
        head = self._app.event_log.head()
        standing = self._app.agreements.agreement_at(request.agreement_id, at.as_of, at.known_at)
        reply = pb.GetAgreementResponse(agreement=standing_to_proto(standing), log_position=head)
        exclusions_into_proto(standing.exclusions, reply.exclusions, view)
        return reply

    def ListEvents(  # noqa: N802
        self, request: pb.ListEventsRequest, context: grpc.ServicerContext
    ) -> pb.ListEventsResponse:
        """A page of the audit trail in log order, cut by count and by bytes."""
        view = None
        if request.agreement_id:
            view = self._access.subscriber_view(request.agreement_id)
        else:
            require_whole_ledger()
        wanted = events_listing(request)
        page = event_page(
            self._app,
            request.agreement_id,
            wanted.after,
            wanted.size,
            self._page_bytes,
            both(
                None if view is None else subscriber_events(view),
                wanted.where.keeps(request.agreement_id),
            ),
            wanted.scan,
            wanted.where.topics(request.agreement_id),
        )
        return pb.ListEventsResponse(
            events=page.events,
            log_position=self._app.event_log.head(),
            next_page_token=page.next_token(wanted.bound),
        )

    @as_caller
    def RecordExclusion(  # noqa: N802
        self, request: pb.RecordExclusionRequest, context: grpc.ServicerContext
    ) -> pb.RecordExclusionResponse:
        """Record an exclusion."""
        self._access.require_agreement(request.agreement_id)
        exclusion = exclusion_input(self._app, request)

        def carry_out(once: CommandRequest | None) -> pb.RecordExclusionResponse:
            recorded, position = self._app.commands.record_exclusion(
                request.agreement_id, exclusion, request=once
            )
            return pb.RecordExclusionResponse(recorded=recorded, log_position=position)

        def replay(record: CommandRecord) -> pb.RecordExclusionResponse:
            return pb.RecordExclusionResponse(recorded=True, log_position=record.last_position)

        return self._once("RecordExclusion", request, carry_out, replay)

    @as_caller
    def ClosePeriod(  # noqa: N802
        self, request: pb.ClosePeriodRequest, context: grpc.ServicerContext
    ) -> pb.ClosePeriodResponse:
        """Close every due objective-period of an agreement."""
        self._access.require_agreement(request.agreement_id)
        closing = closing_from_proto(request)

        def carry_out(once: CommandRequest | None) -> pb.ClosePeriodResponse:
            closed = self._app.commands.close_periods(
                request.agreement_id, closing.until_or(self._clock), request=once
            )
            return close_reply(appended(closed.events), closed.more_due, closed.closed_count)

        def replay(record: CommandRecord) -> pb.ClosePeriodResponse:
            return close_replay(self._app, record)

        return self._once("ClosePeriod", request, carry_out, replay)

    def GetLedgerDigest(  # noqa: N802
        self, request: pb.GetLedgerDigestRequest, context: grpc.ServicerContext
    ) -> pb.GetLedgerDigestResponse:
        """The head of the hash chain, and when its last event was recorded (any reading token,
        a customer-scoped one included: a statement names the digest it reflects)."""
        digest = self._app.audit.ledger_digest()
        reply = pb.GetLedgerDigestResponse(digest=digest_to_proto(digest))
        recorded_at = self._app.audit.recorded_at(digest)
        if recorded_at is not None:
            reply.recorded_at.CopyFrom(instant_to_proto(recorded_at))
        return reply

    def VerifyLedger(  # noqa: N802
        self, request: pb.VerifyLedgerRequest, context: grpc.ServicerContext
    ) -> pb.VerifyLedgerResponse:
        """Recompute the hash chain over a range and report the first position that differs."""
        require_whole_ledger()
        span = verify_range(request)
        result = self._app.audit.verify_ledger(
            span.after_position, span.up_to_position, span.expected
        )
        return pb.VerifyLedgerResponse(
            ok=result.ok,
            first_bad_position=result.first_bad_position,
            problem=result.problem,
            digest=digest_to_proto(result.digest),
            read_models=audit_if_asked(self._read_models, request.read_models),
        )
