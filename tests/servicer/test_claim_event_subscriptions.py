"""The finance role follows the claim lifecycle's events like the other credit events."""

from __future__ import annotations

import pytest

from service.api.access import CustomerScope
from service.api.auth import Identity, PermissionDeniedError, Role, current_identity
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

FINANCE = Identity("finance", Role.FINANCE, frozenset())


def require(event_types: list[str]) -> None:
    token = current_identity.set(FINANCE)
    try:
        CustomerScope(lambda _agreement: "globex").require_subscription(
            pb.SubscribeEventsRequest(event_types=event_types, agreement_id="globex-1")
        )
    finally:
        current_identity.reset(token)


def test_finance_may_follow_claims_decisions_forfeitures_and_settlements() -> None:
    require(["credit_claimed", "claimDecided", "credit_forfeited", "creditSettled"])


def test_finance_still_may_not_follow_other_events() -> None:
    with pytest.raises(PermissionDeniedError):
        require(["credit_settled", "agreement_signed"])
