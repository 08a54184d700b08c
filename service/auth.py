"""Bearer tokens: who may call what, and for which customers.

Tokens are configured in a JSON file of entries {"name", "sha256", "role", "customers"}: the
SHA-256 of each token (never the token itself), a role, and optionally the customers it is
limited to. A presented token is hashed and compared with every entry in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from domain.errors import LedgerError

COMMANDS = frozenset(
    {
        "SignAgreement",
        "AmendAgreement",
        "TerminateAgreement",
        "RecordMeasurements",
        "RecordExclusion",
        "ClosePeriod",
        "RecalculatePeriod",
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
    }
)
CREDIT_EVENT_TYPES = frozenset(
    {"credit_issued", "credit_adjusted", "bonus_earned", "bonus_adjusted"}
)
WHOLE_LEDGER = frozenset({"GetLedgerDigest", "VerifyLedger"})


class Role(Enum):
    """What a token may do."""

    WRITER = "writer"  # commands and measurements
    AUDITOR = "auditor"  # every read, replay and verification
    FINANCE = "finance"  # credits, balances, and subscriptions to credit events
    ADMIN = "admin"  # everything


ROLE_METHODS: dict[Role, frozenset[str]] = {
    Role.WRITER: COMMANDS,
    Role.AUDITOR: READS,
    Role.FINANCE: frozenset({"ListCredits", "GetCreditBalance", "SubscribeEvents"}),
    Role.ADMIN: COMMANDS | READS,
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
        entries = []
        for index, item in enumerate(raw):
            try:
                digest = bytes.fromhex(item["sha256"])
                if len(digest) != 32:
                    raise ValueError("sha256 must be 64 hexadecimal digits")
                identity = Identity(
                    str(item["name"]),
                    Role(item["role"]),
                    frozenset(str(c) for c in item.get("customers", [])),
                )
            except (KeyError, TypeError, ValueError) as error:
                raise TokenFileError(f"token {index}: {error}") from None
            entries.append(_Entry(digest, identity))
        return cls(entries)

    def authenticate(self, token: str) -> Identity | None:
        """The identity of a presented token; None when it is not configured."""
        presented = token_digest(token)
        found = None
        for entry in self._entries:  # compare with all, in constant time each
            if hmac.compare_digest(presented, entry.digest):
                found = entry.identity
        return found


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
