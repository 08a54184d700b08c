"""Server configuration from command-line flags and SLA_LEDGER_* environment variables."""

from __future__ import annotations

import argparse
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from service.event_limits import DEFAULT_MAX_MESSAGE_BYTES, MIN_MAX_MESSAGE_BYTES
from service.storage import DEFAULT_DATABASE_URL

DEFAULT_LISTEN = "127.0.0.1:50051"


@dataclass(frozen=True)
class ServeConfig:
    """Everything `sla-ledger serve` needs to start."""

    listen: str = DEFAULT_LISTEN
    database_url: str = DEFAULT_DATABASE_URL
    workers: int = 16
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES
    shutdown_grace_seconds: float = 10.0
    log_level: str = "INFO"
    close_periods: bool = True
    close_grace_seconds: float = 3600.0
    close_interval_seconds: float = 60.0
    projections: str = "process"
    tls_cert: str = ""
    tls_key: str = ""
    tls_client_ca: str = ""
    insecure: bool = False
    max_clock_skew_seconds: float = 300.0
    tokens_file: str = ""

    @property
    def tls(self) -> bool:
        """Whether the server speaks TLS."""
        return bool(self.tls_cert)


def on_or_off(text: str) -> bool:
    """True for on/true/yes/1, False for off/false/no/0."""
    value = text.strip().lower()
    if value in ("on", "true", "yes", "1"):
        return True
    if value in ("off", "false", "no", "0"):
        return False
    raise ValueError(text)


on_or_off.__name__ = "on/off"

PROJECTION_MODES = ("process", "on", "off")


def projection_mode(text: str) -> str:
    """process, on or off (see the --projections help)."""
    value = text.strip().lower()
    if value not in PROJECTION_MODES:
        raise ValueError(text)
    return value


projection_mode.__name__ = "process/on/off"


# flag name -> (environment variable, field, parser, help)
SETTINGS: list[tuple[str, str, str, Callable[[str], object], str]] = [
    ("--listen", "SLA_LEDGER_LISTEN", "listen", str, "HOST:PORT to listen on; port 0 picks one"),
    (
        "--database-url",
        "SLA_LEDGER_DATABASE_URL",
        "database_url",
        str,
        "sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB[?schema=NAME]",
    ),
    ("--workers", "SLA_LEDGER_WORKERS", "workers", int, "threads serving requests"),
    (
        "--max-message-bytes",
        "SLA_LEDGER_MAX_MESSAGE_BYTES",
        "max_message_bytes",
        int,
        "largest request or response accepted",
    ),
    (
        "--shutdown-grace",
        "SLA_LEDGER_SHUTDOWN_GRACE",
        "shutdown_grace_seconds",
        float,
        "seconds in-flight calls get to finish on SIGTERM/SIGINT",
    ),
    ("--log-level", "SLA_LEDGER_LOG_LEVEL", "log_level", str, "DEBUG, INFO, WARNING or ERROR"),
    (
        "--close-periods",
        "SLA_LEDGER_CLOSE_PERIODS",
        "close_periods",
        on_or_off,
        "on or off: close due periods in the background (off while back-filling history)",
    ),
    (
        "--close-grace",
        "SLA_LEDGER_CLOSE_GRACE",
        "close_grace_seconds",
        float,
        "seconds after a period ends before it is closed automatically (late data window)",
    ),
    (
        "--close-interval",
        "SLA_LEDGER_CLOSE_INTERVAL",
        "close_interval_seconds",
        float,
        "seconds between background closing rounds",
    ),
    (
        "--projections",
        "SLA_LEDGER_PROJECTIONS",
        "projections",
        projection_mode,
        "where the read models are kept current: process (a child `sla-ledger project` "
        "process, restarted if it stops), on (a thread of this process) or off (workers run them)",
    ),
    ("--tls-cert", "SLA_LEDGER_TLS_CERT", "tls_cert", str, "PEM file: the server's certificate"),
    ("--tls-key", "SLA_LEDGER_TLS_KEY", "tls_key", str, "PEM file: the server's private key"),
    (
        "--tls-client-ca",
        "SLA_LEDGER_TLS_CLIENT_CA",
        "tls_client_ca",
        str,
        "PEM file: CA certificates; clients must then present a certificate it signed (mTLS)",
    ),
    (
        "--max-clock-skew",
        "SLA_LEDGER_MAX_CLOCK_SKEW",
        "max_clock_skew_seconds",
        float,
        "seconds a reading may be observed after the ledger's clock (clients' clocks drift)",
    ),
    (
        "--tokens",
        "SLA_LEDGER_TOKENS",
        "tokens_file",
        str,
        "JSON file of bearer tokens (hashed) with roles and customers; every call then needs one",
    ),
    (
        "--insecure",
        "SLA_LEDGER_INSECURE",
        "insecure",
        on_or_off,
        "on to listen without TLS on an address other than loopback (logs a warning)",
    ),
]


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    """Add one flag per setting; each help names its environment variable and default."""
    defaults = ServeConfig()
    for flag, env_name, field, _kind, help_text in SETTINGS:
        parser.add_argument(
            flag,
            dest=field,
            default=None,
            help=f"{help_text} (env {env_name}; default {_shown(getattr(defaults, field))})",
        )


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def serve_config(arguments: argparse.Namespace, environ: Mapping[str, str]) -> ServeConfig:
    """Flags win over environment variables, which win over defaults."""
    values: dict[str, object] = {}
    for flag, env_name, field, kind, _help in SETTINGS:
        raw = getattr(arguments, field, None)
        source = flag
        if raw is None:
            raw, source = environ.get(env_name), env_name
        if raw is None or raw == "":
            continue
        try:
            values[field] = kind(raw)
        except ValueError:
            raise SystemExit(
                f"sla-ledger: {source}: {raw!r} is not a valid {kind.__name__}"
            ) from None
    config = ServeConfig(**values)  # type: ignore[arg-type]
    if config.workers < 1:
        raise SystemExit("sla-ledger: workers must be at least 1")
    if config.max_message_bytes < MIN_MAX_MESSAGE_BYTES:
        raise SystemExit(
            f"sla-ledger: --max-message-bytes must be at least {MIN_MAX_MESSAGE_BYTES}, so that "
            "the largest event fits in a page of ListEvents and SubscribeEvents"
        )
    if config.close_grace_seconds < 0 or config.close_interval_seconds <= 0:
        raise SystemExit("sla-ledger: close grace must be >= 0 and close interval > 0")
    if config.max_clock_skew_seconds < 0:
        raise SystemExit("sla-ledger: the clock skew must be >= 0")
    if bool(config.tls_cert) != bool(config.tls_key):
        raise SystemExit("sla-ledger: --tls-cert and --tls-key go together")
    if config.tls_client_ca and not config.tls:
        raise SystemExit("sla-ledger: --tls-client-ca needs --tls-cert and --tls-key")
    if not config.tls and not config.insecure and not is_loopback(config.listen):
        raise SystemExit(
            f"sla-ledger: refusing to listen on {config.listen} without TLS; give --tls-cert "
            "and --tls-key, listen on loopback, or pass --insecure on"
        )
    return config


def is_loopback(listen: str) -> bool:
    """Whether a HOST:PORT address is reachable only from this machine."""
    host = listen.rpartition(":")[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
