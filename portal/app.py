"""The portal's Flask application: create_app wires the pages, the session and error pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from portal import agreement_pages, listing_pages, period_pages, session, statement_pages
from portal.errors import PageNotFoundError, PageRefusedError, page_of_rpc_error
from portal.page_context import context_processor, template_globals
from portal.time_travel import BadQueryError
from reports.connection import LedgerConnection

ConnectionFactory = Callable[[str], LedgerConnection]
CONNECTION_FACTORY = "sla_ledger_connection_factory"
# No script at all; inline styles only because matplotlib's SVG charts carry them.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:"
)


def create_app(connection_factory: ConnectionFactory, **config: Any) -> Flask:
    """The portal: connection_factory(token) gives a connection calling with that token.

    config keys go to Flask's config (e.g. TESTING=True).
    """
    app = Flask("portal", static_folder="static", template_folder="templates")
    app.config.update(config)
    app.extensions[CONNECTION_FACTORY] = connection_factory
    app.jinja_env.autoescape = True
    app.jinja_env.globals.update(template_globals())
    app.context_processor(context_processor)
    session.register(app)
    listing_pages.register(app)
    agreement_pages.register(app)
    period_pages.register(app)
    statement_pages.register(app)
    _register_error_pages(app)
    app.after_request(_security_headers)
    return app


def _error(status: int, title: str, message: str, template: str = "error.html") -> Response:
    body = render_template(
        template, title=title, message=message, status=status, next_url=request.full_path
    )
    return Response(body, status=status, mimetype="text/html")


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(PageNotFoundError)
    def not_found(error: PageNotFoundError) -> Response:
        return _error(
            404,
            "Not found",
            f"There is no {error.what}, or not one your token may see.",
        )

    @app.errorhandler(PageRefusedError)
    def refused(error: PageRefusedError) -> Response:
        return _error(403, "Not allowed", error.message)

    @app.errorhandler(BadQueryError)
    def bad_query(error: BadQueryError) -> Response:
        return _error(400, "Bad request", f"The field {error.field} is wrong: {error.problem}.")

    @app.errorhandler(grpc.RpcError)
    def ledger_error(error: grpc.RpcError) -> Response:
        page = page_of_rpc_error(error)
        if page.status == 401:
            return _error(401, page.title, page.message, "sign_in.html")
        return _error(page.status, page.title, page.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        title = "Not found" if status == 404 else (error.name or "Error")
        message = (
            "There is no page at this address."
            if status == 404
            else (error.description or "The request could not be served.")
        )
        return _error(status, title, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        app.logger.exception("portal page failed", exc_info=error)
        return _error(500, "Portal error", "The portal could not show this page.")


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.path.startswith("/static/"):
        return response
    response.headers.setdefault("Cache-Control", "no-store")
    return response
