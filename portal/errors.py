"""Errors as pages: what a failed ledger call or a bad query shows, with its HTTP status."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import grpc
from sla_ledger_client import LedgerCallError

# The ErrorInfo reason of a call the token's role may not make (error_reasons.proto).
ROLE_FORBIDS_METHOD = "ROLE_FORBIDS_METHOD"


class PageNotFoundError(Exception):
    """Nothing to show at this address: unknown, or another customer's (the same page)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class PageRefusedError(Exception):
    """The ledger refuses this page to the token; the message says why (a 403 page)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ErrorPage:
    """The page an error shows."""

    status: int
    title: str
    message: str


def rpc_code(error: grpc.RpcError) -> grpc.StatusCode:
    """The status code of a failed call (UNKNOWN when the error carries none)."""
    code = getattr(error, "code", None)
    return code() if callable(code) else grpc.StatusCode.UNKNOWN


def rpc_details(error: grpc.RpcError) -> str:
    """The ledger's message of a failed call."""
    details = getattr(error, "details", None)
    text = details() if callable(details) else ""
    return text if isinstance(text, str) else ""


def page_of_rpc_error(error: grpc.RpcError) -> ErrorPage:
    """The page of a ledger call that failed outside an agreement's scope."""
    code = rpc_code(error)
    if code == grpc.StatusCode.NOT_FOUND:
        return ErrorPage(404, "Not found", "The ledger has nothing at this address.")
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return ErrorPage(
            403,
            "Not allowed",
            "Your token may not read this. A token limited to customers must name one of "
            "them (fill in the customer filter).",
        )
    if code == grpc.StatusCode.UNAUTHENTICATED:
        return ErrorPage(401, "Sign in", "The ledger needs a valid token: sign in with one.")
    if code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION):
        return ErrorPage(400, "Bad request", rpc_details(error) or "The ledger refused the query.")
    if code == grpc.StatusCode.UNIMPLEMENTED:
        return ErrorPage(501, "Not available", "This ledger does not answer this read yet.")
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return ErrorPage(
            503, "Ledger unavailable", "The ledger did not answer in time; try again shortly."
        )
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return ErrorPage(503, "Ledger busy", "The ledger is busy; try again shortly.")
    return ErrorPage(502, "Ledger error", "The ledger could not answer this page.")


@contextmanager
def about_agreement(agreement_id: str) -> Iterator[None]:
    """Reads of one agreement: NOT_FOUND and a scope refusal both mean "not found".

    A customer-scoped token then learns nothing of the ids other customers use. A role that may
    not make the read at all (reason ROLE_FORBIDS_METHOD, decided before any agreement is looked
    up, so it tells nothing of the id) shows the 403 page instead.
    """
    try:
        yield
    except grpc.RpcError as error:
        code = rpc_code(error)
        role_refused = isinstance(error, LedgerCallError) and error.reason == ROLE_FORBIDS_METHOD
        if code == grpc.StatusCode.NOT_FOUND or (
            code == grpc.StatusCode.PERMISSION_DENIED and not role_refused
        ):
            raise PageNotFoundError(f"agreement {agreement_id}") from None
        raise
