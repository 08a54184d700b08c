"""`sla-ledger portal`: the portal served by waitress, a client of the ledger's gRPC API."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import signal
import threading
from types import FrameType

from reports.defaults import DEFAULT_TIMEOUT_SECONDS

logger = logging.getLogger("sla_ledger.portal")
DEFAULT_LISTEN = "127.0.0.1:8080"
DEFAULT_THREADS = 8
MAX_THREADS = 256


class _StopRequestedError(SystemExit):
    """SIGTERM arrived: stop serving."""

    # A SystemExit, not an Exception: the signal may land while waitress handles a channel,
    # and its event loop re-raises only SystemExit, KeyboardInterrupt and ExitNow; anything
    # else is logged as "uncaptured python exception" and the server goes on serving.


def add_portal_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `sla-ledger portal` (each with an environment variable)."""
    env = os.environ.get
    parser.add_argument(
        "--ledger",
        default=env("SLA_LEDGER_PORTAL_LEDGER", "127.0.0.1:50051"),
        help="the ledger's gRPC address HOST:PORT (env SLA_LEDGER_PORTAL_LEDGER)",
    )
    parser.add_argument(
        "--ledger-ca",
        default=env("SLA_LEDGER_PORTAL_LEDGER_CA", ""),
        help="PEM CA certificates of the ledger's TLS certificate; absent: plaintext",
    )
    parser.add_argument(
        "--ledger-server-name",
        default=env("SLA_LEDGER_PORTAL_LEDGER_SERVER_NAME", ""),
        help="the name the ledger's certificate holds, when it differs from --ledger's host",
    )
    parser.add_argument(
        "--listen",
        default=env("SLA_LEDGER_PORTAL_LISTEN", DEFAULT_LISTEN),
        help=f"HTTP address HOST:PORT (port 0: a free port; default {DEFAULT_LISTEN})",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=int(env("SLA_LEDGER_PORTAL_THREADS", str(DEFAULT_THREADS))),
        help=f"threads serving pages, 1 to {MAX_THREADS} (default {DEFAULT_THREADS})",
    )
    parser.add_argument(
        "--ledger-timeout",
        type=float,
        default=float(env("SLA_LEDGER_PORTAL_LEDGER_TIMEOUT", str(DEFAULT_TIMEOUT_SECONDS))),
        help="seconds each ledger call may take (more than 0, at most 300)",
    )
    parser.add_argument(
        "--insecure",
        choices=("on", "off"),
        default=env("SLA_LEDGER_PORTAL_INSECURE", "off"),
        help="on: serve plain HTTP on an address other than loopback (behind a TLS proxy)",
    )
    parser.add_argument("--log-level", default=None, help="DEBUG, INFO, WARNING or ERROR")


def split_listen(listen: str) -> tuple[str, int]:
    """HOST and PORT of HOST:PORT or [IPV6]:PORT; ValueError otherwise."""
    host, separator, port = listen.rpartition(":")
    if not separator or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--listen {listen!r}: expected HOST:PORT")
    host = host.removeprefix("[").removesuffix("]")
    if not host:
        raise ValueError(f"--listen {listen!r}: expected HOST:PORT")
    return host, int(port)


def is_loopback(host: str) -> bool:
    """Whether a host is reachable only from this machine."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_portal(arguments: argparse.Namespace) -> int:
    """Serve the portal until SIGTERM or SIGINT; 2 for a bad setting."""
    try:
        host, port = split_listen(arguments.listen)
        if not 1 <= arguments.threads <= MAX_THREADS:
            raise ValueError(f"--threads must be 1 to {MAX_THREADS}")
        if not 0 < arguments.ledger_timeout <= 300:
            raise ValueError("--ledger-timeout must be more than 0 and at most 300")
        if not is_loopback(host) and arguments.insecure != "on":
            raise ValueError(
                f"refusing to serve plain HTTP on {arguments.listen}: the portal carries bearer "
                "tokens; listen on loopback behind a TLS proxy, or pass --insecure on"
            )
    except ValueError as error:
        logger.error("portal not started", extra={"reason": str(error)})
        return 2
    if arguments.insecure == "on" and not is_loopback(host):
        logger.warning("portal serving plain HTTP on a non-loopback address; use a TLS proxy")
    # Imported here, not at the top: every `sla-ledger` command loads this module, and the web
    # stack (Flask, matplotlib) and the client would add to each start of `serve`.
    from waitress import create_server

    from portal.app import create_app
    from reports.connection import LedgerAddress, LedgerConnection

    address = LedgerAddress(arguments.ledger, arguments.ledger_ca, arguments.ledger_server_name)
    shared = LedgerConnection(address.channel(), "", arguments.ledger_timeout)
    app = create_app(shared.with_token)
    server = create_server(
        app, host=host, port=port, threads=arguments.threads, ident="sla-ledger portal"
    )
    effective = int(getattr(server, "effective_port", port))

    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()
        raise _StopRequestedError

    # Before the "listening" line: whoever waits for it may send SIGTERM at once (and should
    # the signal land inside the logging call, which swallows it, the flag still says stop).
    signal.signal(signal.SIGTERM, stop)
    try:
        logger.info(
            "portal listening",
            extra={
                "address": f"{host}:{effective}",
                "port": effective,
                "ledger": arguments.ledger,
            },
        )
        if not stopping.is_set():
            server.run()
    except (_StopRequestedError, KeyboardInterrupt):
        pass
    finally:
        server.close()
        shared.close()
    logger.info("portal stopped")
    return 0
