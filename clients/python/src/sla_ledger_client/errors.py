"""Typed errors of ledger calls, decoded from the status details the ledger sends.

Every failed call raises a :class:`LedgerCallError` (a ``grpc.RpcError``, with ``code()`` and
``details()`` like grpc's own) of the subclass for its status code. The google.rpc details in
the ``grpc-status-details-bin`` trailer are decoded into plain attributes: the ErrorInfo reason,
domain and metadata, the BadRequest field violations, the ResourceInfo of a NOT_FOUND and the
RetryInfo delay. A status without details (one gRPC itself produced) leaves them empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
from google.protobuf import message as protobuf_message

from sla_ledger_client._generated.sla.ledger.client.v1 import error_details_pb2 as details_pb2

LEDGER_DOMAIN = "sla.ledger.v1"
STATUS_DETAILS_KEY = "grpc-status-details-bin"
_TYPE_URL_PREFIX = "type.googleapis.com/"
_ERROR_INFO = "google.rpc.ErrorInfo"
_BAD_REQUEST = "google.rpc.BadRequest"
_RESOURCE_INFO = "google.rpc.ResourceInfo"
_RETRY_INFO = "google.rpc.RetryInfo"
M = TypeVar("M", bound=protobuf_message.Message)


@dataclass(frozen=True)
class FieldViolation:
    """One refused field of a request: its path (e.g. ``terms.fee.amount``) and why."""

    path: str
    description: str


@dataclass(frozen=True)
class Resource:
    """The resource a NOT_FOUND names: its type (e.g. ``agreement``) and relative name."""

    type: str
    name: str


@dataclass(frozen=True)
class ErrorDetails:
    """What a status trailer said beyond its code and message."""

    reason: str = ""
    domain: str = ""
    metadata: Mapping[str, str] | None = None
    field_violations: tuple[FieldViolation, ...] = ()
    resource: Resource | None = None
    retry_delay: float | None = None


class LedgerCallError(grpc.RpcError):  # type: ignore[misc]
    """A ledger call that ended with a non-OK status, with its decoded details."""

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        details: ErrorDetails | None = None,
        *,
        cause: grpc.RpcError | None = None,
    ) -> None:
        found = details or ErrorDetails()
        super().__init__(f"{code.name}: {message}")
        self._code = code
        self.message = message
        self.reason = found.reason
        self.domain = found.domain
        self.metadata: Mapping[str, str] = dict(found.metadata or {})
        self.field_violations = found.field_violations
        self.resource = found.resource
        self.retry_delay = found.retry_delay
        self.cause = cause

    def code(self) -> grpc.StatusCode:
        """The status code, as grpc.RpcError's code()."""
        return self._code

    def details(self) -> str:
        """The status message, as grpc.RpcError's details()."""
        return self.message

    def trailing_metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        """The trailing metadata of the failed call, when it came from one."""
        if self.cause is None:
            return ()
        found = self.cause.trailing_metadata()
        return tuple(found) if found else ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._code.name}, {self.message!r}, reason={self.reason!r})"


class InvalidArgument(LedgerCallError):
    """INVALID_ARGUMENT: the request was refused; ``field_violations`` names each bad field."""


class NotFound(LedgerCallError):
    """NOT_FOUND: ``resource`` names what does not exist."""


class AlreadyExists(LedgerCallError):
    """ALREADY_EXISTS: the id is taken, or a request id was reused with other content."""


class FailedPrecondition(LedgerCallError):
    """FAILED_PRECONDITION: the resource's state forbids the command."""


class Aborted(LedgerCallError):
    """ABORTED: a concurrent write won, or the expected version is stale."""


class Unavailable(LedgerCallError):
    """UNAVAILABLE: the ledger cannot answer now; retrying later can succeed."""


class PermissionDenied(LedgerCallError):
    """PERMISSION_DENIED: the token's role or scope does not allow the call."""


class Unauthenticated(LedgerCallError):
    """UNAUTHENTICATED: no token, or one the ledger does not know."""


class ResourceExhausted(LedgerCallError):
    """RESOURCE_EXHAUSTED: too many calls or streams, a reply too large, or storage full."""


class DeadlineExceeded(LedgerCallError):
    """DEADLINE_EXCEEDED: the call's deadline passed before it finished."""


class DataLoss(LedgerCallError):
    """DATA_LOSS: stored history failed its integrity check."""


class Internal(LedgerCallError):
    """INTERNAL: a fault in the ledger."""


ERROR_CLASSES: Mapping[grpc.StatusCode, type[LedgerCallError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.ABORTED: Aborted,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.DATA_LOSS: DataLoss,
    grpc.StatusCode.INTERNAL: Internal,
}


def decode_details(trailing_metadata: Sequence[tuple[str, Any]] | None) -> ErrorDetails:
    """The details of a status trailer; empty when absent or undecodable."""
    raw = next((value for key, value in trailing_metadata or () if key == STATUS_DETAILS_KEY), None)
    if not isinstance(raw, bytes):
        return ErrorDetails()
    status = details_pb2.Status()
    try:
        status.ParseFromString(raw)
    except protobuf_message.DecodeError:
        return ErrorDetails()
    info = _unpack(status, _ERROR_INFO, details_pb2.ErrorInfo)
    bad = _unpack(status, _BAD_REQUEST, details_pb2.BadRequest)
    resource = _unpack(status, _RESOURCE_INFO, details_pb2.ResourceInfo)
    retry = _unpack(status, _RETRY_INFO, details_pb2.RetryInfo)
    return ErrorDetails(
        reason=info.reason if info else "",
        domain=info.domain if info else "",
        metadata=dict(info.metadata) if info else {},
        field_violations=tuple(
            FieldViolation(v.field, v.description) for v in (bad.field_violations if bad else ())
        ),
        resource=Resource(resource.resource_type, resource.resource_name) if resource else None,
        retry_delay=(
            retry.retry_delay.seconds + retry.retry_delay.nanos / 1e9
            if retry and retry.HasField("retry_delay")
            else None
        ),
    )


def _unpack(status: details_pb2.Status, name: str, kind: type[M]) -> M | None:
    """The first detail of the named google.rpc type, parsed into its mirror message."""
    for detail in status.details:
        if detail.type_url.removeprefix(_TYPE_URL_PREFIX) == name:
            found = kind()
            try:
                found.ParseFromString(detail.value)
            except protobuf_message.DecodeError:
                return None
            return found
    return None


def from_rpc_error(error: grpc.RpcError) -> LedgerCallError:
    """The typed error for a failed grpc call (returned as is when already typed)."""
    if isinstance(error, LedgerCallError):
        return error
    code = _call_value(error, "code") or grpc.StatusCode.UNKNOWN
    message = _call_value(error, "details") or ""
    details = decode_details(_call_value(error, "trailing_metadata"))
    kind = ERROR_CLASSES.get(code, LedgerCallError)
    return kind(code, str(message), details, cause=error)


def _call_value(error: grpc.RpcError, name: str) -> Any:
    """error.name() when the error is a call that has it; None otherwise."""
    method = getattr(error, name, None)
    return method() if callable(method) else None
