"""Whether and how the server traces, from the standard OTEL_* variables.

Read at the door, before opentelemetry is imported: tracing is off unless OTEL_TRACES_EXPORTER
names an exporter or an OTLP endpoint is set, and OTEL_SDK_DISABLED=true turns it off whatever
else is set. The OTLP exporter reads its other OTEL_EXPORTER_OTLP_* variables itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from service.telemetry.tracing import Tracing

EXPORTERS = ("otlp", "console")
OTLP_PROTOCOLS = ("grpc",)


class TraceSettingsError(ValueError):
    """An OTEL_* variable holds a value the server cannot trace with."""


@dataclass(frozen=True)
class TraceSettings:
    """Tracing is on, exporting spans to each of exporters (names of EXPORTERS)."""

    exporters: tuple[str, ...]


def trace_settings(environ: Mapping[str, str]) -> TraceSettings | None:
    """The tracing the variables ask for, None when it is off; TraceSettingsError naming the
    variable whose value is not understood."""
    disabled = environ.get("OTEL_SDK_DISABLED", "").strip().lower()
    if disabled not in ("", "true", "false"):
        raise TraceSettingsError(f"OTEL_SDK_DISABLED must be true or false, not {disabled!r}")
    if disabled == "true":
        return None
    endpoint = _endpoint(environ)
    names = [n.strip().lower() for n in environ.get("OTEL_TRACES_EXPORTER", "").split(",")]
    names = [n for n in names if n]
    unknown = sorted(set(names) - {*EXPORTERS, "none"})
    if unknown:
        raise TraceSettingsError(
            f"OTEL_TRACES_EXPORTER: unknown exporter {', '.join(unknown)}; "
            "expected otlp, console or none (comma-separated)"
        )
    if not names:
        names = ["otlp"] if endpoint else []
    exporters = tuple(dict.fromkeys(n for n in names if n != "none"))
    if not exporters:
        return None
    if "otlp" in exporters:
        _check_protocol(environ)
    return TraceSettings(exporters)


def _endpoint(environ: Mapping[str, str]) -> str:
    """The OTLP endpoint set for traces, checked to be an http(s) URL with a host."""
    for variable in ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"):
        value = environ.get(variable, "").strip()
        if not value:
            continue
        try:
            parts = urlsplit(value)
            valid = parts.scheme in ("http", "https") and bool(parts.hostname)
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            valid = False
        if not valid:
            raise TraceSettingsError(
                f"{variable} must be an http:// or https:// URL with a host "
                f"(e.g. http://localhost:4317), not {value!r}"
            )
        return value
    return ""


def _check_protocol(environ: Mapping[str, str]) -> None:
    for variable in ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"):
        value = environ.get(variable, "").strip().lower()
        if value and value not in OTLP_PROTOCOLS:
            raise TraceSettingsError(
                f"{variable}: the server exports OTLP over gRPC only (grpc), not {value!r}"
            )
        if value:
            return


def tracing_from_environment(environ: Mapping[str, str]) -> Tracing | None:
    """Start the tracing the variables ask for (importing opentelemetry only then); None when
    it is off. TraceSettingsError for a value that is not understood."""
    settings = trace_settings(environ)
    if settings is None:
        return None
    from service.telemetry.tracing import export_spans

    return export_spans(settings)
