"""What every page has: the caller's connection, the page's instants, links carrying them."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for

from portal import formatting
from portal.time_travel import BadQueryError, TimeTravel
from reports.connection import LedgerConnection

TOKEN_COOKIE = "sla_ledger_token"
# Query parameters the time travel form sets itself rather than carrying them over.
_TRAVEL_FIELDS = ("as_of", "known_at", "page_token")


def ledger() -> LedgerConnection:
    """The connection calling with the signed-in token (none when signed out)."""
    factory = current_app.extensions["sla_ledger_connection_factory"]
    connection: LedgerConnection = factory(request.cookies.get(TOKEN_COOKIE, ""))
    return connection


def travel() -> TimeTravel:
    """The page's as_of and known_at (BadQueryError, a 400 page, when malformed)."""
    return TimeTravel.from_args(request.args)


def link(endpoint: str, **values: Any) -> str:
    """The URL of a page, carrying the current page's as_of and known_at."""
    try:
        carried = TimeTravel.from_args(request.args).query()
    except BadQueryError:  # the error page of a bad instant links without it
        carried = {}
    return url_for(endpoint, **(carried | {k: v for k, v in values.items() if v not in ("", None)}))


def kept_fields() -> list[tuple[str, str]]:
    """The current query's other parameters, kept as hidden fields by the time travel form."""
    return [(k, v) for k, v in request.args.items(multi=True) if k not in _TRAVEL_FIELDS]


def template_globals() -> dict[str, Any]:
    """Functions the templates call."""
    return {
        "link": link,
        "kept_fields": kept_fields,
        "show_instant": formatting.show_instant,
        "show_money": formatting.show_money,
        "enum_name": formatting.enum_name,
        "status_class": formatting.status_class,
        "show_duration": formatting.show_duration,
        "show_figure": formatting.show_figure,
        "is_set": formatting.is_set,
    }


def context_processor() -> dict[str, Any]:
    """Values every template sees: whether signed in, the page's instants as typed."""
    return {
        "signed_in": bool(request.cookies.get(TOKEN_COOKIE)),
        "as_of_text": request.args.get("as_of", ""),
        "known_at_text": request.args.get("known_at", ""),
        "svgs": [],
    }
