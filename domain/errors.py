"""Domain exceptions; the service maps each kind to one gRPC status code and each raise to a
reason (sla.ledger.v1.ErrorReason, proto/sla/ledger/v1/error_reasons.proto)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Reason(StrEnum):
    """Why a call failed: the names of sla.ledger.v1.ErrorReason without the ERROR_REASON_
    prefix (tests/unit/test_error_reasons.py keeps the two the same)."""

    INVALID_FIELDS = "INVALID_FIELDS"
    UNDECODABLE_REQUEST = "UNDECODABLE_REQUEST"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"
    RESOURCE_ALREADY_EXISTS = "RESOURCE_ALREADY_EXISTS"
    REQUEST_ID_REUSED = "REQUEST_ID_REUSED"
    STATE_FORBIDS_COMMAND = "STATE_FORBIDS_COMMAND"
    AGREEMENT_TERMINATED = "AGREEMENT_TERMINATED"
    SUBSCRIPTION_ENDED = "SUBSCRIPTION_ENDED"
    PERIOD_NOT_CLOSED = "PERIOD_NOT_CLOSED"
    EVENT_TOO_LARGE = "EVENT_TOO_LARGE"
    READ_MODELS_DISABLED = "READ_MODELS_DISABLED"
    CONCURRENT_WRITE = "CONCURRENT_WRITE"
    EXPECTED_VERSION_MISMATCH = "EXPECTED_VERSION_MISMATCH"
    PROJECTION_BEHIND = "PROJECTION_BEHIND"
    INVALID_TOKEN = "INVALID_TOKEN"
    ROLE_FORBIDS_METHOD = "ROLE_FORBIDS_METHOD"
    OUTSIDE_TOKEN_SCOPE = "OUTSIDE_TOKEN_SCOPE"
    STORAGE_FULL = "STORAGE_FULL"
    TOO_MANY_STREAMS = "TOO_MANY_STREAMS"
    REPLY_TOO_LARGE = "REPLY_TOO_LARGE"
    STORAGE_UNAVAILABLE = "STORAGE_UNAVAILABLE"
    SHUTTING_DOWN = "SHUTTING_DOWN"
    LEDGER_TAMPERED = "LEDGER_TAMPERED"
    LOG_UNREADABLE = "LOG_UNREADABLE"
    INTERNAL_ERROR = "INTERNAL_ERROR"


# The kinds of thing a NOT_FOUND names (google.rpc.ResourceInfo.resource_type).
ResourceType = Literal[
    "agreement",
    "case",
    "objective",
    "tier",
    "subscription",
    "credit",
    "dispute",
    "exclusion",
    "period",
    "claim",
]


class LedgerError(Exception):
    """Base of every error the ledger reports to a caller; reason is its kind's, or the finer
    one a raise names."""

    reason: Reason = Reason.STATE_FORBIDS_COMMAND

    def __init__(self, message: str = "", *, reason: Reason | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field of a request, named by its path in the request."""

    field: str
    description: str


class InvalidArgumentError(LedgerError):
    """The request is malformed or breaks a rule that does not depend on stored state."""

    reason = Reason.INVALID_FIELDS

    def __init__(self, violations: Iterable[FieldViolation]) -> None:
        self.violations = tuple(violations)
        summary = "; ".join(f"{v.field}: {v.description}" for v in self.violations)
        super().__init__(summary or "invalid argument")


class NotFoundError(LedgerError):
    """The thing asked about does not exist (at the instants asked about); resource_name is its
    relative name (domain/resource_names.py)."""

    reason = Reason.RESOURCE_NOT_FOUND

    def __init__(self, message: str, *, resource_type: ResourceType, resource_name: str) -> None:
        super().__init__(message)
        self.resource_type: ResourceType = resource_type
        self.resource_name = resource_name


class AlreadyExistsError(LedgerError):
    """The identifier is already taken."""

    reason = Reason.RESOURCE_ALREADY_EXISTS


class FailedPreconditionError(LedgerError):
    """The current state of the agreement forbids the command."""

    reason = Reason.STATE_FORBIDS_COMMAND


class VersionConflictError(LedgerError):
    """The agreement moved on since the caller read it (EXPECTED_VERSION_MISMATCH), or a
    concurrent writer won (CONCURRENT_WRITE, the default: retrying can succeed)."""

    reason = Reason.CONCURRENT_WRITE


class ProjectionBehindError(LedgerError):
    """A read model has not reached the log position the caller asked for in time."""

    reason = Reason.PROJECTION_BEHIND


class Violations:
    """Collects field violations so one refusal can name every bad field."""

    def __init__(self) -> None:
        self._items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        """Record that field is invalid."""
        self._items.append(FieldViolation(field, description))

    def extend(self, other: Iterable[FieldViolation]) -> None:
        """Record every violation in other."""
        self._items.extend(other)

    def __iter__(self) -> Iterator[FieldViolation]:
        return iter(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def raise_if_any(self, then: Callable[[], Iterable[FieldViolation]] | None = None) -> None:
        """Raise InvalidArgumentError when anything was recorded.

        then gives the violations the checks that would follow find (run with placeholders
        where a field was refused), so that one refusal names everything; those at or under a
        field already recorded are left out, being consequences of it.
        """
        if not self._items:
            return
        if then is not None:
            recorded = {v.field for v in self._items}
            self._items.extend(
                v for v in then() if not any(p in recorded for p in _field_and_parents(v.field))
            )
        raise InvalidArgumentError(self._items)


_PARENT_BOUNDARY = re.compile(r"[.\[]")


def _field_and_parents(field: str) -> Iterator[str]:
    """A field path and every path it lies under: "a.b[0].c", "a.b[0]", "a.b", "a"."""
    yield field
    for boundary in reversed([m.start() for m in _PARENT_BOUNDARY.finditer(field)]):
        yield field[:boundary]


def unknown_agreement(agreement_id: str) -> NotFoundError:
    """The refusal for an agreement that does not exist, or that the caller may not see: the
    same words for both, so a caller cannot tell them apart."""
    return NotFoundError(
        f"agreement {agreement_id} does not exist",
        resource_type="agreement",
        resource_name=f"agreements/{agreement_id}",
    )
