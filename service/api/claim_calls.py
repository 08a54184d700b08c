"""The claim lifecycle methods of LedgerService: ClaimCredit, DecideClaim, SettleCredits; map,
check the caller's scope, call the application, map the credit back."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from domain.credit_lifecycle import CreditState
from service.api.actor_context import as_caller
from service.api.call_groups import CallGroup
from service.api.claim_inputs import claiming_from_proto, deciding_from_proto, settling_from_proto
from service.api.mapping.claims import money_into_proto
from service.app.claims import CreditKey
from service.generated.sla.ledger.v1 import claims_pb2
from service.store.command_requests import CommandRecord, CommandRequest


class ClaimCalls(CallGroup):
    """The claim methods, mixed into LedgerServicer, which sets these attributes."""

    @as_caller
    def ClaimCredit(  # noqa: N802
        self, request: claims_pb2.ClaimCreditRequest, context: grpc.ServicerContext
    ) -> claims_pb2.ClaimCreditResponse:
        """Claim a claim-driven credit's eligible amount."""
        claiming = claiming_from_proto(request)
        self._require(claiming.credit)

        def carry_out(once: CommandRequest | None) -> claims_pb2.ClaimCreditResponse:
            after = self._app.claims.claim(
                claiming.credit,
                request.claim_reference,
                request.evidence,
                expected_version=claiming.expected_version,
                request=once,
            )
            return claims_pb2.ClaimCreditResponse(
                credit=standing_to_proto(after.state), log_position=after.log_position
            )

        def replay(record: CommandRecord) -> claims_pb2.ClaimCreditResponse:
            [state] = self._app.claims.carried_out(record, [claiming.credit])
            return claims_pb2.ClaimCreditResponse(
                credit=standing_to_proto(state), log_position=record.last_position
            )

        return self._once("ClaimCredit", request, carry_out, replay)

    @as_caller
    def DecideClaim(  # noqa: N802
        self, request: claims_pb2.DecideClaimRequest, context: grpc.ServicerContext
    ) -> claims_pb2.DecideClaimResponse:
        """Decide a credit's open claim: approve an amount, deny the rest."""
        deciding = deciding_from_proto(request)
        self._require(deciding.credit)

        def carry_out(once: CommandRequest | None) -> claims_pb2.DecideClaimResponse:
            after = self._app.claims.decide(
                deciding.credit,
                deciding.approved,
                request.reason,
                expected_version=deciding.expected_version,
                request=once,
            )
            return claims_pb2.DecideClaimResponse(
                credit=standing_to_proto(after.state), log_position=after.log_position
            )

        def replay(record: CommandRecord) -> claims_pb2.DecideClaimResponse:
            [state] = self._app.claims.carried_out(record, [deciding.credit])
            return claims_pb2.DecideClaimResponse(
                credit=standing_to_proto(state), log_position=record.last_position
            )

        return self._once("DecideClaim", request, carry_out, replay)

    @as_caller
    def SettleCredits(  # noqa: N802
        self, request: claims_pb2.SettleCreditsRequest, context: grpc.ServicerContext
    ) -> claims_pb2.SettleCreditsResponse:
        """Record a batch of settlements, all or none."""
        batch = settling_from_proto(request)
        credits = [item.credit for item in batch]
        for credit in dict.fromkeys(credits):
            self._require(credit)

        def carry_out(once: CommandRequest | None) -> claims_pb2.SettleCreditsResponse:
            states, first, last = self._app.claims.settle(batch, request=once)
            return _settled(states, first, last)

        def replay(record: CommandRecord) -> claims_pb2.SettleCreditsResponse:
            states = self._app.claims.carried_out(record, credits)
            return _settled(states, record.first_position, record.last_position)

        return self._once("SettleCredits", request, carry_out, replay)

    def _require(self, credit: CreditKey) -> None:
        self._access.require_credit(credit.agreement_id, credit.customer_id, "credit.customer_id")


def _settled(
    states: Sequence[CreditState], first: int, last: int
) -> claims_pb2.SettleCreditsResponse:
    return claims_pb2.SettleCreditsResponse(
        credits=[standing_to_proto(s) for s in states], first_position=first, log_position=last
    )


def standing_to_proto(state: CreditState) -> claims_pb2.CreditStanding:
    """The message of a credit's state."""
    out = claims_pb2.CreditStanding(status=state.status.value, version=state.version)
    out.credit.agreement_id = state.agreement_id
    out.credit.customer_id = state.customer_id
    out.credit.objective_id = state.objective_id
    out.credit.period_label = state.period_label
    for name in ("earned", "eligible", "claimed", "approved", "denied", "forfeited", "settled"):
        money_into_proto(getattr(state, name), getattr(out, name))
    money_into_proto(state.outstanding, out.outstanding)
    if state.claim_deadline is not None:
        out.claim_deadline.FromDatetime(state.claim_deadline)
    if state.claim_minimum is not None:
        money_into_proto(state.claim_minimum, out.claim_minimum)
    return out
