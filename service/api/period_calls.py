"""ListPeriodResults: closed objective-periods with their final results, as known at known_at."""

from __future__ import annotations

import grpc

from domain.agreement import Agreement
from domain.disputes import SubjectKind
from domain.period_history import PeriodOutcome, judged_indicator
from projections.period_listing import PeriodKey
from projections.read_models import ReadModels
from service.api.call_groups import CallGroup
from service.api.mapping.period_history import outcome_to_proto
from service.api.period_inputs import PeriodListing, period_listing
from service.api.read_waits import models_at
from service.app.application import Clock
from service.generated.sla.ledger.v1 import period_history_pb2 as history_pb
from service.store.event_limits import item_bytes


class PeriodResultCalls(CallGroup):
    """The period-history read."""

    _clock: Clock
    _read_models: ReadModels | None
    _page_bytes: int

    def ListPeriodResults(  # noqa: N802
        self, request: history_pb.ListPeriodResultsRequest, context: grpc.ServicerContext
    ) -> history_pb.ListPeriodResultsResponse:
        """A page of closed periods of an agreement or of a customer, by window start, then
        agreement, customer and objective (customer tokens: their own customers only)."""
        listing = period_listing(request, self._clock())
        self._access.require_listing(request.agreement_id, request.customer_id)
        models = models_at(self._read_models, request.min_log_position, context)
        position = models.position()
        found = self._app.period_history.page(
            models.engine, listing.where, listing.after, listing.size, listing.known_at, position
        )
        reply = history_pb.ListPeriodResultsResponse(log_position=position)
        disputes = self._open_disputes({k.agreement_id for k, _ in found}, listing, position)
        agreements: dict[str, Agreement] = {}
        last: PeriodKey | None = None
        used = 0  # the bytes of the periods in the reply (its other fields are in the reserve)
        for key, outcome in found[: listing.size]:
            agreement = agreements.get(key.agreement_id)
            if agreement is None:
                agreement = self._app.agreements.find_agreement(key.agreement_id)
                assert agreement is not None  # a period is closed only on a signed agreement
                agreements[key.agreement_id] = agreement
            message = outcome_to_proto(
                outcome,
                key.customer_id,
                judged_indicator(agreement, outcome),
                disputes.get(_period_of(outcome), ()),
            )
            size = item_bytes(message.ByteSize())
            if reply.periods and used + size > self._page_bytes:
                break
            used += size
            reply.periods.append(message)
            last = key
        shown = len(reply.periods)
        if last is not None and shown < len(found):
            reply.next_page_token = listing.next_token(last)
        return reply

    def _open_disputes(
        self, agreement_ids: set[str], listing: PeriodListing, position: int
    ) -> dict[tuple[str, str, str, str], list[str]]:
        """The disputes of the agreements' periods open at known_at, by (agreement, period
        customer, objective, label)."""
        found: dict[tuple[str, str, str, str], list[str]] = {}
        for agreement_id in sorted(agreement_ids):
            for record in self._app.disputes.open_at(agreement_id, "", listing.known_at, position):
                subject = record.subject
                if subject.kind is SubjectKind.EXCLUSION:
                    continue
                key = (
                    agreement_id,
                    subject.customer_id,
                    subject.objective_id,
                    subject.period_label,
                )
                found.setdefault(key, []).append(record.dispute_id)
        return found


def _period_of(outcome: PeriodOutcome) -> tuple[str, str, str, str]:
    return (outcome.agreement_id, outcome.customer_id, outcome.objective_id, outcome.period_label)
