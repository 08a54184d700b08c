"""Telemetry of the running server: Prometheus metrics (metrics*.py) and OpenTelemetry traces
(tracing*.py), each imported only when switched on."""
