"""The one place where failures become gRPC status codes."""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar

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

Handler = TypeVar("Handler", bound=Callable[..., Any])
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


def translate_errors(handler: Handler) -> Handler:
    """Wrap a servicer method so every failure ends the call with its mapped status."""

    @functools.wraps(handler)
    def wrapper(self: Any, request: Any, context: grpc.ServicerContext) -> Any:
        try:
            return handler(self, request, context)
        except Exception as error:
            status = rich_status(error)
            failing = status.code in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNAVAILABLE)
            if failing or is_storage_full(error):  # the operator's to see and fix
                logger.exception("%s failed", handler.__name__)
            context.set_trailing_metadata(status.trailing_metadata)
            context.abort(status.code, status.details)

    return wrapper  # type: ignore[return-value]
