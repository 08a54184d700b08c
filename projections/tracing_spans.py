"""Child spans around storage and projection work, recorded only once tracing is on.

The server installs a tracer here when the OTEL_* variables switch tracing on
(service/telemetry/tracing.py); until then span() costs a function call and opentelemetry is
never imported. The store's spans come from here too, so that one switch turns on both.
"""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from opentelemetry.trace import Tracer

_tracer: Tracer | None = None


def use_tracer(tracer: Tracer | None) -> None:
    """Record spans with tracer from now on; None stops recording."""
    global _tracer  # the one switch, set at the composition root
    _tracer = tracer


def span(name: str, **attributes: str | int) -> AbstractContextManager[Any]:
    """A span named name, a child of the current one if any, while tracing is on; else
    nothing."""
    tracer = _tracer
    if tracer is None:
        return nullcontext()
    return tracer.start_as_current_span(name, attributes=attributes)


def child_span(name: str, **attributes: str | int) -> AbstractContextManager[Any]:
    """A span named name within the current span (a call's, a batch's), else nothing: reads
    that pollers repeat while idle would otherwise each be a trace of their own."""
    tracer = _tracer
    if tracer is None:
        return nullcontext()
    from opentelemetry import trace

    if not trace.get_current_span().get_span_context().is_valid:
        return nullcontext()
    return tracer.start_as_current_span(name, attributes=attributes)
