"""The one place where failures become gRPC status codes, each with a google.rpc.Status whose
details carry an ErrorInfo (domain sla.ledger.v1, reason an ErrorReason name), and ResourceInfo,
RetryInfo or BadRequest where they apply (docs/errors.md)."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any, NoReturn

import grpc
import psycopg
from eventsourcing.persistence import InterfaceError, OperationalError
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status

from domain.errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    LedgerError,
    NotFoundError,
    ProjectionBehindError,
    Reason,
    VersionConflictError,
)
from service.api.auth import PermissionDeniedError
from service.store.chain_store import LedgerTamperedError
from service.store.log_reader import LogUnreadableError

logger = logging.getLogger(__name__)

STATUS_OF: dict[type[LedgerError], int] = {
    InvalidArgumentError: code_pb2.INVALID_ARGUMENT,
    NotFoundError: code_pb2.NOT_FOUND,
    AlreadyExistsError: code_pb2.ALREADY_EXISTS,
    FailedPreconditionError: code_pb2.FAILED_PRECONDITION,
    VersionConflictError: code_pb2.ABORTED,
    ProjectionBehindError: code_pb2.DEADLINE_EXCEEDED,
    PermissionDeniedError: code_pb2.PERMISSION_DENIED,
    LedgerTamperedError: code_pb2.DATA_LOSS,
    LogUnreadableError: code_pb2.DATA_LOSS,
}

ERROR_DOMAIN = "sla.ledger.v1"
# How long RetryInfo tells a caller to wait before trying again, by reason; the other reasons
# carry no RetryInfo (retrying the same request cannot help, or needs someone to act first).
# A lost race (CONCURRENT_WRITE) clears as soon as the winner committed: a short wait. The store
# and a stopping server take longer to come back; a full stream table frees as streams end.
RETRY_DELAY_SECONDS: dict[Reason, float] = {
    Reason.CONCURRENT_WRITE: 0.1,
    Reason.STORAGE_UNAVAILABLE: 1.0,
    Reason.SHUTTING_DOWN: 1.0,
    Reason.TOO_MANY_STREAMS: 5.0,
}
# ErrorInfo.metadata keys of the ids a resource name holds, by the collection they follow.
ID_KEY_OF_COLLECTION = {
    "agreements": "agreement_id",
    "cases": "case_id",
    "objectives": "objective_id",
    "tiers": "tier_id",
    "subscriptions": "customer_id",
    "disputes": "dispute_id",
    "exclusions": "exclusion_id",
    "periods": "period_label",
}
MAX_REPORTED_VIOLATIONS = 50
MAX_MESSAGE_CHARACTERS = 1000
STORAGE_FULL = "the ledger's storage is full; free or add space for the database, then retry"
POSTGRES_DISK_FULL = "53100"


def is_storage_full(error: BaseException) -> bool:
    """Whether the database refused the work because its storage is full: SQLite's SQLITE_FULL
    ("database or disk is full") or PostgreSQL's disk_full (SQLSTATE 53100), raised as the
    error itself or as one it was raised from (the recorders wrap the drivers' errors)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            # The primary result code is the low byte of an extended one.
            if getattr(current, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_FULL:
                return True
        elif isinstance(current, psycopg.Error) and current.sqlstate == POSTGRES_DISK_FULL:
            return True
        current = current.__cause__ or current.__context__
    return False


# The details travel in a trailer, which clients cap at 8-16 KiB: the message (at most 1,000
# characters), the BadRequest (at most about 6,000 bytes) and the ErrorInfo and ResourceInfo
# (ids cut to 200 characters, names to 400) stay well within 8 KiB together.
MAX_FIELD_CHARACTERS = 200
MAX_DESCRIPTION_CHARACTERS = 300
MAX_REPORTED_BYTES = 6000
MAX_ID_CHARACTERS = 200
MAX_NAME_CHARACTERS = 400


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def _bad_request(error: InvalidArgumentError) -> error_details_pb2.BadRequest:
    bad_request = error_details_pb2.BadRequest()
    size = 0
    for v in error.violations[:MAX_REPORTED_VIOLATIONS]:
        field = _cut(v.field, MAX_FIELD_CHARACTERS)
        description = _cut(v.description, MAX_DESCRIPTION_CHARACTERS)
        size += len(field.encode()) + len(description.encode())
        if size > MAX_REPORTED_BYTES and bad_request.field_violations:
            break
        bad_request.field_violations.add(field=field, description=description)
    left_out = len(error.violations) - len(bad_request.field_violations)
    if left_out:
        # Trailers are small (clients accept 8-16 KiB): name the first ones and count.
        bad_request.field_violations.add(field="", description=f"and {left_out} more violations")
    return bad_request


def ids_of(resource_name: str) -> dict[str, str]:
    """The ids a relative resource name holds, keyed for ErrorInfo.metadata:
    "agreements/a/cases/c" gives {"agreement_id": "a", "case_id": "c"}."""
    parts = resource_name.split("/")
    return {
        ID_KEY_OF_COLLECTION[collection]: _cut(value, MAX_ID_CHARACTERS)
        for collection, value in zip(parts[::2], parts[1::2], strict=False)
        if collection in ID_KEY_OF_COLLECTION and value
    }


def status_of(
    code: int,
    message: str,
    reason: Reason,
    *,
    metadata: dict[str, str] | None = None,
    details: tuple[Any, ...] = (),
) -> status_pb2.Status:
    """A google.rpc.Status: code, message (cut to fit), the details given, an ErrorInfo with
    the reason, and a RetryInfo when the reason has a retry delay."""
    status = status_pb2.Status(code=code, message=_cut(message, MAX_MESSAGE_CHARACTERS))
    # The details the status had before ErrorInfo come first, so a client that reads
    # details[0] as the BadRequest keeps working.
    for detail in details:
        status.details.add().Pack(detail)
    info = error_details_pb2.ErrorInfo(reason=reason.value, domain=ERROR_DOMAIN)
    info.metadata.update(metadata or {})
    status.details.add().Pack(info)
    delay = RETRY_DELAY_SECONDS.get(reason)
    if delay is not None:
        retry = error_details_pb2.RetryInfo()
        retry.retry_delay.FromNanoseconds(round(delay * 1e9))
        status.details.add().Pack(retry)
    return status


def _ledger_status(error: LedgerError) -> status_pb2.Status:
    code = STATUS_OF.get(type(error), code_pb2.FAILED_PRECONDITION)
    if isinstance(error, InvalidArgumentError):
        return status_of(code, str(error), error.reason, details=(_bad_request(error),))
    if isinstance(error, NotFoundError):
        name = _cut(error.resource_name, MAX_NAME_CHARACTERS)
        resource = error_details_pb2.ResourceInfo(
            resource_type=error.resource_type, resource_name=name
        )
        return status_of(code, str(error), error.reason, metadata=ids_of(name), details=(resource,))
    return status_of(code, str(error), error.reason)


def rich_status(error: Exception) -> grpc.Status:
    """The status a failure is reported with: its code and message with the details above."""
    if isinstance(error, CallRefusedError):
        status = status_of(error.code.value[0], error.message, error.reason)
    elif isinstance(error, LedgerError):
        status = _ledger_status(error)
    elif is_storage_full(error):
        status = status_of(code_pb2.RESOURCE_EXHAUSTED, STORAGE_FULL, Reason.STORAGE_FULL)
    elif isinstance(error, (OperationalError, InterfaceError)):
        status = status_of(
            code_pb2.UNAVAILABLE,
            "the event store is unavailable; retry later",
            Reason.STORAGE_UNAVAILABLE,
        )
    else:
        status = status_of(code_pb2.INTERNAL, "internal error", Reason.INTERNAL_ERROR)
    return rpc_status.to_status(status)


class CallRefusedError(Exception):
    """A call refused with a status code, message and reason of its own (not a LedgerError)."""

    def __init__(self, code: grpc.StatusCode, message: str, reason: Reason) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.reason = reason


def abort_with(status: grpc.Status, context: grpc.ServicerContext) -> NoReturn:
    """End the call with status, its google.rpc.Status in the trailers."""
    context.set_trailing_metadata(status.trailing_metadata)
    context.abort(status.code, status.details)
    raise AssertionError("abort returned")  # pragma: no cover


def refuse_reply_too_large(size: int, max_bytes: int, context: grpc.ServicerContext) -> NoReturn:
    """End the call with RESOURCE_EXHAUSTED (REPLY_TOO_LARGE): its reply takes size bytes, more
    than the max_bytes the server sends."""
    refusal = CallRefusedError(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        f"the reply takes {size} bytes, more than the {max_bytes} this server "
        "sends (--max-message-bytes); ask for less, e.g. a smaller page",
        Reason.REPLY_TOO_LARGE,
    )
    abort_with(rich_status(refusal), context)


def end_call(method: str, error: Exception, context: grpc.ServicerContext) -> NoReturn:
    """End the call with the status error maps to; log the failures the operator must see.

    Call it while handling error (the log line carries its traceback).
    """
    status = rich_status(error)
    _report_storage_error(error)
    failing = status.code in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNAVAILABLE)
    if not isinstance(error, CallRefusedError) and (failing or is_storage_full(error)):
        logger.exception("%s failed", method)  # the operator's to see and fix
    abort_with(status, context)


# Told the kind of every storage failure a call ends with (the metrics, when on, add theirs).
storage_error_observers: list[Callable[[str], None]] = []


def storage_error_kind(error: Exception) -> str | None:
    """unavailable, storage_full, tampered or unreadable when error is a failure of the
    storage (as rich_status tells them apart); None for any other."""
    if isinstance(error, LedgerTamperedError):
        return "tampered"
    if isinstance(error, LogUnreadableError):
        return "unreadable"
    if isinstance(error, LedgerError):
        return None
    if is_storage_full(error):
        return "storage_full"
    if isinstance(error, (OperationalError, InterfaceError)):
        return "unavailable"
    return None


def _report_storage_error(error: Exception) -> None:
    kind = storage_error_kind(error)
    if kind is not None:
        for observe in storage_error_observers:
            observe(kind)


def status_mapped(
    method: str, behavior: Callable[[Any, grpc.ServicerContext], Any]
) -> Callable[[Any, grpc.ServicerContext], Any]:
    """A unary behavior whose every failure ends the call with its mapped status."""

    def run(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return behavior(request, context)
        except Exception as error:
            end_call(method, error, context)

    return run


def status_mapped_stream(
    method: str, behavior: Callable[[Any, grpc.ServicerContext], Iterator[Any]]
) -> Callable[[Any, grpc.ServicerContext], Iterator[Any]]:
    """A response-streaming behavior whose every failure ends the call with its mapped status."""

    def run(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        try:
            yield from behavior(request, context)
        except Exception as error:
            end_call(method, error, context)

    return run


class ErrorStatusInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Ends every call of one service that fails with the status its error maps to.

    The servicer and the code it calls raise; this is where a failure becomes a gRPC status
    (with a google.rpc.Status in the trailers, BadRequest details for invalid arguments).
    """

    def __init__(self, service: str) -> None:
        self._prefix = f"/{service}/"

    def intercept_service(
        self, continuation: Callable[[Any], Any], handler_call_details: Any
    ) -> Any:
        """Wrap the service's unary and response-streaming handlers with the mapping."""
        handler = continuation(handler_call_details)
        full_name: str = handler_call_details.method
        if handler is None or not full_name.startswith(self._prefix):
            return handler
        method = full_name[len(self._prefix) :]
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                status_mapped_stream(method, handler.unary_stream),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                status_mapped(method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler
