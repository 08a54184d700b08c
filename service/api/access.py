"""Customer-scope authorization: what a token limited to some customers may see."""

from __future__ import annotations

from collections.abc import Callable

from domain.errors import unknown_agreement
from service.api.auth import (
    CREDIT_EVENT_TYPES,
    Identity,
    PermissionDeniedError,
    Role,
    current_identity,
)
from service.api.event_encoder import PAYLOAD_NAMES
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb


class CustomerScope:
    """The checks that keep a caller to its customers, raising the refusals the caller gets."""

    def __init__(self, customer_of: Callable[[str], str]) -> None:
        self._customer_of = customer_of

    def require_agreement(self, agreement_id: str) -> None:
        """NOT_FOUND, in the words used for an unknown agreement, unless the caller may see this
        agreement's customer: a scoped token never learns that another customer's id exists."""
        identity = scoped_identity()
        if identity is not None and not identity.sees(self._customer_of(agreement_id)):
            raise unknown_agreement(agreement_id)

    def require_agreement_or_whole_ledger(self, agreement_id: str) -> None:
        """The agreement's check when one is named; the whole ledger's otherwise."""
        if agreement_id:
            self.require_agreement(agreement_id)
        else:
            require_whole_ledger()

    def require_listing(self, agreement_id: str, customer_id: str) -> None:
        """A scoped caller lists one of its customers, and an agreement of it when named."""
        if scoped_identity() is None:
            return
        require_customer(customer_id, "customer_id")
        if agreement_id:
            self.require_agreement(agreement_id)

    def require_subscription(self, request: pb.SubscribeEventsRequest) -> None:
        """The finance role follows the credit events only; scoped callers their agreements."""
        identity = current_identity.get()
        if identity is None:
            return
        named = {PAYLOAD_NAMES.get(name, name) for name in request.event_types}
        if identity.role is Role.FINANCE and (not named or not named <= CREDIT_EVENT_TYPES):
            raise PermissionDeniedError(
                "the finance role may subscribe only to "
                + ", ".join(sorted(CREDIT_EVENT_TYPES))
                + " (name them in event_types, or their JSON names)"
            )
        self.require_agreement_or_whole_ledger(request.agreement_id)


def scoped_identity() -> Identity | None:
    """The caller's identity when it is limited to some customers."""
    identity = current_identity.get()
    return identity if identity is not None and identity.customers else None


def require_customer(customer_id: str, field: str) -> None:
    """PERMISSION_DENIED unless the caller may see this customer (named in field)."""
    identity = scoped_identity()
    if identity is not None and not identity.sees(customer_id):
        raise PermissionDeniedError(
            f"this token is limited to customers {', '.join(sorted(identity.customers))}; "
            f"{field} must name one of them"
        )


def require_whole_ledger() -> None:
    """PERMISSION_DENIED for a caller limited to some customers."""
    if scoped_identity() is not None:
        raise PermissionDeniedError("a token limited to customers cannot read the whole ledger")
