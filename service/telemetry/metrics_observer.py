"""What the ledger's parts report for its metrics: the observer they are handed, which ignores
everything until the metrics are switched on.

This module imports nothing but the standard library, so the API layer can hold an observer
without loading prometheus_client; LedgerMetrics (service/telemetry/metrics.py) is the one that
counts.
"""

from __future__ import annotations

# The kinds of storage failure sla_ledger_storage_errors_total counts.
STORAGE_ERROR_KINDS = ("unavailable", "storage_full", "tampered", "unreadable")


class LedgerObserver:
    """Receives what the ledger did; this base ignores it (metrics off)."""

    def readings_ingested(self, count: int) -> None:
        """A RecordMeasurements call recorded count new readings."""

    def case_milestones_ingested(self, count: int) -> None:
        """A RecordCaseEvents call recorded count new case milestones."""

    def events_appended(self, count: int) -> None:
        """count events were committed to the log."""

    def background_round(self, worker: str, failed: bool) -> None:
        """A background worker finished a round; failed when any of its work did not succeed."""

    def storage_error(self, kind: str) -> None:
        """A call ended with a storage failure of one of STORAGE_ERROR_KINDS."""
