"""OpenTelemetry traces of the server: a server span per LedgerService call (the maintained gRPC
instrumentation), child spans around storage and projection work, the trace id for the access
log. Imported only when tracing is on (service/telemetry/tracing_settings.py decides).
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)

from projections.tracing_spans import use_tracer
from service.telemetry.tracing_settings import TraceSettings

DEFAULT_SERVICE_NAME = "sla-ledger"
TRACER_NAME = "sla_ledger"


class Tracing:
    """A tracer provider feeding its span processors, and what the server needs of it."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider

    @staticmethod
    def current_trace_id() -> str:
        """The current span's trace id as 32 hex digits, "" outside a span."""
        context = trace.get_current_span().get_span_context()
        return trace.format_trace_id(context.trace_id) if context.is_valid else ""

    def shutdown(self) -> None:
        """Stop recording child spans and export what the processors still hold."""
        use_tracer(None)
        self.provider.shutdown()


def ledger_resource() -> Resource:
    """The resource from OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; service.name is
    "sla-ledger" unless they name it."""
    resource = Resource.create()
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE_NAME}))
    return resource


def start_tracing(processors: Sequence[SpanProcessor]) -> Tracing:
    """Trace into processors: server spans through the interceptor
    (service/api/tracing_interceptor.py), child spans of storage and projections from now on."""
    provider = TracerProvider(resource=ledger_resource())
    for processor in processors:
        provider.add_span_processor(processor)
    use_tracer(provider.get_tracer(TRACER_NAME))
    return Tracing(provider)


def export_spans(settings: TraceSettings) -> Tracing:
    """Tracing to the exporters settings name, in batches; the process's global provider."""
    tracing = start_tracing([BatchSpanProcessor(_exporter(name)) for name in settings.exporters])
    trace.set_tracer_provider(tracing.provider)
    return tracing


def _exporter(name: str) -> SpanExporter:
    if name == "console":
        # One span per line on standard output, beside the JSON log on standard error.
        return ConsoleSpanExporter(formatter=lambda span: span.to_json(indent=None) + "\n")
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (
        OTLPSpanExporter,
    )

    return OTLPSpanExporter()
