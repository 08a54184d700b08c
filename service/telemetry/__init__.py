"""Operational telemetry of the server: metrics and traces, each off unless configured."""
