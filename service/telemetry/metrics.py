"""The ledger's Prometheus metrics: one registry, the gRPC server metrics named as
go-grpc-middleware names them, and the ledger's own, prefixed sla_ledger_.

Imported only when `--metrics-listen` is set (prometheus_client costs about 90 ms to import).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
)

from service.telemetry.metrics_observer import STORAGE_ERROR_KINDS, LedgerObserver

if TYPE_CHECKING:
    from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

    from projections.read_models import ReadModels
    from service.app.application import Clock, LedgerApplication

GRPC_LABELS = ("grpc_type", "grpc_service", "grpc_method")
# The buckets go-grpc-middleware uses by default (Prometheus' own), in seconds.
HANDLING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# The background workers of `sla-ledger serve` (service/workers), as their rounds name them.
WORKERS = ("period-closer", "claim-forfeiter", "case-warner")


class LedgerMetrics(LedgerObserver):
    """Every metric of one server, in a registry of its own (plus the process collectors)."""

    def __init__(self) -> None:
        # No *_created series: process-wide, and a server process has one registry.
        disable_created_metrics()  # type: ignore[no-untyped-call]
        self.registry = CollectorRegistry(auto_describe=True)
        for collector in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
            self.registry.register(collector)
        into = self.registry
        self.started = Counter(
            "grpc_server_started", "RPCs started on the server.", GRPC_LABELS, registry=into
        )
        self.handled = Counter(
            "grpc_server_handled",
            "RPCs completed on the server, by status code.",
            (*GRPC_LABELS, "grpc_code"),
            registry=into,
        )
        self.handling_seconds = Histogram(
            "grpc_server_handling_seconds",
            "Time from the start of an RPC to its status, in seconds.",
            GRPC_LABELS,
            buckets=HANDLING_BUCKETS,
            registry=into,
        )
        self.msg_received = Counter(
            "grpc_server_msg_received", "RPC messages received.", GRPC_LABELS, registry=into
        )
        self.msg_sent = Counter(
            "grpc_server_msg_sent", "RPC messages sent.", GRPC_LABELS, registry=into
        )
        self.received_bytes = Counter(
            "sla_ledger_rpc_received_bytes",
            "Serialized bytes of the request messages received.",
            ("grpc_method",),
            registry=into,
        )
        self.sent_bytes = Counter(
            "sla_ledger_rpc_sent_bytes",
            "Serialized bytes of the response messages sent.",
            ("grpc_method",),
            registry=into,
        )
        self.readings = Counter(
            "sla_ledger_readings_ingested",
            "Readings recorded by RecordMeasurements (new ones; duplicates and replays not).",
            registry=into,
        )
        self.milestones = Counter(
            "sla_ledger_case_milestones_ingested",
            "Case milestones recorded by RecordCaseEvents (new ones; duplicates and replays not).",
            registry=into,
        )
        self.events = Counter(
            "sla_ledger_events_appended",
            "Events committed to the log, by calls and background workers alike.",
            registry=into,
        )
        self.rounds = Counter(
            "sla_ledger_background_rounds",
            "Rounds of a background worker over every agreement.",
            ("worker",),
            registry=into,
        )
        self.round_failures = Counter(
            "sla_ledger_background_round_failures",
            "Rounds in which some of a worker's work failed (an agreement, or the storage).",
            ("worker",),
            registry=into,
        )
        self.storage_errors = Counter(
            "sla_ledger_storage_errors",
            "Calls that ended with a failure of the storage, by kind.",
            ("kind",),
            registry=into,
        )
        self.open_streams = Gauge(
            "sla_ledger_open_streams", "SubscribeEvents streams open now.", registry=into
        )
        for worker in WORKERS:
            self.rounds.labels(worker)
            self.round_failures.labels(worker)
        for kind in STORAGE_ERROR_KINDS:
            self.storage_errors.labels(kind)

    def readings_ingested(self, count: int) -> None:
        """Count new readings of a successful RecordMeasurements call."""
        self.readings.inc(count)

    def case_milestones_ingested(self, count: int) -> None:
        """Count new milestones of a successful RecordCaseEvents call."""
        self.milestones.inc(count)

    def events_appended(self, count: int) -> None:
        """Count events committed to the log."""
        self.events.inc(count)

    def background_round(self, worker: str, failed: bool) -> None:
        """Count a worker's round, and whether it failed."""
        self.rounds.labels(worker).inc()
        if failed:
            self.round_failures.labels(worker).inc()

    def storage_error(self, kind: str) -> None:
        """Count a call ended by a storage failure."""
        self.storage_errors.labels(kind).inc()

    def know_methods(self, service: ServiceDescriptor) -> None:
        """Start every method's call series of a service at zero, so rates exist before the
        first call (as go-grpc-middleware's InitializeMetrics does)."""
        for described in service.methods:
            method = described.name
            labels = (_grpc_type(described), service.full_name, method)
            self.started.labels(*labels)
            self.handled.labels(*labels, "OK")
            self.handling_seconds.labels(*labels)
            self.msg_received.labels(*labels)
            self.msg_sent.labels(*labels)
            self.received_bytes.labels(method)
            self.sent_bytes.labels(method)

    def watch(
        self,
        app: LedgerApplication,
        open_streams: Callable[[], int],
        read_models: ReadModels | None,
        clock: Clock,
    ) -> None:
        """Count the application's appended events, read the open streams at each scrape, and
        with read models, their lag behind the log."""
        app.on_events_appended = self.events_appended
        self.open_streams.set_function(lambda: float(open_streams()))
        if read_models is not None:
            from service.telemetry.metrics_lag import ProjectionLagCollector

            self.registry.register(ProjectionLagCollector(app.event_log, read_models, clock))


def _grpc_type(method: MethodDescriptor) -> str:
    if method.client_streaming:
        return "bidi_stream" if method.server_streaming else "client_stream"
    return "server_stream" if method.server_streaming else "unary"
