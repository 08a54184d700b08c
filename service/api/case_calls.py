"""The case methods of LedgerService: RecordCaseEvents, GetCase and ListCases; map, call, map."""

from __future__ import annotations

import grpc

from service.api.actor_context import as_caller
from service.api.call_groups import CallGroup
from service.api.command_inputs import case_milestones_from_proto, milestones_named_in_request
from service.api.mapping.cases import case_page_to_proto, case_to_proto
from service.api.query_inputs import case_instants, case_listing
from service.api.read_waits import log_at
from service.app.application import Clock
from service.app.case_views import RecordedCaseEvents
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb
from service.store.command_requests import CommandRecord, CommandRequest
from service.telemetry.metrics_observer import LedgerObserver


class CaseCalls(CallGroup):
    """The case methods, mixed into LedgerServicer, which sets these attributes."""

    _clock: Clock
    _page_bytes: int
    _at_risk_percent: int
    _observer: LedgerObserver

    @as_caller
    def RecordCaseEvents(  # noqa: N802
        self, request: pb.RecordCaseEventsRequest, context: grpc.ServicerContext
    ) -> pb.RecordCaseEventsResponse:
        """Record a batch of case milestones."""
        self._access.require_agreement(request.agreement_id)
        milestones = case_milestones_from_proto(request)

        def carry_out(once: CommandRequest | None) -> pb.RecordCaseEventsResponse:
            with milestones_named_in_request():
                recorded = self._app.cases.record(request.agreement_id, milestones, request=once)
            self._observer.case_milestones_ingested(recorded.new)
            return _recorded(recorded)

        def replay(record: CommandRecord) -> pb.RecordCaseEventsResponse:
            return _recorded(self._app.cases.replayed(record, len(milestones)))

        return self._once("RecordCaseEvents", request, carry_out, replay)

    def GetCase(  # noqa: N802
        self, request: pb.GetCaseRequest, context: grpc.ServicerContext
    ) -> pb.GetCaseResponse:
        """A case's timeline and clocks at as_of, as known at known_at."""
        self._access.require_agreement(request.agreement_id)
        at = case_instants(request, self._clock())
        log_at(self._app.event_log, request.min_log_position, context)
        view = self._app.cases.get_case(
            request.agreement_id, request.case_id, at.as_of, at.known_at, self._at_risk_percent
        )
        return case_to_proto(view, self._page_bytes)

    def ListCases(  # noqa: N802
        self, request: pb.ListCasesRequest, context: grpc.ServicerContext
    ) -> pb.ListCasesResponse:
        """A page of an agreement's cases with their clocks, filtered."""
        self._access.require_agreement(request.agreement_id)
        listing = case_listing(request)
        return case_page_to_proto(
            lambda size: self._app.case_list.list_cases(
                request.agreement_id, listing.where, size, listing.token, self._at_risk_percent
            ),
            listing.size,
            self._page_bytes,
        )


def _recorded(recorded: RecordedCaseEvents) -> pb.RecordCaseEventsResponse:
    return pb.RecordCaseEventsResponse(
        recorded_count=recorded.new,
        duplicate_count=recorded.duplicates,
        late_count=recorded.late,
        log_position=recorded.log_position,
    )
