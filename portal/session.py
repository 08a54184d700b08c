"""Sign in and out: the bearer token kept in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, redirect, render_template, request, url_for

from portal.page_context import TOKEN_COOKIE

MAX_TOKEN_CHARACTERS = 4096


def _safe_next(target: str) -> str:
    """A same-site path to go back to after signing in; the agreements otherwise."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("agreements")


def _refuse_cross_site_posts() -> None:
    """403 for a form posted from another site (its Origin, or else its Referer, names another
    host): no page elsewhere can sign a visitor in with a token of its choosing, or out."""
    if request.method != "POST":
        return
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    if source and (source == "null" or urlsplit(source).netloc != request.host):
        abort(403, "This form may be sent only from the portal's own pages.")


def register(app: Flask) -> None:
    """The sign-in and sign-out pages, and the same-site check of every form post."""
    app.before_request(_refuse_cross_site_posts)

    @app.get("/sign-in")
    def sign_in_form() -> str:
        return render_template("sign_in.html", title="Sign in", message="", status=200)

    @app.post("/sign-in")
    def sign_in() -> Response:
        token = request.form.get("token", "").strip()
        if not token or len(token) > MAX_TOKEN_CHARACTERS or not token.isprintable():
            body = render_template(
                "sign_in.html",
                title="Sign in",
                message=f"Enter a bearer token of 1 to {MAX_TOKEN_CHARACTERS} characters.",
                status=400,
            )
            return Response(body, status=400, mimetype="text/html")
        response = redirect(_safe_next(request.form.get("next", "")), code=303)
        response.set_cookie(
            TOKEN_COOKIE,
            token,
            httponly=True,
            samesite="Strict",
            secure=request.is_secure,
            path="/",
        )
        return response  # type: ignore[return-value]

    @app.post("/sign-out")
    def sign_out() -> Response:
        response = redirect(url_for("sign_in_form"), code=303)
        response.delete_cookie(
            TOKEN_COOKIE, path="/", httponly=True, samesite="Strict", secure=request.is_secure
        )
        return response  # type: ignore[return-value]
