"""Configuration from flags and SLA_LEDGER_* variables: the one place the environment is read."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from service.listen_addresses import (
    DEFAULT_PORT,
    is_loopback,
    listen_address,
    metrics_address,
)
from service.logs import log_level
from service.store.event_limits import DEFAULT_MAX_MESSAGE_BYTES, MIN_MAX_MESSAGE_BYTES
from service.store.storage import DEFAULT_DATABASE_URL

DEFAULT_LISTEN = f"127.0.0.1:{DEFAULT_PORT}"
LOG_LEVEL_VARIABLE = "SLA_LEDGER_LOG_LEVEL"
DATABASE_URL_VARIABLE = "SLA_LEDGER_DATABASE_URL"
# Advanced: seconds a SubscribeEvents stream stays quiet before it sends a heartbeat.
HEARTBEAT_VARIABLE = "SLA_LEDGER_HEARTBEAT_SECONDS"
DEFAULT_HEARTBEAT_SECONDS = 5.0
MAX_DIGEST_LOG_INTERVAL = 7 * 24 * 3600.0  # a week
# The share of a case clock's target after which the clock is at risk (GetCase, ListCases, the
# at-risk warning): 1 to 99 percent.
DEFAULT_CASE_AT_RISK_PERCENT = 75
CASE_AT_RISK_PERCENT_RANGE = range(1, 100)
# Case-clock warnings: seconds between rounds, and how old a due instant may be for its breach to
# be warned (older ones were back-filled: docs/cases.md "Warnings").
MAX_CASE_WARNING_INTERVAL = 3600.0
CASE_WARNING_HORIZON_RANGE = (60.0, 31 * 24 * 3600.0)


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
    digest_log_interval_seconds: float = 300.0
    heartbeat_seconds: float = DEFAULT_HEARTBEAT_SECONDS  # no flag: HEARTBEAT_VARIABLE only
    case_at_risk_percent: int = DEFAULT_CASE_AT_RISK_PERCENT
    warn_cases: bool = True
    case_warning_interval_seconds: float = 5.0
    case_warning_horizon_seconds: float = 24 * 3600.0
    metrics_listen: str = ""  # "": no metrics endpoint

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
    (
        "--listen",
        "SLA_LEDGER_LISTEN",
        "listen",
        listen_address,
        "HOST:PORT to listen on ([IPV6]:PORT; a host alone: port 50051); port 0 picks one",
    ),
    (
        "--database-url",
        DATABASE_URL_VARIABLE,
        "database_url",
        str,
        "sqlite:///FILE or postgresql+psycopg://USER@HOST:PORT/DB[?schema=NAME&LIBPQ_PARAM=V]",
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
    ("--log-level", LOG_LEVEL_VARIABLE, "log_level", log_level, "DEBUG, INFO, WARNING or ERROR"),
    (
        "--close-periods",
        "SLA_LEDGER_CLOSE_PERIODS",
        "close_periods",
        on_or_off,
        "on or off: close due periods in the background (off during a back-fill longer than "
        "the close grace)",
    ),
    (
        "--close-grace",
        "SLA_LEDGER_CLOSE_GRACE",
        "close_grace_seconds",
        float,
        "seconds after a period ends before it is closed automatically (late data window), "
        "and after an agreement is signed or amended before any of its periods is (back-fill)",
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
    (
        "--digest-log-interval",
        "SLA_LEDGER_DIGEST_LOG_INTERVAL",
        "digest_log_interval_seconds",
        float,
        'seconds between "ledger digest" log lines (position and hash) to ship off the '
        "machine; 0 turns them off",
    ),
    (
        "--case-at-risk-percent",
        "SLA_LEDGER_CASE_AT_RISK_PERCENT",
        "case_at_risk_percent",
        int,
        "share of a case clock's target (1 to 99 percent) after which the clock is at risk",
    ),
    (
        "--warn-cases",
        "SLA_LEDGER_WARN_CASES",
        "warn_cases",
        on_or_off,
        "on or off: append at-risk and breach warnings of running case clocks in the background",
    ),
    (
        "--case-warning-interval",
        "SLA_LEDGER_CASE_WARNING_INTERVAL",
        "case_warning_interval_seconds",
        float,
        "seconds between background case-warning rounds (more than 0, at most 3600)",
    ),
    (
        "--case-warning-horizon",
        "SLA_LEDGER_CASE_WARNING_HORIZON",
        "case_warning_horizon_seconds",
        float,
        "seconds (60 to 31 days) a case clock's due instant may lie in the past for its breach "
        "to be warned; older breaches (back-filled history) are not",
    ),
    (
        "--metrics-listen",
        "SLA_LEDGER_METRICS_LISTEN",
        "metrics_listen",
        metrics_address,
        "HOST:PORT to serve Prometheus metrics on over HTTP (/metrics; port 0 picks one); "
        "empty: no metrics (docs/operations.md)",
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


def command_log_level(flag: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The log level of a command other than serve: its flag, else the environment (the
    process's unless given), else INFO; SystemExit naming where an unknown level came from."""
    environ = os.environ if environ is None else environ
    raw, source = flag, "--log-level"
    if raw is None:
        raw, source = environ.get(LOG_LEVEL_VARIABLE) or "INFO", LOG_LEVEL_VARIABLE
    try:
        return log_level(raw)
    except ValueError:
        raise SystemExit(
            f"sla-ledger: {source}: {raw!r} is not a valid {log_level.__name__}"
        ) from None


def command_database_url(flag: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The database URL of a command other than serve: its flag, else the environment (the
    process's unless given), else the default."""
    environ = os.environ if environ is None else environ
    return str(flag or environ.get(DATABASE_URL_VARIABLE) or DEFAULT_DATABASE_URL)


def heartbeat_seconds(environ: Mapping[str, str]) -> float:
    """SLA_LEDGER_HEARTBEAT_SECONDS, or the default; it must be a positive number."""
    text = environ.get(HEARTBEAT_VARIABLE, "")
    if not text:
        return DEFAULT_HEARTBEAT_SECONDS
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise SystemExit(f"sla-ledger: {HEARTBEAT_VARIABLE} must be a positive number of seconds")
    return seconds


def serve_config(
    arguments: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> ServeConfig:
    """Flags win over environment variables (the process's unless given), which win over
    defaults."""
    environ = os.environ if environ is None else environ
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
    if not 0 <= config.digest_log_interval_seconds <= MAX_DIGEST_LOG_INTERVAL:
        raise SystemExit(
            f"sla-ledger: the digest log interval must be 0 (off) to {MAX_DIGEST_LOG_INTERVAL} s"
        )
    if config.case_at_risk_percent not in CASE_AT_RISK_PERCENT_RANGE:
        raise SystemExit("sla-ledger: --case-at-risk-percent must be 1 to 99")
    if not 0 < config.case_warning_interval_seconds <= MAX_CASE_WARNING_INTERVAL:
        raise SystemExit(
            f"sla-ledger: --case-warning-interval must be more than 0 and at most "
            f"{MAX_CASE_WARNING_INTERVAL} s"
        )
    shortest, longest = CASE_WARNING_HORIZON_RANGE
    if not shortest <= config.case_warning_horizon_seconds <= longest:
        raise SystemExit(
            f"sla-ledger: --case-warning-horizon must be {shortest:.0f} to {longest:.0f} s"
        )
    if bool(config.tls_cert) != bool(config.tls_key):
        raise SystemExit("sla-ledger: --tls-cert and --tls-key go together")
    if config.tls_client_ca and not config.tls:
        raise SystemExit("sla-ledger: --tls-client-ca needs --tls-cert and --tls-key")
    if not config.tls and not config.insecure and not is_loopback(config.listen):
        raise SystemExit(
            f"sla-ledger: refusing to listen on {config.listen} without TLS; give --tls-cert "
            "and --tls-key, listen on loopback, or pass --insecure on"
        )
    return replace(config, heartbeat_seconds=heartbeat_seconds(environ))
