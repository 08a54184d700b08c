"""Pages that list across agreements: the agreements, a customer's credits, the digest."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import grpc
from flask import Flask, Response, redirect, render_template, request
from google.protobuf.timestamp_pb2 import Timestamp

from portal import reads
from portal.errors import rpc_code
from portal.formatting import instant
from portal.page_context import ledger, link, travel
from portal.time_travel import BadQueryError
from service.generated.sla.ledger.v1 import discovery_pb2, ledger_service_pb2, terms_pb2

MAX_FILTER_CHARACTERS = 256
KINDS = {
    "": terms_pb2.AGREEMENT_KIND_UNSPECIFIED,
    "customer_based": terms_pb2.AGREEMENT_KIND_CUSTOMER_BASED,
    "service_based": terms_pb2.AGREEMENT_KIND_SERVICE_BASED,
    "internal": terms_pb2.AGREEMENT_KIND_INTERNAL,
}
STATUSES = {
    "": terms_pb2.AGREEMENT_STATUS_UNSPECIFIED,
    "active": terms_pb2.AGREEMENT_STATUS_ACTIVE,
    "terminated": terms_pb2.AGREEMENT_STATUS_TERMINATED,
}
PAGE_SIZE = 100


def text_filter(name: str) -> str:
    """A free-text query parameter, at most MAX_FILTER_CHARACTERS (BadQueryError otherwise)."""
    value = request.args.get(name, "").strip()
    if len(value) > MAX_FILTER_CHARACTERS:
        raise BadQueryError(name, f"at most {MAX_FILTER_CHARACTERS} characters")
    return value


def choice(name: str, choices: Mapping[str, int]) -> int:
    """An enum query parameter among its choices (BadQueryError otherwise)."""
    value = request.args.get(name, "")
    if value not in choices:
        raise BadQueryError(name, f"one of {', '.join(repr(c) for c in choices if c)} or empty")
    return choices[value]


def recorded_after(stamp: Timestamp, known_at: datetime) -> bool:
    """Whether a line was recorded after the page's known_at (so the page leaves it out)."""
    recorded = instant(stamp)
    return recorded is not None and recorded > known_at


def register(app: Flask) -> None:
    """The listing pages."""

    @app.get("/")
    def index() -> Response:
        return redirect(link("agreements"), code=302)  # type: ignore[return-value]

    @app.get("/agreements")
    def agreements() -> Response | str:
        when = travel()
        searched = text_filter("id")
        if searched:
            return redirect(link("agreement", agreement_id=searched), code=303)  # type: ignore[return-value]
        filters = {
            name: text_filter(name) for name in ("customer", "provider", "service", "page_token")
        }
        kind, status = choice("kind", KINDS), choice("status", STATUSES)
        request_message = discovery_pb2.ListAgreementsRequest(
            customer_id=filters["customer"],
            provider_id=filters["provider"],
            service=filters["service"],
            kind=kind,  # type: ignore[arg-type]
            status=status,  # type: ignore[arg-type]
            as_of=when.as_of_stamp(),
            known_at=when.known_at_stamp(),
            page_size=PAGE_SIZE,
            page_token=filters["page_token"],
        )
        try:
            page = reads.list_agreements(ledger(), request_message)
        except grpc.RpcError as error:
            if rpc_code(error) != grpc.StatusCode.PERMISSION_DENIED:
                raise
            body = render_template(
                "agreements.html",
                title="Agreements",
                filters=filters,
                kinds=KINDS,
                statuses=STATUSES,
                page=None,
                refused=True,
            )
            return Response(body, status=403, mimetype="text/html")
        return render_template(
            "agreements.html",
            title="Agreements",
            filters=filters,
            kinds=KINDS,
            statuses=STATUSES,
            page=page,
            refused=False,
        )

    @app.get("/credits")
    def credits() -> str:
        when = travel()
        customer = text_filter("customer")
        agreement_id = text_filter("agreement")
        page_token = text_filter("page_token")
        page = None
        balances = None
        if customer or agreement_id:
            page = reads.list_credits(
                ledger(),
                ledger_service_pb2.ListCreditsRequest(
                    customer_id=customer,
                    agreement_id=agreement_id,
                    page_size=PAGE_SIZE,
                    page_token=page_token,
                ),
            )
        if customer:
            balances = reads.credit_balances(ledger(), customer, when)
        lines = [
            line
            for line in (page.credits if page is not None else [])
            if when.known_at is None
            or (instant(line.recorded_at) or when.known_at) <= when.known_at
        ]
        return render_template(
            "credits.html",
            title="Credits",
            customer=customer,
            agreement_id=agreement_id,
            page=page,
            lines=lines,
            balances=balances,
        )

    @app.get("/digest")
    def digest() -> str:
        answer = reads.ledger_digest(ledger())
        return render_template("digest.html", title="Ledger digest", answer=answer)
