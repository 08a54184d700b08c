"""Statement downloads: an agreement's or a customer's period as HTML, PDF or CSV (reports/)."""

from __future__ import annotations

import grpc
from flask import Flask, Response

from portal.agreement_pages import read_agreement
from portal.errors import PageNotFoundError, PageRefusedError, rpc_code
from portal.listing_pages import text_filter
from portal.page_context import ledger, travel
from portal.time_travel import BadQueryError, TimeTravel
from reports.documents import FORMATS, MEDIA_TYPES, file_name, render
from reports.statement import Statement, StatementError
from reports.statement_reads import StatementRequest, read_statement


def _period() -> str:
    """The ?period= label, required."""
    label = text_filter("period")
    if not label:
        raise BadQueryError("period", "required: a label such as 2026-03, 2026-W13 or 2026-Q1")
    return label


def _download(statement: Statement, fmt: str) -> Response:
    """The statement in one format, as a file to save (named for its digest position)."""
    response = Response(render(statement, fmt), status=200, content_type=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{file_name(statement, fmt)}"'
    return response


def _statement(request: StatementRequest) -> Statement:
    """The statement read from the ledger; a StatementError is the user's 400 page."""
    try:
        return read_statement(ledger(), request)
    except StatementError as error:
        raise BadQueryError("period", str(error)) from None
    except grpc.RpcError as error:
        code = rpc_code(error)
        if code == grpc.StatusCode.NOT_FOUND:
            raise PageNotFoundError(f"agreement {request.agreement_id}") from None
        if code == grpc.StatusCode.PERMISSION_DENIED:
            raise PageRefusedError(
                f"The ledger refused this token a read the statement needs: {error.details()}"
            ) from None
        raise


def _checked_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise PageNotFoundError(f"statement format {fmt}")
    return fmt


def register(app: Flask) -> None:
    """The statement downloads."""

    @app.get("/agreements/<agreement_id>/statement.<fmt>")
    def statement(agreement_id: str, fmt: str) -> Response:
        when: TimeTravel = travel()
        _checked_format(fmt)
        label = _period()
        # The agreement first: another customer's is "not found" like an unknown one, before
        # the statement's whole-ledger read (the digest) could answer otherwise.
        read_agreement(agreement_id, when)
        request = StatementRequest(
            period_label=label,
            agreement_id=agreement_id,
            customer_id=text_filter("customer"),
            objective_id=text_filter("objective"),
            as_of=when.as_of,
            known_at=when.known_at,
        )
        return _download(_statement(request), fmt)

    @app.get("/customers/<customer_id>/statement.<fmt>")
    def customer_statement(customer_id: str, fmt: str) -> Response:
        when = travel()
        _checked_format(fmt)
        label = _period()
        request = StatementRequest(
            period_label=label, customer_id=customer_id, as_of=when.as_of, known_at=when.known_at
        )
        return _download(_statement(request), fmt)
