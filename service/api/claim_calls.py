"""The claim lifecycle methods of LedgerService: ClaimCredit, DecideClaim, SettleCredits."""

from __future__ import annotations

from typing import NoReturn

import grpc

from service.generated.sla.ledger.v1 import claims_pb2


class ClaimCalls:
    """The claim methods, mixed into LedgerServicer."""

    def ClaimCredit(  # noqa: N802
        self, request: claims_pb2.ClaimCreditRequest, context: grpc.ServicerContext
    ) -> NoReturn:
        """Claim a claim-driven credit's eligible amount."""
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "ClaimCredit is not served yet")
        raise AssertionError("abort raises")

    def DecideClaim(  # noqa: N802
        self, request: claims_pb2.DecideClaimRequest, context: grpc.ServicerContext
    ) -> NoReturn:
        """Decide a credit's open claim."""
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "DecideClaim is not served yet")
        raise AssertionError("abort raises")

    def SettleCredits(  # noqa: N802
        self, request: claims_pb2.SettleCreditsRequest, context: grpc.ServicerContext
    ) -> NoReturn:
        """Record a batch of settlements."""
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "SettleCredits is not served yet")
        raise AssertionError("abort raises")
