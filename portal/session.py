"""Sign in and out: the bearer token kept in an HttpOnly, SameSite=Strict cookie."""

from __future__ import annotations

from flask import Flask, Response, redirect, render_template, request, url_for

from portal.page_context import TOKEN_COOKIE

MAX_TOKEN_CHARACTERS = 4096


def _safe_next(target: str) -> str:
    """A same-site path to go back to after signing in; the agreements otherwise."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("agreements")


def register(app: Flask) -> None:
    """The sign-in and sign-out pages."""

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
