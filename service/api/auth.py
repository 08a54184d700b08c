"""Bearer tokens: who may call what, and for which customers.

Tokens are configured in a JSON file of entries {"name", "sha256", "role", "customers"}: the
SHA-256 of each token (never the token itself), a role, and optionally the customers it is
limited to. Any malformed entry refuses the whole file, so the server does not start. A
presented token is hashed and compared with every entry in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from domain.errors import LedgerError, Reason
from domain.identifiers import IDENTIFIER_RULE, is_identifier

COMMANDS = frozenset(
    {
        "SignAgreement",
        "AmendAgreement",
        "TerminateAgreement",
        "RecordMeasurements",
        "RecordExclusion",
        "ClosePeriod",
        "RecalculatePeriod",
        "RecordCaseEvents",
        "SubscribeCustomer",
        "ChangeSubscriptionTier",
        "EndSubscription",
    }
)
READS = frozenset(
    {
        "GetAgreement",
        "ListEvents",
        "GetCompliance",
        "ListBreaches",
        "ListCredits",
        "GetCreditBalance",
        "SubscribeEvents",
        "GetLedgerDigest",
        "VerifyLedger",
        "GetCase",
        "ListCases",
        "GetSubscription",
        "ListSubscriptions",
        "ListCustomerSubscriptions",
        "ListDisputes",
        "GetDispute",
        "ListAgreements",
        "ListPeriodResults",
        "GetComplianceSeries",
    }
)
CREDIT_EVENT_TYPES = frozenset(
    {"credit_issued", "credit_adjusted", "bonus_earned", "bonus_adjusted", "credit_capped"}
    # What finance acts on: the claims, decisions, forfeitures and settlements of credits.
    | {"credit_claimed", "claim_decided", "credit_forfeited", "credit_settled"}
)
WHOLE_LEDGER = frozenset({"VerifyLedger"})
# What a customer does about its own credits and exclusions.
CUSTOMER_ACTIONS = frozenset({"ClaimCredit", "OpenDispute", "AcknowledgeExclusion"})
# What the provider's side decides.
PROVIDER_DECISIONS = frozenset({"DecideClaim", "ResolveDispute"})
# What finance records.
FINANCE_ACTIONS = frozenset({"SettleCredits"})


class Role(Enum):
    """What a token may do."""

    WRITER = "writer"  # commands and measurements
    AUDITOR = "auditor"  # every read, replay and verification
    FINANCE = "finance"  # credits, balances, settlements, and subscriptions to credit events
    CUSTOMER = "customer"  # reads, claims, disputes, acknowledgements of its own customers
    PROVIDER = "provider"  # reads, decisions on claims and disputes
    ADMIN = "admin"  # everything


ROLE_METHODS: dict[Role, frozenset[str]] = {
    Role.WRITER: COMMANDS,
    Role.AUDITOR: READS,
    Role.FINANCE: frozenset({"ListCredits", "GetCreditBalance", "SubscribeEvents"})
    | FINANCE_ACTIONS,
    Role.CUSTOMER: READS | CUSTOMER_ACTIONS,
    Role.PROVIDER: READS | PROVIDER_DECISIONS,
    Role.ADMIN: COMMANDS | READS | CUSTOMER_ACTIONS | PROVIDER_DECISIONS | FINANCE_ACTIONS,
}


@dataclass(frozen=True)
class Identity:
    """An authenticated caller."""

    name: str
    role: Role
    customers: frozenset[str]  # empty: every customer

    @property
    def actor(self) -> str:
        """How the ledger records this caller on the events it appends."""
        return f"token {self.name}"

    def may_call(self, method: str) -> bool:
        """Whether the role allows the method."""
        return method in ROLE_METHODS[self.role]

    def sees(self, customer_id: str) -> bool:
        """Whether the token may see and change this customer's agreements."""
        return not self.customers or customer_id in self.customers


current_identity: ContextVar[Identity | None] = ContextVar("current_identity", default=None)


class PermissionDeniedError(LedgerError):
    """The caller's role or customer scope does not allow this."""

    reason = Reason.OUTSIDE_TOKEN_SCOPE


class TokenFileError(ValueError):
    """The token file cannot be used."""


@dataclass(frozen=True)
class _Entry:
    digest: bytes
    identity: Identity


class TokenBook:
    """The configured tokens, by the SHA-256 of each."""

    def __init__(self, entries: Iterable[_Entry]) -> None:
        self._entries = tuple(entries)

    @classmethod
    def load(cls, path: str) -> TokenBook:
        """Read a token file; TokenFileError naming what is wrong."""
        try:
            raw = json.loads(Path(path).read_text())
        except (OSError, ValueError) as error:
            raise TokenFileError(f"cannot read the token file {path}: {error}") from None
        if not isinstance(raw, list) or not raw:
            raise TokenFileError("the token file must hold a non-empty JSON list of tokens")
        entries = [_entry(index, item) for index, item in enumerate(raw)]
        for what, values in (
            ("name", [e.identity.name for e in entries]),
            ("sha256", [e.digest.hex() for e in entries]),
        ):
            if len(set(values)) != len(values):
                raise TokenFileError(f"two tokens have the same {what}; each must be unique")
        return cls(entries)

    def authenticate(self, token: str) -> Identity | None:
        """The identity of a presented token; None when it is not configured."""
        presented = token_digest(token)
        found = None
        for entry in self._entries:  # compare with all, in constant time each
            if hmac.compare_digest(presented, entry.digest):
                found = entry.identity
        return found


_ENTRY_KEYS = frozenset({"name", "sha256", "role", "customers"})
_HEX_DIGEST = re.compile(r"[0-9a-fA-F]{64}")
_ROLES = ", ".join(role.value for role in Role)


def _entry(index: int, item: object) -> _Entry:
    """One entry of the token file; TokenFileError naming the entry and what is wrong."""

    def refuse(problem: str) -> TokenFileError:
        return TokenFileError(f"token {index}: {problem}")

    if not isinstance(item, dict):
        raise refuse('must be an object {"name", "sha256", "role"[, "customers"]}')
    unknown = sorted(str(key) for key in set(item) - _ENTRY_KEYS)
    if unknown:
        raise refuse(f"unknown keys {', '.join(unknown)}; expected name, sha256, role, customers")
    name, digest, role = item.get("name"), item.get("sha256"), item.get("role")
    if not isinstance(name, str) or not is_identifier(name):
        raise refuse(f"name must be {IDENTIFIER_RULE}")
    if not isinstance(digest, str) or _HEX_DIGEST.fullmatch(digest) is None:
        raise refuse("sha256 must be 64 hexadecimal digits (sla-ledger hash-token prints them)")
    if role not in {r.value for r in Role}:
        raise refuse(f"role must be one of {_ROLES}")
    customers = item.get("customers", [])
    if role == Role.CUSTOMER.value and "customers" not in item:
        raise refuse("a customer token must list the customers it acts for in customers")
    if "customers" in item and (
        not isinstance(customers, list)
        or not customers
        or not all(isinstance(c, str) and is_identifier(c) for c in customers)
        or len(set(customers)) != len(customers)
    ):
        raise refuse(
            "customers, when given, must be a non-empty list of distinct customer ids "
            f"({IDENTIFIER_RULE}); leave it out for a token that sees every customer"
        )
    return _Entry(bytes.fromhex(digest), Identity(name, Role(role), frozenset(customers)))


def token_digest(token: str) -> bytes:
    """The SHA-256 of a token, as stored in the token file (hex)."""
    return hashlib.sha256(token.encode()).digest()


def bearer_token(metadata: Iterable[tuple[str, str | bytes]]) -> str | None:
    """The token of an `authorization: Bearer <token>` header, if there is one."""
    for key, value in metadata:
        if key == "authorization" and isinstance(value, str):
            scheme, _, token = value.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None
