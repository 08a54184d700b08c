"""Which OTEL_* variables switch tracing on, which turn it off, and which are refused."""

from __future__ import annotations

import subprocess
import sys

import pytest

from service.telemetry.tracing_settings import TraceSettings, TraceSettingsError, trace_settings


def test_tracing_is_off_without_otel_variables() -> None:
    assert trace_settings({}) is None


def test_an_exporter_named_switches_tracing_on() -> None:
    assert trace_settings({"OTEL_TRACES_EXPORTER": "console"}) == TraceSettings(("console",))


def test_an_otlp_endpoint_alone_switches_otlp_tracing_on() -> None:
    environ = {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317"}
    assert trace_settings(environ) == TraceSettings(("otlp",))


def test_a_traces_endpoint_alone_switches_otlp_tracing_on() -> None:
    environ = {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://collector:4317"}
    assert trace_settings(environ) == TraceSettings(("otlp",))


def test_exporters_are_a_comma_separated_list_in_any_case() -> None:
    environ = {"OTEL_TRACES_EXPORTER": " OTLP, console ,otlp"}
    assert trace_settings(environ) == TraceSettings(("otlp", "console"))


def test_the_none_exporter_keeps_tracing_off_even_with_an_endpoint() -> None:
    environ = {"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317"}
    assert trace_settings(environ) is None


def test_sdk_disabled_wins_over_an_exporter() -> None:
    environ = {"OTEL_SDK_DISABLED": "TRUE", "OTEL_TRACES_EXPORTER": "console"}
    assert trace_settings(environ) is None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("OTEL_SDK_DISABLED", "maybe"),
        ("OTEL_TRACES_EXPORTER", "jaeger"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"),
        ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://:4317"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:99999"),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
    ],
)
def test_a_value_not_understood_is_refused_naming_its_variable(variable: str, value: str) -> None:
    environ = {"OTEL_TRACES_EXPORTER": "otlp", variable: value}
    if variable == "OTEL_TRACES_EXPORTER":
        environ = {variable: value}
    with pytest.raises(TraceSettingsError, match=variable):
        trace_settings(environ)


def test_the_command_line_imports_no_opentelemetry() -> None:
    script = (
        "import sys, service.cli, service.api.server, projections.read_models; "
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "[]"
