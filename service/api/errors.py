"""The one place where failures become gRPC status codes."""

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


# The BadRequest travels in a trailer, which clients cap at 8-16 KiB.
MAX_FIELD_CHARACTERS = 200
MAX_DESCRIPTION_CHARACTERS = 300
MAX_REPORTED_BYTES = 6000


def _cut(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def rich_status(error: Exception) -> grpc.Status:
    """The status a failure is reported with; BadRequest details for invalid arguments."""
    if isinstance(error, LedgerError):
        code = STATUS_OF.get(type(error), code_pb2.FAILED_PRECONDITION)
        message = str(error)
        if len(message) > MAX_MESSAGE_CHARACTERS:
            message = message[: MAX_MESSAGE_CHARACTERS - 1] + "…"
        status = status_pb2.Status(code=code, message=message)
        if isinstance(error, InvalidArgumentError):
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
                bad_request.field_violations.add(
                    field="", description=f"and {left_out} more violations"
                )
            status.details.add().Pack(bad_request)
    elif is_storage_full(error):
        status = status_pb2.Status(code=code_pb2.RESOURCE_EXHAUSTED, message=STORAGE_FULL)
    elif isinstance(error, (OperationalError, InterfaceError)):
        status = status_pb2.Status(
            code=code_pb2.UNAVAILABLE, message="the event store is unavailable; retry later"
        )
    else:
        status = status_pb2.Status(code=code_pb2.INTERNAL, message="internal error")
    return rpc_status.to_status(status)


class CallRefusedError(Exception):
    """A call refused with a status code and message of its own, and no status details."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def end_call(method: str, error: Exception, context: grpc.ServicerContext) -> NoReturn:
    """End the call with the status error maps to; log the failures the operator must see.

    Call it while handling error (the log line carries its traceback).
    """
    if isinstance(error, CallRefusedError):
        context.abort(error.code, error.message)
    status = rich_status(error)
    failing = status.code in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNAVAILABLE)
    if failing or is_storage_full(error):  # the operator's to see and fix
        logger.exception("%s failed", method)
    context.set_trailing_metadata(status.trailing_metadata)
    context.abort(status.code, status.details)
    raise AssertionError("abort returned")  # pragma: no cover


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
