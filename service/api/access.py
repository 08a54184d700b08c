"""Customer-scope authorization: what a token limited to some customers may see."""

from __future__ import annotations

from collections.abc import Callable

from domain.errors import unknown_agreement
from domain.subscriptions import Subscription
from service.api.auth import (
    CREDIT_EVENT_TYPES,
    Identity,
    PermissionDeniedError,
    Role,
    current_identity,
)
from service.api.event_encoder import PAYLOAD_NAMES
from service.generated.sla.ledger.v1 import ledger_service_pb2 as pb

SUBSCRIBER_READS = (
    "a token limited to customers only reads a service SLA its customers subscribe to "
    "(GetAgreement, ListEvents, GetCompliance of their tier or subscription, their "
    "subscriptions, credits and breaches) and changes nothing of it"
)


class CustomerScope:
    """The checks that keep a caller to its customers, raising the refusals the caller gets.

    A service SLA has no customer of its own: a caller limited to customers sees one only
    through its customers' subscriptions to it (subscriber_view), and never changes it.
    """

    def __init__(
        self,
        customer_of: Callable[[str], str],
        subscription_of: Callable[[str, str], Subscription | None] = lambda _a, _c: None,
    ) -> None:
        self._customer_of = customer_of
        self._subscription_of = subscription_of

    def require_agreement(self, agreement_id: str) -> None:
        """NOT_FOUND, in the words used for an unknown agreement, unless the caller may see this
        agreement's customer: a scoped token never learns that another customer's id exists.
        PERMISSION_DENIED for a service SLA the caller's customers subscribe to (they read it
        through subscriber_view, and change nothing)."""
        identity = scoped_identity()
        if identity is not None and not identity.sees(self._customer_of(agreement_id)):
            if self._subscribers(identity, agreement_id):
                raise PermissionDeniedError(SUBSCRIBER_READS)
            raise unknown_agreement(agreement_id)

    def subscriber_view(self, agreement_id: str) -> frozenset[str] | None:
        """None when the caller sees the whole agreement; for a service SLA that a scoped
        caller sees only as a subscriber, its customers that subscribe to it. NOT_FOUND, as for
        an unknown agreement, when the caller sees neither."""
        identity = scoped_identity()
        if identity is None or identity.sees(self._customer_of(agreement_id)):
            return None
        subscribers = self._subscribers(identity, agreement_id)
        if not subscribers:
            raise unknown_agreement(agreement_id)
        return subscribers

    def require_subscriber_subject(
        self, agreement_id: str, view: frozenset[str], tier_id: str, customer_id: str
    ) -> None:
        """PERMISSION_DENIED unless a subscriber's compliance names one of its customers
        (customer_id) or a tier one of their subscriptions is or was on (tier_id)."""
        if customer_id and customer_id not in view:
            raise PermissionDeniedError(
                f"this token sees the subscriptions of {', '.join(sorted(view))} to "
                f"{agreement_id}; customer_id must name one of them"
            )
        tiers = {
            change.tier_id
            for customer in view
            if (subscription := self._subscription_of(agreement_id, customer)) is not None
            for change in subscription.changes
        }
        if tier_id and tier_id not in tiers:
            raise PermissionDeniedError(
                f"this token sees the compliance of its tiers of {agreement_id} "
                f"({', '.join(sorted(tiers))}); tier_id must name one of them"
            )

    def require_credit(self, agreement_id: str, customer_id: str, field: str) -> None:
        """A scoped caller acts on a credit of its customers only: a customer-based agreement
        of one of them, or for a service SLA the credit of a subscriber that is one of them
        (customer_id, named in field). NOT_FOUND, as for an unknown agreement, when the caller
        sees neither; PERMISSION_DENIED for another subscriber of a service SLA it sees."""
        identity = scoped_identity()
        if identity is None or identity.sees(self._customer_of(agreement_id)):
            return
        subscribers = self._subscribers(identity, agreement_id)
        if not subscribers:
            raise unknown_agreement(agreement_id)
        if customer_id not in subscribers:
            raise PermissionDeniedError(
                f"this token acts for the subscriptions of {', '.join(sorted(subscribers))} to "
                f"{agreement_id}; {field} must name one of them"
            )

    def _subscribers(self, identity: Identity, agreement_id: str) -> frozenset[str]:
        return frozenset(
            customer
            for customer in identity.customers
            if self._subscription_of(agreement_id, customer) is not None
        )

    def require_agreement_or_whole_ledger(self, agreement_id: str) -> None:
        """The agreement's check when one is named; the whole ledger's otherwise."""
        if agreement_id:
            self.require_agreement(agreement_id)
        else:
            require_whole_ledger()

    def require_listing(self, agreement_id: str, customer_id: str) -> None:
        """A scoped caller lists one of its customers, and an agreement of it (or a service SLA
        it subscribes to) when named."""
        if scoped_identity() is None:
            return
        require_customer(customer_id, "customer_id")
        if agreement_id:
            self.subscriber_view(agreement_id)

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
