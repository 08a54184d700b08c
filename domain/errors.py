"""Domain exceptions; the service maps each kind to one gRPC status code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


class LedgerError(Exception):
    """Base of every error the ledger reports to a caller."""


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field of a request, named by its path in the request."""

    field: str
    description: str


class InvalidArgumentError(LedgerError):
    """The request is malformed or breaks a rule that does not depend on stored state."""

    def __init__(self, violations: Iterable[FieldViolation]) -> None:
        self.violations = tuple(violations)
        summary = "; ".join(f"{v.field}: {v.description}" for v in self.violations)
        super().__init__(summary or "invalid argument")


class NotFoundError(LedgerError):
    """The thing asked about does not exist (at the instants asked about)."""


class AlreadyExistsError(LedgerError):
    """The identifier is already taken."""


class FailedPreconditionError(LedgerError):
    """The current state of the agreement forbids the command."""


class VersionConflictError(LedgerError):
    """The agreement moved on since the caller read it, or a concurrent writer won."""


class ProjectionBehindError(LedgerError):
    """A read model has not reached the log position the caller asked for in time."""


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

    def raise_if_any(self) -> None:
        """Raise InvalidArgumentError when anything was recorded."""
        if self._items:
            raise InvalidArgumentError(self._items)


def unknown_agreement(agreement_id: str) -> NotFoundError:
    """The refusal for an agreement that does not exist, or that the caller may not see: the
    same words for both, so a caller cannot tell them apart."""
    return NotFoundError(f"agreement {agreement_id} does not exist")
