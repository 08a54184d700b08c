"""Pages of the subscription listings: cut by count and by bytes, continued by an opaque token.

A listing is ordered by a key (a customer id for a service's subscribers, a service id for a
customer's subscriptions); a token holds the last key sent and what the listing is bound to (its
kind and filter), so it continues right after that row and only the listing it was issued for.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import Engine

from domain.errors import FieldViolation, InvalidArgumentError
from domain.identifiers import is_identifier
from projections.subscription_views import SCAN_ROWS, SubscriptionRow, customer_subscriptions
from service.api.mapping.subscriptions import subscription_to_proto
from service.generated.sla.ledger.v1 import subscriptions_pb2
from service.store.event_limits import item_bytes

_VERSION = "s1"

Fetch = Callable[[str, int], Sequence[SubscriptionRow]]


def encode_key_token(bound: str, after: str) -> str:
    """A token that continues a listing bound to bound after the row keyed after."""
    raw = f"{_VERSION}|{bound}|{after}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_key_token(token: str, bound: str) -> str:
    """The key a token continues after; "" for no token; INVALID_ARGUMENT (page_token) for a
    token this listing did not issue."""
    if not token:
        return ""
    invalid = InvalidArgumentError(
        [FieldViolation("page_token", "is not a token this listing issued")]
    )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        version, bound_to, after = raw.split("|")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise invalid from None
    if version != _VERSION or bound_to != bound or not is_identifier(after):
        raise invalid
    return after


def subscription_page(
    fetch: Fetch,
    key: Callable[[SubscriptionRow], str],
    token: str,
    bound: str,
    size: int,
    max_bytes: int,
    now: datetime,
) -> tuple[list[subscriptions_pb2.Subscription], str]:
    """Up to size subscriptions after the token's key, each as it stands now, whose encodings
    take at most max_bytes (at least one); and the token of the next page, empty at the end."""
    rows = fetch(decode_key_token(token, bound), size + 1)
    page: list[subscriptions_pb2.Subscription] = []
    used = 0
    for row in rows[:size]:
        message = subscription_to_proto(row, now)
        used += item_bytes(message.ByteSize())
        if page and used > max_bytes:
            break
        page.append(message)
    more = len(page) < len(rows)
    return page, encode_key_token(bound, key(rows[len(page) - 1])) if more else ""


def own_subscriptions(
    engine: Engine,
    agreement_id: str,
    customers: frozenset[str],
    tier_id: str,
    now: datetime,
    after: str,
) -> list[SubscriptionRow]:
    """The subscriptions of these customers to one service SLA (on tier_id now, when given),
    in customer-id order after a customer id: what a subscriber's token lists of it."""
    found: list[SubscriptionRow] = []
    for customer in sorted(c for c in customers if c > after):
        service = ""
        while True:
            rows = customer_subscriptions(engine, customer, after=service, limit=SCAN_ROWS)
            found.extend(row for row in rows if row.agreement_id == agreement_id)
            if len(rows) < SCAN_ROWS or rows[-1].agreement_id >= agreement_id:
                break
            service = rows[-1].agreement_id
    return [row for row in found if not tier_id or row.terms_at(now).tier_id == tier_id]
